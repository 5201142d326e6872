// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QList>
#include <QString>

namespace prc {

/// One problem found in a config file: where (file and JSON path, e.g. "endpoints[1].bind-port") and what.
struct ConfigError
{
    QString file;
    QString path; ///< empty for problems with the file as a whole
    QString message;

    /// "FILE: PATH: MESSAGE", the form printed on stderr and shown by the admin tool.
    QString toString() const;
};

using ConfigErrors = QList<ConfigError>;

} // namespace prc
