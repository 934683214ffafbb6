// The engine's request handlers, by method name. Add a handler here (and its types to
// EngineMethods in protocol.ts); each gets its params and a context to reach the databases.
import { engineError } from '../db/errors';
import type { ConsistentResult } from '../db/consistent';
import type { FileDatabase } from '../db/open';
import type { SqlDatabase, SqlValue } from '../db/types';
import type { EngineMethods } from './protocol';

export interface HandlerContext {
  /** The open database for `path` (opened lazily, reopened when the file changed). */
  getDatabase(path: string): FileDatabase;
  closeDatabase(path: string): boolean;
  /** Runs `fn` with torn-read protection (retries while a writer is committing). */
  read<T>(path: string, fn: (db: SqlDatabase) => T): ConsistentResult<T>;
  /**
   * Called by a write right before its COMMIT. False: the caller cancelled first, so roll back.
   * True: from here on a cancel is ignored and the request runs to its report.
   */
  enterCommit(): boolean;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each handler validates its own params
export type Handler = (params: any, ctx: HandlerContext) => unknown;

type P<M extends keyof EngineMethods> = EngineMethods[M]['params'];
type R<M extends keyof EngineMethods> = EngineMethods[M]['result'];

function requirePath(params: unknown): string {
  const p = (params as { path?: unknown } | null)?.path;
  if (typeof p !== 'string' || p === '') throw engineError('bad-request', String(p), 'params.path must be a non-empty string');
  return p;
}

export const handlers: Record<string, Handler> = {
  open(params: P<'open'>, ctx): R<'open'> {
    const db = ctx.getDatabase(requirePath(params));
    return { header: db.header, tables: ctx.read(db.path, (d) => d.tables()).value };
  },

  tables(params: P<'tables'>, ctx): R<'tables'> {
    return ctx.read(requirePath(params), (d) => d.tables()).value;
  },

  query(params: P<'query'>, ctx): R<'query'> {
    const file = requirePath(params);
    if (typeof params.sql !== 'string') throw engineError('bad-request', file, 'params.sql must be a string');
    const args: SqlValue[] = Array.isArray(params.params) ? params.params : [];
    const r = ctx.read(file, (d) => d.all(params.sql, args));
    return r.consistent ? { rows: r.value, consistent: true } : { rows: r.value, consistent: false, message: r.message };
  },

  close(params: P<'close'>, ctx): R<'close'> {
    return { closed: ctx.closeDatabase(requirePath(params)) };
  },
};
