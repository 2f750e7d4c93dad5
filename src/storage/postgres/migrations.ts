import { LOCAL_USER_ID } from '../../domain/index.js'
import type { Migration } from '../kysely/index.js'

/**
 * PostgreSQL schema, oldest first. Never edit an applied migration: add a new one. The pgvector
 * table is not here: the extension may be missing, so `vector-setup.ts` creates it on its own.
 *
 * - `search` is a generated tsvector of the content (weight A) and tags (weight B), with ASCII
 *   punctuation turned into spaces first so that `ops@example.com` or `a/b` index their words
 *   the way the domain's `searchTerms()` splits a query.
 * - Tags are `text[]` with GIN indexes; "has every tag" is `tags @> $1`.
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
]
