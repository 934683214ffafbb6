// Shared CLI option parsing: doctor options and user mappings, with one clear error per mistake.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { defaultOptions, type DoctorOptions } from '../core/doctor/options';
import { parseMappingFile } from '../core/profiles/mapping';
import type { ProfileSpec } from '../core/profiles/spec';

export class UsageError extends Error {}

export function doctorOptions(v: Record<string, string | boolean | string[] | undefined>): DoctorOptions {
  const options = defaultOptions();
  if (typeof v.now === 'string') options.now = parseNow(v.now);
  if (typeof v['stale-after'] === 'string') {
    const m = /^\d+(\.\d+)?$/.test(v['stale-after']) ? Number(v['stale-after']) : NaN;
    if (!(m >= 1 && m <= 525_600)) throw new UsageError(`--stale-after ${v['stale-after']} must be a number of minutes between 1 and 525600.`);
    options.staleAfterMinutes = m;
  }
  if (typeof v['naive-timestamps'] === 'string') options.naive = parseNaive(v['naive-timestamps']);
  if (typeof v.profile === 'string') options.profile = v.profile;
  const optuna = v['optuna-datetimes'];
  if (typeof optuna === 'string') {
    if (optuna !== 'auto' && optuna !== 'local' && optuna !== 'utc') {
      throw new UsageError(`--optuna-datetimes ${optuna} must be auto (the file's version_info), local (Optuna <= 4) or utc (Optuna >= 5).`);
    }
    if (optuna !== 'auto') options.naiveByProfile = { optuna: optuna === 'utc' ? { zone: 'utc' } : options.naive };
  }
  return options;
}

/**
 * An ISO date-time, with or without a time and zone (a zone-less time is local, as in JavaScript).
 * Anything else — "1", "Nov 20 2025", February 30 — is refused rather than guessed.
 */
export function parseNow(s: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/.exec(s);
  const t = m ? Date.parse(s.replace(' ', 'T')) : NaN;
  const day = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : undefined;
  const realDate = !!day && day.getUTCDate() === Number(m![3]) && day.getUTCMonth() === Number(m![2]) - 1;
  const realTime = !m?.[4] || (Number(m[4]) < 24 && Number(m[5]) < 60 && Number(m[6] ?? 0) < 60);
  if (Number.isNaN(t) || !realDate || !realTime) throw new UsageError(`--now ${s} is not an ISO date-time (e.g. 2025-11-20T12:00:00Z).`);
  return t;
}

/** 'local', 'utc', or a fixed offset such as '+10:00' (the writer's zone when it is not ours). */
export function parseNaive(s: string): DoctorOptions['naive'] {
  if (s === 'local' || s === 'utc') return { zone: s };
  const m = /^([+-])(\d{1,2})(?::?(\d{2}))?$/.exec(s);
  if (!m || Number(m[2]) > 14 || Number(m[3] ?? 0) >= 60) throw new UsageError(`--naive-timestamps ${s} must be local, utc or an offset like +10:00 (at most ±14:00).`);
  const minutes = (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] ?? 0));
  return { zone: 'local', utcOffsetMinutes: minutes };
}

/** The mapping file given with --mapping, else .vscode/experiment-health.json under the cwd. */
export function userProfiles(mapping: string | undefined): ProfileSpec[] {
  const file = mapping ?? path.join(process.cwd(), '.vscode', 'experiment-health.json');
  if (!fs.existsSync(file)) {
    if (mapping) throw new UsageError(`--mapping ${mapping} does not exist.`);
    return [];
  }
  const parsed = parseMappingFile(fs.readFileSync(file, 'utf8'), file);
  if (parsed.errors.length) throw new UsageError(parsed.errors.join('\n'));
  return parsed.profiles;
}
