// SPDX-License-Identifier: GPL-3.0-or-later
#include "postmap.h"

#include <QEventLoop>
#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QTimer>

namespace prc::test {

bool Postmap::init()
{
    m_binary = QStandardPaths::findExecutable(QStringLiteral("postmap"));
    if (m_binary.isEmpty())
        m_binary = QStandardPaths::findExecutable(QStringLiteral("postmap"), {QStringLiteral("/usr/sbin")});
    if (m_binary.isEmpty() || !m_config.isValid())
        return false;
    // postmap only needs a readable main.cf; an empty one means Postfix's defaults.
    QFile mainCf(m_config.filePath(QStringLiteral("main.cf")));
    return mainCf.open(QIODevice::WriteOnly);
}

const char *Postmap::skipReason()
{
    return "postmap not found: install the Debian package \"postfix\" to run the end-to-end tests";
}

Postmap::Result Postmap::query(const QByteArray &key, const QString &table, int timeoutMs) const
{
    QProcess process;
    QEventLoop loop;
    QTimer deadline;
    deadline.setSingleShot(true);
    QObject::connect(&process, &QProcess::finished, &loop, &QEventLoop::quit);
    QObject::connect(&process, &QProcess::errorOccurred, &loop, &QEventLoop::quit);
    QObject::connect(&deadline, &QTimer::timeout, &loop, &QEventLoop::quit);
    process.start(m_binary, {QStringLiteral("-c"), m_config.path(), QStringLiteral("-q"),
                             QString::fromUtf8(key), table});
    deadline.start(timeoutMs);
    if (process.state() != QProcess::NotRunning)
        loop.exec();
    if (process.state() != QProcess::NotRunning) {
        process.kill();
        process.waitForFinished(5000);
        return {-1, process.readAllStandardOutput(),
                QByteArrayLiteral("postmap did not finish in ") + QByteArray::number(timeoutMs) + " ms"};
    }
    if (process.exitStatus() != QProcess::NormalExit || process.error() == QProcess::FailedToStart)
        return {-1, process.readAllStandardOutput(), process.errorString().toUtf8()};
    return {process.exitCode(), process.readAllStandardOutput(), process.readAllStandardError()};
}

} // namespace prc::test
