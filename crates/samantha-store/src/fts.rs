//! Turning user text into safe FTS5 query expressions.
//!
//! User text is never passed to `MATCH` as it is: quotes, `*`, `-`, `^`,
//! parentheses and the keywords `AND`, `OR`, `NOT` and `NEAR` would be read
//! as query syntax and could raise syntax errors. Instead the text is split
//! into words at every character that is neither a letter nor a digit, and
//! each word becomes a quoted FTS5 string.

/// Most words taken from one query, which bounds the cost of a search.
const MAX_TERMS: usize = 32;

/// Splits `text` into words at every character that is neither a letter
/// nor a digit, close to how the `unicode61` tokenizer splits it.
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

/// English function words left out of recall queries. They occur in most
/// messages, so they add little to BM25 but make FTS5 read and score
/// nearly every row.
const STOPWORDS: &[&str] = &[
    "a", "about", "after", "again", "all", "am", "an", "and", "any", "are", "as", "at", "be",
    "been", "before", "but", "by", "can", "could", "did", "do", "does", "doing", "for", "from",
    "had", "has", "have", "he", "her", "here", "hers", "him", "his", "how", "i", "if", "in",
    "into", "is", "it", "its", "just", "me", "my", "no", "not", "now", "of", "on", "or", "our",
    "out", "she", "so", "some", "than", "that", "the", "their", "them", "then", "there", "these",
    "they", "this", "those", "to", "too", "up", "us", "very", "was", "we", "were", "what", "when",
    "where", "which", "who", "why", "will", "with", "would", "you", "your",
];

/// Returns the words of `text` worth searching for in recall: lowercased,
/// without repeats and without stopwords, unless only stopwords remain, so
/// that "who are you" still finds something.
pub(crate) fn recall_terms(text: &str) -> Vec<String> {
    let terms = terms(text);

    let mut kept: Vec<String> = Vec::new();
    for term in &terms {
        let lower = term.to_lowercase();
        if !STOPWORDS.contains(&lower.as_str()) && !kept.contains(&lower) {
            kept.push(lower);
        }
    }

    if kept.is_empty() {
        for term in &terms {
            let lower = term.to_lowercase();
            if !kept.contains(&lower) {
                kept.push(lower);
            }
        }
    }

    kept
}

/// Builds an expression that matches rows containing any of `terms`, or
/// `None` when there are none.
pub(crate) fn any_of(terms: &[String]) -> Option<String> {
    if terms.is_empty() {
        return None;
    }

    Some(
        terms
            .iter()
            .map(|term| quote(term))
            .collect::<Vec<_>>()
            .join(" OR "),
    )
}

/// Builds an expression that matches exactly one word.
pub(crate) fn single(term: &str) -> String {
    quote(term)
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
        let terms = recall_terms("cats, dogs");
        assert_eq!(any_of(&terms).as_deref(), Some(r#""cats" OR "dogs""#));
    }

    #[test]
    fn any_drops_stopwords_and_repeats() {
        assert_eq!(
            recall_terms("What did I say about the Garden and the garden?"),
            vec!["say", "garden"]
        );
    }

    #[test]
    fn any_keeps_stopwords_when_alone() {
        assert_eq!(recall_terms("who are you you"), vec!["who", "are", "you"]);
    }

    #[test]
    fn punctuation_only_is_none() {
        assert_eq!(match_all("\"*()-:^ 🙂"), None);
        assert_eq!(any_of(&recall_terms("")), None);
    }

    #[test]
    fn non_latin_words_kept() {
        assert_eq!(terms("猫が好き شكرا"), vec!["猫が好き", "شكرا"]);
    }
}
