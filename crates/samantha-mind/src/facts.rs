//! Rule-based extraction of facts that users state about themselves.
//!
//! A 135M-parameter model cannot be trusted to pull facts out of a message,
//! so memories come from patterns over first-person statements ("my sister
//! is called Ana", "I work night shifts"), rewritten in the third person
//! ("The user's sister is called Ana."). Questions, conditionals and
//! reported speech are skipped; only what the user asserts is kept.

use std::sync::LazyLock;

use regex::{Captures, Regex};

/// Longest captured phrase kept, in words; longer ones are usually whole
/// clauses that the patterns misread.
const MAX_PHRASE_WORDS: usize = 8;

/// Objects of "I love …" that are about the conversation, not the user.
const PRONOUN_OBJECTS: &[&str] = &["you", "it", "that", "this", "them", "him", "her", "those", "these", "talking", "when"];

type Render = fn(&Captures<'_>) -> Option<String>;

struct Rule {
    regex: Regex,
    render: Render,
}

fn rule(source: &str, render: Render) -> Rule {
    // The sources are constants exercised by the tests.
    let regex = Regex::new(source).unwrap_or_else(|error| panic!("invalid fact pattern {source:?}: {error}"));
    Rule { regex, render }
}

/// A phrase: the shortest run of text up to [`END`].
const PHRASE: &str = r"[^,.;:!?]+?";

/// End of a captured phrase: punctuation, a joining word or the end.
const END: &str = r"(?:\s+(?:and|but|so|because|which|who|though)\b|[,.;:!?]|$)";

static RULES: LazyLock<Vec<Rule>> = LazyLock::new(|| {
    vec![
        rule(r"(?i)\bmy\s+([a-z]+(?:\s+[a-z]+)?)(?:'s\s+name\s+is|\s+is\s+called|\s+is\s+named|\s+name\s+is)\s+([\p{L}'-]+)", |c| {
            Some(format!("The user's {} is called {}.", &c[1].to_lowercase(), capitalize(&c[2])))
        }),
        rule(r"(?i)\bi\s+have\s+an?\s+([a-z]+(?:\s+[a-z]+)?)\s+(?:called|named)\s+([\p{L}'-]+)", |c| {
            Some(format!("The user has a {} called {}.", &c[1].to_lowercase(), capitalize(&c[2])))
        }),
        rule(&format!(r"(?i)\bi\s+(?:work|am\s+working|'m\s+working)\s+((?:as|at|in|for|from|on)\s+{PHRASE}){END}"), |c| {
            phrase(&c[1]).map(|rest| format!("The user works {rest}."))
        }),
        rule(&format!(r"(?i)\bi\s+work\s+((?:night|day|early|late|weekend|double)\s+{PHRASE}){END}"), |c| {
            phrase(&c[1]).map(|rest| format!("The user works {rest}."))
        }),
        rule(&format!(r"(?i)\bi\s+live\s+((?:in|near|with|on|by)\s+{PHRASE}){END}"), |c| {
            phrase(&c[1]).map(|rest| format!("The user lives {rest}."))
        }),
        rule(&format!(r"(?i)\bi(?:'ve|\s+have)?\s+(?:just\s+|recently\s+)?moved\s+((?:to|in\s+with|back\s+to)\s+{PHRASE}){END}"), |c| {
            phrase(&c[1]).map(|rest| format!("The user moved {rest}."))
        }),
        rule(&format!(r"(?i)\bi\s+grew\s+up\s+((?:in|on|near|by)\s+{PHRASE}){END}"), |c| {
            phrase(&c[1]).map(|rest| format!("The user grew up {rest}."))
        }),
        rule(&format!(r"(?i)\bi(?:'m|\s+am)\s+(?:originally\s+)?from\s+({PHRASE}){END}"), |c| {
            phrase(&c[1]).map(|rest| format!("The user is from {rest}."))
        }),
        rule(r"(?i)\bi(?:'m|\s+am)\s+(\d{1,3})\s+(?:years?\s+old|yo)\b", |c| Some(format!("The user is {} years old.", &c[1]))),
        rule(&format!(r"(?i)\bmy\s+birthday\s+is\s+(?:on\s+)?({PHRASE}){END}"), |c| {
            phrase(&c[1]).map(|rest| format!("The user's birthday is {rest}."))
        }),
        rule(&format!(r"(?i)\bmy\s+fav(?:ou?rite|e)\s+([a-z]+(?:\s+[a-z]+)?)\s+is\s+({PHRASE}){END}"), |c| {
            phrase(&c[2]).map(|rest| format!("The user's favorite {} is {rest}.", &c[1].to_lowercase()))
        }),
        rule(&format!(r"(?i)\bi(?:'m|\s+am)\s+allergic\s+to\s+({PHRASE}){END}"), |c| {
            phrase(&c[1]).map(|rest| format!("The user is allergic to {rest}."))
        }),
        rule(&format!(r"(?i)\bi(?:'m|\s+am)\s+(?:studying|learning|learning\s+to)\s+({PHRASE}){END}"), |c| {
            phrase(&c[1]).map(|rest| format!("The user is learning {rest}."))
        }),
        rule(&format!(r"(?i)\bi\s+study\s+({PHRASE}){END}"), |c| phrase(&c[1]).map(|rest| format!("The user studies {rest}."))),
        rule(&format!(r"(?i)\bi(?:'ve|\s+have)\s+been\s+(learning|studying|playing|training\s+for|practicing|practising|teaching|writing|building)\s+({PHRASE}){END}"), |c| {
            phrase(&c[2]).map(|rest| format!("The user has been {} {rest}.", c[1].to_lowercase()))
        }),
        rule(&format!(r"(?i)\bi(?:'m|\s+am)\s+(training\s+for|afraid\s+of|scared\s+of|terrified\s+of|married\s+to|writing|building|saving\s+for|planning)\s+({PHRASE}){END}"), |c| {
            phrase(&c[2]).map(|rest| format!("The user is {} {rest}.", c[1].to_lowercase()))
        }),
        rule(&format!(r"(?i)\bi\s+(play|speak|teach|drive|own|volunteer|run|swim|paint|knit|sing)\s+({PHRASE}){END}"), |c| {
            phrase(&c[2]).map(|rest| format!("The user {}s {rest}.", c[1].to_lowercase()))
        }),
        rule(&format!(r"(?i)\bi\s+was\s+born\s+((?:in|on)\s+{PHRASE}){END}"), |c| {
            phrase(&c[1]).map(|rest| format!("The user was born {rest}."))
        }),
        rule(&format!(r"(?i)\bmy\s+(job|work|major|degree|hobby|name)\s+is\s+({PHRASE}){END}"), |c| {
            phrase(&c[2]).map(|rest| format!("The user's {} is {rest}.", c[1].to_lowercase()))
        }),
        rule(r"(?i)\bmy\s+([a-z]+)\s+is\s+(\d{1,3})\s+(?:years?\s+old)\b", |c| {
            Some(format!("The user's {} is {} years old.", c[1].to_lowercase(), &c[2]))
        }),
        rule(r"(?i)\bi(?:'m|\s+am)\s+(married|single|divorced|engaged|widowed|pregnant|retired|vegan|vegetarian|left-handed|a\s+night\s+owl|an\s+early\s+bird)\b", |c| {
            Some(format!("The user is {}.", c[1].to_lowercase()))
        }),
        rule(r"(?i)\bi(?:'m|\s+am)\s+an?\s+((?:[a-z-]+\s+)?(?:nurse|doctor|teacher|student|engineer|chef|cook|writer|poet|artist|developer|designer|lawyer|programmer|musician|painter|photographer|scientist|researcher|accountant|farmer|pilot|driver|mechanic|electrician|carpenter|plumber|librarian|pharmacist|therapist|dentist|vet|firefighter|police\s+officer|soldier|cashier|waiter|waitress|barista|baker|manager|consultant|translator|journalist|editor|actor|dancer|singer|mom|dad|mother|father|parent|grandmother|grandfather))\b", |c| {
            let noun = c[1].to_lowercase();
            let article = if noun.starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" };
            Some(format!("The user is {article} {noun}."))
        }),
        rule(r"(?i)\bi\s+have\s+(a|an|one|two|three|four|five|\d+)\s+(kids?|children|child|sons?|daughters?|dogs?|cats?|brothers?|sisters?|siblings?|grandchildren)\b", |c| {
            Some(format!("The user has {} {}.", c[1].to_lowercase(), c[2].to_lowercase()))
        }),
        rule(&format!(r"(?i)\bi\s+(love|like|enjoy|hate|dislike|adore|can't\s+stand)\s+({PHRASE}){END}"), |c| {
            let object = phrase(&c[2])?;
            let first = object.split_whitespace().next().unwrap_or_default().to_lowercase();
            if PRONOUN_OBJECTS.contains(&first.as_str()) {
                return None;
            }
            let verb = match c[1].to_lowercase().as_str() {
                "can't stand" => "can't stand".to_owned(),
                other => format!("{other}s"),
            };
            Some(format!("The user {verb} {object}."))
        }),
    ]
});

/// Words that make a sentence hypothetical, reported or a question.
static NOT_ASSERTED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s*(if|when|whether|what|who|where|why|how|do|does|did|can|could|would|should|is|are)\b|\b(if\s+i|i\s+wish|pretend|imagine|suppose|she\s+said|he\s+said|they\s+said|in\s+my\s+story|my\s+character)\b")
        .unwrap_or_else(|error| panic!("invalid fact filter: {error}"))
});

