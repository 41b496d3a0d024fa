//! Typed row ids, so a memory id cannot be passed where a conversation id
//! is expected.

use std::fmt;

use serde::{Deserialize, Serialize};

macro_rules! row_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash,
            Serialize, Deserialize, sqlx::Type,
        )]
        #[serde(transparent)]
        #[sqlx(transparent)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

row_id!(
    /// Id of a row in `conversations`.
    ConversationId
);
row_id!(
    /// Id of a row in `messages`.
    MessageId
);
row_id!(
    /// Id of a row in `memories`.
    MemoryId
);
row_id!(
    /// Id of a row in `drafts`.
    DraftId
);
