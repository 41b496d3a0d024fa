//! Recall: the past messages and memories most relevant to what the user
//! says now.
//!
//! Candidates come from up to three ranked lists: BM25 over messages, BM25
//! over memories, and cosine similarity between a query vector and stored
//! vectors of the same encoder model. The lists are merged by reciprocal
//! rank fusion (Cormack, Clarke and Büttcher, SIGIR 2009): an item's score
//! is the sum of `1 / (RRF_K + rank)` over the lists it appears in, with
//! ranks counted from 1. Fusing ranks instead of raw scores avoids
//! calibrating BM25 against cosine. Without a query vector, or before any
//! vectors are stored, the cosine list is empty and recall is pure BM25.
//!
//! FTS5 computes BM25 for every row that matches, so a query containing a
//! word found in most messages would score most of the table. Recall
//! therefore drops stopwords, counts the matches of each remaining word
//! (stopping at a small cap), and keeps the rarest words while their
//! matches add up to at most [`MATCH_BUDGET`] rows. The dropped words are
//! the frequent ones, whose BM25 weight (inverse document frequency) is
//! lowest. When even the rarest word matches more rows than the budget,
//! only the most recent messages are ranked, in a window sized so that it
//! contains about the budget of matches.

use std::collections::HashMap;

use crate::embeddings::{cosine, decode};
use crate::{ConversationId, MemoryId, MessageId, Role, Store, StoreError, Timestamp, fts};

/// The constant of reciprocal rank fusion; 60 is the value of the paper.
const RRF_K: f64 = 60.0;

/// Minimum number of candidates taken from each list, however small `k` is.
const MIN_CANDIDATES: u32 = 20;

/// Most `messages` rows that the words of one recall may match together.
/// Scoring costs about a microsecond per row on a laptop-class CPU, so
/// this keeps the BM25 query to a few milliseconds.
const MATCH_BUDGET: i64 = 4_000;

/// Cap when counting the matches of a word that alone exceeds the budget.
const COUNT_CAP: i64 = 1_000_000;

/// The FTS5 query that recall runs over `messages`.
struct MessageQuery {
    expression: String,
    /// Lowest rowid ranked, when only recent messages are ranked.
    min_rowid: i64,
}

/// A query vector and the encoder model that produced it.
#[derive(Debug, Clone, Copy)]
pub struct QueryVector<'a> {
    pub model: &'a str,
    pub vector: &'a [f32],
}

/// Kind and id of a recalled item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RecallItem {
    Message {
        id: MessageId,
        conversation_id: ConversationId,
        role: Role,
    },
    Memory {
        id: MemoryId,
        pinned: bool,
    },
}

/// One recalled message or memory.
#[derive(Debug, Clone, PartialEq)]
pub struct Recalled {
    pub item: RecallItem,
    pub content: String,
    pub created_at: Timestamp,
    /// Fused score; higher is more relevant.
    pub score: f64,
    /// Rank in the BM25 list of its table, from 1.
    pub bm25_rank: Option<usize>,
    /// Rank in the cosine list, from 1.
    pub cosine_rank: Option<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Key {
    Message(MessageId),
    Memory(MemoryId),
}

#[derive(sqlx::FromRow)]
struct MessageHit {
    id: MessageId,
    conversation_id: ConversationId,
    role: Role,
    content: String,
    created_at: Timestamp,
}

#[derive(sqlx::FromRow)]
struct MemoryHit {
    id: MemoryId,
    content: String,
    created_at: Timestamp,
    pinned: bool,
}

impl Store {
    /// Returns up to `k` past messages and memories relevant to `query`,
    /// most relevant first, ranked by BM25 alone.
    ///
    /// The query is plain text; FTS5 syntax in it is treated as text.
    /// Forgotten memories are never returned.
    ///
    /// # Errors
    ///
    /// Database errors only.
    pub async fn recall(&self, query: &str, k: usize) -> Result<Vec<Recalled>, StoreError> {
        self.recall_hybrid(query, None, k).await
    }

