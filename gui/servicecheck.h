// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QObject>
#include <QString>

#include <memory>

class QProcess;
class QTemporaryFile;

namespace prc {

class ConfigDocument;

/// Runs the service's own `--check-config` on the document as it is in the editor, so the admin sees what
/// the installed service will say before `systemctl reload`: secrets resolved, files read, as that binary
/// validates (it may be older or newer than this tool).
class ServiceCheck : public QObject
{
    Q_OBJECT
public:
    explicit ServiceCheck(QObject *parent = nullptr);
    ~ServiceCheck() override;

    /// The service binary: next to this program, in PATH or the sbin directories, else the one built
    /// with it. Empty when there is none.
    static QString findServiceBinary();

    /// Starts a check of the document's current text; finished() follows. False (and `error`) when it
    /// cannot start.
    bool start(const ConfigDocument *document, QString *error);
    bool isRunning() const;
    QString binary() const { return m_binary; }

Q_SIGNALS:
    /// The service's exit code (0: valid) and everything it printed, with the temporary file's name
    /// replaced by the document's.
    void finished(int exitCode, const QString &output);

private:
    QString m_binary;
    QString m_shownName;
    QProcess *m_process = nullptr;
    std::unique_ptr<QTemporaryFile> m_copy;
};

} // namespace prc
