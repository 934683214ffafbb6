// The doctor's timings in one process, through the engine worker as the language server uses it:
// a full evaluation (cold cache), the same file again unchanged, and again after one run's worth
// of rows (a run, its invocations and their embeddings) was appended by another process (the
// sqlite3 CLI). Works on a copy of the panic-tda file. Prints one JSON line.
// Usage: node doctor-run.js FILE (panic-tda schema)
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { EngineClient } from '../../src/core/engine/client';
import { defaultOptions } from '../../src/core/doctor/options';
import { dropCaches } from './measure';

const APPEND_ONE_RUN = `
BEGIN IMMEDIATE;
CREATE TEMP TABLE src AS SELECT id AS old, lower(hex(randomblob(16))) AS new FROM run ORDER BY rowid DESC LIMIT 1;
INSERT INTO run SELECT (SELECT new FROM src), network, seed + 1, max_length, initial_prompt, experiment_id FROM run WHERE id = (SELECT old FROM src);
CREATE TEMP TABLE m AS SELECT id AS old, lower(hex(randomblob(16))) AS new FROM invocation WHERE run_id = (SELECT old FROM src);
INSERT INTO invocation SELECT m.new, started_at, completed_at, model, type, seed, (SELECT new FROM src), sequence_number, NULL, output_text, output_image_data
  FROM invocation JOIN m ON invocation.id = m.old;
INSERT INTO embedding SELECT lower(hex(randomblob(16))), e.started_at, e.completed_at, m.new, e.embedding_model, e.vector FROM embedding e JOIN m ON e.invocation_id = m.old;
SELECT count(*) FROM m;
COMMIT;`;

async function main(): Promise<void> {
  const source = process.argv[2];
  if (!source) throw new Error('usage: doctor-run.js FILE');
  const file = `${source}.doctor-bench.sqlite`;
  fs.copyFileSync(source, file);
  try {
    const cold = dropCaches();
    const client = new EngineClient();
    const params = { path: file, options: defaultOptions(Date.parse('2025-11-20T12:00:00Z')), profiles: [] };
    const time = async () => { const t = performance.now(); const r = await client.call('doctor', params); return { ms: performance.now() - t, r }; };
    const full = await time();
    const unchanged = await time();
    const appendedRows = Number(execFileSync('sqlite3', [file], { input: APPEND_ONE_RUN, encoding: 'utf8' }).trim());
    const appended = await time();
    await client.dispose();
    const hwm = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    console.log(JSON.stringify({
      cold, fullMs: full.ms, runs: full.r.result.runs.length, findings: full.r.result.findings.length,
      unchangedMs: unchanged.ms, unchangedReused: unchanged.r.reused,
      appendedInvocations: appendedRows, appendedMs: appended.ms, appendedReused: appended.r.reused, appendedRuns: appended.r.result.runs.length,
      peakRssMb: hwm ? Number(hwm[1]) / 1024 : null,
    }));
  } finally { fs.rmSync(file, { force: true }); }
}

main().catch((e: unknown) => { console.error(e); process.exit(1); });
