//! The writing studio on the real model and a real SQLite file.

mod common;

use samantha_llm::CancelToken;
use samantha_mind::{MindError, ReplyStop, RewriteStyle, WritingMode, WritingRequest};

/// Checks whether streamed writing ended where the model ended its turn, or at a
/// sentence or line end.
fn ends_at_boundary(streamed: &str, stop: ReplyStop) -> bool {
    let trimmed = streamed.trim_end_matches([' ', '\t']);
    stop == ReplyStop::EndOfTurn || trimmed.ends_with(['.', '!', '?', '…', '"', '\'', ')', '\n'])
}

#[test]
fn poem_saved_then_rewritten() {
    let fixture = common::fixture(8);
    let mut streamed = String::new();
    let poem = fixture
        .companion
        .write(
            &WritingRequest {
                mode: WritingMode::Poem,
                prompt: "the sea at night".to_owned(),
                draft: None,
                source: None,
            },
            &CancelToken::new(),
            &mut |text| streamed.push_str(text),
        )
        .expect("poem");

    assert!(!poem.text.is_empty());
    assert_eq!(streamed.trim(), poem.text);
    assert!(ends_at_boundary(&streamed, poem.stop), "{streamed:?}");
    assert_eq!(poem.version, 1);

    let mut streamed = String::new();
    let shorter = fixture
        .companion
        .write(
            &WritingRequest {
                mode: WritingMode::Rewrite(RewriteStyle::Shorter),
                prompt: String::new(),
                draft: Some(poem.draft),
                source: None,
            },
            &CancelToken::new(),
            &mut |text| streamed.push_str(text),
        )
        .expect("rewrite");
    assert_eq!(shorter.draft, poem.draft);
    assert_eq!(shorter.version, 2);
    assert!(ends_at_boundary(&streamed, shorter.stop), "{streamed:?}");

    let document = fixture.runtime.block_on(fixture.store.draft(poem.draft)).expect("draft");
    assert_eq!(document.versions.len(), 2);
    assert_eq!(document.versions[0].content, poem.content);
    assert_eq!(document.versions[1].content, shorter.content);
    assert_eq!(document.versions[1].note.as_deref(), Some("rewrite shorter"));

    let markdown = fixture
        .runtime
        .block_on(fixture.store.export_draft_markdown(poem.draft))
        .expect("markdown");
    assert!(markdown.contains(&shorter.content), "{markdown}");
}

#[test]
fn draft_then_continue() {
    let fixture = common::fixture(8);
    let mut streamed = String::new();
    let draft = fixture
        .companion
        .write(
            &WritingRequest {
                mode: WritingMode::Draft,
                prompt: "a letter to my future self about learning to swim".to_owned(),
                draft: None,
                source: None,
            },
            &CancelToken::new(),
            &mut |text| streamed.push_str(text),
        )
        .expect("draft");
    assert!(ends_at_boundary(&streamed, draft.stop), "{streamed:?}");

    let mut streamed = String::new();
    let continued = fixture
        .companion
        .write(
            &WritingRequest {
                mode: WritingMode::Continue,
                prompt: String::new(),
                draft: Some(draft.draft),
                source: None,
            },
            &CancelToken::new(),
            &mut |text| streamed.push_str(text),
        )
        .expect("continue");
    assert_eq!(continued.version, 2);
    assert!(continued.content.starts_with(draft.content.trim_end()), "{:?}", continued.content);
    assert!(ends_at_boundary(&streamed, continued.stop), "{streamed:?}");
}

#[test]
fn rewrite_without_source_rejected() {
    let fixture = common::fixture(8);
    let error = fixture
        .companion
        .write(
            &WritingRequest {
                mode: WritingMode::Rewrite(RewriteStyle::Warmer),
                prompt: String::new(),
                draft: None,
                source: None,
            },
            &CancelToken::new(),
            &mut |_| {},
        )
        .expect_err("no source");
    assert!(matches!(error, MindError::MissingSource { .. }), "{error}");
    assert!(error.to_string().contains("draft id"), "{error}");
}

#[test]
fn crisis_request_gets_fixed_reply() {
    let fixture = common::fixture(8);
    let mut streamed = String::new();
    let error = fixture
        .companion
        .write(
            &WritingRequest {
                mode: WritingMode::Poem,
                prompt: "I want to end my life".to_owned(),
                draft: None,
                source: None,
            },
            &CancelToken::new(),
            &mut |text| streamed.push_str(text),
        )
        .expect_err("declined");

    assert!(matches!(error, MindError::WritingDeclined), "{error}");
    assert_eq!(streamed, samantha_mind::safety::SELF_HARM_REPLY);
    let drafts = fixture.runtime.block_on(fixture.store.list_drafts()).expect("drafts");
    assert!(drafts.is_empty(), "{drafts:?}");
}
