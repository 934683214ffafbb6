// The health report: a plain-text document per database, readable on its own like a doctor
// report, with an index of which line shows which experiment, run and finding so diagnostics,
// hovers, symbols and code lenses can point at it.
import * as path from 'node:path';
import type { DoctorResult } from '../core/doctor/doctor';
import { ago, localDateTime } from '../core/doctor/time';
import { shownId } from '../core/ids';
import type { Experiment, Finding, Run } from '../core/model';
import { pushTo } from '../core/collections';

export interface ReportLine {
  kind: 'header' | 'experiment' | 'run' | 'finding' | 'database' | 'more' | 'blank' | 'error';
  experimentId?: string;
  runId?: string;
  finding?: Finding;
}

export interface ReportModel {
  text: string;
  lines: ReportLine[];
  experimentLine: Map<string, number>;
  runLine: Map<string, number>;
  databaseLine?: number;
}

/** Runs listed per experiment before "… and N more" (the Problems panel has its own cap). */
export const REPORT_RUNS_PER_EXPERIMENT = 1000;

export interface ReportInput {
  path: string;
  result?: DoctorResult;
  /** The engine's sentence when the database could not be read. */
  error?: string;
  notices?: string[];
  evaluatedAt: number;
}

export function renderReport(input: ReportInput): ReportModel {
  const out: string[] = [];
  const lines: ReportLine[] = [];
  const push = (text: string, line: ReportLine) => { out.push(text); lines.push(line); };
  const experimentLine = new Map<string, number>();
  const runLine = new Map<string, number>();
  const r = input.result;
  const now = r ? Date.parse(r.now) : input.evaluatedAt;

  push(`# Experiment Health — ${path.basename(input.path)}`, { kind: 'header' });
  push(`# ${input.path}`, { kind: 'header' });
  if (input.error || !r) {
    push('', { kind: 'blank' });
    push(`error: ${input.error ?? 'not read yet'}`, { kind: 'error' });
    return { text: out.join('\n') + '\n', lines, experimentLine, runLine };
  }
  push(`# profile ${r.profile ?? 'none'} · read ${localDateTime(new Date(input.evaluatedAt).toISOString())} · stale after ${r.staleAfterMinutes} min · naive timestamps ${r.naiveTimestamps}`, { kind: 'header' });
  if (r.status === 'unknown-schema') {
    push('', { kind: 'blank' });
    push(`unknown schema: no profile matches. Tables: ${r.tables.map((t) => t.name).join(', ') || '(none)'}.`, { kind: 'error' });
    push('Describe this database with a mapping: run "Experiment Health: Create Mapping…".', { kind: 'error' });
    return { text: out.join('\n') + '\n', lines, experimentLine, runLine };
  }
  push(`# ${r.experiments.length} experiment${plural(r.experiments.length)} · ${r.runs.length} run${plural(r.runs.length)}${countsText(r.runs)} · ${r.findings.length} finding${plural(r.findings.length)}`, { kind: 'header' });
  for (const n of [...(input.notices ?? []), ...r.notices]) push(`# note: ${n}`, { kind: 'header' });

  const runsById = new Map(r.runs.map((x) => [x.id, x]));
  const byExperiment = new Map<string, Finding[]>();
  const databaseFindings: Finding[] = [];
  for (const f of r.findings) {
    if (f.experimentId === undefined) databaseFindings.push(f);
    else pushTo(byExperiment, f.experimentId, f);
  }
  const short = (id: string) => r.shortIds[id] ?? shownId(id, r.idStyle);

  for (const e of r.experiments) {
    const findings = byExperiment.get(e.id) ?? [];
    push('', { kind: 'blank' });
    experimentLine.set(e.id, out.length);
    push(experimentText(e, short(e.id)), { kind: 'experiment', experimentId: e.id });
    const runIds = [...new Set(findings.filter((f) => f.runId).map((f) => f.runId!))];
    for (const f of findings.filter((x) => !x.runId)) push(`  ${f.code}  ${f.message}`, { kind: 'finding', experimentId: e.id, finding: f });
    for (const id of runIds.slice(0, REPORT_RUNS_PER_EXPERIMENT)) {
      const run = runsById.get(id);
      if (!run) continue;
      runLine.set(id, out.length);
      push(runText(run, short(id), now), { kind: 'run', experimentId: e.id, runId: id });
    }
    if (runIds.length > REPORT_RUNS_PER_EXPERIMENT) {
      push(`  … and ${runIds.length - REPORT_RUNS_PER_EXPERIMENT} more runs with problems (see the explorer)`, { kind: 'more', experimentId: e.id });
    }
  }
  if (databaseFindings.length) {
    push('', { kind: 'blank' });
    const databaseLine = out.length;
    push('database', { kind: 'database' });
    for (const f of databaseFindings) push(`  ${f.code}  ${f.message}`, { kind: 'finding', finding: f });
    return { text: out.join('\n') + '\n', lines, experimentLine, runLine, databaseLine };
  }
  if (!r.findings.length) { push('', { kind: 'blank' }); push('No problems found.', { kind: 'header' }); }
  return { text: out.join('\n') + '\n', lines, experimentLine, runLine };
}

export function experimentText(e: Experiment, shortId: string): string {
  const name = e.label === shortId ? shortId : `${e.label} (${shortId})`;
  return `experiment ${name}  ${e.state}  ${e.runTotal} run${plural(e.runTotal)}${countsText(Object.entries(e.runCounts).flatMap(([s, n]) => Array(n ?? 0).fill({ state: s })))}${e.config ? `  ${e.config}` : ''}`;
}

export function runText(run: Run, shortId: string, now: number): string {
  const parts: string[] = [];
  if (run.stepsExpected !== undefined) parts.push(`${run.stepsDone ?? 0}/${run.stepsExpected}`);
  else if (run.stepsDone !== undefined) parts.push(`${run.stepsDone} steps`);
  const last = run.finishedAt ?? run.lastActivityAt;
  if (last) parts.push(`${run.state === 'stale' ? 'silent since' : run.state === 'running' ? 'active' : 'stopped'} ${ago(Date.parse(last), now)}`);
  if (run.state === 'incomplete' && run.stopReason) parts.push(run.stopReason);
  if (run.state === 'failed' && run.error) parts.push(run.error.split(/\r?\n/)[0].slice(0, 120));
  return `  run ${shortId}  ${run.state}  ${parts.join(' · ')}${run.label ? `  ${run.label}` : run.config ? `  ${run.config}` : ''}`;
}

function countsText(runs: { state: string }[]): string {
  const counts = new Map<string, number>();
  for (const r of runs) if (r.state !== 'completed') counts.set(r.state, (counts.get(r.state) ?? 0) + 1);
  return [...counts].map(([s, n]) => ` · ${n} ${s}`).join('');
}

const plural = (n: number) => (n === 1 ? '' : 's');
