// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "client/lookuprequest.h"
#include "client/lookupresult.h"

#include <QElapsedTimer>
#include <QLocalSocket>
#include <QObject>
#include <QPointer>
#include <QTcpSocket>
#include <QTimer>

namespace prc {

/// Asks a tcp_table / socketmap / policy server one question, as Postfix would, and reads exactly one reply.
/// One lookup at a time on a fresh connection; finished() is emitted exactly once per send() (also on
/// failure), never from inside send().
class PostfixClient : public QObject
{
    Q_OBJECT
public:
    static constexpr int DefaultTimeoutMs = 5000;

    explicit PostfixClient(QObject *parent = nullptr);
    ~PostfixClient() override;

    /// Bounds the whole lookup, connecting included.
    void setTimeout(int milliseconds) { m_timeoutMs = milliseconds; }
    int timeout() const { return m_timeoutMs; }

    bool isBusy() const { return !m_socket.isNull(); }

    /// Starts a lookup. A lookup still running is abandoned first (and reports "cancelled").
    void send(const QString &host, quint16 port, const LookupRequest &request);
    /// The same over a Unix socket (socketmap:unix:PATH:NAME, check_policy_service unix:PATH).
    void sendLocal(const QString &path, const LookupRequest &request);
    /// Abandons the running lookup; finished() follows with "cancelled".
    void cancel();

Q_SIGNALS:
    void finished(const prc::LookupResult &result);

private:
    void onConnected();
    void onReadyRead();
    void onDisconnected();
    void onError(QAbstractSocket::SocketError error);
    void onLocalError(QLocalSocket::LocalSocketError error);
    /// Resets the state for a new lookup at target.
    void begin(const QString &target, const LookupRequest &request);
    /// Tries to cut one reply off the buffer; true once the lookup is complete (or failed for good).
    bool takeReply();
    void fail(const QString &error);
    void finish();

    QPointer<QIODevice> m_socket; ///< a QTcpSocket or a QLocalSocket
    QTimer m_timer;
    QElapsedTimer m_clock;
    QString m_target;
    LookupResult m_result;
    QByteArray m_request; ///< the framed request; LookupResult::sent only once it was written
    QByteArray m_buffer;
    int m_timeoutMs = DefaultTimeoutMs;
};

} // namespace prc
