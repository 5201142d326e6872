// SPDX-License-Identifier: GPL-3.0-or-later
// RFC 6901: the examples of section 5 and the corner cases a backend's answers can hit.
#include "modes/jsonpointer.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace prc;

namespace {

// RFC 6901, section 5.
const QByteArray Rfc = "{\"foo\": [\"bar\", \"baz\"], \"\": 0, \"a/b\": 1, \"c%d\": 2, \"e^f\": 3, "
                       "\"g|h\": 4, \"i\\\\j\": 5, \"k\\\"l\": 6, \" \": 7, \"m~n\": 8}";

QJsonValue json(const QByteArray &text)
{
    // Wrapped, because QJsonDocument takes only an object or an array at the top level.
    return QJsonDocument::fromJson("[" + text + "]").array().at(0);
}

} // namespace

class TestJsonPointer : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void resolve_data();
    void resolve();
    void invalid_data();
    void invalid();
};

void TestJsonPointer::resolve_data()
{
    QTest::addColumn<QByteArray>("document");
    QTest::addColumn<QString>("pointer");
    QTest::addColumn<QByteArray>("expected"); ///< JSON of the value, or empty for "does not resolve"

    const auto row = [](const char *name, const QByteArray &document, const char *pointer,
                        const QByteArray &expected) {
        QTest::newRow(name) << document << QString::fromUtf8(pointer) << expected;
    };
    row("rfc whole document", Rfc, "", Rfc);
    row("rfc /foo", Rfc, "/foo", R"(["bar","baz"])");
    row("rfc /foo/0", Rfc, "/foo/0", R"("bar")");
    row("rfc /", Rfc, "/", "0");
    row("rfc /a~1b", Rfc, "/a~1b", "1");
    row("rfc /c%d", Rfc, "/c%d", "2");
    row("rfc /e^f", Rfc, "/e^f", "3");
    row("rfc /g|h", Rfc, "/g|h", "4");
    row("rfc /i\\j", Rfc, "/i\\j", "5");
    row("rfc /k\"l", Rfc, "/k\"l", "6");
    row("rfc / space", Rfc, "/ ", "7");
    row("rfc /m~0n", Rfc, "/m~0n", "8");

    const QByteArray nested =
        R"({"data": {"aliases": ["x", "y"], "one": "z", "n": null, "list": [[1], {"k": "v"}]}})";
    row("nested array", nested, "/data/aliases", R"(["x","y"])");
    row("nested string", nested, "/data/one", R"("z")");
    row("null is a value", nested, "/data/n", "null");
    row("index then member", nested, "/data/list/1/k", R"("v")");
    row("missing member", nested, "/data/missing", "");
    row("member of a string", nested, "/data/one/x", "");
    row("member of null", nested, "/data/n/x", "");
    row("index out of range", nested, "/data/aliases/2", "");
    row("dash is past the end", nested, "/data/aliases/-", "");
    row("leading zero is not an index", nested, "/data/aliases/01", "");
    row("negative index", nested, "/data/aliases/-1", "");
    row("name on an array", nested, "/data/aliases/x", "");
    row("index as member name", R"({"0": "zero"})", "/0", R"("zero")");
    row("~01 is ~1, not /", R"({"~1": "tilde-one", "/": "slash"})", "/~01", R"("tilde-one")");
    row("~10 is /0", R"({"/0": "slash-zero"})", "/~10", R"("slash-zero")");
    row("empty member name twice", R"({"": {"": "deep"}})", "//", R"("deep")");
    row("array document", R"(["a", "b"])", "/1", R"("b")");
    row("unicode member", R"({"m\u00fcller": "u"})", "/m\xc3\xbcller", R"("u")");
}

void TestJsonPointer::resolve()
{
    QFETCH(QByteArray, document);
    QFETCH(QString, pointer);
    QFETCH(QByteArray, expected);

    QString problem;
    const auto parsed = JsonPointer::parse(pointer, &problem);
    QVERIFY2(parsed.has_value(), qPrintable(problem));
    QCOMPARE(parsed->text(), pointer);
    QCOMPARE(parsed->isWholeDocument(), pointer.isEmpty());
    const QJsonValue value = parsed->resolve(json(document));
    if (expected.isEmpty())
        QVERIFY2(value.isUndefined(), qPrintable(QString::number(int(value.type()))));
    else
        QCOMPARE(value, json(expected));
}

void TestJsonPointer::invalid_data()
{
    QTest::addColumn<QString>("pointer");
    QTest::addColumn<QString>("problem");
    QTest::newRow("no leading slash")
        << QStringLiteral("data") << QStringLiteral("must be empty or start with \"/\"");
    QTest::newRow("fragment form") << QStringLiteral("#/data")
                                   << QStringLiteral("must be empty or start with \"/\"");
    QTest::newRow("~2") << QStringLiteral("/a~2") << QStringLiteral("\"~\" must be followed by 0 or 1");
    QTest::newRow("trailing ~") << QStringLiteral("/a~")
                                << QStringLiteral("\"~\" must be followed by 0 or 1");
    QTest::newRow("~ before slash") << QStringLiteral("/a~/b")
                                    << QStringLiteral("\"~\" must be followed by 0 or 1");
}

void TestJsonPointer::invalid()
{
    QFETCH(QString, pointer);
    QFETCH(QString, problem);
    QString actual;
    QVERIFY(!JsonPointer::parse(pointer, &actual).has_value());
    QCOMPARE(actual, problem);
}

QTEST_GUILESS_MAIN(TestJsonPointer)
#include "tst_jsonpointer.moc"
