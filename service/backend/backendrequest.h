// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "backend/backendcall.h"
#include "backend/requestdeadlines.h"

#include <QElapsedTimer>
#include <QObject>

namespace prc {

class BackendClient;

/// One backend call in flight, whatever client carries it: bounds the whole call with one timer, caps the
/// decoded body, and reports exactly once. Deleting it aborts the call (its owner went away).
///
/// A client implementation feeds it with appendBody() and ends it with complete() or fail(); abortTransfer()
/// stops and releases the transfer when the call ends for another reason (timeout, size cap, client gone).
class BackendRequest : public QObject
{
    Q_OBJECT

public:
    ~BackendRequest() override;

    bool isFinished() const { return m_finished; }

Q_SIGNALS:
    /// Emitted once, at the latest when the request timeout elapses.
    void finished(const prc::BackendResult &result);

protected:
    BackendRequest(BackendClient *client, int timeoutMs, qint64 maxResponseSize, QObject *owner);

    /// Adds decoded body bytes. False when they would exceed max-response-size: nothing is added, and the
    /// implementation must stop the transfer and end the call with failTooLarge().
    bool appendBody(const char *data, qsizetype size);
    /// A complete HTTP response (any status) with the body appended so far.
    void complete(int status, QByteArray cacheControl);
    void fail(BackendResult::Outcome outcome, QString error);
    void failTooLarge();

    /// Stops the transfer and releases what it holds in the client, without emitting anything. Called at most
    /// once per call, by the base class, when the call ends before the transfer did.
    virtual void abortTransfer() = 0;

    BackendClient *client() const { return m_client; }
    qint64 maxResponseSize() const { return m_maxResponseSize; }

private:
    friend class BackendClient;
    /// The client is going away: the transfer is stopped now, and the call fails on the next event loop pass
    /// (unless its owner deletes it first).
    void detach();
    void finish(BackendResult result);

    BackendClient *m_client;
    RequestDeadlines::Handle m_deadline;
    QElapsedTimer m_elapsed;
    QByteArray m_body;
    qint64 m_maxResponseSize;
    int m_timeoutMs;
    bool m_finished = false;
};

} // namespace prc
