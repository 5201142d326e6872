// SPDX-License-Identifier: GPL-3.0-or-later
#include "servicecheck.h"

#include "adminlogging.h"
#include "configdocument.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryFile>
#include <QTimer>

namespace prc {
namespace {

const QString ServiceName = QStringLiteral("postfix-rest-connector");
/// --check-config reads a few small files; anything longer is a hung binary, not a slow check.
constexpr int CheckTimeoutMs = 30000;

} // namespace

ServiceCheck::ServiceCheck(QObject *parent)
    : QObject(parent)
{
}

ServiceCheck::~ServiceCheck()
{
    if (m_process && m_process->state() != QProcess::NotRunning) {
        m_process->disconnect(this); // nobody is left to tell
        m_process->kill();
        m_process->waitForFinished(1000);
    }
}

QString ServiceCheck::findServiceBinary()
{
    // Beside this program first: an installed pair, or a build tree, belongs together.
    QString found = QStandardPaths::findExecutable(ServiceName, {QCoreApplication::applicationDirPath()});
    if (found.isEmpty())
        found = QStandardPaths::findExecutable(ServiceName);
    // The service lives in sbin, which is not in every user's PATH.
    if (found.isEmpty())
        found = QStandardPaths::findExecutable(
            ServiceName, {QStringLiteral("/usr/sbin"), QStringLiteral("/usr/local/sbin")});
#ifdef PRC_SERVICE_BUILD_DIR
    if (found.isEmpty())
        found = QStandardPaths::findExecutable(ServiceName, {QStringLiteral(PRC_SERVICE_BUILD_DIR)});
#endif
    return found;
}

bool ServiceCheck::isRunning() const
{
    return m_process && m_process->state() != QProcess::NotRunning;
}

bool ServiceCheck::start(const ConfigDocument *document, QString *error)
{
    if (isRunning()) {
        *error = tr("A check is already running.");
        return false;
    }
    m_binary = findServiceBinary();
    if (m_binary.isEmpty()) {
        *error = tr("%1 was not found next to this program, in PATH or in /usr/sbin. Install the service "
                    "package to check configs with it.")
                     .arg(ServiceName);
        return false;
    }

    // The copy goes next to the file, so relative auth-token-file paths resolve as they will for the
    // service; a new document, or a directory this user cannot write, gets the temporary directory.
    QString path = document->fileName();
    m_shownName = path.isEmpty() ? tr("(new file)") : path;
    m_copy.reset();
    if (path.isEmpty() || document->isModified()) {
        const QString directory = path.isEmpty() ? QDir::tempPath() : QFileInfo(path).absolutePath();
        m_copy = std::make_unique<QTemporaryFile>(directory + QStringLiteral("/.prc-check-XXXXXX.json"));
        if (!m_copy->open()) {
            m_copy =
                std::make_unique<QTemporaryFile>(QDir::tempPath() + QStringLiteral("/prc-check-XXXXXX.json"));
            if (!m_copy->open()) {
                *error = tr("Cannot write a temporary copy to check: %1").arg(m_copy->errorString());
                return false;
            }
        }
        m_copy->write(document->toText());
        m_copy->flush();
        path = m_copy->fileName();
    }

    delete m_process;
    m_process = new QProcess(this);
    m_process->setProcessChannelMode(QProcess::MergedChannels);
    auto *timeout = new QTimer(m_process);
    timeout->setSingleShot(true);
    connect(timeout, &QTimer::timeout, m_process, &QProcess::kill);
    const QString copyName = m_copy ? m_copy->fileName() : QString();
    connect(m_process, &QProcess::finished, this,
            [this, copyName](int exitCode, QProcess::ExitStatus status) {
                QString output = QString::fromLocal8Bit(m_process->readAll());
                if (!copyName.isEmpty())
                    output.replace(copyName, m_shownName);
                if (status != QProcess::NormalExit) {
                    output += tr("\n%1 did not finish (killed after %2 s or crashed).")
                                  .arg(m_binary)
                                  .arg(CheckTimeoutMs / 1000);
                    exitCode = -1;
                }
                m_copy.reset();
                Q_EMIT finished(exitCode, output);
            });
    connect(m_process, &QProcess::errorOccurred, this, [this](QProcess::ProcessError processError) {
        if (processError != QProcess::FailedToStart)
            return;
        m_copy.reset();
        Q_EMIT finished(-1, tr("Cannot run %1: %2").arg(m_binary, m_process->errorString()));
    });
    qCInfo(lcAdmin).noquote() << "checking" << m_shownName << "with" << m_binary;
    m_process->start(m_binary, {QStringLiteral("--check-config"), path});
    timeout->start(CheckTimeoutMs);
    return true;
}

} // namespace prc
