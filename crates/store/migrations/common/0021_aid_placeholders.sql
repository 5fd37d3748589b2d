-- Placeholders visible wherever they decide something (issue 19): each aid item records the
-- placeholder rules it was decided under (comma-separated codes of PlaceholderRule:
-- standard, tier, authority), so the item, the approvals inbox and the printed calculation
-- can mark an amount or an approval level that rests on an unconfirmed value.
ALTER TABLE aid_items ADD COLUMN placeholders TEXT NOT NULL DEFAULT '';

-- Items proposed before this kept only the standard's mark, as a prefix of their calculation's
-- text: it moves to the new column (shown in both languages) and leaves the text.
UPDATE aid_items SET placeholders = 'standard', calculation = substr(calculation, 9)
    WHERE substr(calculation, 1, 8) = '[待确认标准] ';
