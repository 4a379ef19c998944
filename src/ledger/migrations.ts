// Forward-only schema migrations. `PRAGMA user_version` holds the number of migrations applied.
// Never edit a migration that has shipped: add a new one.

export const migrations: readonly string[] = [
  // 1: the initial schema.
  `
  CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL DEFAULT 'running'
      CHECK (status IN ('running', 'finished', 'interrupted', 'stopped_fatal', 'stopped_budget', 'crashed')),
    pid INTEGER NOT NULL,
    reword_version TEXT NOT NULL,
    config_json TEXT NOT NULL
  );

  CREATE TABLE sources (
    id INTEGER PRIMARY KEY,
    doc_id TEXT NOT NULL,
    path TEXT NOT NULL,
    line INTEGER,
    row INTEGER,
    byte_offset INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    chars INTEGER NOT NULL,
    meta_json TEXT,
    first_run_id INTEGER NOT NULL REFERENCES runs(id),
    UNIQUE (path, byte_offset, doc_id, sha256)
  );
  CREATE INDEX sources_by_sha256 ON sources(sha256);
  CREATE INDEX sources_by_doc_id ON sources(doc_id);

  -- Chunks belong to a text (its sha256), not to one document: identical texts share chunks and tasks.
  CREATE TABLE chunks (
    id INTEGER PRIMARY KEY,
    doc_sha256 TEXT NOT NULL,
    idx INTEGER NOT NULL,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    tokens INTEGER NOT NULL,
    text TEXT NOT NULL,
    UNIQUE (doc_sha256, start, end)
  );

  CREATE TABLE prompts (
    sha256 TEXT PRIMARY KEY,
    style_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    path TEXT NOT NULL,
    body TEXT NOT NULL
  );

  CREATE TABLE tasks (
    id INTEGER PRIMARY KEY,
    task_key TEXT NOT NULL UNIQUE,
    chunk_id INTEGER NOT NULL REFERENCES chunks(id),
    style_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    prompt_sha256 TEXT NOT NULL REFERENCES prompts(sha256),
    model TEXT NOT NULL,
    params_json TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending'
      CHECK (status IN ('pending', 'accepted', 'rejected', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    reasons_json TEXT,
    updated_at TEXT NOT NULL
  );
  CREATE INDEX tasks_by_chunk ON tasks(chunk_id);

  CREATE TABLE attempts (
    id INTEGER PRIMARY KEY,
    task_id INTEGER NOT NULL REFERENCES tasks(id),
    run_id INTEGER NOT NULL REFERENCES runs(id),
    attempt_no INTEGER NOT NULL,
    purpose TEXT NOT NULL DEFAULT 'rephrase',
    endpoint TEXT NOT NULL,
    model TEXT NOT NULL,
    params_json TEXT NOT NULL,
    seed INTEGER,
    prompt_tokens INTEGER,
    completion_tokens INTEGER,
    latency_ms REAL,
    error_code TEXT,
    error_message TEXT,
    created_at TEXT NOT NULL
  );
  CREATE INDEX attempts_by_task ON attempts(task_id);

  CREATE TABLE candidates (
    id INTEGER PRIMARY KEY,
    attempt_id INTEGER NOT NULL REFERENCES attempts(id),
    idx INTEGER NOT NULL,
    text TEXT NOT NULL,
    cleaned TEXT NOT NULL,
    finish_reason TEXT NOT NULL,
    pass INTEGER NOT NULL,
    score REAL NOT NULL
  );
  CREATE INDEX candidates_by_attempt ON candidates(attempt_id);

  CREATE TABLE verdicts (
    id INTEGER PRIMARY KEY,
    candidate_id INTEGER NOT NULL REFERENCES candidates(id),
    evaluator TEXT NOT NULL,
    pass INTEGER NOT NULL,
    score REAL NOT NULL,
    reason TEXT NOT NULL,
    details_json TEXT
  );
  CREATE INDEX verdicts_by_candidate ON verdicts(candidate_id);

  CREATE TABLE outputs (
    id INTEGER PRIMARY KEY,
    task_id INTEGER NOT NULL UNIQUE REFERENCES tasks(id),
    candidate_id INTEGER NOT NULL UNIQUE REFERENCES candidates(id),
    run_id INTEGER NOT NULL REFERENCES runs(id),
    text TEXT NOT NULL,
    created_at TEXT NOT NULL
  );

  CREATE TABLE attributions (
    id INTEGER PRIMARY KEY,
    output_id INTEGER NOT NULL REFERENCES outputs(id),
    output_start INTEGER NOT NULL,
    output_end INTEGER NOT NULL,
    source_start INTEGER,
    source_end INTEGER,
    support REAL NOT NULL
  );
  CREATE INDEX attributions_by_output ON attributions(output_id);

  CREATE TABLE input_errors (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES runs(id),
    path TEXT NOT NULL,
    line INTEGER,
    field TEXT,
    code TEXT NOT NULL,
    message TEXT NOT NULL
  );
  -- A re-run reads the same bad lines again: record each once (NULL lines would not collide in a UNIQUE).
  CREATE UNIQUE INDEX input_errors_once ON input_errors(path, coalesce(line, -1), code);
  `,
  // 2: what each request cost, from the endpoint's configured prices (NULL when it has none).
  `
  ALTER TABLE attempts ADD COLUMN cost_usd REAL;
  `,
];

export const schemaVersion = migrations.length;
