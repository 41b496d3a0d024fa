//! Guidance added to the system message for the emotion detected in the
//! user's latest message.

use samantha_store::EmotionLabel;

/// Returns the guidance for `label`, or `None` for a neutral message.
pub fn guidance(label: EmotionLabel) -> Option<&'static str> {
    let text = match label {
        EmotionLabel::Sadness => {
            "The user sounds sad. Acknowledge the feeling first, in your own words. \
             Do not give a list of advice; stay with them and ask gently what would help."
        }
        EmotionLabel::Anger => {
            "The user sounds angry. Take their side of the story seriously, stay calm, \
             do not lecture, and ask what happened."
        }
        EmotionLabel::Fear => {
            "The user sounds afraid or anxious. Be steady and reassuring, \
             keep sentences short, and help them name one small next step."
        }
        EmotionLabel::Joy => "The user sounds happy. Share the joy warmly and ask them to tell you more.",
        EmotionLabel::Surprise => {
            "The user sounds surprised. Show curiosity about what surprised them."
        }
        EmotionLabel::Disgust => {
            "The user sounds disgusted or put off. Acknowledge it without judging them, and ask what bothered them."
        }
        EmotionLabel::Neutral => return None,
    };
    Some(text)
}
