// Engine methods of the doctor: evaluate a database (keeping what it learned for the next,
// incremental evaluation), page through its runs, and describe one run. They run in the engine
// worker, next to the open databases.
import { fingerprint } from '../db/consistent';
import type { HeaderInfo } from '../db/types';
import { runDetails, type RunDetails } from '../doctor/details';
import { runDoctor, type DoctorResult, type DoctorState } from '../doctor/doctor';
import type { DoctorOptions } from '../doctor/options';
import { detectProfile, describeSchema } from '../profiles/registry';
import type { ProfileSpec } from '../profiles/spec';
import { handlers, type HandlerContext } from './handlers';

export interface DoctorParams { path: string; options: DoctorOptions; profiles?: ProfileSpec[] }
export interface DoctorResponse {
  result: DoctorResult;
  header: HeaderInfo;
  /** False when a writer kept committing during the read: the result is the last one we got. */
  consistent: boolean;
  message?: string;
  /** Milliseconds spent, and whether cached data was reused. */
  elapsedMs: number;
  reused: boolean;
}

export interface RunDetailsParams { path: string; runId: string; profile?: string; profiles?: ProfileSpec[] }

declare module './protocol' {
  interface EngineMethods {
    doctor: { params: DoctorParams; result: DoctorResponse };
    runDetails: { params: RunDetailsParams; result: RunDetails | null };
  }
}

/** Per database: what the last evaluation learned, keyed by the file version it saw. */
const states = new Map<string, DoctorState>();

function doctor(params: DoctorParams, ctx: HandlerContext): DoctorResponse {
  const t0 = Date.now();
  const db = ctx.getDatabase(params.path);
  const previous = states.get(db.path);
  // The file's version (change counter, sizes, times) lets an unchanged file skip every scan.
  const read = ctx.read(db.path, (d) => runDoctor(d, params.options, params.profiles ?? [], previous, fingerprint(db.path)));
  if (read.value.state) states.set(db.path, read.value.state);
  const response: DoctorResponse = {
    result: read.value.result, header: db.header, consistent: read.consistent,
    elapsedMs: Date.now() - t0, reused: !!previous,
  };
  if (!read.consistent && read.message) response.message = read.message;
  return response;
}

function details(params: RunDetailsParams, ctx: HandlerContext): RunDetails | null {
  return ctx.read(params.path, (d) => {
    const profile = detectProfile(describeSchema(d), params.profiles ?? [], params.profile);
    return profile ? runDetails(d, profile, params.runId) ?? null : null;
  }).value;
}

Object.assign(handlers, {
  doctor,
  runDetails: details,
  forget: (params: { path: string }) => ({ forgotten: states.delete(params.path) }),
});
