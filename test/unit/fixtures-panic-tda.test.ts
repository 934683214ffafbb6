// The panic-tda builder: opens, WAL header, exact DDL, row shapes, determinism, expected vs SQL.
import * as assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { Database } from 'sql.js';
import { column, queryRows } from '../fixtures/build';
import { expectedCodes } from '../fixtures/expected';
import { integrity, journalBytes, openBytes, sameBytes, schemaOf } from '../fixtures/inspect';
import { PANIC_DDL_CREATE_ALL, PANIC_DDL_MIGRATED } from '../fixtures/systems/panic-tda-ddl';
import { buildPanicTda } from '../fixtures/systems/panic-tda';
import { verify } from '../fixtures/verify';

const now = new Date('2025-11-20T12:00:00Z');
type B = Awaited<ReturnType<typeof buildPanicTda>>;

describe('panic-tda fixture (create_all)', () => {
  let b: B; let db: Database;
  before(async () => { b = await buildPanicTda({ now, seed: 1234 }); db = await openBytes(b.bytes); });

  test('opens, passes integrity_check, is marked WAL', () => {
    assert.deepEqual(integrity(db), ['ok']);
    assert.deepEqual(journalBytes(b.bytes), [2, 2]);
    assert.ok(b.bytes.length < 12_000_000, `size ${b.bytes.length}`);
  });

  test('sqlite_master holds the exact create_all DDL', () => {
    const sql = column<string>(db, "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY rowid");
    assert.deepEqual(sql, [...PANIC_DDL_CREATE_ALL]);
  });

  test('row shapes: hex ids, naive 6-digit timestamps, enum names, JSON text', () => {
    const inv = queryRows(db, 'SELECT * FROM invocation LIMIT 50');
    for (const r of inv) {
      assert.match(String(r['id']), /^[0-9a-f]{12}7[0-9a-f]{3}[89ab][0-9a-f]{15}$/);
      assert.match(String(r['started_at']), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$/);
      assert.ok(r['type'] === 'TEXT' || r['type'] === 'IMAGE');
    }
    const img = column<Uint8Array>(db, 'SELECT output_image_data FROM invocation WHERE output_image_data IS NOT NULL LIMIT 1')[0]!;
    assert.equal(Buffer.from(img.slice(0, 4)).toString(), 'RIFF');
    assert.equal(Buffer.from(img.slice(8, 12)).toString(), 'WEBP');
    const vec = column<Uint8Array>(db, 'SELECT vector FROM embedding WHERE vector IS NOT NULL LIMIT 1')[0]!;
    assert.equal(vec.length, 32 * 4);
    const pd = column<Uint8Array>(db, 'SELECT diagram_data FROM persistencediagram WHERE diagram_data IS NOT NULL LIMIT 1')[0]!;
    assert.deepEqual([...pd.slice(0, 4)], [0x50, 0x4b, 0x03, 0x04]); // zip (npz)
    assert.equal(column(db, "SELECT networks FROM experimentconfig WHERE networks LIKE '%SDXLTurbo%' LIMIT 1")[0],
      '[["SDXLTurbo", "Moondream"], ["FluxSchnell", "BLIP2"]]');
    assert.deepEqual(Object.keys(schemaOf(db)), ['clusteringresult', 'embedding', 'embeddingcluster', 'experimentconfig', 'invocation',
      'persistencediagram', 'run']);
  });

  test('scenario E2: 584/584/585/586 truncation, NULL outputs, gap, orphans', () => {
    const f = b.expected.findings;
    const counts = column<number>(db, `SELECT COUNT(*) FROM invocation WHERE run_id IN (${f.truncated_at_584_586.map((x) => `'${x.replace(/-/g, '')}'`).join(',')})
      GROUP BY run_id ORDER BY 1`);
    assert.deepEqual(counts, [584, 584, 585, 586]);
    assert.equal(f.null_output_invocations.length, 2);
    assert.deepEqual(f.null_output_invocations.map((x) => x.sequences).sort(), [[584], [80]]);
    assert.equal(f.orphans.embeddings_without_invocation.length, 500);
    assert.equal(f.orphans.invocations_without_run.length, 1000);
    assert.equal(f.orphans.pds_without_run.length, 2);
    assert.equal(f.orphans.runs_without_experiment.length, 2);
    assert.equal(f.orphans.dangling_input_invocation_id.length, 1);
    assert.deepEqual(Object.keys(f.experiments_by_state).map((k) => [k, f.experiments_by_state[k as 'stale'].length]),
      [['completed', 3], ['running', 1], ['stale', 2], ['pending', 1]]);
    assert.equal(f.runs_by_stop_reason.duplicate.length, 2);
  });

  test('expected agrees with an independent SQL re-derivation', () => {
    for (const c of verify(db, b.expected)) assert.deepEqual(c.got, c.want, c.name);
  });

  test('health codes derived from the findings', () => {
    const codes = expectedCodes(b.expected);
    assert.equal(codes['run/incomplete']?.ids.length, 9);
    assert.deepEqual(codes['artifact/missing']?.rows, { embedding: 2, persistencediagram: 3 });
    assert.equal(codes['run/sequence-gap']?.ids.length, 1);
    assert.equal(codes['experiment/stale']?.ids.length, 2);
    assert.deepEqual(codes['orphan/rows']?.rows, { embedding: 500, invocation: 1000, persistencediagram: 2, run: 2 });
    assert.deepEqual(codes['artifact/duplicate']?.rows, { persistencediagram: 1 });
    assert.deepEqual(codes['artifact/invalid']?.rows, { embedding: 7, persistencediagram: 1 });
    assert.equal(codes['run/stale'], undefined);
  });

  test('same seed and now give identical bytes', async () => {
    assert.ok(sameBytes((await buildPanicTda({ now, seed: 1234 })).bytes, b.bytes));
  });
});

describe('panic-tda fixture (migrated)', () => {
  test('alembic head, uniques, no duplicate PD or NULL vectors, tz offset applied', async () => {
    const b = await buildPanicTda({ now, variant: 'migrated', tzOffsetMinutes: 600 });
    const db = await openBytes(b.bytes);
    assert.deepEqual(integrity(db), ['ok']);
    assert.deepEqual(column(db, "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY rowid"), [...PANIC_DDL_MIGRATED]);
    assert.deepEqual(column(db, 'SELECT version_num FROM alembic_version'), ['c9611d0e807d']);
    assert.equal(column(db, 'SELECT COUNT(*) FROM embedding WHERE vector IS NULL')[0], 0);
    assert.equal(b.expected.naive_timestamp_utc_offset_hours, 10);
    assert.equal(expectedCodes(b.expected)['artifact/duplicate'], undefined);
    assert.throws(() => db.run(`INSERT INTO invocation SELECT * FROM invocation LIMIT 1`), /UNIQUE/);
    for (const c of verify(db, b.expected)) assert.deepEqual(c.got, c.want, c.name);
  });
});
