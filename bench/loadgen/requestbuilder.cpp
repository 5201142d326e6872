// SPDX-License-Identifier: GPL-3.0-or-later
#include "requestbuilder.h"

#include <cctype>

namespace prc::bench {

std::string RequestBuilder::hexQuote(const std::string &raw)
{
    static const char digits[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(raw.size());
    for (const char c : raw) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte == '%' || byte <= 0x20 || byte >= 0x7f) {
            out += '%';
            out += digits[byte >> 4];
            out += digits[byte & 0xf];
        } else {
            out += c;
        }
    }
    return out;
}

std::string RequestBuilder::build(Mode mode, const std::string &key, const std::string &map,
                                  const std::string &path)
{
    switch (mode) {
    case Mode::Tcp:
        return "get " + hexQuote(key) + "\n";
    case Mode::Socketmap: {
        const std::string payload = map + " " + key;
        return std::to_string(payload.size()) + ":" + payload + ",";
    }
    case Mode::Http: {
        // What the connector sends for a tcp lookup, minus its own headers' values.
        std::string query;
        static const char digits[] = "0123456789ABCDEF";
        for (const char c : key) {
            const auto byte = static_cast<unsigned char>(c);
            if (std::isalnum(byte) || c == '-' || c == '.' || c == '_' || c == '~') {
                query += c;
            } else {
                query += '%';
                query += digits[byte >> 4];
                query += digits[byte & 0xf];
            }
        }
        return "GET " + path + "?key=" + query
               + " HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Auth-Token: bench-token\r\nUser-Agent: prc-loadgen\r\n"
                 "X-Request-Id: 00000000-0000-0000-0000-000000000000\r\n\r\n";
    }
    case Mode::Policy:
        // The attribute set smtpd sends at RCPT TO (Postfix 3.7), so body sizes and form encoding are
        // realistic.
        return "request=smtpd_access_policy\n"
               "protocol_state=RCPT\n"
               "protocol_name=ESMTP\n"
               "client_address=192.0.2.10\n"
               "client_name=mail.example.net\n"
               "client_port=40312\n"
               "reverse_client_name=mail.example.net\n"
               "server_address=192.0.2.1\n"
               "server_port=25\n"
               "helo_name=mail.example.net\n"
               "sender=alice@example.net\n"
               "recipient="
               + key
               + "\n"
                 "recipient_count=0\n"
                 "queue_id=\n"
                 "instance=1a2b.6560f0a1.4c3d2.0\n"
                 "size=12345\n"
                 "etrn_domain=\n"
                 "stress=\n"
                 "sasl_method=\n"
                 "sasl_username=\n"
                 "sasl_sender=\n"
                 "ccert_subject=\n"
                 "ccert_issuer=\n"
                 "ccert_fingerprint=\n"
                 "ccert_pubkey_fingerprint=\n"
                 "encryption_protocol=TLSv1.3\n"
                 "encryption_cipher=TLS_AES_256_GCM_SHA384\n"
                 "encryption_keysize=256\n"
                 "policy_context=\n"
                 "compatibility_level=3.6\n"
                 "mail_version=3.7.11\n"
                 "\n";
    }
    return {};
}

} // namespace prc::bench
