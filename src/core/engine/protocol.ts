// Messages between EngineClient and the engine worker, and the typed methods they carry.
// Extend EngineMethods (declaration merging) when adding handlers, to get typed client calls.
import type { SerializedEngineError } from '../db/errors';
import type { HeaderInfo, SqlValue } from '../db/types';

export interface EngineRequest { id: number; method: string; params: unknown }

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
