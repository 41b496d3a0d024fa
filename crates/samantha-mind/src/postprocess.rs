//! Post-processing of generated text before it is shown.
//!
//! The model's pieces are held back until a sentence or line ends, and each
//! finished sentence is checked before it is released:
//! - a control token of the chat template ends the reply at that point;
//! - a 4-gram of words seen more than [`MAX_NGRAM_REPEATS`] times, or a
//!   sentence equal to an earlier one, is a repetition loop (small models
//!   fall into them under greedy decoding), and the reply ends at the last
//!   released sentence;
//! - a sentence rejected by the screen (the safety check) ends the reply.
//!
//! So the text a user sees always ends at a sentence or line boundary,
//! unless the user stopped the reply.

use std::collections::{HashMap, HashSet};

use samantha_llm::StopReason;

/// Most times one 4-gram of words may appear in a reply.
pub const MAX_NGRAM_REPEATS: u32 = 3;

/// Length of the word n-grams counted for loop detection.
const NGRAM: usize = 4;

/// Reason the filter ended a reply early.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterStop {
    /// The model wrote a control token of the template.
    ControlToken,

    /// The model repeated itself.
    RepetitionLoop,

    /// The screen rejected a sentence.
    Screened,
}

/// Whether generation should go on after a piece.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Continue,
    Stop(FilterStop),
}

/// A check run on each sentence before release; `true` rejects it.
pub type Screen = Box<dyn Fn(&str) -> bool + Send + Sync>;

/// Holds back generated text until it is safe to show.
pub struct ReplyFilter {
    control_texts: Vec<String>,
    screen: Option<Screen>,
    released: String,
    pending: String,
    ngram_counts: HashMap<String, u32>,
    tail_words: Vec<String>,
    sentences: HashSet<String>,
    stopped: Option<FilterStop>,
}

impl ReplyFilter {
    /// Creates a filter that cuts the reply at any of `control_texts`.
    pub fn new(control_texts: Vec<String>) -> Self {
        let control_texts = control_texts.into_iter().filter(|text| !text.is_empty()).collect();
        Self {
            control_texts,
            screen: None,
            released: String::new(),
            pending: String::new(),
            ngram_counts: HashMap::new(),
            tail_words: Vec::new(),
            sentences: HashSet::new(),
            stopped: None,
        }
    }

    /// Adds a check that every sentence must pass.
    pub fn with_screen(mut self, screen: Screen) -> Self {
        self.screen = Some(screen);
        self
    }

    /// Returns the reason the filter stopped the reply, if it did.
    pub fn stopped(&self) -> Option<FilterStop> {
        self.stopped
    }

    /// Text released so far.
    pub fn released(&self) -> &str {
        &self.released
    }

    /// Adds a generated piece and passes every completed sentence to `out`.
    pub fn push(&mut self, piece: &str, out: &mut dyn FnMut(&str)) -> Verdict {
        if let Some(stop) = self.stopped {
            return Verdict::Stop(stop);
        }
        self.pending.push_str(piece);

        if let Some(at) = self.control_position() {
            self.pending.truncate(at);
            self.release_all(out);
            return self.stop(FilterStop::ControlToken);
        }

        while let Some(end) = sentence_end(&self.pending) {
            let sentence: String = self.pending.drain(..end).collect();
            if let Err(stop) = self.release(&sentence, out) {
                self.pending.clear();
                return self.stop(stop);
            }
        }

        // A loop with no punctuation never completes a sentence, so the
        // pending words are counted too.
        if self.would_exceed_repeats(&self.pending) {
            self.salvage_pending(out);
            return self.stop(FilterStop::RepetitionLoop);
        }
        Verdict::Continue
    }

    /// Ends the reply after generation stopped for `reason` and returns the
    /// whole released text.
    ///
    /// A reply cut by the token limit or a full context drops its unfinished
    /// last sentence, unless it is the only text, which then gets a full stop.
    /// A reply the user cancelled keeps its unfinished sentence.
    pub fn finish(&mut self, reason: StopReason, out: &mut dyn FnMut(&str)) -> String {
        if self.stopped.is_none() && !self.pending.trim().is_empty() {
            match reason {
                StopReason::EndOfTurn | StopReason::Cancelled => self.release_all(out),
                StopReason::MaxTokens | StopReason::ContextFull => {
                    if self.released.trim().is_empty() {
                        let mut sentence = self.pending.trim_end().to_owned();
                        close_sentence(&mut sentence);
                        self.pending.clear();
                        let _ = self.release(&sentence, out);
                    }
                }
            }
        }
        self.pending.clear();
        self.released.trim().to_owned()
    }

    fn stop(&mut self, stop: FilterStop) -> Verdict {
        self.stopped = Some(stop);
        Verdict::Stop(stop)
    }

    fn control_position(&self) -> Option<usize> {
        self.control_texts.iter().filter_map(|control| self.pending.find(control.as_str())).min()
    }

