//! Stored text made safe to print in terminal-oriented listings. Exports
//! write the text unchanged.

use std::borrow::Cow;

/// Escapes control characters other than newline and tab, and the
/// bidirectional formatting characters, as Rust's `char::escape_default`
/// does (`\u{1b}`, `\r`, `\u{202e}`). Stored text then cannot move the
/// cursor, change colours, reorder what is shown or ring the bell.
pub fn escape_controls(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }

    let mut escaped = String::with_capacity(text.len() + 8);
    for character in text.chars() {
        if needs_escape(character) {
            escaped.extend(character.escape_default());
        } else {
            escaped.push(character);
        }
    }
    Cow::Owned(escaped)
}

/// Replaces tabs and line breaks with spaces and escapes the other control
/// characters, so that each record of tab-separated output stays on one line.
pub fn one_line(text: &str) -> String {
    escape_controls(&text.replace(['\t', '\r', '\n'], " ")).into_owned()
}

fn needs_escape(character: char) -> bool {
    let control = character.is_control() && character != '\n' && character != '\t';
    control || is_bidi_control(character)
}

/// Returns whether `character` is a Unicode bidirectional formatting
/// character, which can make a terminal show text in another order than
/// it is stored.
fn is_bidi_control(character: char) -> bool {
    matches!(character, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_bidi_override() {
        assert_eq!(escape_controls("abc\u{202E}fed"), "abc\\u{202e}fed");
        assert_eq!(escape_controls("\u{2067}x\u{2069}"), "\\u{2067}x\\u{2069}");
    }

    #[test]
    fn escapes_escape_sequences_and_bell() {
        assert_eq!(escape_controls("a\u{1b}[31mb\u{7}"), "a\\u{1b}[31mb\\u{7}");
    }

    #[test]
    fn keeps_newline_tab_and_unicode() {
        let text = "line one\n\tline two — 灯台 🌊";
        assert!(matches!(escape_controls(text), Cow::Borrowed(_)));
    }

    #[test]
    fn escapes_carriage_return_delete_and_c1() {
        assert_eq!(escape_controls("a\rb\u{7f}c\u{9b}"), "a\\rb\\u{7f}c\\u{9b}");
    }

    #[test]
    fn one_line_flattens_then_escapes() {
        assert_eq!(one_line("a\tb\r\nc\u{1b}"), "a b  c\\u{1b}");
    }
}