/// Returns the facts that `message` states about its writer, in the third
/// person, without duplicates.
pub fn extract_facts(message: &str) -> Vec<String> {
    let mut facts: Vec<String> = Vec::new();

    for sentence in split_sentences(message) {
        if sentence.trim_end().ends_with('?') || NOT_ASSERTED.is_match(sentence) {
            continue;
        }

        for rule in RULES.iter() {
            for captures in rule.regex.captures_iter(sentence) {
                if let Some(fact) = (rule.render)(&captures)
                    && !facts.iter().any(|known| known.eq_ignore_ascii_case(&fact))
                {
                    facts.push(fact);
                }
            }
        }
    }
    facts
}

/// First-person words that mark a statement about the writer.
static FIRST_PERSON: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(i|i'm|i've|i'd|i'll|my|me|mine)\b").unwrap_or_else(|error| panic!("invalid first-person pattern: {error}"))
});

/// Checks whether `message` asserts something about its writer: a
/// first-person sentence that is not a question or a hypothetical.
pub fn is_self_statement(message: &str) -> bool {
    split_sentences(message).into_iter().any(|sentence| {
        !sentence.trim_end().ends_with('?') && !NOT_ASSERTED.is_match(sentence) && FIRST_PERSON.is_match(sentence)
    })
}

