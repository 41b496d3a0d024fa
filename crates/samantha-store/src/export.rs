//! Export of conversations to JSON and Markdown.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::{
    Conversation, ConversationId, Message, MessageStatus, Role, Store, StoreError, Timestamp,
};

/// Value of [`HistoryExport::format`].
pub const EXPORT_FORMAT: &str = "samantha-history";

/// Version of the JSON layout that this build writes and reads.
pub const EXPORT_VERSION: u32 = 1;

/// A JSON export: conversations with every message, ids, times, statuses
/// and emotions, so that importing it recreates them exactly.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryExport {
    pub format: String,
    pub version: u32,
    pub exported_at: Timestamp,
    pub conversations: Vec<ConversationExport>,
}

/// One conversation in an export.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConversationExport {
    #[serde(flatten)]
    pub conversation: Conversation,
    pub messages: Vec<Message>,
}

impl HistoryExport {
    /// Parses an export and checks its format and version.
    ///
    /// # Errors
    ///
    /// [`StoreError::ImportParse`] for invalid JSON or a missing field, and
    /// [`StoreError::ImportFormat`] for another format or version.
    pub fn from_json(json: &str) -> Result<Self, StoreError> {
        let export: Self = serde_json::from_str(json).map_err(StoreError::ImportParse)?;

        if export.format != EXPORT_FORMAT || export.version != EXPORT_VERSION {
            return Err(StoreError::ImportFormat {
                format: export.format,
                version: export.version,
            });
        }

        Ok(export)
    }

    /// Writes the export as indented JSON.
    ///
    /// # Errors
    ///
    /// [`StoreError::Export`] when serialization fails.
    pub fn to_json(&self) -> Result<String, StoreError> {
        let mut json = serde_json::to_string_pretty(self)?;
        json.push('\n');
        Ok(json)
    }
}

impl Store {
    /// Collects one conversation for export.
    ///
    /// # Errors
    ///
    /// [`StoreError::ConversationNotFound`] for an unknown id.
    pub async fn export_conversation(
        &self,
        id: ConversationId,
    ) -> Result<HistoryExport, StoreError> {
        let conversation = self.conversation(id).await?;
        let messages = self.messages(id).await?;

        Ok(HistoryExport {
            format: EXPORT_FORMAT.to_owned(),
            version: EXPORT_VERSION,
            exported_at: Timestamp::now(),
            conversations: vec![ConversationExport {
                conversation,
                messages,
            }],
        })
    }

    /// Collects every conversation for export, oldest first.
    ///
    /// # Errors
    ///
    /// Database errors only.
    pub async fn export_all(&self) -> Result<HistoryExport, StoreError> {
        let mut summaries = self.list_conversations().await?;
        summaries.sort_by_key(|summary| summary.conversation.id);

        let mut conversations = Vec::with_capacity(summaries.len());
        for summary in summaries {
            let messages = self.messages(summary.conversation.id).await?;
            conversations.push(ConversationExport {
                conversation: summary.conversation,
                messages,
            });
        }

        Ok(HistoryExport {
            format: EXPORT_FORMAT.to_owned(),
            version: EXPORT_VERSION,
            exported_at: Timestamp::now(),
            conversations,
        })
    }

    /// Renders one conversation as Markdown for reading.
    ///
    /// # Errors
    ///
    /// [`StoreError::ConversationNotFound`] for an unknown id.
    pub async fn export_conversation_markdown(
        &self,
        id: ConversationId,
    ) -> Result<String, StoreError> {
        let export = self.export_conversation(id).await?;
        Ok(export.to_markdown())
    }
}

impl HistoryExport {
    /// Renders the conversations as Markdown: a heading per conversation
    /// and per message, with the time, status and emotion of each message.
    pub fn to_markdown(&self) -> String {
        let mut markdown = String::new();

        for (index, entry) in self.conversations.iter().enumerate() {
            if index > 0 {
                markdown.push_str("\n---\n\n");
            }
            write_conversation(&mut markdown, entry);
        }

        markdown
    }
}

fn write_conversation(markdown: &mut String, entry: &ConversationExport) {
    let conversation = &entry.conversation;

    // Writing to a String cannot fail, so the fmt::Result values are ignored.
    let _ = writeln!(markdown, "# {}\n", one_line(&conversation.title));
    let _ = writeln!(markdown, "- Conversation: {}", conversation.id);
    let _ = writeln!(markdown, "- Persona: {}", one_line(&conversation.persona));
    let _ = writeln!(markdown, "- Started: {}", conversation.created_at);
    let _ = writeln!(markdown, "- Updated: {}", conversation.updated_at);

    for message in &entry.messages {
        let speaker = match message.role {
            Role::User => "You",
            Role::Assistant => "Samantha",
            Role::System => "System",
        };

        let _ = write!(markdown, "\n## {speaker} · {}", message.created_at);
        if message.status == MessageStatus::Interrupted {
            markdown.push_str(" · interrupted");
        }
        markdown.push_str("\n\n");

        markdown.push_str(&message.content);
        if !message.content.ends_with('\n') {
            markdown.push('\n');
        }

        if let Some(emotion) = message.emotion {
            let _ = writeln!(
                markdown,
                "\n_Emotion: {} ({:.2})_",
                emotion.label,
                emotion.scores.get(emotion.label)
            );
        }
    }
}

/// Keeps a title on its heading line.
fn one_line(text: &str) -> String {
    text.replace(['\r', '\n'], " ")
}
