// `experiment-health cleanup <db> --action A [--experiment ID] [--run ID…] [--table T…] [--dry-run] [--yes] [--json]
//   [--archive-dir DIR]` and `experiment-health undo <db> [--yes] [--json]`.
// The dry run (default) prints the plan; --yes executes it after the preflight. Never prompts.
// Exit codes: 0 done (or plan printed), 1 refused / nothing done, 2 error.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EngineError, openDatabase, loadSqlJs } from '../core/db';
import { buildPlan } from '../core/cleanup/plan';
import { preflight } from '../core/cleanup/preflight';
import { executeCleanup } from '../core/cleanup/execute';
import { defaultArchiveDirectory } from '../core/cleanup/archive';
import { undoCleanup, undoInfo } from '../core/cleanup/undo';
import { planRunsLine } from '../core/cleanup/describe';
import { CLEANUP_ACTIONS, type CleanupAction, type CleanupPlan, type CleanupReport, type CleanupTarget, type PreflightResult } from '../core/cleanup/types';
import { runDoctor } from '../core/doctor/doctor';
import type { DoctorOptions } from '../core/doctor/options';
import { matchId, shownId } from '../core/ids';
import type { ProfileSpec } from '../core/profiles/spec';
import { bold, dim, table } from './format';
import { UsageError } from './options';
import { experimentNamed } from './runs';

type Values = Record<string, string | boolean | string[] | undefined>;
type Out = (s: string) => void;

const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : typeof v === 'string' ? [v] : []);
const n = (x: number) => x.toLocaleString('en-US');

export async function cleanupCommand(file: string, values: Values, options: DoctorOptions, profiles: ProfileSpec[], out: Out): Promise<number> {
  const action = values.action;
  if (typeof action !== 'string' || !(CLEANUP_ACTIONS as readonly string[]).includes(action)) {
    throw new UsageError(`cleanup needs --action ${CLEANUP_ACTIONS.join('|')}.`);
  }
  if (values.yes && values['dry-run']) throw new UsageError('--yes and --dry-run contradict each other.');
  if (values['no-archive']) throw new UsageError('--no-archive is not offered: every cleanup archives the rows it changes first, so undo can restore them (see --archive-dir).');
  const abs = path.resolve(file);
  const plan = await makePlan(abs, action as CleanupAction, values, options, profiles);
  if (plan.refusal) {
    if (values.json) out(JSON.stringify(plan, null, 2)); else out(`Not cleaning up: ${plan.refusal}`);
    return 1;
  }
  if (!values.yes) {
    if (values.json) out(JSON.stringify(plan, null, 2));
    else if (values.sql) out(plan.sql);
    else {
      out(planText(plan, typeof values['archive-dir'] === 'string' ? values['archive-dir'] : undefined));
      const pf = preflight(abs);
      out(pf.ok ? dim('\nDry run: nothing was changed. Run again with --yes to apply it.') : `\nDry run. Note: ${pf.reason}`);
    }
    return 0;
  }
  if (plan.totalRows === 0) { out(values.json ? JSON.stringify({ plan, done: false, message: 'nothing to clean up' }, null, 2) : 'Nothing to clean up.'); return 1; }
  const pf = preflight(abs);
  if (!pf.ok) return refused(plan, pf, values, out);
  const SQL = await loadSqlJs();
  let report: CleanupReport;
  try {
    report = executeCleanup(SQL, {
      plan, archive: true, options,
      ...(typeof values['archive-dir'] === 'string' ? { archiveDirectory: path.resolve(values['archive-dir']) } : {}),
    });
  } catch (e) {
    if (e instanceof EngineError && ['busy-writer', 'changed-while-open', 'bad-request', 'cancelled'].includes(e.code)) {
      out(values.json ? JSON.stringify({ done: false, code: e.code, message: e.message }, null, 2) : e.message);
      return 1;
    }
    throw e;
  }
  out(values.json ? JSON.stringify(report, null, 2) : reportText(report));
  return report.verified ? 0 : 2;
}

export async function undoCommand(file: string, values: Values, out: Out): Promise<number> {
  const abs = path.resolve(file);
  const SQL = await loadSqlJs();
  const dir = typeof values['archive-dir'] === 'string' ? path.resolve(values['archive-dir']) : undefined;
  const info = undoInfo(SQL, abs, dir);
  if (!info) { out(values.json ? JSON.stringify({ done: false, message: 'no cleanup to undo' }) : 'There is no cleanup to undo for this database.'); return 1; }
  if (info.refusal) { out(values.json ? JSON.stringify(info, null, 2) : `Cannot undo "${info.title}": ${info.refusal}`); return 1; }
  if (!values.yes) {
    if (values.json) out(JSON.stringify(info, null, 2));
    else {
      out(`${bold('Undo')} "${info.title}" from ${info.time}\n${changesTable(info.changes, 'restored', 'reverted')}\narchive ${info.archive}`);
      out(dim('\nDry run: nothing was changed. Run again with --yes to restore.'));
    }
    return 0;
  }
  const pf = preflight(abs);
  if (!pf.ok) { out(`Not undoing: ${pf.reason}${holdersText(pf)}`); return 1; }
  try {
    const report = undoCleanup(SQL, { path: abs, archive: info.archive });
    out(values.json ? JSON.stringify(report, null, 2) : report.message);
    return report.verified ? 0 : 2;
  } catch (e) {
    if (e instanceof EngineError && ['busy-writer', 'bad-request', 'cancelled'].includes(e.code)) { out(e.message); return 1; }
    throw e;
  }
}

