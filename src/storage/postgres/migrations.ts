import { LOCAL_USER_ID } from '../../domain/index.js'
import type { Migration } from '../kysely/index.js'

/**
 * Row-level security on `memory_embeddings`, which `vector-setup.ts` creates outside the
 * versioned migrations: part of migration 2 (for a table that already exists then) and re-run,
 * idempotently, by every vector setup (for one created later). Never edit: add a migration.
 * Unlike the other tables, the policy is created only when missing, so re-runs change nothing.
 */
export const EMBEDDINGS_ROW_SECURITY = `
DO $rls$
BEGIN
  IF to_regclass(format('%I.memory_embeddings', current_schema())) IS NOT NULL THEN
    ALTER TABLE memory_embeddings ENABLE ROW LEVEL SECURITY;
    ALTER TABLE memory_embeddings FORCE ROW LEVEL SECURITY;
    IF NOT EXISTS (SELECT 1 FROM pg_policy
                   WHERE polrelid = 'memory_embeddings'::regclass AND polname = 'memory_embeddings_owner') THEN
      CREATE POLICY memory_embeddings_owner ON memory_embeddings
        USING (user_id = nullif(current_setting('mcp_pa.user_id', true), ''))
        WITH CHECK (user_id = nullif(current_setting('mcp_pa.user_id', true), ''));
    END IF;
  END IF;
END
$rls$;
`

/**
 * PostgreSQL schema, oldest first. Never edit an applied migration: add a new one. The pgvector
 * table is not here: the extension may be missing, so `vector-setup.ts` creates it on its own.
 *
 * - `search` is a generated tsvector of the content (weight A) and tags (weight B), with ASCII
 *   punctuation turned into spaces first so that `ops@example.com` or `a/b` index their words
 *   the way the domain's `searchTerms()` splits a query.
 * - Tags are `text[]` with GIN indexes; "has every tag" is `tags @> $1`.
 * - Migration 2 turns on row-level security for every table with a `user_id` (ADR 0002); the
 *   role that per-user transactions switch to is set up at open (`row-security.ts`), not here.
 *   Since then, a migration that reads or changes the rows of those tables sees none of them
 *   when run by an ordinary owner (FORCE): it must lift FORCE in its own transaction
 *   (`ALTER TABLE … NO FORCE ROW LEVEL SECURITY`, the data change, then `FORCE` again).
 */
