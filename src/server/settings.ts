// Settings, read per database (resource scope) and validated: an absurd value is replaced by its
// default and reported once, never passed on to the engine.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Connection } from 'vscode-languageserver/node';
import { pathToFileURL } from 'node:url';
import { DEFAULT_STALE_MINUTES, type DoctorOptions } from '../core/doctor/options';
import { parseMappingFile, parseMappingSetting } from '../core/profiles/mapping';
import type { ProfileSpec } from '../core/profiles/spec';
import type { NaiveTime } from '../core/doctor/time';

export interface Settings {
  databases: string[];
  staleAfterMinutes: number;
  staleAfterByProfile: Record<string, number>;
  staleAfterByModel: Record<string, number>;
  naiveTimestamps: string;
  debounceMs: number;
  maxRunDiagnosticsPerExperiment: number;
  /** Where cleanups archive rows; empty: `.experiment-health/archive/` beside the database. */
  archiveDirectory: string;
  /** Systems that delete softly (MLflow): remove rows instead. Off unless the user turns it on. */
  hardDelete: boolean;
  /** How Optuna's naive datetime_* columns are read: local (Optuna ≤ 4), UTC (Optuna ≥ 5), or auto (the file's version_info). */
  optunaDatetimes: 'auto' | 'local' | 'utc';
}

export const DEFAULTS: Settings = {
  databases: ['**/*.{sqlite,sqlite3,db,duckdb}'],
  staleAfterMinutes: DEFAULT_STALE_MINUTES,
  staleAfterByProfile: {},
  staleAfterByModel: {},
  naiveTimestamps: 'local',
  debounceMs: 1000,
  maxRunDiagnosticsPerExperiment: 100,
  archiveDirectory: '',
  hardDelete: false,
  optunaDatetimes: 'auto',
};

export interface ResolvedSettings {
  settings: Settings;
  profiles: ProfileSpec[];
  /** One sentence per rejected value or mapping error. */
  problems: string[];
}

const inRange = (v: unknown, min: number, max: number): v is number => typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max;

export function validateSettings(raw: Record<string, unknown> | null | undefined): { settings: Settings; problems: string[] } {
  const r = raw ?? {};
  const problems: string[] = [];
  const pick = <K extends keyof Settings>(key: K, ok: (v: unknown) => boolean): Settings[K] => {
    const v = r[key];
    if (v === undefined || v === null) return DEFAULTS[key];
    if (ok(v)) return v as Settings[K];
    problems.push(`experimentHealth.${key} = ${JSON.stringify(v)} is not valid; using ${JSON.stringify(DEFAULTS[key])}.`);
    return DEFAULTS[key];
  };
  const minutesMap = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((m) => inRange(m, 1, 525_600));
  return {
    settings: {
      databases: pick('databases', (v) => Array.isArray(v) && v.every((x) => typeof x === 'string')),
      staleAfterMinutes: pick('staleAfterMinutes', (v) => inRange(v, 1, 525_600)),
      staleAfterByProfile: pick('staleAfterByProfile', minutesMap),
      staleAfterByModel: pick('staleAfterByModel', minutesMap),
      naiveTimestamps: pick('naiveTimestamps', (v) => typeof v === 'string' && /^(local|utc|[+-]\d{1,2}(:?\d{2})?)$/.test(v)),
      debounceMs: pick('debounceMs', (v) => inRange(v, 100, 60_000)),
      maxRunDiagnosticsPerExperiment: pick('maxRunDiagnosticsPerExperiment', (v) => inRange(v, 0, 100_000)),
      archiveDirectory: pick('archiveDirectory', (v) => typeof v === 'string'),
      hardDelete: pick('hardDelete', (v) => typeof v === 'boolean'),
      optunaDatetimes: pick('optunaDatetimes', (v) => v === 'auto' || v === 'local' || v === 'utc'),
    },
    problems,
  };
}

export function doctorOptionsFrom(s: Settings, now = Date.now()): DoctorOptions {
  const naive = s.naiveTimestamps;
  const m = /^([+-])(\d{1,2})(?::?(\d{2}))?$/.exec(naive);
  const general: NaiveTime = m ? { zone: 'local', utcOffsetMinutes: (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] ?? 0)) }
    : { zone: naive === 'utc' ? 'utc' : 'local' };
  return {
    now,
    staleAfterMinutes: s.staleAfterMinutes,
    staleAfterByProfile: s.staleAfterByProfile,
    staleAfterByModel: s.staleAfterByModel,
    naive: general,
    // Optuna ≥ 5 writes naive UTC; local (≤ 4) follows the general naive-timestamp setting; auto
    // lets the file's version_info decide (core/doctor/doctor.ts profileOptions).
    ...(s.optunaDatetimes !== 'auto' ? { naiveByProfile: { optuna: s.optunaDatetimes === 'utc' ? { zone: 'utc' as const } : general } } : {}),
  };
}

/** Settings for one database, plus mappings from settings and from .vscode/experiment-health.json. */
export async function resolveSettings(connection: Connection, dbPath: string, workspaceFolders: string[]): Promise<ResolvedSettings> {
  let raw: Record<string, unknown> | null = null;
  try {
    raw = await connection.workspace.getConfiguration({ scopeUri: pathToFileURL(dbPath).href, section: 'experimentHealth' });
  } catch { /* client without configuration support: defaults */ }
  const { settings, problems } = validateSettings(raw);
  const fromSetting = parseMappingSetting(raw?.profiles);
  problems.push(...fromSetting.errors);
  const profiles = [...fromSetting.profiles];
  const folder = workspaceFolders.filter((f) => dbPath.startsWith(f + path.sep) || dbPath === f).sort((a, b) => b.length - a.length)[0];
  if (folder) {
    const file = path.join(folder, '.vscode', 'experiment-health.json');
    if (fs.existsSync(file)) {
      const parsed = parseMappingFile(fs.readFileSync(file, 'utf8'), file);
      problems.push(...parsed.errors);
      profiles.unshift(...parsed.profiles);
    }
  }
  return { settings, profiles, problems };
}