    /// Releases whatever is pending, checked like a sentence.
    fn release_all(&mut self, out: &mut dyn FnMut(&str)) {
        let rest = std::mem::take(&mut self.pending);
        if rest.trim().is_empty() {
            return;
        }
        if let Err(stop) = self.release(&rest, out) {
            self.stopped = Some(stop);
        }
    }

    /// Checks one sentence and, when it passes, shows and counts it.
    fn release(&mut self, sentence: &str, out: &mut dyn FnMut(&str)) -> Result<(), FilterStop> {
        if let Some(screen) = &self.screen
            && screen(sentence)
        {
            return Err(FilterStop::Screened);
        }

        let key = normalized(sentence);
        let repeated_sentence = words(&key).len() >= 3 && self.sentences.contains(&key);
        if repeated_sentence || self.would_exceed_repeats(sentence) {
            return Err(FilterStop::RepetitionLoop);
        }

        self.count(sentence);
        if !key.is_empty() {
            self.sentences.insert(key);
        }
        self.released.push_str(sentence);
        out(sentence);
        Ok(())
    }

    /// Checks whether adding `text` would show some 4-gram too often.
    fn would_exceed_repeats(&self, text: &str) -> bool {
        let mut window = self.tail_words.clone();
        window.extend(words(text));

        let mut added: HashMap<String, u32> = HashMap::new();
        for gram in window.windows(NGRAM) {
            let gram = gram.join(" ");
            let seen = self.ngram_counts.get(&gram).copied().unwrap_or(0);
            let count = added.entry(gram).or_insert(0);
            *count += 1;
            if seen + *count > MAX_NGRAM_REPEATS {
                return true;
            }
        }
        false
    }

    fn count(&mut self, text: &str) {
        let mut window = std::mem::take(&mut self.tail_words);
        window.extend(words(text));

        for gram in window.windows(NGRAM) {
            *self.ngram_counts.entry(gram.join(" ")).or_insert(0) += 1;
        }

        let keep = window.len().saturating_sub(NGRAM - 1);
        self.tail_words = window.split_off(keep);
    }

    /// When a loop starts before any sentence was released, keeps the words
    /// before the loop's first repeat as one closed sentence, so the reply
    /// is not empty.
    fn salvage_pending(&mut self, out: &mut dyn FnMut(&str)) {
        let pending = std::mem::take(&mut self.pending);
        if !self.released.trim().is_empty() {
            return;
        }

        let spans = word_spans(&pending);
        let lowered: Vec<String> = spans.iter().map(|(start, end)| pending[*start..*end].to_lowercase()).collect();
        let mut first_seen: HashSet<String> = HashSet::new();
        let mut cut = pending.len();
        for (index, gram) in lowered.windows(NGRAM).enumerate() {
            if !first_seen.insert(gram.join(" ")) {
                cut = spans[index].0;
                break;
            }
        }

        let mut sentence = pending[..cut].trim_end().trim_end_matches([',', ';', ':', '-']).to_owned();
        if words(&sentence).is_empty() {
            return;
        }
        close_sentence(&mut sentence);
        let _ = self.release(&sentence, out);
    }
}

/// Byte index just past the first sentence or line end in `text`, including
/// the whitespace after it; `None` while the sentence is still open.
fn sentence_end(text: &str) -> Option<usize> {
    let mut chars = text.char_indices().peekable();
    while let Some((index, c)) = chars.next() {
        let boundary = match c {
            '\n' => true,
            '.' | '!' | '?' | '…' => matches!(chars.peek(), Some((_, next)) if next.is_whitespace()),
            '。' | '！' | '？' => true,
            _ => false,
        };
        if !boundary {
            continue;
        }

        let mut end = index + c.len_utf8();
        while let Some((next_index, next)) = chars.peek().copied() {
            if !next.is_whitespace() {
                break;
            }
            end = next_index + next.len_utf8();
            chars.next();
        }
        return Some(end);
    }
    None
}

/// Adds a full stop unless `sentence` already ends with punctuation.
fn close_sentence(sentence: &mut String) {
    let ends_closed = sentence.ends_with(['.', '!', '?', '…', '"', '\'', ')', '。', '！', '？']);
    if !ends_closed && !sentence.is_empty() {
        sentence.push('.');
    }
}

/// Lower-cased words of `text`, joined by single spaces.
fn normalized(text: &str) -> String {
    words(text).join(" ")
}

/// Lower-cased words: runs of letters, digits and inner apostrophes.
pub fn words(text: &str) -> Vec<String> {
    word_spans(text).into_iter().map(|(start, end)| text[start..end].to_lowercase()).collect()
}

