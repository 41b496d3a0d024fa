//! Turning user text into safe FTS5 query expressions.
//!
//! User text is never passed to `MATCH` as it is: quotes, `*`, `-`, `^`,
//! parentheses and the keywords `AND`, `OR`, `NOT` and `NEAR` would be read
//! as query syntax and could raise syntax errors. Instead the text is split
//! into words at every character that is neither a letter nor a digit, and
//! each word becomes a quoted FTS5 string.

/// Most words taken from one query, which bounds the cost of a search.
const MAX_TERMS: usize = 32;

/// Splits `text` into the words that the `unicode61` tokenizer would index.
pub(crate) fn terms(text: &str) -> Vec<&str> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|term| !term.is_empty())
        .take(MAX_TERMS)
        .collect()
}

/// Quotes a word as an FTS5 string. Doubling `"` is the FTS5 escape, though
/// [`terms`] never yields one.
fn quote(term: &str) -> String {
    format!("\"{}\"", term.replace('"', "\"\""))
}

/// Builds an expression that matches rows containing every word, or `None`
/// when the text has no words.
pub(crate) fn match_all(text: &str) -> Option<String> {
    let terms = terms(text);
    if terms.is_empty() {
        return None;
    }

    Some(terms.into_iter().map(quote).collect::<Vec<_>>().join(" "))
}

/// Builds an expression that matches rows containing any of the words, for
/// ranked recall, or `None` when the text has no words.
pub(crate) fn match_any(text: &str) -> Option<String> {
    let terms = terms(text);
    if terms.is_empty() {
        return None;
    }

    Some(
        terms
            .into_iter()
            .map(quote)
            .collect::<Vec<_>>()
            .join(" OR "),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_becomes_words() {
        assert_eq!(
            match_all(r#"say "NEAR(a b)" -x* ^y"#).as_deref(),
            Some(r#""say" "NEAR" "a" "b" "x" "y""#)
        );
    }

    #[test]
    fn any_joins_with_or() {
        assert_eq!(
            match_any("cats, dogs").as_deref(),
            Some(r#""cats" OR "dogs""#)
        );
    }

    #[test]
    fn punctuation_only_is_none() {
        assert_eq!(match_all("\"*()-:^ 🙂"), None);
        assert_eq!(match_any(""), None);
    }

    #[test]
    fn non_latin_words_kept() {
        assert_eq!(terms("猫が好き شكرا"), vec!["猫が好き", "شكرا"]);
    }
}
