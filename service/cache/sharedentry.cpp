// SPDX-License-Identifier: GPL-3.0-or-later
#include "cache/sharedentry.h"

#include <QCryptographicHash>
#include <QtEndian>

namespace prc {
namespace {

// "PRC" + version, then: outcome (1 byte), status (2), expiresAt (8), staleUntil (8), then three
// length-prefixed (4 bytes) fields: call key, Cache-Control, body; last the first 8 bytes of the SHA-256 of
// everything before. Integers are big-endian.
constexpr char Magic[] = {'P', 'R', 'C', SharedEntry::Version};
constexpr qsizetype MagicSize = sizeof(Magic);
constexpr qsizetype FixedSize = MagicSize + 1 + 2 + 8 + 8;
constexpr qsizetype DigestSize = 8;

QByteArray digest(const char *data, qsizetype size)
{
    return QCryptographicHash::hash(QByteArrayView(data, size), QCryptographicHash::Sha256).left(DigestSize);
}

template<typename T>
void put(QByteArray &out, T value)
{
    char bytes[sizeof(T)];
    qToBigEndian(value, bytes);
    out.append(bytes, sizeof(T));
}

void putField(QByteArray &out, const QByteArray &field)
{
    put<quint32>(out, quint32(field.size()));
    out.append(field);
}

/// Reads fields front to back; any read past the end makes it fail for good.
class Reader
{
public:
    explicit Reader(const QByteArray &data)
        : m_data(data)
    {
    }

    template<typename T>
    T take()
    {
        if (m_failed || m_data.size() - m_at < qsizetype(sizeof(T))) {
            m_failed = true;
            return T{};
        }
        const T value = qFromBigEndian<T>(m_data.constData() + m_at);
        m_at += sizeof(T);
        return value;
    }

    QByteArray field(qint64 maxSize)
    {
        const quint32 size = take<quint32>();
        if (m_failed || qint64(size) > maxSize || m_data.size() - m_at < qsizetype(size)) {
            m_failed = true;
            return {};
        }
        QByteArray value = m_data.mid(m_at, size);
        m_at += size;
        return value;
    }

    bool failed() const { return m_failed; }
    qsizetype position() const { return m_at; }

private:
    const QByteArray &m_data;
    qsizetype m_at = MagicSize;
    bool m_failed = false;
};

} // namespace

QByteArray SharedEntry::encode(const QByteArray &callKey, const SharedEntry &entry)
{
    QByteArray out;
    out.reserve(FixedSize + 12 + callKey.size() + entry.result.cacheControl.size() + entry.result.body.size()
                + DigestSize);
    out.append(Magic, MagicSize);
    put<quint8>(out, quint8(entry.result.outcome));
    put<quint16>(out, quint16(entry.result.status));
    put<qint64>(out, entry.expiresAtMs);
    put<qint64>(out, entry.staleUntilMs);
    putField(out, callKey);
    putField(out, entry.result.cacheControl);
    putField(out, entry.result.body);
    out.append(digest(out.constData(), out.size()));
    return out;
}

std::optional<SharedEntry> SharedEntry::decode(const QByteArray &callKey, const QByteArray &value,
                                               qint64 maxBodySize)
{
    if (value.size() < FixedSize + 12 + DigestSize || !value.startsWith(QByteArrayView(Magic, MagicSize)))
        return std::nullopt;
    const qsizetype payload = value.size() - DigestSize;
    if (digest(value.constData(), payload) != QByteArrayView(value.constData() + payload, DigestSize))
        return std::nullopt;

    Reader reader(value);
    SharedEntry entry;
    const quint8 outcome = reader.take<quint8>();
    const quint16 status = reader.take<quint16>();
    entry.expiresAtMs = reader.take<qint64>();
    entry.staleUntilMs = reader.take<qint64>();
    const QByteArray storedKey = reader.field(callKey.size());
    entry.result.cacheControl = reader.field(64 * 1024);
    entry.result.body = reader.field(maxBodySize);
    // Only complete HTTP responses are ever cached: errors are asked again.
    if (reader.failed() || reader.position() != payload || storedKey != callKey
        || outcome != quint8(BackendResult::Outcome::Response) || status < 100 || status > 599
        || entry.expiresAtMs <= 0 || entry.staleUntilMs < entry.expiresAtMs) {
        return std::nullopt;
    }
    entry.result.outcome = BackendResult::Outcome::Response;
    entry.result.status = status;
    return entry;
}

} // namespace prc
