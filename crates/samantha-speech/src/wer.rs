//! Word error rate: word-level Levenshtein distance over the reference
//! length, after lowercasing and removing punctuation.

/// Splits `text` into lowercase words; punctuation other than apostrophes
/// inside words is dropped and hyphens separate words.
pub fn normalize_words(text: &str) -> Vec<String> {
    text.to_lowercase()
        .split(|character: char| character.is_whitespace() || character == '-')
        .map(|word| {
            word.chars()
                .filter(|character| character.is_alphanumeric() || *character == '\'')
                .collect::<String>()
                .trim_matches('\'')
                .to_owned()
        })
        .filter(|word| !word.is_empty())
        .collect()
}

/// Returns the minimum number of word substitutions, insertions and
/// deletions that turn `reference` into `hypothesis`.
pub fn word_edit_distance(reference: &[String], hypothesis: &[String]) -> usize {
    let mut previous: Vec<usize> = (0..=hypothesis.len()).collect();
    let mut current = vec![0; hypothesis.len() + 1];

    for (row, reference_word) in reference.iter().enumerate() {
        current[0] = row + 1;
        for (column, hypothesis_word) in hypothesis.iter().enumerate() {
            let substitution = previous[column] + usize::from(reference_word != hypothesis_word);
            let deletion = previous[column + 1] + 1;
            let insertion = current[column] + 1;
            current[column + 1] = substitution.min(deletion).min(insertion);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[hypothesis.len()]
}

/// Word error rate of one hypothesis; 0 for two empty texts, 1 per word
/// for a hypothesis against an empty reference.
pub fn word_error_rate(reference: &str, hypothesis: &str) -> f64 {
    let reference = normalize_words(reference);
    let hypothesis = normalize_words(hypothesis);
    let distance = word_edit_distance(&reference, &hypothesis);
    if reference.is_empty() {
        return distance as f64;
    }
    distance as f64 / reference.len() as f64
}

/// Corpus word error rate: total edits over total reference words.
pub fn corpus_word_error_rate<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> f64 {
    let mut edits = 0;
    let mut words = 0;
    for (reference, hypothesis) in pairs {
        let reference = normalize_words(reference);
        let hypothesis = normalize_words(hypothesis);
        edits += word_edit_distance(&reference, &hypothesis);
        words += reference.len();
    }
    if words == 0 {
        return edits as f64;
    }
    edits as f64 / words as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_text_has_zero_wer() {
        assert_eq!(word_error_rate("The cat sat.", "the cat sat"), 0.0);
    }

    #[test]
    fn substitution_counts_one() {
        assert_eq!(word_error_rate("the cat sat", "the bat sat"), 1.0 / 3.0);
    }

    #[test]
    fn insertion_and_deletion_count() {
        assert_eq!(
            word_error_rate("the cat sat", "the cat sat down"),
            1.0 / 3.0
        );
        assert_eq!(word_error_rate("the cat sat", "cat sat"), 1.0 / 3.0);
        assert_eq!(word_error_rate("a b c d", ""), 1.0);
    }

    #[test]
    fn wer_can_exceed_one() {
        assert_eq!(word_error_rate("yes", "no no no"), 3.0);
    }

    #[test]
    fn normalization_keeps_contractions() {
        assert_eq!(
            normalize_words("It's a well-known \"fact\"!"),
            vec!["it's", "a", "well", "known", "fact"]
        );
    }

    #[test]
    fn empty_reference_and_hypothesis() {
        assert_eq!(word_error_rate("", ""), 0.0);
        assert_eq!(word_error_rate("", "thank you"), 2.0);
    }

    #[test]
    fn corpus_wer_weights_by_length() {
        let pairs = [("a b c d", "a b c d"), ("e f", "e x")];
        assert_eq!(corpus_word_error_rate(pairs), 1.0 / 6.0);
    }
}
