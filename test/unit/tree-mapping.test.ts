// "Create Mapping…": the profile skeleton guessed from tables, and its addition to the mapping file.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addProfile, col, mappingSkeleton, profileLine, profileName } from '../../src/client/tree/mapping';
import { parseMappingFile } from '../../src/core/profiles/mapping';

const valid = (text: string) => { const r = parseMappingFile(text, 'experiment-health.json'); assert.deepEqual(r.errors, []); return r.profiles; };

test('a typical tracking schema: runs, experiments, a child table', () => {
  const spec = mappingSkeleton('/w/data/My Runs.sqlite', [
    { name: 'experiments', columns: ['experiment_id', 'name', 'created_at'] },
    { name: 'runs', columns: ['run_id', 'experiment_id', 'status', 'start_time', 'end_time', 'run_name', 'model', 'total_steps', 'step', 'error_message', 'updated_at'] },
    { name: 'metrics', columns: ['run_id', 'key', 'value', 'timestamp'] },
    { name: 'sqlite_sequence', columns: ['name', 'seq'] },
  ]);
  assert.equal(spec.name, 'my-runs');
  assert.deepEqual(spec.detect, [{ table: 'runs', columns: ['run_id', 'status', 'start_time'] }]);
  assert.deepEqual(spec.experiments, { table: 'experiments', id: 'experiment_id', label: 'name', startedAt: { expr: 'created_at' } });
  assert.equal(spec.runs.table, 'runs');
  assert.equal(spec.runs.id, 'run_id');
  assert.equal(spec.runs.experimentId, 'experiment_id');
  assert.equal(spec.runs.label, 'run_name');
  assert.equal(spec.runs.config, 'model');
  assert.equal(spec.runs.status?.expr, 'lower(status)');
  assert.equal(spec.runs.status?.map.success, 'completed');
  assert.deepEqual(spec.runs.startedAt, { expr: 'start_time' });
  assert.deepEqual(spec.runs.finishedAt, { expr: 'end_time' });
  assert.deepEqual(spec.runs.heartbeat, { expr: 'updated_at' });
  assert.equal(spec.runs.stepsDone, 'step');
  assert.equal(spec.runs.stepsExpected, 'total_steps');
  assert.equal(spec.runs.error, 'error_message');
  assert.deepEqual(spec.children, [{ table: 'metrics', key: 'run_id', activity: [{ expr: 'timestamp' }] }]);
  // the engine's own validator accepts it
  const [p] = valid(addProfile(undefined, spec).ok ? (addProfile(undefined, spec) as { text: string }).text : '');
  assert.equal(p.name, 'my-runs');
});

test('odd schemas still give a valid skeleton', () => {
  for (const tables of [[], [{ name: 'job queue', columns: ['Job Id', 'State', 'datetime_start'] }], [{ name: 't', columns: [] }]]) {
    const spec = mappingSkeleton('/x/1.db', tables);
    const r = addProfile(undefined, spec);
    assert.ok(r.ok);
    valid(r.text);
  }
  assert.equal(col('Job Id'), '"Job Id"');
  assert.equal(profileName('/x/__.db'), 'my-database');
});

test('appends to an existing file without losing profiles; renames a taken name', () => {
  const spec = mappingSkeleton('/w/a.db', [{ name: 'runs', columns: ['id', 'status'] }]);
  const existing = JSON.stringify({ profiles: [{ name: 'a', detect: [{ table: 'x' }], runs: { table: 'x', id: 'id' } }] });
  const r = addProfile(existing, spec);
  assert.ok(r.ok);
  assert.equal(r.name, 'a-2');
  assert.equal(r.created, false);
  const profiles = valid(r.text);
  assert.deepEqual(profiles.map((p) => p.name), ['a', 'a-2']);
  assert.equal(profileLine(r.text, 'a-2') > profileLine(r.text, 'a'), true);
});

test('never rewrites a file it cannot parse', () => {
  const r = addProfile('{ // comment\n "profiles": [] }', mappingSkeleton('/w/a.db', []));
  assert.equal(r.ok, false);
  assert.equal(addProfile('{"profiles": 3}', mappingSkeleton('/w/a.db', [])).ok, false);
  assert.equal(addProfile('[]', mappingSkeleton('/w/a.db', [])).ok, false);
  const empty = addProfile('  ', mappingSkeleton('/w/a.db', []));
  assert.ok(empty.ok && empty.created);
});
