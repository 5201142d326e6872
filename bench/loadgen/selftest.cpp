// SPDX-License-Identifier: GPL-3.0-or-later
#include "selftest.h"

#include "loadgenerator.h"
#include "replyparser.h"
#include "requestbuilder.h"
#include "stubserver.h"

#include <atomic>
#include <cstdio>
#include <string>
#include <thread>

namespace prc::bench {
namespace {

int g_failures = 0;

void check(bool ok, const std::string &what)
{
    std::printf("%s: %s\n", ok ? "PASS" : "FAIL", what.c_str());
    if (!ok)
        ++g_failures;
}

using Kind = ReplyParser::Result::Kind;

void checkParse(Mode mode, const std::string &bytes, Kind expected, const std::string &status = {})
{
    const auto r = ReplyParser::parse(mode, bytes.data(), bytes.size());
    bool ok = r.kind == expected;
    if (ok && expected == Kind::Complete)
        ok = r.status == status && r.consumed == bytes.size();
    check(ok, std::string("parse ") + modeName(mode) + " \"" + RequestBuilder::hexQuote(bytes) + "\"");
}

LoadGenerator::Report runAgainst(Mode mode, bool malformed, int connections, int idle)
{
    StubServer server(mode, malformed);
    if (!server.listen(0)) {
        check(false, "stub server listens");
        return {};
    }
    std::atomic<bool> stop{false};
    std::thread thread([&] { server.run(stop); });
    Options options;
    options.mode = mode;
    options.port = server.port();
    options.connections = connections;
    options.duration = 0.5;
    options.idle = idle;
    options.hold = 0.3;
    options.readyTimeout = malformed ? 1 : 5;
    options.quiet = true;
    LoadGenerator generator(options);
    const auto report = generator.run();
    stop = true;
    thread.join();
    return report;
}

} // namespace

int SelfTest::run()
{
    checkParse(Mode::Tcp, "200 a%20b\n", Kind::Complete, "200");
    // Postfix hex_unquote()s the text and tolerates unquoted spaces; a bad %-sequence is what breaks it.
    checkParse(Mode::Tcp, "500 key not found\n", Kind::Complete, "500");
    checkParse(Mode::Tcp, "400 x\n", Kind::Complete, "400");
    checkParse(Mode::Tcp, "200 a", Kind::Incomplete);
    checkParse(Mode::Tcp, "20 a\n", Kind::Malformed);
    checkParse(Mode::Tcp, "200 a%2\n", Kind::Malformed);
    checkParse(Mode::Tcp, "300 a\n", Kind::Malformed);
    checkParse(Mode::Socketmap, "4:OK v,", Kind::Complete, "OK");
    checkParse(Mode::Socketmap, "9:NOTFOUND ,", Kind::Complete, "NOTFOUND");
    checkParse(Mode::Socketmap, "4:OK v", Kind::Incomplete);
    checkParse(Mode::Socketmap, "2:OK,", Kind::Malformed);
    checkParse(Mode::Socketmap, "4:OK v;", Kind::Malformed);
    checkParse(Mode::Socketmap, "999999:", Kind::Malformed);
    checkParse(Mode::Socketmap, "5:MAYBE,", Kind::Malformed);
    checkParse(Mode::Policy, "action=DUNNO\n\n", Kind::Complete, "DUNNO");
    checkParse(Mode::Policy, "action=REJECT no way\n\n", Kind::Complete, "REJECT");
    checkParse(Mode::Policy, "action=DUNNO\n", Kind::Incomplete);
    checkParse(Mode::Policy, "action=\n\n", Kind::Malformed);
    checkParse(Mode::Policy, "result=DUNNO\n\n", Kind::Malformed);
    checkParse(Mode::Policy, "action=DUNNO\nx=y\n\n", Kind::Malformed);

    checkParse(Mode::Http, "HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\n[\"v\"]", Kind::Complete, "200");
    checkParse(Mode::Http, "HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\n[]", Kind::Complete, "404");
    checkParse(Mode::Http, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n[\"v", Kind::Incomplete);
    checkParse(Mode::Http, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", Kind::Malformed);

    for (const Mode mode : {Mode::Tcp, Mode::Socketmap, Mode::Policy, Mode::Http}) {
        const std::string name = modeName(mode);
        auto good = runAgainst(mode, false, 8, 0);
        check(good.ready == 8 && good.requests > 100 && good.errorTotal() == 0,
              name + " closed loop against the stub: " + good.toJson());
        auto bad = runAgainst(mode, true, 4, 0);
        check(bad.requests == 0 && bad.errors["malformed"] > 0,
              name + " malformed replies are counted: " + bad.toJson());
        auto idle = runAgainst(mode, false, 0, 200);
        check(idle.ready == 200 && idle.statuses["open-at-end"] == 200 && idle.errorTotal() == 0,
              name + " holds idle connections: " + idle.toJson());
    }
    std::printf("%d failed\n", g_failures);
    return g_failures;
}

} // namespace prc::bench
