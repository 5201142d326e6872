// SPDX-License-Identifier: GPL-3.0-or-later
#include "editcommand.h"

#include "configdocument.h"

namespace prc {

EditCommand::EditCommand(ConfigDocument *document, QJsonObject before, QJsonObject after, const QString &text,
                         const QString &mergeKey)
    : m_document(document)
    , m_before(std::move(before))
    , m_after(std::move(after))
    , m_mergeKey(mergeKey)
{
    setText(text);
}

void EditCommand::undo()
{
    m_document->applyRoot(m_before);
}

void EditCommand::redo()
{
    m_document->applyRoot(m_after);
}

int EditCommand::id() const
{
    // Only field edits merge (typing into one field is one step); structural edits never do.
    return m_mergeKey.isEmpty() ? -1 : 1;
}

bool EditCommand::mergeWith(const QUndoCommand *other)
{
    const auto *command = static_cast<const EditCommand *>(other);
    if (command->m_mergeKey != m_mergeKey)
        return false;
    m_after = command->m_after;
    // Typing and then deleting it again leaves nothing to undo: QUndoStack drops an obsolete command.
    setObsolete(m_after == m_before);
    return true;
}

} // namespace prc
