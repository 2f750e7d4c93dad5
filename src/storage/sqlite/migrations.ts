import { LOCAL_USER_ID } from '../../domain/index.js'
import type { Migration } from '../kysely/index.js'

const NOW = `strftime('%Y-%m-%dT%H:%M:%fZ', 'now')`

/**
 * SQLite schema, oldest first. Never edit an applied migration: add a new one.
 *
 * - Timestamps are ISO 8601 UTC TEXT as written by `Date#toISOString()`, so text order is time
 *   order and keyset pagination can compare them directly.
 * - Tags are JSON TEXT on the row (read back as written) and mirrored by triggers into
 *   `memory_tags` / `task_tags`, which the tag filters use through their indexes.
 * - `memories.seq` is an explicit INTEGER PRIMARY KEY: the external-content FTS5 table keys on
 *   it, and an implicit rowid could be renumbered by VACUUM.
 */
export const SQLITE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'users, memories, tasks, full-text index, embeddings',
    sql: `
CREATE TABLE users (
  id TEXT PRIMARY KEY NOT NULL,
  issuer TEXT NOT NULL,
  subject TEXT NOT NULL,
  created_at TEXT NOT NULL,
  UNIQUE (issuer, subject)
);
INSERT INTO users (id, issuer, subject, created_at) VALUES ('${LOCAL_USER_ID}', 'local', 'local', ${NOW});

CREATE TABLE memories (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  content TEXT NOT NULL,
  tags TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(tags) AND json_type(tags) = 'array'),
  importance INTEGER NOT NULL CHECK (importance BETWEEN 1 AND 5),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX memories_user_updated ON memories (user_id, updated_at DESC, id DESC);

CREATE TABLE memory_tags (
  memory_id TEXT NOT NULL REFERENCES memories (id) ON DELETE CASCADE,
  user_id TEXT NOT NULL,
  tag TEXT NOT NULL,
  PRIMARY KEY (memory_id, tag)
) WITHOUT ROWID;
CREATE INDEX memory_tags_user_tag ON memory_tags (user_id, tag, memory_id);

CREATE VIRTUAL TABLE memories_fts USING fts5 (
  content, tags,
  content = 'memories', content_rowid = 'seq',
  tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER memories_after_insert AFTER INSERT ON memories BEGIN
  INSERT INTO memories_fts (rowid, content, tags) VALUES (new.seq, new.content, new.tags);
  INSERT INTO memory_tags (memory_id, user_id, tag)
    SELECT new.id, new.user_id, value FROM json_each(new.tags);
END;
CREATE TRIGGER memories_after_delete AFTER DELETE ON memories BEGIN
  INSERT INTO memories_fts (memories_fts, rowid, content, tags)
    VALUES ('delete', old.seq, old.content, old.tags);
END;
CREATE TRIGGER memories_after_update_text AFTER UPDATE OF content, tags ON memories BEGIN
  INSERT INTO memories_fts (memories_fts, rowid, content, tags)
    VALUES ('delete', old.seq, old.content, old.tags);
  INSERT INTO memories_fts (rowid, content, tags) VALUES (new.seq, new.content, new.tags);
END;
CREATE TRIGGER memories_after_update_tags AFTER UPDATE OF tags ON memories BEGIN
  DELETE FROM memory_tags WHERE memory_id = old.id;
  INSERT INTO memory_tags (memory_id, user_id, tag)
    SELECT new.id, new.user_id, value FROM json_each(new.tags);
END;

CREATE TABLE memory_embeddings (
  memory_id TEXT PRIMARY KEY NOT NULL REFERENCES memories (id) ON DELETE CASCADE,
  user_id TEXT NOT NULL,
  model TEXT NOT NULL,
  dims INTEGER NOT NULL CHECK (dims > 0),
  embedding BLOB NOT NULL CHECK (length(embedding) = 4 * dims)
);
CREATE INDEX memory_embeddings_user_model ON memory_embeddings (user_id, model, dims);

CREATE TABLE tasks (
  id TEXT PRIMARY KEY NOT NULL,
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  title TEXT NOT NULL,
  notes TEXT NOT NULL DEFAULT '',
  due_at TEXT,
  priority TEXT NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
  status TEXT NOT NULL CHECK (status IN ('open', 'in_progress', 'done', 'cancelled')),
  tags TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(tags) AND json_type(tags) = 'array'),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  completed_at TEXT
);
CREATE INDEX tasks_user_due ON tasks (user_id, due_at, created_at DESC, id DESC);
CREATE INDEX tasks_user_status ON tasks (user_id, status);

CREATE TABLE task_tags (
  task_id TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
  user_id TEXT NOT NULL,
  tag TEXT NOT NULL,
  PRIMARY KEY (task_id, tag)
) WITHOUT ROWID;
CREATE INDEX task_tags_user_tag ON task_tags (user_id, tag, task_id);

CREATE TRIGGER tasks_after_insert AFTER INSERT ON tasks BEGIN
  INSERT INTO task_tags (task_id, user_id, tag)
    SELECT new.id, new.user_id, value FROM json_each(new.tags);
END;
CREATE TRIGGER tasks_after_update_tags AFTER UPDATE OF tags ON tasks BEGIN
  DELETE FROM task_tags WHERE task_id = old.id;
  INSERT INTO task_tags (task_id, user_id, tag)
    SELECT new.id, new.user_id, value FROM json_each(new.tags);
END;
`,
  },
  {
    // The authorization server's artifacts (ADR 0005). Keys are SHA-256 hashes (base64url) of
    // the id, uid and user code; times are epoch milliseconds; the payload is JSON text.
    version: 2,
    name: 'oauth artifacts',
    sql: `
CREATE TABLE oauth_artifacts (
  model TEXT NOT NULL,
  id_hash TEXT NOT NULL,
  uid_hash TEXT,
  user_code_hash TEXT,
  grant_id TEXT,
  payload TEXT NOT NULL CHECK (json_valid(payload) AND json_type(payload) = 'object'),
  expires_at INTEGER,
  consumed_at INTEGER,
  PRIMARY KEY (model, id_hash)
) WITHOUT ROWID;
CREATE INDEX oauth_artifacts_uid ON oauth_artifacts (model, uid_hash) WHERE uid_hash IS NOT NULL;
CREATE INDEX oauth_artifacts_user_code ON oauth_artifacts (model, user_code_hash)
  WHERE user_code_hash IS NOT NULL;
CREATE INDEX oauth_artifacts_grant ON oauth_artifacts (grant_id, model) WHERE grant_id IS NOT NULL;
CREATE INDEX oauth_artifacts_expiry ON oauth_artifacts (expires_at) WHERE expires_at IS NOT NULL;
`,
  },
  {
    // The authorization server's signing keys (ADR 0006): the private key encrypted by the
    // caller with the key-encryption key; at most one active key (partial unique index), so two
    // instances starting at once cannot both add one. Times are epoch milliseconds.
    version: 3,
    name: 'oauth signing keys',
    sql: `
CREATE TABLE oauth_signing_keys (
  kid TEXT PRIMARY KEY NOT NULL,
  alg TEXT NOT NULL CHECK (alg IN ('ES256', 'EdDSA')),
  state TEXT NOT NULL CHECK (state IN ('active', 'retiring', 'retired')),
  public_jwk TEXT NOT NULL CHECK (json_valid(public_jwk) AND json_type(public_jwk) = 'object'),
  encrypted_private_key TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  activated_at INTEGER NOT NULL,
  retire_after INTEGER,
  retired_at INTEGER
) WITHOUT ROWID;
CREATE UNIQUE INDEX oauth_signing_keys_one_active ON oauth_signing_keys (state)
  WHERE state = 'active';
`,
  },
  {
    // The authorization server's local accounts (ADR 0007). The id is the account's stable
    // subject; the username is normalised by the store (NFKC, trimmed, lower-case) and unique;
    // the password only as an argon2id PHC string. Times are epoch milliseconds.
    version: 4,
    name: 'oauth accounts',
    sql: `
CREATE TABLE oauth_accounts (
  id TEXT PRIMARY KEY NOT NULL,
  username TEXT NOT NULL UNIQUE CHECK (length(username) BETWEEN 1 AND 64),
  display_name TEXT,
  password_hash TEXT NOT NULL CHECK (length(password_hash) > 0),
  disabled_at INTEGER,
  failed_attempts INTEGER NOT NULL DEFAULT 0 CHECK (failed_attempts >= 0),
  locked_until INTEGER,
  last_login_at INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) WITHOUT ROWID;
`,
  },
  {
    // oauth_artifacts becomes a rowid table. WITHOUT ROWID keeps each row inside the primary-key
    // b-tree, which SQLite advises against for rows this large (a token's JSON payload, an
    // encrypted token response): every write of one rewrote several b-tree pages, and an upsert
    // cost about twice what it does in a rowid table (bench/as.mjs, issue 4). Same columns,
    // constraints and indexes; the rows are copied over.
    version: 5,
    name: 'oauth artifacts as a rowid table',
    sql: `
CREATE TABLE oauth_artifacts_next (
  model TEXT NOT NULL,
  id_hash TEXT NOT NULL,
  uid_hash TEXT,
  user_code_hash TEXT,
  grant_id TEXT,
  payload TEXT NOT NULL CHECK (json_valid(payload) AND json_type(payload) = 'object'),
  expires_at INTEGER,
  consumed_at INTEGER,
  PRIMARY KEY (model, id_hash)
);
INSERT INTO oauth_artifacts_next
  (model, id_hash, uid_hash, user_code_hash, grant_id, payload, expires_at, consumed_at)
  SELECT model, id_hash, uid_hash, user_code_hash, grant_id, payload, expires_at, consumed_at
  FROM oauth_artifacts;
DROP TABLE oauth_artifacts;
ALTER TABLE oauth_artifacts_next RENAME TO oauth_artifacts;
CREATE INDEX oauth_artifacts_uid ON oauth_artifacts (model, uid_hash) WHERE uid_hash IS NOT NULL;
CREATE INDEX oauth_artifacts_user_code ON oauth_artifacts (model, user_code_hash)
  WHERE user_code_hash IS NOT NULL;
CREATE INDEX oauth_artifacts_grant ON oauth_artifacts (grant_id, model) WHERE grant_id IS NOT NULL;
CREATE INDEX oauth_artifacts_expiry ON oauth_artifacts (expires_at) WHERE expires_at IS NOT NULL;
`,
  },
]
