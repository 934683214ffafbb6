// Shared CLI option parsing: doctor options and user mappings, with one clear error per mistake.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { defaultOptions, type DoctorOptions } from '../core/doctor/options';
import { parseMappingFile } from '../core/profiles/mapping';
import type { ProfileSpec } from '../core/profiles/spec';

export class UsageError extends Error {}

export function doctorOptions(v: Record<string, string | boolean | string[] | undefined>): DoctorOptions {
  const options = defaultOptions();
  if (typeof v.now === 'string') {
    const t = Date.parse(v.now);
    if (Number.isNaN(t)) throw new UsageError(`--now ${v.now} is not an ISO date-time (e.g. 2025-11-20T12:00:00Z).`);
    options.now = t;
  }
  if (typeof v['stale-after'] === 'string') {
    const m = Number(v['stale-after']);
    if (!Number.isFinite(m) || m <= 0 || m > 525_600) throw new UsageError(`--stale-after ${v['stale-after']} must be a number of minutes between 1 and 525600.`);
    options.staleAfterMinutes = m;
  }
  if (typeof v['naive-timestamps'] === 'string') options.naive = parseNaive(v['naive-timestamps']);
  if (typeof v.profile === 'string') options.profile = v.profile;
  const optuna = v['optuna-datetimes'];
  if (typeof optuna === 'string') {
    if (optuna !== 'local' && optuna !== 'utc') throw new UsageError(`--optuna-datetimes ${optuna} must be local (Optuna <= 4) or utc (Optuna >= 5).`);
    if (optuna === 'utc') options.naiveByProfile = { optuna: { zone: 'utc' } };
  }
  return options;
}

/** 'local', 'utc', or a fixed offset such as '+10:00' (the writer's zone when it is not ours). */
export function parseNaive(s: string): DoctorOptions['naive'] {
  if (s === 'local' || s === 'utc') return { zone: s };
  const m = /^([+-])(\d{1,2})(?::?(\d{2}))?$/.exec(s);
  if (!m) throw new UsageError(`--naive-timestamps ${s} must be local, utc or an offset like +10:00.`);
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
