// SPDX-License-Identifier: GPL-3.0-or-later
#include "configdocument.h"

#include "adminlogging.h"
#include "config/configloader.h"
#include "configfilewriter.h"
#include "editcommand.h"

#include <QFile>
#include <QFileInfo>
#include <QFileSystemWatcher>
#include <QJsonDocument>

namespace prc {

namespace {

/// The order of a new file's keys: the way the README and the man page list them.
JsonLayout newFileLayout(const QByteArray &text = QByteArray())
{
    JsonLayout layout = JsonLayout::fromText(text);
    layout.setPreferredOrder(
        QString(), {QStringLiteral("user-agent"), QStringLiteral("admin"), QStringLiteral("endpoints")});
    layout.setPreferredOrder(QStringLiteral("endpoints[]"),
                             ConfigLoader::endpointKeys() + ConfigLoader::endpointSectionKeys());
    layout.setPreferredOrder(QStringLiteral("endpoints[].cache"), ConfigLoader::cacheKeys());
    layout.setPreferredOrder(QStringLiteral("endpoints[].cache.shared"), ConfigLoader::sharedCacheKeys());
    layout.setPreferredOrder(QStringLiteral("admin"),
                             {QStringLiteral("bind-address"), QStringLiteral("bind-port")});
    return layout;
}

QByteArray readFile(const QString &path, bool *ok)
{
    QFile file(path);
    *ok = file.open(QIODevice::ReadOnly);
    return *ok ? file.read(ConfigLoader::MaxFileSize + 1) : QByteArray();
}

/// The value at `path` inside `value`; undefined when a step on the way is missing or not an object.
QJsonValue valueAt(const QJsonValue &value, const QStringList &path)
{
    QJsonValue current = value;
    for (const QString &step : path) {
        if (!current.isObject())
            return QJsonValue(QJsonValue::Undefined);
        current = current.toObject().value(step);
    }
    return current;
}

/// `section` (an object, or what stands where one belongs) with the key at `path` set or removed. Only
/// the outermost section goes away when it is left empty.
QJsonValue withValueAt(const QJsonValue &section, const QStringList &path, const QJsonValue &value,
                       bool outermost)
{
    QJsonObject object = section.toObject();
    const QString &step = path.constFirst();
    if (path.size() > 1)
        object.insert(step, withValueAt(object.value(step), path.mid(1), value, false));
    else if (value.isUndefined())
        object.remove(step);
    else
        object.insert(step, value);
    return outermost && object.isEmpty() ? QJsonValue(QJsonValue::Undefined) : QJsonValue(object);
}

/// `container` with `key` of the object at `section` set, or removed for an undefined value; nullopt when
/// that changes nothing. See ConfigDocument::setRootSectionValue().
std::optional<QJsonObject> withSectionValue(QJsonObject container, const QString &section, const QString &key,
                                            const QJsonValue &value)
{
    const QStringList path = section.split(QLatin1Char('.')) << key;
    // Also "nothing to remove": a missing key, or a section that is not an object (it stays until a real
    // edit replaces it).
    if (valueAt(container, path) == value)
        return std::nullopt;
    const QString &outer = path.constFirst();
    const QJsonValue updated = withValueAt(container.value(outer), path.mid(1), value, true);
    if (updated.isUndefined())
        container.remove(outer);
    else
        container.insert(outer, updated);
    return container;
}

} // namespace

ConfigDocument::ConfigDocument(QObject *parent)
    : QObject(parent)
    , m_layout(newFileLayout())
    , m_watcher(new QFileSystemWatcher(this))
{
    connect(m_watcher, &QFileSystemWatcher::fileChanged, this, &ConfigDocument::onFileChanged);
    connect(&m_undoStack, &QUndoStack::cleanChanged, this,
            [this](bool clean) { Q_EMIT modifiedChanged(!clean); });
    validate();
}

ConfigDocument::~ConfigDocument()
{
    // The undo stack reports "clean" while it clears itself below; by then the owner (usually the main
    // window) is half destroyed, so no modifiedChanged may reach it.
    m_undoStack.disconnect(this);
}

QJsonObject ConfigDocument::templateEndpoint(const QString &name, const QString &mode, int port)
{
    QJsonObject endpoint;
    endpoint.insert(QStringLiteral("name"), name);
    endpoint.insert(QStringLiteral("mode"), mode);
    endpoint.insert(QStringLiteral("target"), QStringLiteral("http://127.0.0.1:8080/%1").arg(name));
    endpoint.insert(QStringLiteral("bind-address"), QStringLiteral("127.0.0.1"));
    endpoint.insert(QStringLiteral("bind-port"), port);
    endpoint.insert(QStringLiteral("auth-token"), QStringLiteral("change-me"));
    endpoint.insert(QStringLiteral("request-timeout"), 2000);
    return endpoint;
}

QJsonObject ConfigDocument::templateRoot()
{
    QJsonObject root;
    root.insert(QStringLiteral("user-agent"), ServiceConfig::defaultUserAgent());
    root.insert(
        QStringLiteral("endpoints"),
        QJsonArray{templateEndpoint(QStringLiteral("domains"), QStringLiteral("tcp-lookup"), 9000),
                   templateEndpoint(QStringLiteral("aliases"), QStringLiteral("socketmap-lookup"), 9001),
                   templateEndpoint(QStringLiteral("policy"), QStringLiteral("policy"), 9002)});
    return root;
}

void ConfigDocument::newFromTemplate()
{
    m_layout = newFileLayout();
    m_diskContent.clear();
    reset(templateRoot(), QString());
}

bool ConfigDocument::load(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot open %1: %2").arg(path, file.errorString());
        return false;
    }
    const QByteArray content = file.read(ConfigLoader::MaxFileSize + 1);
    if (content.size() > ConfigLoader::MaxFileSize) {
        *error = QStringLiteral("%1 is larger than %2 bytes; is this the right file?")
                     .arg(path)
                     .arg(ConfigLoader::MaxFileSize);
        return false;
    }
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(content, &parseError);
    if (parseError.error != QJsonParseError::NoError || !document.isObject()) {
        // The service's own message, so it names the line and column as --check-config does.
        const ConfigLoadResult result = ConfigLoader::parse(content, path);
        *error = result.errors.isEmpty() ? QStringLiteral("%1: the top level must be a JSON object").arg(path)
                                         : result.errors.constFirst().toString();
        return false;
    }
    m_layout = newFileLayout(content);
    m_diskContent = content;
    reset(document.object(), path);
    qCInfo(lcAdmin) << "opened" << path;
    return true;
}

