// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QJsonObject>
#include <QUndoCommand>

namespace prc {

class ConfigDocument;

/// One edit of the config document, stored as the whole document before and after. QJsonObject is implicitly
/// shared, so this costs little, and undo restores the exact bytes that will be saved.
class EditCommand : public QUndoCommand
{
public:
    EditCommand(ConfigDocument *document, QJsonObject before, QJsonObject after, const QString &text,
                const QString &mergeKey);

    void undo() override;
    void redo() override;
    int id() const override;
    bool mergeWith(const QUndoCommand *other) override;

private:
    ConfigDocument *m_document;
    QJsonObject m_before;
    QJsonObject m_after;
    QString m_mergeKey;
};

} // namespace prc
