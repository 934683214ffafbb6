-- The doctor-style queries (reference §3 a–d on the real panic-tda tables). One statement per
-- line after its "-- name:" comment; bench.ts sends the same text to the engine and the CLI.
-- name: invocations-per-run
SELECT run_id, count(*) FROM invocation GROUP BY run_id;
-- name: runs-short-of-max-length
WITH c AS (SELECT run_id, count(*) AS n FROM invocation GROUP BY run_id) SELECT r.id, coalesce(c.n, 0), r.max_length FROM run r LEFT JOIN c ON c.run_id = r.id WHERE coalesce(c.n, 0) < r.max_length;
-- name: missing-embeddings-per-model
WITH m(model) AS (SELECT DISTINCT embedding_model FROM embedding) SELECT i.run_id, m.model, count(*) FROM invocation i CROSS JOIN m WHERE NOT EXISTS (SELECT 1 FROM embedding e WHERE e.invocation_id = i.id AND e.embedding_model = m.model) GROUP BY 1, 2;
-- name: runs-without-persistence-diagram
SELECT r.id FROM run r WHERE NOT EXISTS (SELECT 1 FROM persistencediagram p WHERE p.run_id = r.id);
