// The language server's pure parts: report layout, capped diagnostics with exact quick-fix
// targets, paging, and settings validation.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { DiagnosticSeverity } from 'vscode-languageserver/node';
import { openDatabase } from '../../src/core/db';
import { runDoctor, type DoctorResult } from '../../src/core/doctor/doctor';
import { defaultOptions } from '../../src/core/doctor/options';
import { buildDiagnostics, type FixData } from '../../src/server/diagnostics';
import { runGroups, runsPage } from '../../src/server/queries';
import { renderReport } from '../../src/server/report';
import { doctorOptionsFrom, validateSettings } from '../../src/server/settings';
import { dbPathFromReportUri, reportUriFor } from '../../src/shared/protocol';
import { buildPanicTda } from '../fixtures/systems/panic-tda';

const now = new Date('2025-11-20T12:00:00Z');
let cached: { file: string; result: DoctorResult } | undefined;

async function panic(): Promise<{ file: string; result: DoctorResult }> {
  if (cached) return cached;
  const file = (await buildPanicTda({ now })).write(fs.mkdtempSync(path.join(os.tmpdir(), 'eh-srv-')));
  const db = await openDatabase(file);
  try {
    const options = { ...defaultOptions(now.getTime()), naive: { zone: 'utc' as const } };
    cached = { file, result: runDoctor(db, options).result };
    return cached;
  } finally { db.close(); }
}

test('report: one line per experiment and per run with a problem, indexed', async () => {
  const { file, result } = await panic();
  const report = renderReport({ path: file, result, evaluatedAt: now.getTime() });
  const lines = report.text.split('\n');
  assert.equal(report.lines.length, lines.length - 1);
  for (const e of result.experiments) {
    const l = report.experimentLine.get(e.id)!;
    assert.match(lines[l], /^experiment /);
    assert.equal(report.lines[l].experimentId, e.id);
  }
  const problemRuns = new Set(result.findings.filter((f) => f.runId).map((f) => f.runId));
  assert.equal(report.runLine.size, problemRuns.size);
  for (const [runId, l] of report.runLine) {
    assert.match(lines[l], /^ {2}run \S+ {2}(incomplete|stale|failed|running|completed)/);
    assert.equal(report.lines[l].runId, runId);
  }
  assert.ok(lines.some((l) => /run \S+ {2}incomplete {2}584\/1000/.test(l)), 'the truncated runs read like the doctor');
});

test('diagnostics: capped per experiment and code, with a summary that keeps the full count', async () => {
  const { file, result } = await panic();
  const report = renderReport({ path: file, result, evaluatedAt: now.getTime() });
  const uri = reportUriFor(file);
  const all = buildDiagnostics(file, uri, result, report, 100);
  const incompleteRuns = result.findings.filter((f) => f.code === 'run/incomplete');
  const perRun = all.filter((d) => d.code === 'run/incomplete' && report.lines[d.range.start.line].kind === 'run');
  assert.equal(perRun.length, incompleteRuns.length);
  assert.ok(all.every((d) => d.source === 'Experiment Health'));
  // Each problem counts once in the Problems panel: with every run listed, the summaries are information.
  const counted = all.filter((d) => d.severity === DiagnosticSeverity.Error || d.severity === DiagnosticSeverity.Warning).length;
  assert.equal(counted, result.findings.filter((f) => f.severity === 'error' || f.severity === 'warning').length);
  const capped = buildDiagnostics(file, uri, result, report, 2);
  const cappedRuns = capped.filter((d) => d.code === 'run/incomplete' && report.lines[d.range.start.line].kind === 'run');
  const experimentsWithIncomplete = new Set(incompleteRuns.map((f) => f.experimentId));
  assert.ok(cappedRuns.length <= 2 * experimentsWithIncomplete.size);
  const summaries = capped.filter((d) => d.code === 'run/incomplete' && report.lines[d.range.start.line].kind === 'experiment');
  assert.equal(summaries.length, experimentsWithIncomplete.size);
  const total = summaries.reduce((n, d) => n + Number(/^(\d+) run/.exec(d.message)![1]), 0);
  assert.equal(total, incompleteRuns.length, 'the summaries count every run, listed or not');
  for (const s of summaries) {
    const n = Number(/^(\d+) run/.exec(s.message)![1]);
    assert.equal(s.severity, n > 2 ? DiagnosticSeverity.Error : DiagnosticSeverity.Information, 'a summary counts only when it stands for unlisted runs');
  }
  // The quick fix of an incomplete run carries exactly the arguments cleanup needs.
  const one = perRun[0];
  const fix = (one.data as FixData).fixes[0];
  const line = report.lines[one.range.start.line];
  assert.equal(fix.action, 'delete-incomplete');
  assert.deepEqual(fix.target, { path: file, experimentId: line.experimentId, runIds: [line.runId] });
  const summaryFix = (summaries[0].data as FixData).fixes[0];
  assert.ok(summaryFix.target.runIds!.length >= 1);
});

test('paging, filtering and grouping of runs come from memory', async () => {
  const { result } = await panic();
  const e2 = result.experiments.find((e) => (e.runCounts.incomplete ?? 0) >= 4)!;
  const page1 = runsPage(result, { path: 'x', experimentId: e2.id, offset: 0, limit: 3, sort: 'state' });
  assert.equal(page1.total, e2.runTotal);
  assert.equal(page1.runs.length, 3);
  assert.ok(page1.runs.every((r) => page1.shortIds[r.id]));
  const page2 = runsPage(result, { path: 'x', experimentId: e2.id, offset: 3, limit: 100, sort: 'state' });
  assert.equal(page1.runs.length + page2.runs.length, e2.runTotal);
  assert.equal(new Set([...page1.runs, ...page2.runs].map((r) => r.id)).size, e2.runTotal);
  const incomplete = runsPage(result, { path: 'x', experimentId: e2.id, states: ['incomplete'], offset: 0, limit: 100 });
  assert.equal(incomplete.total, e2.runCounts.incomplete);
  const groups = runGroups(result, { path: 'x', experimentId: e2.id, by: 'config' });
  assert.equal(groups.reduce((n, g) => n + g.count, 0), e2.runTotal);
  assert.ok(groups.some((g) => g.label.includes('SDXLTurbo')));
  const recent = runsPage(result, { path: 'x', offset: 0, limit: 5 });
  assert.equal(recent.total, result.runs.length);
  assert.ok(recent.runs[0].startedAt === undefined || recent.runs.every((r) => (r.startedAt ?? '') <= recent.runs[0].startedAt!));
});

test('settings: absurd values fall back to defaults with one sentence each', () => {
  const { settings, problems } = validateSettings({ staleAfterMinutes: -5, debounceMs: 'soon', naiveTimestamps: '+10:00', maxRunDiagnosticsPerExperiment: 1e9 });
  assert.equal(settings.staleAfterMinutes, 60);
  assert.equal(settings.debounceMs, 1000);
  assert.equal(settings.maxRunDiagnosticsPerExperiment, 100);
  assert.equal(problems.length, 3);
  assert.match(problems[0], /experimentHealth\.staleAfterMinutes = -5 is not valid; using 60\./);
  assert.deepEqual(doctorOptionsFrom(settings, 0).naive, { zone: 'local', utcOffsetMinutes: 600 });
});

test('report URIs round-trip database paths, spaces included', () => {
  for (const p of ['/tmp/a b/x.sqlite', '/data/runs.db']) assert.equal(dbPathFromReportUri(reportUriFor(p)), p);
});
