// The generic fixture helpers: PRNG, ids, the timestamp encodings, JSON as Python writes it.
import * as assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  DAY, MS, Rng, SEC, dashed, epochMs, fmtDuckUtc, fmtIsoLocal, fmtNaive, fmtSqliteUtc, isoUtc, pyJson, toMicros, uuid4, uuid7Hex,
} from '../fixtures/build';
import { parseAny } from '../fixtures/verify';

const t = toMicros(new Date('2025-11-20T23:59:58.123Z')) + 456; // .123456

describe('fixture helpers', () => {
  test('Rng is deterministic per seed and in range', () => {
    const a = new Rng(7); const b = new Rng(7); const c = new Rng(8);
    const xs = Array.from({ length: 100 }, () => a.next());
    assert.deepEqual(xs, Array.from({ length: 100 }, () => b.next()));
    assert.notDeepEqual(xs, Array.from({ length: 100 }, () => c.next()));
    assert.ok(xs.every((x) => x >= 0 && x < 1));
    const r = new Rng(1);
    const ints = Array.from({ length: 2000 }, () => r.int(3, 5));
    assert.deepEqual([...new Set(ints)].sort(), [3, 4, 5]);
    assert.equal(new Set(r.sample([1, 2, 3, 4, 5], 5)).size, 5);
    const g = Array.from({ length: 4000 }, () => r.gauss(10, 2));
    assert.ok(Math.abs(g.reduce((s, x) => s + x, 0) / g.length - 10) < 0.2);
  });

  test('uuid7 carries the creation time in ms; uuid4 is dashed v4', () => {
    const id = uuid7Hex(new Rng(1), t);
    assert.match(id, /^[0-9a-f]{12}7[0-9a-f]{3}[89ab][0-9a-f]{15}$/);
    assert.equal(parseInt(id.slice(0, 12), 16), epochMs(t));
    assert.match(uuid4(new Rng(1)), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(dashed('019a3a238e007bd4b995fb11ef9780ef'), '019a3a23-8e00-7bd4-b995-fb11ef9780ef');
  });

  test('timestamp encodings', () => {
    assert.equal(fmtNaive(t), '2025-11-20 23:59:58.123456');
    assert.equal(fmtNaive(t, 600), '2025-11-21 09:59:58.123456'); // Canberra, across midnight
    assert.equal(fmtSqliteUtc(t), '2025-11-20 23:59:58');
    assert.equal(fmtIsoLocal(t, 60), '2025-11-21T00:59:58.123456');
    assert.equal(fmtIsoLocal(t - 123456), '2025-11-20T23:59:58'); // isoformat() omits zero microseconds
    assert.equal(fmtDuckUtc(t), '2025-11-20 23:59:58.123456+00');
    assert.equal(fmtDuckUtc(t - 123056), '2025-11-20 23:59:58.0004+00'); // DuckDB trims trailing zeros
    assert.equal(fmtDuckUtc(t - 123456), '2025-11-20 23:59:58+00');
    assert.equal(isoUtc(t - 123456), '2025-11-20T23:59:58Z');
    assert.equal(epochMs(t), Date.parse('2025-11-20T23:59:58.123Z'));
    assert.equal(fmtNaive(t + 0.2), '2025-11-20 23:59:58.123456'); // fractions of a microsecond are rounded
    assert.equal(fmtNaive(t - 3 * DAY, -300), '2025-11-17 18:59:58.123456');
  });

  test('parseAny inverts every encoding', () => {
    assert.equal(parseAny(fmtNaive(t, 600), 600), t);
    assert.equal(parseAny(fmtIsoLocal(t, -330), -330), t);
    assert.equal(parseAny(fmtDuckUtc(t)), t);
    assert.equal(parseAny(fmtSqliteUtc(t)), t - 123456);
    assert.equal(parseAny(isoUtc(t)), t);
    assert.equal(parseAny('2025-11-20T10:00:00+10:00'), toMicros(new Date('2025-11-20T00:00:00Z')));
    assert.throws(() => parseAny('yesterday'), /unparseable/);
    assert.equal(SEC, 1000 * MS);
  });

  test('pyJson matches json.dumps default separators', () => {
    assert.equal(pyJson([['SDXLTurbo', 'Moondream']]), '[["SDXLTurbo", "Moondream"]]');
    assert.equal(pyJson({ a: 0.4, b: true, c: [-1, -1] }), '{"a": 0.4, "b": true, "c": [-1, -1]}');
  });
});
