// Optuna's own view of stale trials beside ours (more-systems.md §2.5–2.6). fail_stale_trials
// fails a RUNNING trial whose heartbeat is older than the grace period (default 2 × the client's
// heartbeat_interval, which the file does not store); trials without a heartbeat row are never
// failed by Optuna. We estimate the interval from finished trials (their last beat lies within
// one interval of datetime_complete), and check that the datetime encoding in use (naive local
// for Optuna ≤ 4, naive UTC from 5) agrees with the UTC heartbeats.
import type { SqlDatabase, SqlValue } from '../db/types';
import type { Finding } from '../model';
import type { ProfileSpec } from '../profiles/spec';
import type { DoctorOptions } from './options';
import { idText, text } from './sql';
import type { DerivedRun } from './states';
import { ago, parseTimestamp, type NaiveTime } from './time';

export interface OptunaHeartbeatView {
  /** Estimated heartbeat_interval in seconds (undefined: no finished trial with a heartbeat). */
  intervalSeconds?: number;
  /** Optuna's default grace period, 2 × the interval. */
  graceSeconds?: number;
  /** RUNNING trials Optuna's rule calls stale. */
  staleByOptuna: string[];
  /** RUNNING trials without a heartbeat row (Optuna never fails them). */
  withoutHeartbeat: string[];
}

const SLACK_MS = 120_000;

/**
 * The reading the file itself suggests, for when the user chose none: a file created (or last
 * upgraded) by Optuna ≥ 5 has version_info.library_version ≥ 5, and Optuna 5 writes naive UTC.
 * A file created by 4.x and later written by 5 cannot be told this way (more-systems.md §2.1).
 */
export function optunaWriterNaive(db: SqlDatabase): { naive: NaiveTime; version: string } | undefined {
  if (!db.tables().includes('version_info')) return undefined;
  let version: string | undefined;
  try { version = text(db.get<{ v: SqlValue }>('SELECT library_version AS v FROM version_info LIMIT 1')?.v); } catch { return undefined; }
  const major = Number(/^(\d+)\./.exec(version ?? '')?.[1]);
  return major >= 5 ? { naive: { zone: 'utc' }, version: version! } : undefined;
}

