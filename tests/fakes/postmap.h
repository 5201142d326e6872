// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QString>
#include <QTemporaryDir>

namespace prc::test {

/// Postfix's own lookup client: `postmap -c DIR -q KEY TABLE`, with an empty main.cf of its own (Postfix's
/// defaults). While it runs, this process's event loop keeps running, so a backend living in the test goes
/// on answering.
class Postmap
{
public:
    struct Result
    {
        int exitCode = -1;
        QByteArray out;
        QByteArray err;
    };

    /// Finds the postmap binary (in PATH or /usr/sbin) and writes the configuration. False when postmap is
    /// not installed: the caller skips, with skipReason().
    bool init();
    static const char *skipReason();

    /// One query; a postmap that has not finished after timeoutMs is killed (exit code -1, err says so).
    Result query(const QByteArray &key, const QString &table, int timeoutMs = 30000) const;

private:
    QString m_binary;
    QTemporaryDir m_config;
};

} // namespace prc::test