    /// Like [`Store::recall`], and when `vector` is given, also ranks the
    /// stored vectors of `vector.model` by cosine similarity and fuses both
    /// rankings.
    ///
    /// # Errors
    ///
    /// [`StoreError::InvalidEmbedding`] for an empty or non-finite query
    /// vector.
    pub async fn recall_hybrid(
        &self,
        query: &str,
        vector: Option<QueryVector<'_>>,
        k: usize,
    ) -> Result<Vec<Recalled>, StoreError> {
        if k == 0 {
            return Ok(Vec::new());
        }

        let candidates = u32::try_from(k.saturating_mul(4))
            .unwrap_or(u32::MAX)
            .max(MIN_CANDIDATES);

        let mut found: HashMap<Key, Recalled> = HashMap::new();

        let terms = fts::recall_terms(query);

        if let Some(plan) = self.plan_message_query(&terms).await? {
            let messages = self.bm25_messages(&plan, candidates).await?;
            for (index, hit) in messages.into_iter().enumerate() {
                let item = RecallItem::Message {
                    id: hit.id,
                    conversation_id: hit.conversation_id,
                    role: hit.role,
                };
                found.insert(
                    Key::Message(hit.id),
                    new_recalled(item, hit.content, hit.created_at, Some(index + 1)),
                );
            }
        }

        if let Some(expression) = fts::any_of(&terms) {
            let memories = self.bm25_memories(&expression, candidates).await?;
            for (index, hit) in memories.into_iter().enumerate() {
                let item = RecallItem::Memory {
                    id: hit.id,
                    pinned: hit.pinned,
                };
                found.insert(
                    Key::Memory(hit.id),
                    new_recalled(item, hit.content, hit.created_at, Some(index + 1)),
                );
            }
        }

        if let Some(vector) = vector {
            crate::embeddings::validate(vector.vector)?;

            let ranked = self.cosine_ranking(vector, candidates).await?;
            for (index, key) in ranked.into_iter().enumerate() {
                let rank = index + 1;
                if let Some(entry) = found.get_mut(&key) {
                    entry.cosine_rank = Some(rank);
                    entry.score += rrf(rank);
                    continue;
                }

                if let Some(mut entry) = self.load_recalled(key).await? {
                    entry.cosine_rank = Some(rank);
                    entry.score = rrf(rank);
                    found.insert(key, entry);
                }
            }
        }

        let mut results: Vec<Recalled> = found.into_values().collect();
        results.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then_with(|| b.created_at.cmp(&a.created_at))
        });
        results.truncate(k);