fn word_spans(text: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut start = None;
    for (index, c) in text.char_indices() {
        let inside = c.is_alphanumeric() || ((c == '\'' || c == '’') && start.is_some());
        match (inside, start) {
            (true, None) => start = Some(index),
            (false, Some(begin)) => {
                spans.push((begin, index));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(begin) = start {
        spans.push((begin, text.len()));
    }
    spans
}

/// Highest count of any word 4-gram in `text`; for checks on whole replies.
pub fn max_ngram_repeats(text: &str) -> u32 {
    let words = words(text);
    let mut counts: HashMap<String, u32> = HashMap::new();
    for gram in words.windows(NGRAM) {
        *counts.entry(gram.join(" ")).or_insert(0) += 1;
    }
    counts.values().copied().max().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(pieces: &[&str], reason: StopReason) -> (String, Vec<String>, Option<FilterStop>) {
        let mut filter = ReplyFilter::new(vec!["<|im_end|>".into(), "<|im_start|>".into()]);
        let mut shown = Vec::new();
        for piece in pieces {
            let verdict = filter.push(piece, &mut |text| shown.push(text.to_owned()));
            if verdict != Verdict::Continue {
                break;
            }
        }
        let text = filter.finish(reason, &mut |text| shown.push(text.to_owned()));
        (text, shown, filter.stopped())
    }

    #[test]
    fn sentences_released_whole() {
        let (text, shown, stop) = run(&["Hello", " there.", " How are", " you?"], StopReason::EndOfTurn);
        assert_eq!(text, "Hello there. How are you?");
        assert_eq!(shown, vec!["Hello there. ", "How are you?"]);
        assert_eq!(stop, None);
    }

    #[test]
    fn decimal_point_is_not_a_boundary() {
        let (_, shown, _) = run(&["Pi is 3.14 or so.", " Yes."], StopReason::EndOfTurn);
        assert_eq!(shown[0], "Pi is 3.14 or so. ");
    }

    #[test]
    fn control_token_cuts_reply() {
        let (text, _, stop) = run(&["Sure thing.", " <|im_start|>user\nhi"], StopReason::EndOfTurn);
        assert_eq!(text, "Sure thing.");
        assert_eq!(stop, Some(FilterStop::ControlToken));
    }

    #[test]
    fn repeated_sentences_end_at_boundary() {
        let pieces = ["I am here for you. ", "You matter to me. ", "I am here for you. ", "I am here for you. "];
        let (text, _, stop) = run(&pieces, StopReason::MaxTokens);
        assert_eq!(text, "I am here for you. You matter to me.");
        assert_eq!(stop, Some(FilterStop::RepetitionLoop));
    }

    #[test]
    fn loop_without_punctuation_is_salvaged() {
        let looping = "and the sea and the sea ".repeat(10);
        let (text, _, stop) = run(&["The night was dark ", &looping], StopReason::MaxTokens);
        assert_eq!(stop, Some(FilterStop::RepetitionLoop));
        assert!(text.ends_with('.'), "{text:?}");
        assert!(max_ngram_repeats(&text) <= MAX_NGRAM_REPEATS, "{text:?}");
    }

    #[test]
    fn ngram_limit_holds_across_sentences() {
        let pieces: Vec<String> = (0..8).map(|i| format!("I really love the ocean number {i}. ")).collect();
        let refs: Vec<&str> = pieces.iter().map(String::as_str).collect();
        let (text, _, _) = run(&refs, StopReason::MaxTokens);
        assert!(max_ngram_repeats(&text) <= MAX_NGRAM_REPEATS, "{text:?}");
        assert!(text.ends_with('.'));
    }

    #[test]
    fn token_limit_drops_unfinished_sentence() {
        let (text, _, _) = run(&["It rained all day.", " Then the wind"], StopReason::MaxTokens);
        assert_eq!(text, "It rained all day.");
    }

    #[test]
    fn token_limit_closes_only_sentence() {
        let (text, _, _) = run(&["The wind came over the hills and"], StopReason::MaxTokens);
        assert_eq!(text, "The wind came over the hills and.");
    }

    #[test]
    fn cancelled_reply_keeps_partial_text() {
        let (text, _, _) = run(&["It rained.", " Then the"], StopReason::Cancelled);
        assert_eq!(text, "It rained. Then the");
    }

    #[test]
    fn lines_are_boundaries() {
        let (_, shown, _) = run(&["Salt on the wind\nstars", " in the water\n"], StopReason::EndOfTurn);
        assert_eq!(shown, vec!["Salt on the wind\n", "stars in the water\n"]);
    }

    #[test]
    fn screen_stops_reply() {
        let mut filter = ReplyFilter::new(Vec::new()).with_screen(Box::new(|text: &str| text.contains("forbidden")));
        let mut shown = String::new();
        filter.push("Fine words. ", &mut |text| shown.push_str(text));
        let verdict = filter.push("A forbidden one. ", &mut |text| shown.push_str(text));
        assert_eq!(verdict, Verdict::Stop(FilterStop::Screened));
        assert_eq!(shown, "Fine words. ");
    }

    #[test]
    fn words_keep_inner_apostrophes() {
        assert_eq!(words("I'm here, don't go!"), vec!["i'm", "here", "don't", "go"]);
    }
}