QByteArray ConfigDocument::toText() const
{
    return m_layout.format(m_root);
}

bool ConfigDocument::save(const QString &path, QString *error)
{
    const QByteArray text = toText();
    if (!ConfigFileWriter::write(path, text, error))
        return false;
    m_layout = newFileLayout(text);
    m_diskContent = text;
    m_reportedChange = false;
    m_undoStack.setClean();
    if (path != m_fileName) {
        m_fileName = path;
        watch();
        Q_EMIT fileNameChanged(m_fileName);
        validate(); // errors name the file
        Q_EMIT changed();
    }
    return true;
}

bool ConfigDocument::changedOnDisk() const
{
    if (m_fileName.isEmpty())
        return false;
    bool ok = false;
    const QByteArray content = readFile(m_fileName, &ok);
    return !ok || content != m_diskContent;
}

void ConfigDocument::watch()
{
    if (!m_watcher->files().isEmpty())
        m_watcher->removePaths(m_watcher->files());
    if (!m_fileName.isEmpty())
        m_watcher->addPath(m_fileName);
}

void ConfigDocument::onFileChanged()
{
    // Editors and QSaveFile replace the file by renaming: the watch goes with the old inode.
    if (!m_watcher->files().contains(m_fileName) && QFileInfo::exists(m_fileName))
        m_watcher->addPath(m_fileName);
    if (m_reportedChange || !changedOnDisk())
        return;
    m_reportedChange = true; // once per change, not once per write of the other program
    qCInfo(lcAdmin) << m_fileName << "changed on disk";
    Q_EMIT fileChangedOnDisk();
}

QJsonArray ConfigDocument::endpoints() const
{
    return m_root.value(QStringLiteral("endpoints")).toArray();
}

QJsonObject ConfigDocument::endpoint(int index) const
{
    return endpoints().at(index).toObject();
}

void ConfigDocument::setRootValue(const QString &key, const QJsonValue &value, bool merge)
{
    if (m_root.value(key) == value)
        return;
    QJsonObject after = m_root;
    if (value.isUndefined())
        after.remove(key);
    else
        after.insert(key, value);
    edit(after, QStringLiteral("Edit %1").arg(key), merge ? key : QString());
}

void ConfigDocument::setEndpointValue(int index, const QString &key, const QJsonValue &value, bool merge)
{
    QJsonObject object = endpoint(index);
    if (object.value(key) == value)
        return;
    if (value.isUndefined())
        object.remove(key);
    else
        object.insert(key, value);
    replaceEndpoint(index, object, QStringLiteral("Edit %1").arg(key),
                    merge ? endpointPath(index) + QLatin1Char('.') + key : QString());
}

