// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QList>
#include <QSslCertificate>
#include <QSslKey>
#include <QString>

namespace prc {

/// Reads the PEM files of the tls-* keys for the qt client (the curl client hands the paths to libcurl).
class TlsFiles
{
public:
    static QList<QSslCertificate> certificates(const QString &path);
    /// The first private key in the file (RSA, EC or DSA); null when there is none.
    static QSslKey privateKey(const QString &path);
};

} // namespace prc
