// SPDX-License-Identifier: GPL-3.0-or-later
#include "modes/targeturl.h"

namespace prc {

QUrl TargetUrl::withQuery(const QUrl &target, const Parameters &parameters)
{
    QByteArray query = target.query(QUrl::FullyEncoded).toLatin1();
    for (const auto &[name, value] : parameters) {
        if (!query.isEmpty())
            query += '&';
        query += name.toPercentEncoding() + '=' + value.toPercentEncoding();
    }
    QUrl url = target;
    url.setQuery(QString::fromLatin1(query), QUrl::StrictMode);
    return url;
}

} // namespace prc