fn split_sentences(text: &str) -> Vec<&str> {
    let mut sentences = Vec::new();
    let mut start = 0;
    for (index, c) in text.char_indices() {
        if matches!(c, '.' | '!' | '?' | '\n') {
            let end = index + c.len_utf8();
            sentences.push(&text[start..end]);
            start = end;
        }
    }
    if start < text.len() {
        sentences.push(&text[start..]);
    }
    sentences.into_iter().filter(|sentence| !sentence.trim().is_empty()).collect()
}

/// Cleans a captured phrase and turns it into the third person; `None` when
/// it is empty or too long to be a fact.
fn phrase(raw: &str) -> Option<String> {
    let words: Vec<&str> = raw.split_whitespace().collect();
    if words.is_empty() || words.len() > MAX_PHRASE_WORDS {
        return None;
    }

    let converted: Vec<String> = words.iter().map(|word| third_person(word)).collect();
    Some(converted.join(" "))
}

fn third_person(word: &str) -> String {
    let replacement = match word.to_lowercase().as_str() {
        "my" => "their",
        "mine" => "theirs",
        "me" => "them",
        "myself" => "themselves",
        "i" => "they",
        "i'm" => "they're",
        "i've" => "they've",
        "our" => "their",
        "we" => "they",
        _ => return word.to_owned(),
    };
    replacement.to_owned()
}

