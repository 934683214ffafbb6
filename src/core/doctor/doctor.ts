// The doctor: detect the profile, read experiments and runs, derive their states and report
// every problem with a stable code. Synchronous over one open database; the engine runs it in a
// worker and the CLI in-process. Pass the previous state back in to re-read only what changed.
import type { SqlDatabase } from '../db/types';
import { readableIds, shownId, type IdStyle } from '../ids';
import type { Experiment, Finding, Run } from '../model';
import { describeSchema, detectProfile, nearestProfile, unmet, type SchemaTable } from '../profiles/registry';
import type { ProfileSpec } from '../profiles/spec';
import { relationGraph } from '../relations';
import { aggregateChildren, readExperiments, readRuns, type ChildTableState, type RawRun } from './collect';
import { optionsForProfile, type DoctorOptions } from './options';
import { optunaFindings, optunaWriterNaive } from './optuna';
import { orphanFindings } from './orphans';
import { missingParentFindings, propagateDescendantActivity } from './parents';
import { TableMarks, type CountCache, type TableMark } from './incremental';
import { derivePanicRun, duplicateStops, latestEmbeddingMs, panicArtifactFindings, type PanicCaches } from './panic-tda';
import { experimentFindings, runFindings } from './rules';
import { deriveExperiment, deriveStatusRun, type DerivedExperiment, type DerivedRun } from './states';
import { naiveLabel, toIso } from './time';

export interface DoctorResult {
  database: string;
  status: 'ok' | 'unknown-schema';
  profile?: string;
  now: string;
  staleAfterMinutes: number;
  /** How naive timestamps were read: 'local', 'utc', or the writer's fixed offset ('+10:00'). */
  naiveTimestamps: string;
  experiments: Experiment[];
  runs: Run[];
  findings: Finding[];
  /** The schema, for unknown-schema messages and "Create Mapping…". */
  tables: SchemaTable[];
  /** Things the user should know about how this result was read (missing columns, clock skew). */
  notices: string[];
  /** Short readable ids for display (in the system's own form, unique within this database). */
  shortIds: Record<string, string>;
  /** How the system prints its ids (see core/ids.ts); absent: as stored. */
  idStyle?: IdStyle;
  /**
   * Activity sources of the profile this file cannot answer (table.column, renamed or dropped): a
   * run still alive may look stale, so stale findings say so and stale cleanups are refused.
   */
  unreadActivity?: string[];
}

/** What a later evaluation can reuse. */
export interface DoctorState {
  profile: string;
  /** The file version these were read from (change counter, sizes, times). */
  fingerprint?: string;
  marks: Map<string, TableMark>;
  children: Map<string, ChildTableState>;
  orphans: Map<string, CountCache>;
  panic: PanicCaches;
  /** The short ids shown last time: kept while still unique (core/ids.ts readableIds). */
  shortIds?: Map<string, string>;
}

/**
 * The options as they apply to one profile's file: its own naive-time reading when the user set
 * one, else what the file says of its writer (Optuna ≥ 5: UTC), else the general reading.
 */
export function profileOptions(db: SqlDatabase, options: DoctorOptions, profile: ProfileSpec): DoctorOptions {
  if (options.naiveByProfile?.[profile.name]) return optionsForProfile(options, profile.name);
  const told = profile.derive === 'optuna' ? optunaWriterNaive(db) : undefined;
  return told ? { ...options, naive: told.naive } : options;
}

