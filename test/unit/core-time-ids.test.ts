import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatNaive, localDateTime, parseTimestamp } from '../../src/core/doctor/time';
import { compactId, dashed, matchId, readableIds, shownId } from '../../src/core/ids';
import { localTime as cliLocalTime } from '../../src/cli/format';
import { runTooltip } from '../../src/client/tree/format';
import { localTime as webviewLocalTime } from '../../src/webview/shared/dom';

const utc = { zone: 'utc' as const };

test('timestamps in every encoding the systems write', () => {
  const t = Date.parse('2025-11-20T05:55:58.329Z');
  assert.equal(parseTimestamp('2025-11-20 05:55:58.329881+00', utc), t); // DuckDB rendering
  assert.equal(parseTimestamp('2025-11-20T05:55:58.329Z', utc), t);
  assert.equal(parseTimestamp('2025-11-20T15:55:58.329+10:00', utc), t);
  assert.equal(parseTimestamp('2025-11-20 05:55:58', utc), Date.parse('2025-11-20T05:55:58Z')); // CURRENT_TIMESTAMP
  assert.equal(parseTimestamp(t, utc), t); // epoch ms
  assert.equal(parseTimestamp(Math.floor(t / 1000), utc), Math.floor(t / 1000) * 1000); // epoch s
  assert.equal(parseTimestamp('2025-11-20T15:55:58.329000', { zone: 'local', utcOffsetMinutes: 600 }), t); // naive, writer at UTC+10
});

test('unparseable or impossible timestamps are undefined, never a guess', () => {
  for (const v of ['yesterday', '2025-13-01 00:00:00', '2025-11-20 25:00:00', '', null, undefined, -5, new Uint8Array([1])]) {
    assert.equal(parseTimestamp(v, utc), undefined, String(v));
  }
});

test('formatNaive writes what parseTimestamp reads back', () => {
  const t = Date.parse('2025-11-20T05:55:58.329Z');
  for (const style of ['space', 'T', 'micro'] as const) {
    const naive = { zone: 'local' as const, utcOffsetMinutes: -300 };
    const back = parseTimestamp(formatNaive(t, naive, style), naive)!;
    assert.ok(Math.abs(back - t) < 1000, style);
  }
});

test("ids: shown the system's way, pasted ids match with or without dashes, short forms are unique", () => {
  const a = '019a5864ea807275 8f514108aee1df0a'.replace(' ', ''), b = '019a5864ea837538aaaa4133b325aabc';
  assert.equal(dashed(a), '019a5864-ea80-7275-8f51-4108aee1df0a');
  assert.equal(compactId('019A5864-EA80-7275-8F51-4108AEE1DF0A'), a);
  assert.deepEqual(matchId([a, b], '019a5864-ea83').id, b);
  assert.deepEqual(matchId([a, b], '019a5864').candidates.length, 2);
  const short = readableIds([a, b], 'uuid');
  assert.notEqual(short.get(a), short.get(b));
  assert.ok(short.get(a)!.length > 8 && dashed(a).startsWith(short.get(a)!));
  assert.equal(readableIds(['12', '13'], 'uuid').get('12'), '12');
  // MLflow prints its run ids as stored (uuid4().hex): no dashes, in full or short.
  const m1 = '3f2a9c0e5b7d4e1f8a6b2c9d0e1f2a3b', m2 = '3f2a9c0e99999999aaaabbbbccccdddd';
  assert.equal(shownId(m1, undefined), m1);
  assert.equal(shownId(a, 'uuid'), dashed(a));
  const ms = readableIds([m1, m2], undefined);
  assert.ok(!ms.get(m1)!.includes('-') && m1.startsWith(ms.get(m1)!) && ms.get(m1) !== ms.get(m2), JSON.stringify([...ms]));
});

test('short ids stay as they were while they are still unique: a cleanup does not rename the runs left', () => {
  const a = '019a5864ea807275aaaa4108aee1df0a', b = '019a5864ea837538aaaa4133b325aabc', c = '019a5864ea837538bbbb000000000000';
  const first = readableIds([a, b, c], 'uuid');
  assert.ok(first.get(b)!.length > first.get(a)!.length, `b needs a long prefix beside c: ${JSON.stringify([...first])}`);
  const fresh = readableIds([a, b], 'uuid');
  assert.notEqual(fresh.get(b), first.get(b), 'computed afresh, b would get a shorter id once c is gone');
  const kept = readableIds([a, b], 'uuid', 8, first);
  assert.equal(kept.get(b), first.get(b), 'kept: the id the user saw');
  assert.equal(kept.get(a), first.get(a));
  // A newcomer sharing a kept prefix: that id must change to stay unique; the others stay.
  const d = first.get(a)!.replace(/-/g, '').padEnd(32, 'f');
  const after = readableIds([a, b, d], 'uuid', 8, kept);
  assert.notEqual(after.get(a), kept.get(a));
  assert.ok(!after.get(d)!.startsWith(after.get(a)!) && !after.get(a)!.startsWith(after.get(d)!));
  assert.equal(after.get(b), kept.get(b));
});

test('one time format everywhere: the local wall clock, YYYY-MM-DD HH:MM:SS', () => {
  const iso = '2025-11-20T12:00:05.123Z';
  const d = new Date(iso);
  const p = (n: number) => String(n).padStart(2, '0');
  const expected = `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
  assert.equal(localDateTime(iso), expected);
  assert.equal(cliLocalTime(iso), expected, 'the CLI');
  assert.equal(webviewLocalTime(iso), expected, 'the run details panel');
  const tip = runTooltip({ id: 'r1', experimentId: 'e', state: 'completed', startedAt: iso }, d.getTime() + 3_600_000, {});
  assert.ok(tip.includes(`| started | ${expected} (1 h ago) |`), tip);
  assert.equal(localDateTime('yesterday-ish'), 'yesterday-ish', 'text that is not a time is shown as stored');
  assert.equal(localDateTime(undefined), undefined);
});
