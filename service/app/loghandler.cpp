// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/loghandler.h"

#include <QByteArray>
#include <QDateTime>
#include <QString>
#include <QtGlobal>

#include <cstdio>

namespace prc {
namespace {

bool g_journal = false;

int syslogPriority(QtMsgType type)
{
    switch (type) {
    case QtDebugMsg:
        return 7;
    case QtInfoMsg:
        return 6;
    case QtWarningMsg:
        return 4;
    case QtCriticalMsg:
        return 3;
    case QtFatalMsg:
        return 2;
    }
    return 6;
}

const char *levelName(QtMsgType type)
{
    switch (type) {
    case QtDebugMsg:
        return "debug";
    case QtInfoMsg:
        return "info";
    case QtWarningMsg:
        return "warning";
    case QtCriticalMsg:
        return "error";
    case QtFatalMsg:
        return "fatal";
    }
    return "info";
}

void handleMessage(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    const QByteArray text = message.toUtf8();
    const char *category = context.category ? context.category : "default";
    if (g_journal) {
        std::fprintf(stderr, "<%d>%s: %s\n", syslogPriority(type), category, text.constData());
    } else {
        const QByteArray time = QDateTime::currentDateTime().toString(Qt::ISODateWithMs).toUtf8();
        std::fprintf(stderr, "%s %s %s: %s\n", time.constData(), levelName(type), category, text.constData());
    }
    std::fflush(stderr);
    if (type == QtFatalMsg)
        std::abort();
}

} // namespace

void installLogHandler()
{
    g_journal = qEnvironmentVariableIsSet("JOURNAL_STREAM");
    qInstallMessageHandler(handleMessage);
}

} // namespace prc