async function makePlan(file: string, action: CleanupAction, values: Values, options: DoctorOptions, profiles: ProfileSpec[]): Promise<CleanupPlan> {
  const db = await openDatabase(file);
  try {
    const target: CleanupTarget = { path: file };
    const runs = list(values.run), tables = list(values.table);
    if (typeof values.experiment === 'string' || runs.length) {
      // Ids as people paste them: dashed or not, or a unique prefix.
      // Hidden ones too: a soft-deleted MLflow experiment can still be purged.
      const r = runDoctor(db, { ...options, showHidden: true }, profiles).result;
      if (typeof values.experiment === 'string') target.experimentId = experimentNamed(r.experiments, values.experiment);
      if (runs.length) {
        target.runIds = runs.map((want) => {
          const m = matchId(r.runs.map((x) => x.id), want);
          if (!m.id && m.candidates.length) throw new UsageError(`--run ${want} matches ${m.candidates.length} runs; give more of the id.`);
          return m.id ?? want; // unknown ids are reported by the plan as left alone
        });
      }
    }
    if (tables.length) target.tables = tables;
    return buildPlan(db, { action, target, options, profiles, hardDelete: values.hard === true }).plan;
  } finally { db.close(); }
}

function changesTable(changes: { table: string; deleted: number; updated: number }[], del = 'deleted', upd = 'changed'): string {
  const rows = changes.filter((c) => c.deleted || c.updated).map((c) => [c.table, c.deleted ? n(c.deleted) : '', c.updated ? n(c.updated) : '']);
  return rows.length ? table(['table', del, upd], rows) : '(no rows)';
}

export function planText(plan: CleanupPlan, archiveDir?: string): string {
  const lines = [bold(plan.title), dim(`${plan.database} · profile ${plan.profile}`), '', changesTable(plan.changes)];
  lines.push('', `${n(plan.totalRows)} row${plan.totalRows === 1 ? '' : 's'} in all.`);
  const runs = planRunsLine(plan);
  if (runs) lines.push(runs);
  if (plan.excluded.length) {
    lines.push(`left alone (${plan.excluded.length}):`);
    for (const x of plan.excluded.slice(0, 20)) lines.push(`  ${shownId(x.runId, plan.idStyle)}: ${x.reason}`);
    if (plan.excluded.length > 20) lines.push(`  … and ${plan.excluded.length - 20} more`);
  }
  for (const w of plan.warnings ?? []) lines.push(`note: ${w}`);
  lines.push(`archive: about ${bytes(plan.archiveBytes)} in ${archiveDir ?? defaultArchiveDirectory(plan.database)} (undo with: experiment-health undo ${plan.database} --yes)`);
  return lines.join('\n');
}

function reportText(r: CleanupReport): string {
  const t = r.timings ? dim(` (${Object.entries(r.timings).map(([k, v]) => `${k} ${v} ms`).join(', ')})`) : '';
  return `${r.message}\n${dim(`${r.elapsedMs} ms`)}${t}`;
}

function refused(plan: CleanupPlan, pf: PreflightResult, values: Values, out: Out): number {
  const script = path.join(os.tmpdir(), `experiment-health-${path.basename(plan.database)}-${plan.action}-${Date.now()}.sql`);
  fs.writeFileSync(script, plan.sql);
  if (values.json) out(JSON.stringify({ done: false, preflight: pf, sqlScript: script }, null, 2));
  else out(`Not cleaning up: ${pf.reason}${holdersText(pf)}\nThe plan as SQL, to run yourself once that program has stopped: ${script}\n  sqlite3 -bail "${plan.database}" < "${script}"`);
  return 1;
}

function holdersText(pf: PreflightResult): string {
  return pf.holders.length ? `\n${pf.holders.map((h) => `  pid ${h.pid}: ${h.command} (${h.file})`).join('\n')}` : '';
}

function bytes(x: number): string {
  if (x < 1024) return `${x} B`;
  if (x < 1024 ** 2) return `${(x / 1024).toFixed(0)} kB`;
  if (x < 1024 ** 3) return `${(x / 1024 ** 2).toFixed(1)} MB`;
  return `${(x / 1024 ** 3).toFixed(2)} GB`;
}
