// Messages between EngineClient and the engine worker, and the typed methods they carry.
// Extend EngineMethods (declaration merging) when adding handlers, to get typed client calls.
import type { SerializedEngineError } from '../db/errors';
import type { HeaderInfo, SqlValue } from '../db/types';

/**
 * `control`: one Int32 shared with the client, CONTROL_RUNNING until either side moves it. The
 * client's cancel sets CONTROL_CANCELLED; a write about to commit sets CONTROL_COMMITTING. Whoever
 * moves it first wins, so a write is either cancelled before its COMMIT or runs to the end.
 */
export interface EngineRequest { id: number; method: string; params: unknown; control?: SharedArrayBuffer }

export const CONTROL_RUNNING = 0;
export const CONTROL_CANCELLED = 1;
export const CONTROL_COMMITTING = 2;

export type EngineResponse =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: SerializedEngineError };

export interface OpenResult { header: HeaderInfo; tables: string[] }

export interface QueryResult {
  rows: Record<string, SqlValue>[];
  /** False when a writer kept changing the file: rows are the last result, maybe torn. */
  consistent: boolean;
  message?: string;
}

export interface EngineMethods {
  open: { params: { path: string }; result: OpenResult };
  tables: { params: { path: string }; result: string[] };
  query: { params: { path: string; sql: string; params?: SqlValue[] }; result: QueryResult };
  close: { params: { path: string }; result: { closed: boolean } };
}
