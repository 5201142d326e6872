// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "config/configerror.h"
#include "config/serviceconfig.h"
#include "jsonlayout.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QObject>
#include <QUndoStack>

#include <optional>

class QFileSystemWatcher;

namespace prc {

/// The config file being edited. It is kept as the JSON document itself, not as a ServiceConfig, so keys this
/// version does not know are saved back unchanged. Every edit goes through the undo stack and is validated
/// with the service's own ConfigLoader (secrets are not resolved: the file may belong to another machine).
class ConfigDocument : public QObject
{
    Q_OBJECT
public:
    explicit ConfigDocument(QObject *parent = nullptr);
    ~ConfigDocument() override;

    /// A small working config: one endpoint of each mode on 127.0.0.1.
    static QJsonObject templateRoot();
    static QJsonObject templateEndpoint(const QString &name, const QString &mode, int port);

    void newFromTemplate();
    bool load(const QString &path, QString *error);
    /// Writes the document in the layout of the file it was loaded from (indentation, key order), so only
    /// the lines of changed values differ; the file keeps its owner, group and permissions.
    bool save(const QString &path, QString *error);
    /// The text save() would write.
    QByteArray toText() const;
    /// Whether the file on disk differs from what was last loaded or saved (another program changed it).
    bool changedOnDisk() const;

    QString fileName() const { return m_fileName; }
    bool isModified() const { return !m_undoStack.isClean(); }
    QUndoStack *undoStack() { return &m_undoStack; }

    const QJsonObject &root() const { return m_root; }
    QJsonArray endpoints() const;
    int endpointCount() const { return endpoints().size(); }
    QJsonObject endpoint(int index) const;

    /// An undefined value removes the key. Consecutive edits of one key become one undo step (typing), unless
    /// merge is false (a check box: every click is a step of its own).
    void setRootValue(const QString &key, const QJsonValue &value, bool merge = true);
    void setEndpointValue(int index, const QString &key, const QJsonValue &value, bool merge = true);
    /// Sets one key of an object-valued setting: "admin" at the top level, "cache" in an endpoint, or an
    /// object inside one, named by its dotted path ("cache.shared"). Objects on the path are created when
    /// missing (a value that is not an object is replaced). The outermost object is removed when its last
    /// key goes; an object inside it stays, empty, because there its presence is the setting ("shared": {}
    /// turns the shared cache on): remove it as a key of its parent (section "cache", key "shared").
    void setRootSectionValue(const QString &section, const QString &key, const QJsonValue &value,
                             bool merge = true);
    void setEndpointSectionValue(int index, const QString &section, const QString &key,
                                 const QJsonValue &value, bool merge = true);
    void replaceEndpoint(int index, const QJsonObject &endpoint, const QString &description,
                         const QString &mergeKey = QString());
    int addEndpoint(const QJsonObject &endpoint);
    void removeEndpoint(int index);

    const ConfigErrors &errors() const { return m_errors; }
    const ConfigErrors &warnings() const { return m_warnings; }
    /// Errors whose path is exactly `path` ("endpoints[1].bind-port", "user-agent").
    QStringList errorsAt(const QString &path) const;
    /// Warnings at `path` or inside it ("endpoints[0].cache" also gives "endpoints[0].cache.enabled"), each
    /// with the part of its path below `path` in front ("enabled: ...").
    QStringList warningsWithin(const QString &path) const;
    /// Errors anywhere inside endpoints[index].
    QStringList endpointErrors(int index) const;
    /// The parsed config when the document is valid.
    const std::optional<ServiceConfig> &config() const { return m_config; }

    static QString endpointPath(int index) { return QStringLiteral("endpoints[%1]").arg(index); }

    /// Used by the undo commands; everything else edits through the methods above.
    void applyRoot(const QJsonObject &root);

Q_SIGNALS:
    /// The content changed (an edit, undo/redo, load or new). endpointCountChanged comes first when it
    /// applies.
    void changed();
    void endpointCountChanged();
    void fileNameChanged(const QString &fileName);
    void modifiedChanged(bool modified);
    /// Another program wrote or removed the open file.
    void fileChangedOnDisk();

private:
    void edit(const QJsonObject &after, const QString &description, const QString &mergeKey);
    void reset(const QJsonObject &root, const QString &fileName);
    void watch();
    void onFileChanged();
    void validate();

    QJsonObject m_root;
    QString m_fileName;
    QUndoStack m_undoStack;
    ConfigErrors m_errors;
    ConfigErrors m_warnings;
    std::optional<ServiceConfig> m_config;
    JsonLayout m_layout;
    QByteArray m_diskContent; ///< the file as last loaded or saved
    QFileSystemWatcher *m_watcher;
    bool m_reportedChange = false;
};

} // namespace prc