fn capitalize(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facts_from_statements() {
        let cases = [
            ("My sister is called Ana.", "The user's sister is called Ana."),
            ("my dog's name is biscuit", "The user's dog is called Biscuit."),
            ("I work night shifts at the hospital.", "The user works night shifts at the hospital."),
            ("I work as a nurse in Leeds", "The user works as a nurse in Leeds."),
            ("I live in Porto with my partner.", "The user lives in Porto with their partner."),
            ("I grew up on a farm in Ohio.", "The user grew up on a farm in Ohio."),
            ("I just moved to Leeds.", "The user moved to Leeds."),
            ("I've been learning the cello for three years.", "The user has been learning the cello for three years."),
            ("I'm training for a half marathon in May.", "The user is training for a half marathon in May."),
            ("I play the violin in an orchestra.", "The user plays the violin in an orchestra."),
            ("I was born in Kraków.", "The user was born in Kraków."),
            ("My son is 7 years old.", "The user's son is 7 years old."),
            ("I'm afraid of deep water.", "The user is afraid of deep water."),
            ("I speak Portuguese at home.", "The user speaks Portuguese at home."),
            ("I'm from Chengdu.", "The user is from Chengdu."),
            ("I am 34 years old.", "The user is 34 years old."),
            ("My birthday is on March 3rd.", "The user's birthday is March 3rd."),
            ("My favorite book is Middlemarch.", "The user's favorite book is Middlemarch."),
            ("I'm allergic to peanuts.", "The user is allergic to peanuts."),
            ("I'm learning the cello.", "The user is learning the cello."),
            ("I'm a nurse.", "The user is a nurse."),
            ("I am an engineer.", "The user is an engineer."),
            ("I have two cats.", "The user has two cats."),
            ("I have a beagle called Biscuit.", "The user has a beagle called Biscuit."),
            ("I love hiking in the mountains.", "The user loves hiking in the mountains."),
            ("I'm vegetarian.", "The user is vegetarian."),
        ];
        for (message, expected) in cases {
            let facts = extract_facts(message);
            assert_eq!(facts, vec![expected.to_owned()], "message {message:?}");
        }
    }

    #[test]
    fn no_facts_from_other_text() {
        let messages = [
            "Do you like the sea?",
            "What is my sister called?",
            "I love you.",
            "I like that.",
            "If I lived in Paris I would paint.",
            "In my story the hero is called Rook.",
            "The weather is nice today.",
            "I'm a bit tired.",
            "",
        ];
        for message in messages {
            assert!(extract_facts(message).is_empty(), "message {message:?} gave {:?}", extract_facts(message));
        }
    }

    #[test]
    fn self_statements_recognised() {
        assert!(is_self_statement("My cat hates thunderstorms."));
        assert!(is_self_statement("Yesterday I painted the fence blue."));
        assert!(!is_self_statement("Do you think my cat hates storms?"));
        assert!(!is_self_statement("The weather is nice."));
        assert!(!is_self_statement("If I won the lottery I would travel."));
    }

    #[test]
    fn several_facts_in_one_message() {
        let facts = extract_facts("I'm a teacher and I live in Lyon. My brother is called Tom!");
        assert_eq!(
            facts,
            vec![
                "The user lives in Lyon.".to_owned(),
                "The user is a teacher.".to_owned(),
                "The user's brother is called Tom.".to_owned(),
            ]
        );
    }
}
