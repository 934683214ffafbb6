-- panic-tda-shaped synthetic database for the benchmark (used for the >= 8 GB file, and for the
-- 1 GB one when ../shared/fixtures is absent). run.sh substitutes @RUNS@, @STEPS@ and @VEC@.
-- Defects like the real ones: every 17th run stopped at half its length, every 13th run has no
-- persistence diagrams, every 1009th invocation lacks its second embedding.
PRAGMA page_size = 4096;
PRAGMA journal_mode = OFF;
PRAGMA synchronous = OFF;
PRAGMA cache_size = -200000;
CREATE TABLE experimentconfig (id CHAR(32) NOT NULL, networks JSON NOT NULL, seeds JSON NOT NULL, prompts JSON NOT NULL,
  embedding_models JSON NOT NULL, max_length INTEGER NOT NULL, started_at DATETIME, completed_at DATETIME, PRIMARY KEY (id));
CREATE TABLE run (id CHAR(32) NOT NULL, network JSON NOT NULL, seed INTEGER NOT NULL, max_length INTEGER NOT NULL,
  initial_prompt VARCHAR NOT NULL, experiment_id CHAR(32) NOT NULL, PRIMARY KEY (id),
  FOREIGN KEY(experiment_id) REFERENCES experimentconfig (id));
CREATE TABLE invocation (id CHAR(32) NOT NULL, started_at DATETIME NOT NULL, completed_at DATETIME, model VARCHAR NOT NULL,
  type VARCHAR(5) NOT NULL, seed INTEGER NOT NULL, run_id CHAR(32) NOT NULL, sequence_number INTEGER NOT NULL,
  input_invocation_id CHAR(32), output_text VARCHAR, output_image_data BLOB, PRIMARY KEY (id),
  CONSTRAINT unique_run_sequence_number UNIQUE (run_id, sequence_number),
  FOREIGN KEY(run_id) REFERENCES run (id), FOREIGN KEY(input_invocation_id) REFERENCES invocation (id));
CREATE TABLE embedding (id CHAR(32) NOT NULL, started_at DATETIME NOT NULL, completed_at DATETIME, invocation_id CHAR(32) NOT NULL,
  embedding_model VARCHAR NOT NULL, vector BLOB, PRIMARY KEY (id),
  CONSTRAINT unique_invocation_embedding_model UNIQUE (invocation_id, embedding_model),
  FOREIGN KEY(invocation_id) REFERENCES invocation (id));
CREATE TABLE persistencediagram (id CHAR(32) NOT NULL, started_at DATETIME NOT NULL, completed_at DATETIME, diagram_data BLOB,
  run_id CHAR(32) NOT NULL, embedding_model VARCHAR NOT NULL, PRIMARY KEY (id),
  CONSTRAINT unique_run_embedding_model UNIQUE (run_id, embedding_model), FOREIGN KEY(run_id) REFERENCES run (id));
CREATE INDEX ix_run_experiment_id ON run (experiment_id);
CREATE INDEX ix_invocation_run_id ON invocation (run_id);
CREATE INDEX ix_embedding_invocation_id ON embedding (invocation_id);
CREATE INDEX ix_persistencediagram_run_id ON persistencediagram (run_id);

BEGIN;
INSERT INTO experimentconfig SELECT printf('e%031x', value), '[["SDXLTurbo","Moondream"]]', '[1,2,3]', '["a red apple"]',
  '["Nomic","JinaClip"]', @STEPS@, '2025-01-01 00:00:00', CASE WHEN value < 3 THEN '2025-01-02 00:00:00' END
  FROM generate_series(0, 3);
INSERT INTO run SELECT printf('r%031x', value), '["SDXLTurbo","Moondream"]', value, @STEPS@, 'a red apple',
  printf('e%031x', value % 4) FROM generate_series(0, @RUNS@ - 1);
INSERT INTO invocation SELECT printf('i%031x', r.value * 100000 + s.value), '2025-01-01 00:00:00', '2025-01-01 00:00:01',
  CASE WHEN s.value % 2 THEN 'Moondream' ELSE 'SDXLTurbo' END, CASE WHEN s.value % 2 THEN 'text' ELSE 'image' END, r.value,
  printf('r%031x', r.value), s.value, NULL, hex(randomblob(100)), NULL
  FROM generate_series(0, @RUNS@ - 1) r, generate_series(0, @STEPS@ - 1) s
  WHERE r.value % 17 <> 0 OR s.value < @STEPS@ / 2;
INSERT INTO embedding SELECT printf('m%031x', i.rowid * 2 + m.value), i.started_at, i.completed_at, i.id,
  CASE m.value WHEN 0 THEN 'Nomic' ELSE 'JinaClip' END, randomblob(@VEC@)
  FROM invocation i, generate_series(0, 1) m WHERE m.value = 0 OR i.rowid % 1009 <> 0;
INSERT INTO persistencediagram SELECT printf('p%031x', r.value * 2 + m.value), '2025-01-01 00:00:00', NULL, randomblob(20000),
  printf('r%031x', r.value), CASE m.value WHEN 0 THEN 'Nomic' ELSE 'JinaClip' END
  FROM generate_series(0, @RUNS@ - 1) r, generate_series(0, 1) m WHERE r.value % 13 <> 0 AND r.value % 17 <> 0;
COMMIT;
PRAGMA journal_mode = WAL;  -- panic-tda files are WAL: exercise that path