export const POSTGRES_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'users, memories, tasks, full-text index',
    sql: `
CREATE TABLE users (
  id text PRIMARY KEY,
  issuer text NOT NULL,
  subject text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (issuer, subject)
);
INSERT INTO users (id, issuer, subject) VALUES ('${LOCAL_USER_ID}', 'local', 'local');

CREATE FUNCTION mcp_pa_memory_document(content text, tags text[]) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT setweight(to_tsvector('simple'::regconfig, regexp_replace(content, '[[:punct:]]+', ' ', 'g')), 'A')
      || setweight(to_tsvector('simple'::regconfig,
           regexp_replace(array_to_string(tags, ' '), '[[:punct:]]+', ' ', 'g')), 'B')
$$;

CREATE TABLE memories (
  id text PRIMARY KEY,
  user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  content text NOT NULL,
  tags text[] NOT NULL DEFAULT '{}',
  importance smallint NOT NULL CHECK (importance BETWEEN 1 AND 5),
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  search tsvector GENERATED ALWAYS AS (mcp_pa_memory_document(content, tags)) STORED
);
CREATE INDEX memories_user_updated ON memories (user_id, updated_at DESC, id DESC);
CREATE INDEX memories_search ON memories USING gin (search);
CREATE INDEX memories_tags ON memories USING gin (tags);

CREATE TABLE tasks (
  id text PRIMARY KEY,
  user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  title text NOT NULL,
  notes text NOT NULL DEFAULT '',
  due_at timestamptz,
  priority text NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
  status text NOT NULL CHECK (status IN ('open', 'in_progress', 'done', 'cancelled')),
  tags text[] NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  completed_at timestamptz
);
CREATE INDEX tasks_user_due ON tasks (user_id, due_at ASC NULLS LAST, created_at DESC, id DESC);
CREATE INDEX tasks_tags ON tasks USING gin (tags);
`,
  },
  {
    // Every row of a user-owned table is visible to, and writable by, only the user named in
    // the transaction-local setting mcp_pa.user_id; with the setting missing or empty, no row
    // at all (fail closed: nullif turns '' into NULL, and user_id = NULL is never true). FORCE
    // makes the table owner subject to it too. `users` has no policy: it is looked up by
    // (issuer, subject) before a user id is known, holds no assistant data, and the role of
    // per-user transactions gets no privilege on it at all.
    version: 2,
    name: 'row-level security per user',
    sql: `
ALTER TABLE memories ENABLE ROW LEVEL SECURITY;
ALTER TABLE memories FORCE ROW LEVEL SECURITY;
CREATE POLICY memories_owner ON memories
  USING (user_id = nullif(current_setting('mcp_pa.user_id', true), ''))
  WITH CHECK (user_id = nullif(current_setting('mcp_pa.user_id', true), ''));

ALTER TABLE tasks ENABLE ROW LEVEL SECURITY;
ALTER TABLE tasks FORCE ROW LEVEL SECURITY;
CREATE POLICY tasks_owner ON tasks
  USING (user_id = nullif(current_setting('mcp_pa.user_id', true), ''))
  WITH CHECK (user_id = nullif(current_setting('mcp_pa.user_id', true), ''));
${EMBEDDINGS_ROW_SECURITY}`,
  },
  {
    // The authorization server's artifacts (ADR 0005): outside row-level security on purpose.
    // They belong to no user until a token is looked up, only the authorization server's code
    // path holds the store, and the per-user role (row-security.ts) gets no privilege on it.
    // Keys are SHA-256 hashes (base64url) of the id, uid and user code; times epoch ms.
    version: 3,
    name: 'oauth artifacts',
    sql: `
CREATE TABLE oauth_artifacts (
  model text NOT NULL,
  id_hash text NOT NULL,
  uid_hash text,
  user_code_hash text,
  grant_id text,
  payload text NOT NULL,
  expires_at bigint,
  consumed_at bigint,
  PRIMARY KEY (model, id_hash)
);
CREATE INDEX oauth_artifacts_uid ON oauth_artifacts (model, uid_hash) WHERE uid_hash IS NOT NULL;
CREATE INDEX oauth_artifacts_user_code ON oauth_artifacts (model, user_code_hash)
  WHERE user_code_hash IS NOT NULL;
CREATE INDEX oauth_artifacts_grant ON oauth_artifacts (grant_id, model) WHERE grant_id IS NOT NULL;
CREATE INDEX oauth_artifacts_expiry ON oauth_artifacts (expires_at) WHERE expires_at IS NOT NULL;
`,
  },
  {
    // The authorization server's signing keys (ADR 0006): outside row-level security like
    // oauth_artifacts, and the per-user role gets no privilege on it. The private key is
    // encrypted by the caller with the key-encryption key; at most one active key (partial
    // unique index), so two instances starting at once cannot both add one. Times epoch ms.
    version: 4,
    name: 'oauth signing keys',
    sql: `
CREATE TABLE oauth_signing_keys (
  kid text PRIMARY KEY,
  alg text NOT NULL CHECK (alg IN ('ES256', 'EdDSA')),
  state text NOT NULL CHECK (state IN ('active', 'retiring', 'retired')),
  public_jwk text NOT NULL,
  encrypted_private_key text NOT NULL,
  created_at bigint NOT NULL,
  activated_at bigint NOT NULL,
  retire_after bigint,
  retired_at bigint
);
CREATE UNIQUE INDEX oauth_signing_keys_one_active ON oauth_signing_keys (state)
  WHERE state = 'active';
`,
  },
  {
    // The authorization server's local accounts (ADR 0007): outside row-level security like
    // the other oauth_ tables, and the per-user role gets no privilege on it. The id is the
    // account's stable subject; the username is normalised by the store and unique; the
    // password only as an argon2id PHC string. Times are epoch milliseconds.
    version: 5,
    name: 'oauth accounts',
    sql: `
CREATE TABLE oauth_accounts (
  id text PRIMARY KEY,
  username text NOT NULL UNIQUE CHECK (length(username) BETWEEN 1 AND 64),
  display_name text,
  password_hash text NOT NULL CHECK (length(password_hash) > 0),
  disabled_at bigint,
  failed_attempts integer NOT NULL DEFAULT 0 CHECK (failed_attempts >= 0),
  locked_until bigint,
  last_login_at bigint,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL
);
`,
  },
]
