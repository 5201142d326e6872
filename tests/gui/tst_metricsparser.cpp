// SPDX-License-Identifier: GPL-3.0-or-later
#include "metrics/metricswriter.h"
#include "metricsparser.h"

#include <QTest>

#include <cmath>

using namespace prc;

class tst_MetricsParser : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void parse_data();
    void parse();
    void invalid_data();
    void invalid();
    void roundTripWithTheServicesWriter();
};

void tst_MetricsParser::parse_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QByteArray>("name");
    QTest::addColumn<QByteArray>("labelName");
    QTest::addColumn<QByteArray>("labelValue");
    QTest::addColumn<double>("sum");

    QTest::newRow("no labels") << QByteArray("# HELP x a\n# TYPE x counter\nx 42\n") << QByteArray("x")
                               << QByteArray() << QByteArray() << 42.0;
    QTest::newRow("summed over labels") << QByteArray("r{e=\"a\",c=\"found\"} 2\nr{e=\"b\",c=\"found\"} 3\n")
                                        << QByteArray("r") << QByteArray() << QByteArray() << 5.0;
    QTest::newRow("filtered by label") << QByteArray("r{e=\"a\",c=\"found\"} 2\nr{e=\"b\",c=\"found\"} 3\n")
                                       << QByteArray("r") << QByteArray("e") << QByteArray("b") << 3.0;
    QTest::newRow("escaped label value") << QByteArray("r{e=\"a\\\"b\\\\c\\nd\"} 7\n") << QByteArray("r")
                                         << QByteArray("e") << QByteArray("a\"b\\c\nd") << 7.0;
    QTest::newRow("float and timestamp") << QByteArray("d_sum{e=\"a\"} 0.125 1700000000000\n")
                                         << QByteArray("d_sum") << QByteArray() << QByteArray() << 0.125;
    QTest::newRow("infinite bucket bound is a label")
        << QByteArray("b{le=\"+Inf\"} 9\nb{le=\"0.5\"} 4\n") << QByteArray("b") << QByteArray("le")
        << QByteArray("+Inf") << 9.0;
    QTest::newRow("other names ignored")
        << QByteArray("a 1\nab 2\n") << QByteArray("a") << QByteArray() << QByteArray() << 1.0;
    QTest::newRow("CRLF lines") << QByteArray("a 1\r\na 2\r\n") << QByteArray("a") << QByteArray()
                                << QByteArray() << 3.0;
}

void tst_MetricsParser::parse()
{
    QFETCH(QByteArray, text);
    QFETCH(QByteArray, name);
    QFETCH(QByteArray, labelName);
    QFETCH(QByteArray, labelValue);
    QFETCH(double, sum);
    QString error;
    const MetricsSnapshot snapshot = MetricsSnapshot::parse(text, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QMap<QByteArray, QByteArray> match;
    if (!labelName.isEmpty())
        match.insert(labelName, labelValue);
    QCOMPARE(snapshot.sum(name, match), sum);
    QVERIFY(snapshot.has(name, match));
}

void tst_MetricsParser::invalid_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QString>("error");
    QTest::newRow("html") << QByteArray("<html>\n") << QStringLiteral("line 1: expected a metric name");
    QTest::newRow("no value") << QByteArray("a 1\nb\n") << QStringLiteral("line 2: expected a value");
    QTest::newRow("open label") << QByteArray("a{e=\"x} 1\n") << QStringLiteral("line 1: unterminated");
    QTest::newRow("label without quotes")
        << QByteArray("a{e=x} 1\n") << QStringLiteral("line 1: expected label");
    QTest::newRow("text value") << QByteArray("a one\n") << QStringLiteral("line 1: expected a value");
}

void tst_MetricsParser::invalid()
{
    QFETCH(QByteArray, text);
    QFETCH(QString, error);
    QString message;
    const MetricsSnapshot snapshot = MetricsSnapshot::parse(text, &message);
    QVERIFY(snapshot.isEmpty());
    QVERIFY2(message.startsWith(error), qPrintable(message));
}

void tst_MetricsParser::roundTripWithTheServicesWriter()
{
    MetricsWriter writer;
    writer.family("prc_requests_total", "counter", "Requests.");
    writer.sample("prc_requests_total", {{"endpoint", "we\"ird\\name\n"}, {"result", "found"}}, quint64(12));
    writer.sample("prc_requests_total", {{"endpoint", "plain"}, {"result", "found"}}, quint64(3));
    writer.family("prc_backend_request_duration_seconds", "histogram", "Durations.");
    writer.sample("prc_backend_request_duration_seconds_sum", {{"endpoint", "plain"}}, 0.25);
    writer.sample("prc_backend_request_duration_seconds_bucket", {{"endpoint", "plain"}, {"le", "+Inf"}},
                  quint64(3));
    QString error;
    const MetricsSnapshot snapshot = MetricsSnapshot::parse(writer.text(), &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(snapshot.samples().size(), 4);
    QCOMPARE(snapshot.sum("prc_requests_total", {{"endpoint", "we\"ird\\name\n"}}), 12.0);
    QCOMPARE(snapshot.labelValues("prc_requests_total", "endpoint"),
             (QList<QByteArray>{"we\"ird\\name\n", "plain"}));
    QCOMPARE(snapshot.sum("prc_backend_request_duration_seconds_sum"), 0.25);
}

QTEST_MAIN(tst_MetricsParser)
#include "tst_metricsparser.moc"
