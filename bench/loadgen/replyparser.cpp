// SPDX-License-Identifier: GPL-3.0-or-later
#include "replyparser.h"

#include <cctype>
#include <cstdlib>
#include <cstring>
#include <string_view>

namespace prc::bench {
namespace {

using Result = ReplyParser::Result;

constexpr std::size_t MaxTcpReply = 4096;         // including the newline; Postfix disconnects beyond
constexpr std::size_t MaxSocketmapReply = 100000; // payload, Postfix's default
constexpr std::size_t MaxPolicyReply = 8192;

Result malformed(std::string error)
{
    Result r;
    r.kind = Result::Kind::Malformed;
    r.error = std::move(error);
    return r;
}

Result complete(std::size_t consumed, std::string status)
{
    Result r;
    r.kind = Result::Kind::Complete;
    r.consumed = consumed;
    r.status = std::move(status);
    return r;
}

bool isHex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

Result parseTcp(const char *data, std::size_t size)
{
    const auto *newline = static_cast<const char *>(std::memchr(data, '\n', size));
    if (!newline)
        return size >= MaxTcpReply ? malformed("tcp reply line too long") : Result{};
    const std::size_t length = static_cast<std::size_t>(newline - data);
    if (length + 1 > MaxTcpReply)
        return malformed("tcp reply line too long");
    if (length < 4 || data[3] != ' ')
        return malformed("tcp reply is not \"NNN text\"");
    for (int i = 0; i < 3; ++i) {
        if (data[i] < '0' || data[i] > '9')
            return malformed("tcp reply code is not three digits");
    }
    if (data[0] != '2' && data[0] != '4' && data[0] != '5')
        return malformed("tcp reply code is not 2xx, 4xx or 5xx");
    for (std::size_t i = 4; i < length; ++i) {
        const auto c = static_cast<unsigned char>(data[i]);
        if (c == '%') {
            if (i + 2 >= length || !isHex(data[i + 1]) || !isHex(data[i + 2]))
                return malformed("tcp reply text has a malformed %-sequence");
            i += 2;
        } else if (c < 0x20 || c == 0x7f) {
            return malformed("tcp reply text has an unquoted control byte");
        }
    }
    return complete(length + 1, std::string(data, 3));
}

Result parseSocketmap(const char *data, std::size_t size)
{
    std::size_t length = 0;
    std::size_t i = 0;
    for (; i < size && data[i] != ':'; ++i) {
        if (data[i] < '0' || data[i] > '9')
            return malformed("netstring length has a non-digit");
        length = length * 10 + static_cast<std::size_t>(data[i] - '0');
        if (length > MaxSocketmapReply)
            return malformed("socketmap reply longer than 100000 bytes");
    }
    if (i == size)
        return {};
    if (i == 0)
        return malformed("netstring without length");
    const std::size_t start = i + 1;
    if (size < start + length + 1)
        return {};
    if (data[start + length] != ',')
        return malformed("netstring does not end with ','");
    const std::string payload(data + start, length);
    const std::size_t space = payload.find(' ');
    if (space == std::string::npos)
        return malformed("socketmap reply without a space after the status");
    std::string status = payload.substr(0, space);
    if (status != "OK" && status != "NOTFOUND" && status != "TEMP" && status != "TIMEOUT" && status != "PERM")
        return malformed("unknown socketmap status \"" + status + "\"");
    return complete(start + length + 1, std::move(status));
}

Result parsePolicy(const char *data, std::size_t size)
{
    const std::string_view view(data, size);
    const std::size_t end = view.find("\n\n");
    if (end == std::string_view::npos)
        return size > MaxPolicyReply ? malformed("policy reply too long") : Result{};
    const std::string line(data, end);
    if (line.size() + 2 > MaxPolicyReply)
        return malformed("policy reply too long");
    if (line.compare(0, 7, "action=") != 0)
        return malformed("policy reply does not start with \"action=\"");
    if (line.find('\n') != std::string::npos)
        return malformed("policy reply has more than one line");
    const std::string action = line.substr(7);
    if (action.empty() || action.find_first_not_of(" \t") == std::string::npos)
        return malformed("policy reply has an empty action");
    for (const char c : action) {
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t')
            return malformed("policy action has a control byte");
    }
    return complete(line.size() + 2, action.substr(0, action.find(' ')));
}

Result parseHttp(const char *data, std::size_t size)
{
    const std::string_view view(data, size);
    const std::size_t headerEnd = view.find("\r\n\r\n");
    if (headerEnd == std::string_view::npos)
        return size > 65536 ? malformed("HTTP header too long") : Result{};
    if (view.compare(0, 9, "HTTP/1.1 ") != 0 || headerEnd < 12)
        return malformed("not an HTTP/1.1 status line");
    const std::string status(view.substr(9, 3));
    // Content-Length only: the reference backends answer with fixed bodies.
    std::size_t length = std::string::npos;
    std::size_t lineStart = view.find("\r\n") + 2;
    while (lineStart < headerEnd) {
        const std::size_t lineEnd = view.find("\r\n", lineStart);
        const std::string_view line = view.substr(lineStart, lineEnd - lineStart);
        static const std::string_view name = "content-length:";
        if (line.size() > name.size()) {
            bool match = true;
            for (std::size_t i = 0; i < name.size() && match; ++i)
                match = std::tolower(static_cast<unsigned char>(line[i])) == name[i];
            if (match)
                length = std::strtoul(std::string(line.substr(name.size())).c_str(), nullptr, 10);
        }
        lineStart = lineEnd + 2;
    }
    if (length == std::string::npos)
        return malformed("HTTP reply without Content-Length");
    if (size < headerEnd + 4 + length)
        return {};
    return complete(headerEnd + 4 + length, status);
}

} // namespace

ReplyParser::Result ReplyParser::parse(Mode mode, const char *data, std::size_t size)
{
    switch (mode) {
    case Mode::Tcp:
        return parseTcp(data, size);
    case Mode::Socketmap:
        return parseSocketmap(data, size);
    case Mode::Policy:
        return parsePolicy(data, size);
    case Mode::Http:
        return parseHttp(data, size);
    }
    return malformed("unknown mode");
}

bool ReplyParser::isTemporaryFailure(Mode mode, const std::string &status)
{
    switch (mode) {
    case Mode::Tcp:
        return !status.empty() && status[0] == '4';
    case Mode::Socketmap:
        return status == "TEMP" || status == "TIMEOUT" || status == "PERM";
    case Mode::Policy:
        return false; // every action is a valid answer; use --expect
    case Mode::Http:
        return status.empty() || status[0] != '2';
    }
    return true;
}

} // namespace prc::bench