        Ok(results)
    }

    /// Chooses the words to rank messages by, as the module documentation
    /// describes; `None` when no word matches any message.
    async fn plan_message_query(
        &self,
        terms: &[String],
    ) -> Result<Option<MessageQuery>, StoreError> {
        let mut counted: Vec<(i64, &String)> = Vec::new();
        for term in terms {
            let matches = self.count_matches(term, MATCH_BUDGET + 1).await?;
            if matches > 0 {
                counted.push((matches, term));
            }
        }

        counted.sort_by_key(|(matches, _)| *matches);
        let Some(&(rarest_matches, rarest)) = counted.first() else {
            return Ok(None);
        };

        let mut kept: Vec<String> = Vec::new();
        let mut total = 0;
        for (matches, term) in &counted {
            if kept.is_empty() || total + matches <= MATCH_BUDGET {
                kept.push((*term).clone());
                total += matches;
            }
        }

        let mut min_rowid = i64::MIN;
        if rarest_matches > MATCH_BUDGET {
            let matches = self.count_matches(rarest, COUNT_CAP).await?;
            let max_rowid: i64 = sqlx::query_scalar("SELECT coalesce(max(id), 0) FROM messages")
                .fetch_one(&self.pool)
                .await
                .map_err(|error| self.error(error))?;

            // Rowids grow with time, so the window contains the newest rows.
            let window = max_rowid.saturating_mul(MATCH_BUDGET) / matches.max(1);
            min_rowid = max_rowid - window;
            tracing::debug!(term = %rarest, matches, min_rowid, "recall limited to recent messages");
        }

        let Some(expression) = fts::any_of(&kept) else {
            return Ok(None);
        };

        Ok(Some(MessageQuery {
            expression,
            min_rowid,
        }))
    }

    /// Counts the messages containing `term`, stopping at `cap`. This reads
    /// the word's document list without scoring, which is cheap.
    async fn count_matches(&self, term: &str, cap: i64) -> Result<i64, StoreError> {
        sqlx::query_scalar(
            "SELECT count(*) FROM ( \
                 SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?1 LIMIT ?2 \
             )",
        )
        .bind(fts::single(term))
        .bind(cap)
        .fetch_one(&self.pool)
        .await
        .map_err(|error| self.error(error))
    }

    async fn bm25_messages(
        &self,
        query: &MessageQuery,
        limit: u32,
    ) -> Result<Vec<MessageHit>, StoreError> {
        // The FTS query ranks and limits on its own before the join, so only
        // `limit` rows of `messages` are read however many rows match.
        sqlx::query_as(
            "WITH hits AS ( \
                 SELECT rowid AS id, rank FROM messages_fts \
                 WHERE messages_fts MATCH ?1 AND rowid >= ?3 ORDER BY rank LIMIT ?2 \
             ) \
             SELECT m.id, m.conversation_id, m.role, m.content, m.created_at \
             FROM hits JOIN messages m ON m.id = hits.id \
             ORDER BY hits.rank",
        )
        .bind(&query.expression)
        .bind(limit)
        .bind(query.min_rowid)
        .fetch_all(&self.pool)
        .await
        .map_err(|error| self.error(error))
    }

    async fn bm25_memories(
        &self,
        expression: &str,
        limit: u32,
    ) -> Result<Vec<MemoryHit>, StoreError> {
        // Forgotten memories still have index entries, so they are filtered
        // after ranking; the inner limit leaves room for them.
        sqlx::query_as(
            "WITH hits AS ( \
                 SELECT rowid AS id, rank FROM memories_fts \
                 WHERE memories_fts MATCH ?1 ORDER BY rank LIMIT ?2 * 4 \
             ) \
             SELECT mem.id, mem.content, mem.created_at, mem.pinned \
             FROM hits JOIN memories mem ON mem.id = hits.id \
             WHERE mem.forgotten = 0 \
             ORDER BY hits.rank LIMIT ?2",
        )
        .bind(expression)
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .map_err(|error| self.error(error))
    }

    /// Ranks every stored vector of the query's model and dimension by
    /// cosine similarity.
    ///
    /// NOTE: this is an exhaustive scan, read and compared in Rust. It is
    /// linear in the number of stored vectors; an approximate index is the
    /// next step if that becomes too slow.
    async fn cosine_ranking(
        &self,
        query: QueryVector<'_>,
        limit: u32,
    ) -> Result<Vec<Key>, StoreError> {
        let dimensions = i64::try_from(query.vector.len()).unwrap_or(i64::MAX);

        let rows: Vec<(Option<MessageId>, Option<MemoryId>, Vec<u8>)> = sqlx::query_as(
            "SELECT e.message_id, e.memory_id, e.vector FROM embeddings e \
             LEFT JOIN memories mem ON mem.id = e.memory_id \
             WHERE e.model = ?1 AND e.dimensions = ?2 \
               AND (e.memory_id IS NULL OR mem.forgotten = 0)",
        )
        .bind(query.model)
        .bind(dimensions)
        .fetch_all(&self.pool)
        .await
        .map_err(|error| self.error(error))?;

        let mut scored: Vec<(Key, f32)> = rows
            .into_iter()
            .filter_map(|(message, memory, bytes)| {
                let key = match (message, memory) {
                    (Some(id), _) => Key::Message(id),
                    (None, Some(id)) => Key::Memory(id),
                    (None, None) => return None,
                };
                Some((key, cosine(query.vector, &decode(&bytes))))
            })
            .collect();

        scored.sort_by(|a, b| b.1.total_cmp(&a.1));
        scored.truncate(usize::try_from(limit).unwrap_or(usize::MAX));

        Ok(scored.into_iter().map(|(key, _)| key).collect())
    }

    async fn load_recalled(&self, key: Key) -> Result<Option<Recalled>, StoreError> {
        match key {
            Key::Message(id) => {
                let hit: Option<MessageHit> = sqlx::query_as(
                    "SELECT id, conversation_id, role, content, created_at FROM messages WHERE id = ?1",
                )
                .bind(id)
                .fetch_optional(&self.pool)
                .await
                .map_err(|error| self.error(error))?;

                Ok(hit.map(|hit| {
                    let item = RecallItem::Message {
                        id: hit.id,
                        conversation_id: hit.conversation_id,
                        role: hit.role,
                    };
                    new_recalled(item, hit.content, hit.created_at, None)
                }))
            }
            Key::Memory(id) => {
                let hit: Option<MemoryHit> = sqlx::query_as(
                    "SELECT id, content, created_at, pinned FROM memories \
                     WHERE id = ?1 AND forgotten = 0",
                )
                .bind(id)
                .fetch_optional(&self.pool)
                .await
                .map_err(|error| self.error(error))?;

                Ok(hit.map(|hit| {
                    let item = RecallItem::Memory {
                        id: hit.id,
                        pinned: hit.pinned,
                    };
                    new_recalled(item, hit.content, hit.created_at, None)
                }))
            }
        }
    }
}

fn rrf(rank: usize) -> f64 {
    // Ranks are at most a few hundred, far below f64's exact integer range.
    1.0 / (RRF_K + rank as f64)
}

fn new_recalled(
    item: RecallItem,
    content: String,
    created_at: Timestamp,
    bm25_rank: Option<usize>,
) -> Recalled {
    Recalled {
        item,
        content,
        created_at,
        score: bm25_rank.map_or(0.0, rrf),
        bm25_rank,
        cosine_rank: None,
    }
}