void ConfigDocument::setRootSectionValue(const QString &section, const QString &key, const QJsonValue &value,
                                         bool merge)
{
    const std::optional<QJsonObject> after = withSectionValue(m_root, section, key, value);
    if (!after)
        return;
    const QString path = section + QLatin1Char('.') + key;
    edit(*after, QStringLiteral("Edit %1").arg(path), merge ? path : QString());
}

void ConfigDocument::setEndpointSectionValue(int index, const QString &section, const QString &key,
                                             const QJsonValue &value, bool merge)
{
    const std::optional<QJsonObject> after = withSectionValue(endpoint(index), section, key, value);
    if (!after)
        return;
    const QString path = section + QLatin1Char('.') + key;
    replaceEndpoint(index, *after, QStringLiteral("Edit %1").arg(path),
                    merge ? endpointPath(index) + QLatin1Char('.') + path : QString());
}

void ConfigDocument::replaceEndpoint(int index, const QJsonObject &endpoint, const QString &description,
                                     const QString &mergeKey)
{
    QJsonArray array = endpoints();
    if (index < 0 || index >= array.size() || array.at(index) == endpoint)
        return;
    array.replace(index, endpoint);
    QJsonObject after = m_root;
    after.insert(QStringLiteral("endpoints"), array);
    edit(after, description, mergeKey);
}

int ConfigDocument::addEndpoint(const QJsonObject &endpoint)
{
    QJsonArray array = endpoints();
    array.append(endpoint);
    QJsonObject after = m_root;
    after.insert(QStringLiteral("endpoints"), array);
    edit(after, QStringLiteral("Add endpoint"), QString());
    return array.size() - 1;
}

void ConfigDocument::removeEndpoint(int index)
{
    QJsonArray array = endpoints();
    if (index < 0 || index >= array.size())
        return;
    array.removeAt(index);
    QJsonObject after = m_root;
    after.insert(QStringLiteral("endpoints"), array);
    edit(after, QStringLiteral("Remove endpoint"), QString());
}

QStringList ConfigDocument::errorsAt(const QString &path) const
{
    QStringList messages;
    for (const ConfigError &error : m_errors) {
        if (error.path == path)
            messages.append(error.message);
    }
    return messages;
}

QStringList ConfigDocument::warningsWithin(const QString &path) const
{
    QStringList messages;
    for (const ConfigError &warning : m_warnings) {
        if (warning.path == path)
            messages.append(warning.message);
        else if (warning.path.startsWith(path + QLatin1Char('.')))
            messages.append(warning.path.mid(path.size() + 1) + QLatin1String(": ") + warning.message);
    }
    return messages;
}

QStringList ConfigDocument::endpointErrors(int index) const
{
    const QString prefix = endpointPath(index);
    QStringList messages;
    for (const ConfigError &error : m_errors) {
        if (error.path == prefix)
            messages.append(error.message);
        else if (error.path.startsWith(prefix + QLatin1Char('.')))
            messages.append(error.path.mid(prefix.size() + 1) + QLatin1String(": ") + error.message);
    }
    return messages;
}

void ConfigDocument::applyRoot(const QJsonObject &root)
{
    const int countBefore = endpointCount();
    m_root = root;
    validate();
    if (endpointCount() != countBefore)
        Q_EMIT endpointCountChanged();
    Q_EMIT changed();
}

void ConfigDocument::edit(const QJsonObject &after, const QString &description, const QString &mergeKey)
{
    m_undoStack.push(new EditCommand(this, m_root, after, description, mergeKey));
}

void ConfigDocument::reset(const QJsonObject &root, const QString &fileName)
{
    m_undoStack.clear();
    m_fileName = fileName;
    m_reportedChange = false;
    watch();
    Q_EMIT fileNameChanged(m_fileName);
    m_root = root;
    validate();
    Q_EMIT endpointCountChanged();
    Q_EMIT changed();
    // An untouched new document loses nothing when closed: it is as clean as a file just opened.
    m_undoStack.setClean(); // clear() keeps a reset clean index
    Q_EMIT modifiedChanged(false);
}

void ConfigDocument::validate()
{
    ConfigLoader::Options options;
    options.resolveSecrets = false;
    const ConfigLoadResult result = ConfigLoader::fromJson(
        m_root, m_fileName.isEmpty() ? QStringLiteral("(new file)") : m_fileName, options);
    m_errors = result.errors;
    m_warnings = result.warnings;
    m_config = result.config;
}

} // namespace prc
