import * as path from 'node:path';
import { loadSqlJs, openDatabaseSync, readConsistent, type FileDatabase } from '../core/db';
import { runDetails, type RunDetails } from '../core/doctor/details';
import { DuckDbEngine, isDuckDbPath } from '../core/duckdb/engine';
import { describeSchema, detectProfile } from '../core/profiles/registry';
import { runDoctor, type DoctorResult } from '../core/doctor/doctor';
import type { DoctorOptions } from '../core/doctor/options';
import type { Finding } from '../core/model';
import type { ProfileSpec } from '../core/profiles/spec';
import { bold, dim, severityText, stateText, table } from './format';
import { pushTo } from '../core/collections';

/** What a command gets besides the result: the details of one run, read from the same file. */
export type RunDetailsOf = (runId: string, profile?: string) => Promise<RunDetails | undefined>;

/**
 * Opens read-only, runs the doctor, always closes (never the user's file itself). DuckDB files
 * go through the DuckDB reader (its own worker), everything else through sql.js in place.
 */
export async function withDoctor<T>(file: string, options: DoctorOptions, profiles: ProfileSpec[], use: (r: DoctorResult, details: RunDetailsOf) => T | Promise<T>): Promise<T> {
  const abs = path.resolve(file);
  if (isDuckDbPath(abs)) {
    const duck = new DuckDbEngine({ workerPath: path.join(__dirname, 'duckdb-worker.js') });
    try {
      const { result } = await duck.call('doctor', { path: abs, options, profiles });
      return await use(result, async (runId, profile) => (await duck.call('runDetails', { path: abs, runId, profile, profiles })) ?? undefined);
    } finally { await duck.dispose(); }
  }
  // As the language server reads: a scan that overlapped another process's commit is read again
  // on a fresh connection, and after a few tries the last result is shown with a note.
  const SQL = await loadSqlJs();
  let db: FileDatabase | undefined; // opened inside the retries: an open can meet a commit too
  const current = (): FileDatabase => (db ??= openDatabaseSync(SQL, abs));
  const source = { path: abs, current, reopen: () => { db?.close(); db = undefined; return current(); } };
  try {
    const read = readConsistent(source, (d) => runDoctor(d, options, profiles).result, { attempts: 8 });
    const result = read.consistent ? read.value : { ...read.value, notices: [...read.value.notices, read.message ?? ''] };
    return await use(result, async (runId, profile) => {
      const p = detectProfile(describeSchema(current()), profiles, profile);
      return p ? runDetails(current(), p, runId) : undefined;
    });
  } finally { db?.close(); }
}

/** Exactly the documented JSON shape: absent keys omitted, ids as stored. */
export function doctorJson(r: DoctorResult): object {
  return {
    database: r.database,
    ...(r.profile ? { profile: r.profile } : {}),
    now: r.now,
    staleAfterMinutes: r.staleAfterMinutes,
    experiments: r.experiments.map((e) => ({ id: e.id, label: e.label, state: e.state, runCounts: e.runCounts })),
    findings: r.findings.map(findingJson),
    // What the reader should know about the reading itself (a file being written, columns missing).
    ...(r.notices.length ? { notices: r.notices } : {}),
  };
}

function findingJson(f: Finding): object {
  const out: Record<string, unknown> = {};
  for (const k of ['code', 'severity', 'experimentId', 'runId', 'table', 'count', 'message', 'details'] as const) {
    if (f[k] !== undefined) out[k] = k === 'details' ? prune(f.details) : f[k];
  }
  return out;
}

function prune(o: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!o) return undefined;
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null));
}

export const hasProblems = (r: DoctorResult) => r.findings.some((f) => f.severity === 'error' || f.severity === 'warning');

export function doctorText(r: DoctorResult): string {
  const lines: string[] = [];
  lines.push(`${bold(path.basename(r.database))}  ${dim(r.database)}`);
  if (r.status === 'unknown-schema') {
    for (const n of r.notices) lines.push(n);
    lines.push(`Unknown schema: no profile matches this database. Tables: ${r.tables.map((t) => t.name).join(', ') || '(none)'}.`);
    lines.push('Describe it with a mapping in .vscode/experiment-health.json (see the README, "Your own schema").');
    return lines.join('\n');
  }
  lines.push(`profile ${r.profile} · now ${r.now} · stale after ${r.staleAfterMinutes} min · naive timestamps ${r.naiveTimestamps}`);
  for (const n of r.notices) lines.push(dim(`note: ${n}`));
  lines.push('');
  const byExp = new Map<string, Finding[]>();
  for (const f of r.findings) {
    const k = f.experimentId ?? '';
    pushTo(byExp, k, f);
  }
  lines.push(table(['experiment', 'state', 'runs', 'problems'], r.experiments.map((e) => [
    e.label, stateText(e.state), runCountsText(e.runCounts, e.runTotal), String(byExp.get(e.id)?.length ?? 0),
  ])));
  lines.push('');
  if (!r.findings.length) { lines.push('No problems found.'); return lines.join('\n'); }
  const label = new Map(r.experiments.map((e) => [e.id, e.label]));
  for (const [expId, findings] of byExp) {
    lines.push(bold(expId ? `${label.get(expId) ?? expId}` : 'database'));
    for (const f of findings) lines.push(`  ${severityText(f.severity).padEnd(12)} ${f.code.padEnd(18)} ${f.message}`);
  }
  const counts = summary(r.findings);
  lines.push('', `${r.findings.length} finding${r.findings.length === 1 ? '' : 's'}: ${counts}`);
  return lines.join('\n');
}

export function runCountsText(counts: Partial<Record<string, number>>, total: number): string {
  const parts = Object.entries(counts).filter(([s]) => s !== 'completed').map(([s, n]) => `${n} ${s}`);
  return [`${total}`, ...parts].join(' · ');
}

function summary(findings: Finding[]): string {
  const byCode = new Map<string, number>();
  for (const f of findings) byCode.set(f.code, (byCode.get(f.code) ?? 0) + 1);
  return [...byCode].map(([c, n]) => `${n} ${c}`).join(', ');
}
