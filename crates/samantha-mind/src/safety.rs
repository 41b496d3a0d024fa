//! Detection of messages about suicide or self-harm, and the fixed reply
//! they get.
//!
//! The check is a set of regular expressions over lower-cased text, tested
//! on positive and negative cases (`tests/safety.rs`). It looks for
//! intent or ideation ("I want to end my life"), not for the words alone,
//! so figures of speech such as "this job is killing me" pass. A match that
//! directly follows a negation ("I would never hurt myself", "I'm not going to
//! kill myself") does not count, except
//! in patterns that contain the negation ("I don't want to live").
//!
//! The reply to a match is fixed text, never model output, and the model's
//! own sentences go through the same check plus patterns aimed at "you".

use std::sync::LazyLock;

use regex::Regex;

/// Subject of a flagged text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Crisis {
    /// The writer may harm themselves.
    SelfHarm,

    /// Another person may harm themselves.
    OtherPerson,
}

/// The reply to a message about the writer's own safety.
pub const SELF_HARM_REPLY: &str = "I'm really glad you told me, and I'm taking it seriously. \
You deserve support from a person right now, not only from me. \
If you might act on these thoughts or are in danger, please call your local emergency number \
(911 in the US and Canada, 112 in most of Europe, 999 in the UK) or go to the nearest emergency room. \
You can also reach a crisis line any time: call or text 988 in the US, \
call Samaritans on 116 123 in the UK and Ireland, \
or look up your country's line at findahelpline.com. \
If you can, let someone you trust know how you feel tonight. \
I'm here, and I'll keep listening.";

/// The reply to a message about another person's safety.
pub const OTHER_PERSON_REPLY: &str = "That sounds frightening, and I'm glad you told me. \
If they might be in danger right now, please call your local emergency number \
(911 in the US and Canada, 112 in most of Europe, 999 in the UK) and stay with them if it is safe to. \
Crisis lines help the people around someone too: call or text 988 in the US, \
call Samaritans on 116 123 in the UK and Ireland, \
or look up your country's line at findahelpline.com. \
You don't have to carry this alone. I'm here to listen.";

/// Returns the fixed reply for `crisis`.
pub fn crisis_reply(crisis: Crisis) -> &'static str {
    match crisis {
        Crisis::SelfHarm => SELF_HARM_REPLY,
        Crisis::OtherPerson => OTHER_PERSON_REPLY,
    }
}

struct Pattern {
    regex: Regex,
    crisis: Crisis,
    /// Whether a negation just before the match cancels it.
    negatable: bool,
}

fn pattern(source: &str, crisis: Crisis, negatable: bool) -> Pattern {
    // The sources are constants covered by the tests, so a failure here is
    // a programming error caught before release.
    let regex = Regex::new(source).unwrap_or_else(|error| panic!("invalid safety pattern {source:?}: {error}"));
    Pattern { regex, crisis, negatable }
}

const INTENT: &str = r"(want|wanted|wanna|going|gonna|plan|planning|planned|thinking|think|thought|urge|urges|tempted|need|try|trying|tried|decided|ready|about)";