export function runDoctor(
  db: SqlDatabase, allOptions: DoctorOptions, userProfiles: readonly ProfileSpec[] = [], previous?: DoctorState, fingerprint?: string,
): { result: DoctorResult; state?: DoctorState } {
  const tables = describeSchema(db);
  const profile = detectProfile(tables, userProfiles, allOptions.profile);
  const options = profile ? profileOptions(db, allOptions, profile) : allOptions;
  const base = {
    database: db.path, now: new Date(options.now).toISOString(), staleAfterMinutes: options.staleAfterMinutes,
    naiveTimestamps: naiveLabel(options.naive), tables,
  };
  if (!profile) {
    const notices = allOptions.profile ? [`There is no profile named ${allOptions.profile}.`] : [];
    const near = allOptions.profile ? undefined : nearestProfile(tables, userProfiles);
    if (near) {
      notices.push(`This looks like a ${near.profile.title} database, but it lacks ${near.missing.join('; ')} (renamed or dropped, or a version Experiment Health does not know); a mapping can describe it.`);
    }
    return { result: { ...base, status: 'unknown-schema', experiments: [], runs: [], findings: [], notices, shortIds: {} } };
  }
  // A forced profile is still checked: reading another system's tables only fails obscurely.
  const missing = allOptions.profile ? unmet(profile, tables) : [];
  if (missing.length) {
    return { result: { ...base, status: 'unknown-schema', experiments: [], runs: [], findings: [], shortIds: {},
      notices: [`The profile ${profile.name} was chosen, but this database lacks what it reads: ${missing.join('; ')}.`] } };
  }
  const notices: string[] = [];
  const noticeSet = new Set<string>();
  const rawExperiments = readExperiments(db, profile, options, notices);
  // Hidden rows (soft-deleted runs, deleted experiments) are left out, or kept marked when asked for.
  const blind: string[] = [];
  const allRuns = readRuns(db, profile, options, notices, blind);
  const rawRuns = allRuns.filter((r) => options.showHidden || !r.hidden);
  if (!profile.runs.experimentId) assignSessions(rawRuns, profile);
  const same = previous?.profile === profile.name ? previous : undefined;
  // An unchanged file (same fingerprint) reuses every table mark: no table is counted again.
  const marks = new TableMarks(db, fingerprint !== undefined && same && same.fingerprint === fingerprint ? same.marks : undefined);
  const children: ChildTableState[] = [];
  for (const spec of profile.children ?? []) {
    const agg = aggregateChildren(db, spec, options, notices, same?.children.get(spec.table), marks, undefined, blind);
    if (agg) children.push(agg);
  }
  const orphanCaches = new Map(same?.orphans ?? []);
  const panicCaches: PanicCaches = { ...(same?.panic ?? {}) };

  const visibleExperiments = rawExperiments.filter((e) => options.showHidden || !e.hidden);
  const hiddenExperimentIds = new Set(rawExperiments.filter((e) => e.hidden).map((e) => e.id));
  const runs = rawRuns.filter((r) => options.showHidden || !hiddenExperimentIds.has(r.experimentId ?? ''));
  for (const r of runs) if (hiddenExperimentIds.has(r.experimentId ?? '')) r.hidden = true;
  propagateDescendantActivity(runs, profile, children);
  const ids = readableIds([...runs.map((r) => r.id), ...visibleExperiments.map((e) => e.id)], profile.idsShownAs, undefined, same?.shortIds);
  const shortOf = (id: string) => ids.get(id) ?? shownId(id, profile.idsShownAs);
  const expLabel = (id: string, label?: string) => label ?? shortOf(id);

  // Group runs by experiment; runs whose experiment row is gone still get a (marked) experiment.
  const byExperiment = new Map<string, RawRun[]>();
  for (const e of visibleExperiments) byExperiment.set(e.id, []);
  for (const r of runs) {
    const key = r.experimentId ?? '';
    if (!byExperiment.has(key)) byExperiment.set(key, []);
    byExperiment.get(key)!.push(r);
  }
  const rawById = new Map(visibleExperiments.map((e) => [e.id, e]));

  const derivedRuns: DerivedRun[] = [];
  const experiments = new Map<string, DerivedExperiment>();
  const loops = profile.derive === 'panic-tda' ? duplicateStops(db, runs, marks, panicCaches) : new Map<string, number>();
  for (const [expId, expRuns] of byExperiment) {
    const raw = rawById.get(expId);
    const label = raw ? expLabel(expId, raw.label) : !expId ? '(none)' : profile.experiments ? `${shortOf(expId)} (missing)` : shortOf(expId);
    let derived: DerivedRun[];
    let experiment: DerivedExperiment;
    if (profile.derive === 'panic-tda') {
      // The experiment's state (from its own timestamps and its runs' activity) decides whether
      // a short run is still in progress or stopped early.
      const provisional = expRuns.map((r) => derivePanicRun(r, undefined, children, profile, options, loops));
      experiment = deriveExperiment(raw, expId, provisional.map((r) => ({ ...r, state: 'completed' as const })), profile, options, label);
      // Silent runs, but maybe a live embeddings stage: only embedding rows would say so.
      const embedded = experiment.state === 'stale' ? latestEmbeddingMs(db, expRuns.map((r) => r.id), marks, panicCaches, options) : undefined;
      const newer = (e: DerivedExperiment): DerivedExperiment => (embedded === undefined || (e.activityMs ?? -Infinity) >= embedded ? e
        : { ...e, activityMs: embedded, lastActivityAt: toIso(embedded) });
      experiment = newer(experiment);
      if (embedded !== undefined && options.now - embedded <= experiment.thresholdMinutes * 60_000) experiment.state = 'running';
      derived = expRuns.map((r) => derivePanicRun(r, experiment, children, profile, options, loops));
      experiment = newer({ ...experiment, ...deriveExperiment(raw, expId, derived, profile, options, label), state: experiment.state });
    } else {
      derived = expRuns.map((r) => deriveStatusRun(r, profile, children, options, noticeSet));
      // Hidden runs are not counted (in a hidden experiment, all of them are, for its own state).
      const counted = raw?.hidden ? derived : derived.filter((r) => !r.hidden);
      experiment = deriveExperiment(raw, expId, counted, profile, options, label);
      if (raw?.hidden) experiment.hidden = true;
      if (counted.length < derived.length) experiment.hiddenRuns = derived.length - counted.length;
      if (!raw && profile.runs.sessions) experiment.missingRow = undefined;
    }
    if (!raw && profile.runs.sessions) experiment.label = expRuns[0]?.experimentLabel ?? label;
    experiments.set(expId, experiment);
    derivedRuns.push(...derived);
  }

  const findings: Finding[] = [];
  for (const e of experiments.values()) if (!e.hidden) findings.push(...experimentFindings(e, options.now));
  for (const r of derivedRuns) if (!r.hidden) findings.push(...runFindings(r, children, options.now, shortOf(r.id), blind));
  findings.push(...missingParentFindings(runs, allRuns, profile));
  if (profile.derive === 'optuna') findings.push(...optunaFindings(db, profile, derivedRuns, findings, options, notices));
  if (profile.derive === 'panic-tda') findings.push(...panicArtifactFindings(db, experiments, children, derivedRuns, marks, panicCaches));
  findings.push(...orphanFindings(db, relationGraph(db, profile), marks, orphanCaches));
  notices.push(...noticeSet);

  const result: DoctorResult = {
    ...base, status: 'ok', profile: profile.name,
    experiments: [...experiments.values()].map(stripExperiment),
    runs: derivedRuns.map(stripRun),
    findings, notices, shortIds: Object.fromEntries(ids), idStyle: profile.idsShownAs,
  };
  if (blind.length) result.unreadActivity = blind;
  return { result, state: {
    profile: profile.name, fingerprint, marks: marks.all(), children: new Map(children.map((c) => [c.spec.table, c])),
    orphans: orphanCaches, panic: panicCaches, shortIds: ids,
  } };
}

