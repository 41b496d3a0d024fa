//! The conversation engine on the real models and a real SQLite file.

mod common;

use samantha_llm::CancelToken;
use samantha_mind::postprocess::{MAX_NGRAM_REPEATS, max_ngram_repeats};
use samantha_mind::safety::SELF_HARM_REPLY;
use samantha_mind::{MindError, Persona, ReplyStop, TurnEvent, TurnRequest};
use samantha_store::{MessageStatus, Role};

fn request(text: &str) -> TurnRequest {
    TurnRequest {
        conversation: None,
        text: text.to_owned(),
    }
}

#[test]
fn reply_streams_and_is_saved() {
    let fixture = common::fixture(40);
    let mut events = Vec::new();
    let outcome = fixture
        .companion
        .reply(&request("I finally finished my first marathon today!"), &CancelToken::new(), &mut |event| {
            events.push(event)
        })
        .expect("reply");

    assert!(matches!(events.first(), Some(TurnEvent::UserSaved { .. })), "{events:?}");
    assert!(events.iter().any(|event| matches!(event, TurnEvent::Emotion { .. })), "{events:?}");
    assert!(matches!(events.last(), Some(TurnEvent::Finished { .. })), "{events:?}");

    let streamed: String = events
        .iter()
        .filter_map(|event| match event {
            TurnEvent::Text { text } => Some(text.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(streamed.trim(), outcome.reply);
    assert!(!outcome.reply.is_empty());

    let messages = fixture
        .runtime
        .block_on(fixture.store.messages(outcome.conversation))
        .expect("messages");
    assert_eq!(messages.len(), 2);
    assert_eq!(messages[0].role, Role::User);
    assert!(messages[0].emotion.is_some(), "the user's message keeps its emotion");
    assert_eq!(messages[1].role, Role::Assistant);
    assert_eq!(messages[1].content.trim(), outcome.reply);
}

#[test]
fn fact_recalled_in_later_conversation() {
    let fixture = common::fixture(24);
    let first = fixture
        .companion
        .reply(&request("My sister is called Ana and she lives in Lisbon."), &CancelToken::new(), &mut |_| {})
        .expect("first reply");
    assert!(
        first.memories_added.iter().any(|memory| memory.content.contains("Ana")),
        "{:?}",
        first.memories_added
    );

    let plan = fixture
        .companion
        .preview_prompt(None, "What is my sister's name again?")
        .expect("prompt");
    assert!(plan.text.contains("Ana"), "{}", plan.text);

    // A later conversation's reply is generated with the fact in its prompt.
    let later = fixture
        .companion
        .reply(&request("Can you remind me what my sister is called?"), &CancelToken::new(), &mut |_| {})
        .expect("later reply");
    assert_ne!(later.conversation, first.conversation);
    assert!(!later.reply.is_empty());
}

#[test]
fn paraphrase_recalled_by_meaning() {
    let (fixture, recall) = common::fixture_with_meaning(8);
    let statements = [
        "I walked Biscuit, my beagle, along the river this morning.",
        "I repainted the kitchen cupboards yellow last weekend.",
        "I have been reading a long novel about sailors.",
        "I started a pottery class on Thursday evenings.",
        "I finally fixed the squeaky bedroom door.",
    ];

    // Each statement is its own conversation; the later ones fill the
    // recent-statement fallback, so only meaning can bring back the first.
    fixture.runtime.block_on(async {
        for statement in statements {
            let conversation = fixture.store.create_conversation(statement, "Samantha").await.expect("conversation");
            fixture
                .store
                .append_user_message(conversation.id, statement, None)
                .await
                .expect("message");
        }
    });
    assert!(recall.wait_idle(std::time::Duration::from_secs(120)), "indexer caught up");

    let plan = fixture.companion.preview_prompt(None, "How is my dog doing?").expect("prompt");
    assert!(plan.text.contains("Biscuit"), "{}", plan.text);
}

#[test]
fn forgotten_fact_stays_out() {
    let fixture = common::fixture(8);
    let told = fixture
        .companion
        .reply(&request("My cat is called Miso."), &CancelToken::new(), &mut |_| {})
        .expect("reply");
    let memory = told.memories_added.first().expect("a memory").clone();

    fixture.runtime.block_on(fixture.store.forget_memory(memory.id)).expect("forget");

    let plan = fixture.companion.preview_prompt(None, "What is my cat called?").expect("prompt");
    assert!(!plan.text.contains("Miso"), "{}", plan.text);
}

#[test]
fn long_conversation_fits_budget() {
    let fixture = common::fixture(16);
    let first = fixture
        .companion
        .reply(&request("Let's talk for a long time."), &CancelToken::new(), &mut |_| {})
        .expect("first reply");

    // 500 turns are stored directly; generating them would take too long.
    fixture.runtime.block_on(async {
        for turn in 0..500 {
            let role = if turn % 2 == 0 { Role::User } else { Role::Assistant };
            let text = format!("Turn {turn}: we talked about the garden, the rain and the cat again.");
            fixture
                .store
                .append_message(first.conversation, role, &text, None)
                .await
                .expect("stored turn");
        }
    });

    let budget = fixture.companion.settings().prompt_budget;
    let plan = fixture
        .companion
        .preview_prompt(Some(first.conversation), "And what about tomorrow?")
        .expect("prompt");
    assert!(plan.tokens.len() <= budget, "{} tokens for a budget of {budget}", plan.tokens.len());
    assert!(plan.turns_dropped > 400, "{} turns dropped", plan.turns_dropped);
    assert!(plan.text.contains("And what about tomorrow?"));

    let next = TurnRequest {
        conversation: Some(first.conversation),
        text: "And what about tomorrow?".to_owned(),
    };
    let outcome = fixture.companion.reply(&next, &CancelToken::new(), &mut |_| {}).expect("reply");
    assert_ne!(outcome.stop, ReplyStop::ContextFull);
}

#[test]
fn crisis_gets_fixed_reply() {
    let fixture = common::fixture(40);
    let mut streamed = String::new();
    let outcome = fixture
        .companion
        .reply(&request("I don't want to live anymore."), &CancelToken::new(), &mut |event| {
            if let TurnEvent::Text { text } = event {
                streamed.push_str(&text);
            }
        })
        .expect("reply");

    assert_eq!(outcome.reply, SELF_HARM_REPLY);
    assert_eq!(streamed, SELF_HARM_REPLY);
    assert_eq!(outcome.stop, ReplyStop::Safety);

    let saved = fixture.runtime.block_on(fixture.store.message(outcome.reply_message)).expect("saved reply");
    assert_eq!(saved.content, SELF_HARM_REPLY);
    assert_eq!(saved.model.as_deref(), Some("safety-reply"));
}

#[test]
fn regenerate_replaces_last_reply() {
    let fixture = common::fixture(24);
    let first = fixture
        .companion
        .reply(&request("Tell me something kind."), &CancelToken::new(), &mut |_| {})
        .expect("reply");

    let again = fixture
        .companion
        .regenerate(first.conversation, &CancelToken::new(), &mut |_| {})
        .expect("regenerate");
    assert_eq!(again.user_message, first.user_message);

    let messages = fixture.runtime.block_on(fixture.store.messages(first.conversation)).expect("messages");
    assert_eq!(messages.len(), 2, "one user message and one reply");
    assert_eq!(messages[1].id, again.reply_message);
}

#[test]
fn cancelled_reply_saved_as_interrupted() {
    let fixture = common::fixture(200);
    let cancel = CancelToken::new();
    let outcome = fixture
        .companion
        .reply(&request("Tell me a long story about the sea."), &cancel, &mut |event| {
            if matches!(event, TurnEvent::Text { .. }) {
                cancel.cancel();
            }
        })
        .expect("reply");

    assert_eq!(outcome.stop, ReplyStop::Cancelled);
    let saved = fixture.runtime.block_on(fixture.store.message(outcome.reply_message)).expect("saved reply");
    assert_eq!(saved.status, MessageStatus::Interrupted);
    assert!(!saved.content.is_empty());
}

#[test]
fn empty_message_rejected() {
    let fixture = common::fixture(8);
    let error = fixture
        .companion
        .reply(&request("   "), &CancelToken::new(), &mut |_| {})
        .expect_err("empty message");
    assert!(matches!(error, MindError::EmptyMessage), "{error}");
}

#[test]
fn oversized_preview_saves_nothing() {
    let fixture = common::fixture(8);
    let huge = "The sea is wide and the night is long. ".repeat(800);

    let error = fixture.companion.preview_prompt(None, &huge).expect_err("too long");

    assert!(matches!(error, MindError::TextTooLong { .. }), "{error}");
    assert!(error.to_string().contains("nothing was saved"), "{error}");
    let conversations = fixture.runtime.block_on(fixture.store.list_conversations()).expect("list");
    assert!(conversations.is_empty());
}

#[test]
fn oversized_message_saved_then_rejected() {
    let fixture = common::fixture(8);
    let huge = "The sea is wide and the night is long. ".repeat(800);
    let mut saved_in = None;
    let error = fixture
        .companion
        .reply(&request(&huge), &CancelToken::new(), &mut |event| {
            if let TurnEvent::UserSaved { conversation, .. } = event {
                saved_in = Some(conversation);
            }
        })
        .expect_err("too long");
    assert!(matches!(error, MindError::MessageTooLong { .. }), "{error}");
    assert!(error.to_string().contains("saved"), "{error}");

    let conversation = saved_in.expect("the message was saved first");
    let messages = fixture.runtime.block_on(fixture.store.messages(conversation)).expect("messages");
    assert_eq!(messages[0].content, huge);
}

#[test]
fn persona_and_guidance_reach_prompt() {
    let fixture = common::fixture(8);
    let persona = Persona {
        name: "Juniper".to_owned(),
        text: "You are {name}, a calm companion who loves gardens.".to_owned(),
    };
    fixture.runtime.block_on(persona.save(&fixture.store)).expect("persona saved");

    let plan = fixture
        .companion
        .preview_prompt(None, "My grandmother died last night and I can't stop crying.")
        .expect("prompt");
    assert!(plan.system.starts_with("You are Juniper, a calm companion"), "{}", plan.system);
    assert!(plan.system.contains("Acknowledge the feeling first"), "{}", plan.system);
}

#[test]
fn seeded_replies_are_clean() {
    let fixture = common::fixture(96);
    let messages = [
        "Write me the same sentence over and over.",
        "Tell me about the sea at night.",
        "What do you think about rainy Sundays?",
        "I had a strange dream about trains.",
        "Say hello in three different ways.",
        "Repeat after me: I am here, I am here, I am here.",
    ];
    let control_texts = fixture.companion.engine().tokenizer().control_texts().to_vec();

    // Each message runs once greedily and once sampled with its own seed.
    let runs = messages.iter().enumerate().flat_map(|(index, message)| [(index, message, None), (index, message, Some(index as u64 + 1))]);
    for (index, message, seed) in runs {
        let mut settings = fixture.companion.settings();
        if let Some(seed) = seed {
            settings.sampling.temperature = 0.8;
            settings.sampling.seed = seed;
        } else {
            settings.sampling.temperature = 0.0;
        }
        fixture.companion.set_settings(settings).expect("settings");

        let outcome = fixture
            .companion
            .reply(&request(message), &CancelToken::new(), &mut |_| {})
            .unwrap_or_else(|error| panic!("reply {index}: {error}"));

        for control in &control_texts {
            assert!(!outcome.reply.contains(control.as_str()), "reply {index} contains {control}: {:?}", outcome.reply);
        }
        assert!(
            max_ngram_repeats(&outcome.reply) <= MAX_NGRAM_REPEATS,
            "reply {index} repeats itself: {:?}",
            outcome.reply
        );
    }
}
