// SPDX-License-Identifier: GPL-3.0-or-later
// prc-example-backend: a small REST backend for postfix-rest-connector that answers lookups and policy
// requests from a JSON data file. See docs/demo.md.
#include "backenddata.h"
#include "examplebackend.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QHostAddress>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("prc-example-backend"));
    qSetMessagePattern(QStringLiteral("%{time hh:mm:ss.zzz} backend: %{message}"));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Example REST backend for postfix-rest-connector: serves lookup tables and policy "
                       "answers from a JSON data file."));
    parser.addHelpOption();
    const QCommandLineOption bindOption(QStringLiteral("bind"), QStringLiteral("Address to listen on."),
                                        QStringLiteral("address"), QStringLiteral("127.0.0.1"));
    const QCommandLineOption portOption(QStringLiteral("port"), QStringLiteral("Port to listen on (0: any)."),
                                        QStringLiteral("port"), QStringLiteral("9100"));
    const QCommandLineOption tokenOption(QStringLiteral("token"),
                                         QStringLiteral("Expected X-Auth-Token of every request (required)."),
                                         QStringLiteral("token"));
    const QCommandLineOption dataOption(QStringLiteral("data"), QStringLiteral("JSON data file (required)."),
                                        QStringLiteral("file"));
    parser.addOptions({bindOption, portOption, tokenOption, dataOption});
    parser.process(app);

    bool portOk = false;
    const uint port = parser.value(portOption).toUInt(&portOk);
    const QHostAddress address(parser.value(bindOption));
    const QByteArray token = parser.value(tokenOption).toUtf8();
    if (!portOk || port > 65535 || address.isNull() || token.isEmpty() || !parser.isSet(dataOption)) {
        qCCritical(lcExampleBackend,
                   "need --token and --data, a valid --port and --bind address; see --help");
        return 2;
    }

    QString error;
    std::optional<prc::BackendData> data = prc::BackendData::loadFile(parser.value(dataOption), &error);
    if (!data) {
        qCCritical(lcExampleBackend).noquote() << error;
        return 1;
    }
    const QString tables = data->tableNames().isEmpty() ? QStringLiteral("(none)")
                                                        : data->tableNames().join(QLatin1String(", "));

    prc::ExampleBackend backend(std::move(*data), token);
    const quint16 listening = backend.listen(address, quint16(port));
    if (listening == 0) {
        qCCritical(lcExampleBackend).noquote()
            << "cannot listen on" << address.toString() + QLatin1Char(':') + QString::number(port);
        return 1;
    }
    qCInfo(lcExampleBackend).noquote()
        << "listening on" << address.toString() + QLatin1Char(':') + QString::number(listening)
        << "with tables" << tables;
    return app.exec();
}