/** Runs without an experiment column: consecutive runs form pipelines (see SessionGrouping). */
function assignSessions(runs: RawRun[], profile: ProfileSpec): void {
  const sessions = profile.runs.sessions;
  if (!sessions) { for (const r of runs) r.experimentId = 'all'; return; }
  const ordered = [...runs].sort((a, b) => (a.startedAt ?? 0) - (b.startedAt ?? 0));
  let current: { id: string; label: string } | undefined;
  let last: number | undefined;
  for (const r of ordered) {
    const gap = last !== undefined && r.startedAt !== undefined && sessions.gapMinutes !== undefined
      && r.startedAt - last > sessions.gapMinutes * 60_000;
    if (!current || r.startsSession || gap) {
      const when = r.startedAt !== undefined ? new Date(r.startedAt).toISOString().replace('T', ' ').slice(0, 16) : 'unknown time';
      current = { id: r.id, label: `${sessions.label} ${when}` };
    }
    r.experimentId = current.id;
    r.experimentLabel = current.label;
    if (r.startedAt !== undefined) last = Math.max(last ?? 0, r.finishedAt ?? r.startedAt);
  }
}

function stripExperiment(e: DerivedExperiment): Experiment {
  const { activityMs: _a, thresholdMinutes: _t, hasLifecycle: _h, ...rest } = e;
  return rest;
}

function stripRun(r: DerivedRun): Run {
  const { activityMs: _a, startedMs: _s, thresholdMinutes: _t, ...rest } = r;
  return rest;
}