/// Patterns about the writer or someone they know.
static MESSAGE_PATTERNS: LazyLock<Vec<Pattern>> = LazyLock::new(|| {
    use Crisis::{OtherPerson, SelfHarm};
    vec![
        pattern(r"\bkill(ing)?\s+my\s?self\b", SelfHarm, true),
        pattern(r"\bunalive\s+my\s?self\b|\bkms\b", SelfHarm, true),
        pattern(&format!(r"\b{INTENT}\b[^.!?]{{0,30}}\b(hurt|hurting|harm|harming|cut|cutting|burn|burning|starve|starving)\s+my\s?self\b"), SelfHarm, true),
        pattern(r"\b(been|keep|kept|started|start)\s+(cutting|hurting|harming|burning)\s+my\s?self\b", SelfHarm, true),
        pattern(r"\bself[- ]?harm(ing)?\b[^.!?]{0,20}\b(again|relapse|urge|urges)\b|\b(i|i've|i'm|been)\s+[^.!?]{0,12}self[- ]?harm", SelfHarm, true),
        pattern(r"\b(i'm|i am|feel|feeling|been|felt)\s+(so\s+|really\s+|very\s+)?suicidal\b|\bsuicidal\s+(thoughts|feelings)\b", SelfHarm, true),
        pattern(r"\b(commit|committing|attempt|attempted|attempting|considering|contemplating|planning|plan)\s+suicide\b", SelfHarm, true),
        pattern(r"\b(thinking|thought|think)\s+(about|of)\s+(suicide|killing\s+my\s?self|ending\s+(it|my\s+life))\b", SelfHarm, true),
        pattern(r"\b(end|ending|take|taking)\s+my\s+(own\s+)?life\b", SelfHarm, true),
        pattern(r"\bend\s+it\s+all\b", SelfHarm, true),
        pattern(r"\b(want|wanted|wanna|wish|wished)\s+(to\s+)?(die|be\s+dead)\b|\bwish\s+i\s+(was|were)\s+dead\b", SelfHarm, true),
        pattern(r"\b(don't|do\s+not|no\s+longer|dont)\s+want\s+to\s+(live|be\s+alive|exist|wake\s+up)\b", SelfHarm, false),
        pattern(r"\bno\s+(reason|point)\s+(to|in)\s+(live|living|going\s+on|being\s+alive)\b", SelfHarm, false),
        pattern(r"\b(better\s+off|be\s+better)\s+(dead|without\s+me)\b", SelfHarm, true),
        pattern(r"\bcan't\s+go\s+on\s+(anymore|any\s+more|living|like\s+this)\b", SelfHarm, true),
        pattern(r"\b(take|taking|took|swallow|swallowed|swallowing)\s+(all|a\s+bunch\s+of|the\s+whole\s+bottle\s+of|too\s+many)\s+(of\s+)?(my\s+)?(pills|tablets|meds)\b", SelfHarm, true),
        pattern(&format!(r"\b{INTENT}\b[^.!?]{{0,20}}\b(overdose|jump(ing)?\s+(off|from|in\s+front\s+of))\b"), SelfHarm, true),
        pattern(r"\b(kill|killing|hurt|hurting|harm|harming|cut|cutting)\s+(himself|herself|themselves|themself)\b", OtherPerson, true),
        pattern(r"\b(is|are|was|were|seems?|sounds?|looks?)\s+(so\s+|really\s+|very\s+)?suicidal\b", OtherPerson, true),
    ]
});

/// Extra patterns for model output, which may be aimed at the user.
static OUTPUT_PATTERNS: LazyLock<Vec<Pattern>> = LazyLock::new(|| {
    vec![
        pattern(r"\b(kill|hurt|harm|cut)\s+yourself\b", Crisis::SelfHarm, true),
        pattern(r"\b(end|take)\s+your\s+(own\s+)?life\b", Crisis::SelfHarm, true),
        pattern(r"\byou('d|\s+would|'re|\s+are)\s+(be\s+)?better\s+off\s+dead\b", Crisis::SelfHarm, false),
        pattern(r"\bhow\s+to\s+(overdose|commit\s+suicide)\b", Crisis::SelfHarm, false),
    ]
});

static NEGATION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\b(never|not|don't|dont|won't|wouldn't|isn't)\s+((really|ever|actually|going\s+to|gonna|want\s+to|try\s+to|plan\s+to|be)\s+)*$",
    )
        .unwrap_or_else(|error| panic!("invalid negation pattern: {error}"))
});

/// Checks a user message.
pub fn check_message(text: &str) -> Option<Crisis> {
    first_match(&normalize(text), &MESSAGE_PATTERNS)
}

/// Checks a sentence written by the model: the message patterns plus
/// patterns aimed at the reader.
pub fn check_output(text: &str) -> Option<Crisis> {
    let text = normalize(text);
    first_match(&text, &MESSAGE_PATTERNS).or_else(|| first_match(&text, &OUTPUT_PATTERNS))
}

fn first_match(text: &str, patterns: &[Pattern]) -> Option<Crisis> {
    // Self-harm wins over another person when both match.
    let mut found = None;
    for pattern in patterns {
        for hit in pattern.regex.find_iter(text) {
            if pattern.negatable && NEGATION.is_match(&text[..hit.start()]) {
                continue;
            }
            if pattern.crisis == Crisis::SelfHarm {
                return Some(Crisis::SelfHarm);
            }
            found = Some(pattern.crisis);
        }
    }
    found
}

/// Lower-cases and unifies apostrophes and spaces.
fn normalize(text: &str) -> String {
    let lowered = text.to_lowercase().replace(['’', '‘', '`'], "'");
    lowered.split_whitespace().collect::<Vec<_>>().join(" ")
}
