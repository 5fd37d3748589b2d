//! The one rule for text that comes in from outside: valid Unicode (Rust strings are), no
//! NUL and no other control character, except tab and line breaks in text that may span
//! lines. The web layer applies it to every path, query, form and JSON string before a
//! handler sees them; the domain's own text checks apply it again, field by field.
//!
//! Why: PostgreSQL refuses NUL in `text` (a 500 instead of a field error), SQLite's `LIKE`
//! stops at it, and control characters hide text from the people who read it later.

use crate::ValidationError;

/// The stable code of text that breaks the rule.
pub const INVALID_TEXT: &str = "INVALID_TEXT";

/// Whether `c` may not appear in text. Tab, line feed and carriage return are allowed when
/// `multiline`; every other control character (C0, DEL, C1) never is, nor are the invisible
/// characters that reorder or break text for its reader: bidirectional overrides and isolates
/// (U+202A–U+202E, U+2066–U+2069) and the Unicode line and paragraph separators.
pub fn is_forbidden(c: char, multiline: bool) -> bool {
    (c.is_control() && !(multiline && matches!(c, '\t' | '\n' | '\r')))
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{2028}' | '\u{2029}')
}

/// The first forbidden character of `s`, if any.
pub fn first_forbidden(s: &str, multiline: bool) -> Option<char> {
    s.chars().find(|&c| is_forbidden(c, multiline))
}

/// Checks `s` for `field`: `INVALID_TEXT` when it holds a forbidden character.
pub fn check(s: &str, multiline: bool, field: &'static str) -> Result<(), ValidationError> {
    match first_forbidden(s, multiline) {
        Some(_) => Err(ValidationError::new(INVALID_TEXT, field)),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_refused() {
        assert_eq!(first_forbidden("a\u{0}b", true), Some('\u{0}'));
        assert_eq!(first_forbidden("\u{0}abc", false), Some('\u{0}'));
        assert_eq!(first_forbidden("a\u{7f}", true), Some('\u{7f}'));
        assert_eq!(first_forbidden("a\u{85}", true), Some('\u{85}'), "C1 next-line");
        assert_eq!(first_forbidden("a\u{1b}[31m", true), Some('\u{1b}'), "terminal escapes");
        assert!(check("第一行\n第二行\t完", true, "note").is_ok());
        assert_eq!(check("姓名\n", false, "name"), Err(ValidationError::new(INVALID_TEXT, "name")));
        assert!(check("张三 Zhang（代）", false, "name").is_ok());
        assert_eq!(first_forbidden("invoice\u{202E}fdp.exe", true), Some('\u{202E}'), "a right-to-left override");
        assert_eq!(first_forbidden("a\u{2028}b", true), Some('\u{2028}'));
        assert!(check("维吾尔 ئۇيغۇر", false, "name").is_ok(), "right-to-left script itself is text");
    }
}
