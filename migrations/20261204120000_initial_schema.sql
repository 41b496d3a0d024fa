-- Initial schema: conversations, messages, drafts, memories, embeddings,
-- settings, and FTS5 indexes kept in sync by triggers.
--
-- Times are INTEGER milliseconds since the Unix epoch (UTC). Booleans are
-- INTEGER 0 or 1. Emotion scores have one REAL column per label.

CREATE TABLE conversations (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    persona TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE INDEX conversations_by_updated ON conversations (updated_at DESC, id DESC);

CREATE TABLE messages (
    id INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('system', 'user', 'assistant')),
    content TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('complete', 'interrupted')),
    emotion_label TEXT CHECK (
        emotion_label IN ('anger', 'disgust', 'fear', 'joy', 'neutral', 'sadness', 'surprise')
    ),
    emotion_anger REAL,
    emotion_disgust REAL,
    emotion_fear REAL,
    emotion_joy REAL,
    emotion_neutral REAL,
    emotion_sadness REAL,
    emotion_surprise REAL,
    token_count INTEGER CHECK (token_count >= 0),
    model TEXT,
    -- Either no emotion at all, or a label with every score.
    CHECK (
        (emotion_label IS NULL AND emotion_anger IS NULL AND emotion_disgust IS NULL
            AND emotion_fear IS NULL AND emotion_joy IS NULL AND emotion_neutral IS NULL
            AND emotion_sadness IS NULL AND emotion_surprise IS NULL)
        OR
        (emotion_label IS NOT NULL AND emotion_anger IS NOT NULL AND emotion_disgust IS NOT NULL
            AND emotion_fear IS NOT NULL AND emotion_joy IS NOT NULL AND emotion_neutral IS NOT NULL
            AND emotion_sadness IS NOT NULL AND emotion_surprise IS NOT NULL)
    )
);

CREATE INDEX messages_by_conversation ON messages (conversation_id, created_at, id);
CREATE INDEX messages_by_time ON messages (created_at);

CREATE TABLE drafts (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    conversation_id INTEGER REFERENCES conversations (id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE draft_versions (
    id INTEGER PRIMARY KEY,
    draft_id INTEGER NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
    version INTEGER NOT NULL CHECK (version >= 1),
    content TEXT NOT NULL,
    note TEXT,
    created_at INTEGER NOT NULL,
    UNIQUE (draft_id, version)
);

CREATE TABLE memories (
    id INTEGER PRIMARY KEY,
    content TEXT NOT NULL,
    source_message_id INTEGER REFERENCES messages (id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL,
    pinned INTEGER NOT NULL DEFAULT 0 CHECK (pinned IN (0, 1)),
    forgotten INTEGER NOT NULL DEFAULT 0 CHECK (forgotten IN (0, 1))
);

CREATE INDEX memories_by_source ON memories (source_message_id);

-- One vector per owner and encoder model. Exactly one owner column is set,
-- so deleting the message or memory deletes its vectors.
CREATE TABLE embeddings (
    id INTEGER PRIMARY KEY,
    message_id INTEGER REFERENCES messages (id) ON DELETE CASCADE,
    memory_id INTEGER REFERENCES memories (id) ON DELETE CASCADE,
    model TEXT NOT NULL,
    dimensions INTEGER NOT NULL CHECK (dimensions > 0),
    -- Little-endian IEEE 754 f32 values.
    vector BLOB NOT NULL CHECK (length(vector) = 4 * dimensions),
    created_at INTEGER NOT NULL,
    CHECK ((message_id IS NULL) <> (memory_id IS NULL))
);

CREATE UNIQUE INDEX embeddings_by_message ON embeddings (message_id, model) WHERE message_id IS NOT NULL;
CREATE UNIQUE INDEX embeddings_by_memory ON embeddings (memory_id, model) WHERE memory_id IS NOT NULL;
CREATE INDEX embeddings_by_model ON embeddings (model);

CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at INTEGER NOT NULL
) WITHOUT ROWID;

-- Full-text indexes. They are external-content tables, so the text is
-- stored once, and the triggers below keep them in step with their tables.

CREATE VIRTUAL TABLE messages_fts USING fts5 (
    content,
    content = 'messages',
    content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
    INSERT INTO messages_fts (rowid, content) VALUES (new.id, new.content);
END;

CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, content) VALUES ('delete', old.id, old.content);
END;

CREATE TRIGGER messages_fts_update AFTER UPDATE OF content ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, content) VALUES ('delete', old.id, old.content);
    INSERT INTO messages_fts (rowid, content) VALUES (new.id, new.content);
END;

CREATE VIRTUAL TABLE memories_fts USING fts5 (
    content,
    content = 'memories',
    content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER memories_fts_insert AFTER INSERT ON memories BEGIN
    INSERT INTO memories_fts (rowid, content) VALUES (new.id, new.content);
END;

CREATE TRIGGER memories_fts_delete AFTER DELETE ON memories BEGIN
    INSERT INTO memories_fts (memories_fts, rowid, content) VALUES ('delete', old.id, old.content);
END;

CREATE TRIGGER memories_fts_update AFTER UPDATE OF content ON memories BEGIN
    INSERT INTO memories_fts (memories_fts, rowid, content) VALUES ('delete', old.id, old.content);
    INSERT INTO memories_fts (rowid, content) VALUES (new.id, new.content);
END;

CREATE VIRTUAL TABLE draft_versions_fts USING fts5 (
    content,
    content = 'draft_versions',
    content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER draft_versions_fts_insert AFTER INSERT ON draft_versions BEGIN
    INSERT INTO draft_versions_fts (rowid, content) VALUES (new.id, new.content);
END;

CREATE TRIGGER draft_versions_fts_delete AFTER DELETE ON draft_versions BEGIN
    INSERT INTO draft_versions_fts (draft_versions_fts, rowid, content) VALUES ('delete', old.id, old.content);
END;

CREATE TRIGGER draft_versions_fts_update AFTER UPDATE OF content ON draft_versions BEGIN
    INSERT INTO draft_versions_fts (draft_versions_fts, rowid, content) VALUES ('delete', old.id, old.content);
    INSERT INTO draft_versions_fts (rowid, content) VALUES (new.id, new.content);
END;
