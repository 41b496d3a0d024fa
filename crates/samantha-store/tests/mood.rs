//! The messages behind one day and label of the mood timeline.

mod common;

use samantha_store::{EmotionLabel, Role};

#[tokio::test]
async fn mood_day_lists_matching_messages() {
    let db = common::temp_db();
    let store = common::open(&db.path).await;
    let conversation = store.create_conversation("mood", "samantha").await.expect("conversation");

    let joyful = store
        .append_user_message(conversation.id, "I got the job", Some(common::emotion(0.9, 0.05)))
        .await
        .expect("joyful message");
    store
        .append_user_message(conversation.id, "my cat is ill", Some(common::emotion(0.05, 0.9)))
        .await
        .expect("sad message");
    store
        .append_message(conversation.id, Role::Assistant, "Congratulations", None)
        .await
        .expect("reply");

    let day = joyful.created_at.date();
    let found = store
        .messages_with_emotion(&day, EmotionLabel::Joy)
        .await
        .expect("query");
    let contents: Vec<_> = found.iter().map(|message| message.content.as_str()).collect();
    assert_eq!(contents, ["I got the job"]);

    let other_day = store
        .messages_with_emotion("1999-01-01", EmotionLabel::Joy)
        .await
        .expect("query of an empty day");
    assert!(other_day.is_empty());
}