export function optunaFindings(
  db: SqlDatabase, profile: ProfileSpec, runs: DerivedRun[], findings: Finding[], options: DoctorOptions, notices: string[],
): Finding[] {
  const local = options.naive.zone === 'local';
  const other: NaiveTime = local ? { zone: 'utc' } : { zone: 'local' };
  const told = options.naiveByProfile?.[profile.name] ? undefined : optunaWriterNaive(db);
  notices.push(`Optuna trial times (datetime_start/complete) read as naive ${local ? 'local time (Optuna ≤ 4.x)' : 'UTC (Optuna ≥ 5.0)'}`
    + `${told ? `, as version_info says Optuna ${told.version} created the file` : ''}`
    + '; heartbeats as UTC. Set experimentHealth.optunaDatetimes (CLI: --optuna-datetimes) if the file was written by the other version.');
  const tables = db.tables();
  if (!tables.includes('trial_heartbeats') || !tables.includes(profile.runs.table)) return [];
  const rows = db.all<{ id: unknown; state: unknown; s: unknown; c: unknown; hb: unknown }>(
    `SELECT t.trial_id AS id, t.state AS state, t.datetime_start AS s, t.datetime_complete AS c, h.heartbeat AS hb
       FROM trials t JOIN trial_heartbeats h ON h.trial_id = t.trial_id`);
  if (!rows.length) return [];

  // Encoding check and interval estimate on finished trials that have a heartbeat.
  let fits = 0, fitsOther = 0, checked = 0, interval = 0;
  for (const r of rows) {
    const state = text(r.state as never);
    if (state !== 'COMPLETE' && state !== 'PRUNED') continue;
    const hb = parseTimestamp(r.hb, { zone: 'utc' });
    if (hb === undefined) continue;
    const within = (n: NaiveTime): boolean => {
      const s = parseTimestamp(r.s, n), c = parseTimestamp(r.c, n);
      return s !== undefined && c !== undefined && hb >= s - SLACK_MS && hb <= c + SLACK_MS;
    };
    checked++;
    if (within(options.naive)) {
      fits++;
      const c = parseTimestamp(r.c, options.naive)!;
      if (c - hb >= 0 && c - hb < 86_400_000) interval = Math.max(interval, c - hb);
    }
    if (within(other)) fitsOther++;
  }
  if (checked >= 3 && fits < checked / 2 && fitsOther >= 0.8 * checked) {
    notices.push(`The trials' times do not match their UTC heartbeats when read as naive ${local ? 'local time' : 'UTC'}, but do when read as naive ${local ? 'UTC' : 'local time'} `
      + `(${fitsOther} of ${checked} finished trials): this file looks written by Optuna ${local ? '≥ 5.0' : '≤ 4.x'}; change the Optuna datetime setting.`);
  }

  const view: OptunaHeartbeatView = { staleByOptuna: [], withoutHeartbeat: [] };
  if (interval > 0) {
    view.intervalSeconds = Math.max(1, Math.ceil(interval / 1000));
    view.graceSeconds = 2 * view.intervalSeconds;
  }
  const beats = new Map(rows.map((r) => [idText(r.id as never)!, parseTimestamp(r.hb, { zone: 'utc' })]));
  const shown = (r: DerivedRun) => r.label ?? r.id;
  for (const r of runs) {
    if (r.hidden || r.rawStatus !== 'RUNNING') continue;
    const hb = beats.get(r.id);
    if (hb === undefined) { view.withoutHeartbeat.push(r.id); continue; }
    const ageS = Math.round((options.now - hb) / 1000);
    // Without a grace period Optuna's answer is unknown, not "alive".
    const stale = view.graceSeconds !== undefined ? ageS > view.graceSeconds : undefined;
    if (stale) view.staleByOptuna.push(r.id);
    const f = findings.find((x) => x.code === 'run/stale' && x.runId === r.id);
    if (f) f.details = { ...f.details, optuna: { heartbeatAt: new Date(hb).toISOString(), heartbeatAgeSeconds: ageS, graceSeconds: view.graceSeconds, ...(stale !== undefined ? { staleByOptuna: stale } : {}) } };
  }
  const byId = new Map(runs.map((r) => [r.id, r]));
  const ours = runs.filter((r) => !r.hidden && r.state === 'stale').length;
  const list = (ids: string[]) => ids.slice(0, 5).map((id) => { const r = byId.get(id)!; return `${shown(r)} (heartbeat ${r.lastActivityAt ? ago(Date.parse(r.lastActivityAt), options.now) : 'unknown'})`; }).join(', ')
    + (ids.length > 5 ? `, … ${ids.length - 5} more` : '');
  const grace = view.graceSeconds !== undefined
    ? `grace period ${view.graceSeconds} s = 2 × the ≈ ${view.intervalSeconds} s heartbeat interval estimated from finished trials`
    : 'grace period unknown: no finished trial to estimate the heartbeat interval from';
  const theirs = view.graceSeconds === undefined ? 'which running trials it would fail cannot be told'
    : `${view.staleByOptuna.length} running trial${view.staleByOptuna.length === 1 ? '' : 's'} stale${view.staleByOptuna.length ? `: ${list(view.staleByOptuna)}` : ''}`;
  notices.push(`Optuna's own view (fail_stale_trials, ${grace}): ${theirs}; ours (no activity for ${options.staleAfterByProfile?.[profile.name] ?? options.staleAfterMinutes} min): ${ours}.`
    + (view.withoutHeartbeat.length ? ` ${view.withoutHeartbeat.length} running trial${view.withoutHeartbeat.length === 1 ? ' has' : 's have'} no heartbeat, so Optuna would never fail ${view.withoutHeartbeat.length === 1 ? 'it' : 'them'}.` : ''));
  return [];
}
