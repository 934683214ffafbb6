// DuckDbEngine: the server's handle on the DuckDB reader, a worker (dist/duckdb-worker.js) that
// is started on the first call for a .duckdb file and terminated after `idleMs` without calls,
// which is the only way to give back duckdb-wasm's memory (WebAssembly memory never shrinks).
// Every call has a watchdog (a hung read terminates the worker); a crashed or trapped worker is
// replaced and the call retried once. Same call shapes as EngineClient:
//   engine.call('doctor', { path, options, profiles }) → DoctorResponse
//   engine.call('runDetails' | 'query' | 'open' | 'close' | 'plan' | 'memory', …)
import * as path from 'node:path';
import { EngineError } from '../db/errors';
import { EngineClient, type CallOptions } from '../engine/client';
import type { EngineMethods } from '../engine/protocol';
export type { DoctorParams, DoctorResponse } from '../engine/doctor-handlers'; // brings doctor/runDetails into EngineMethods
import type { CleanupPlan } from '../cleanup/types';
import type { DuckPlanParams } from './refusal';

/** Files the DuckDB engine reads (by extension). */
export function isDuckDbPath(file: string): boolean {
  return /\.(duckdb|ddb)$/i.test(file);
}

export interface DuckDbEngineOptions {
  workerPath?: string;
  /** Terminate the worker after this long without calls (default 60 s). */
  idleMs?: number;
  /** Longest a single call may take before the worker is terminated (default 120 s). */
  timeoutMs?: number;
}

type Methods = EngineMethods & {
  plan: { params: DuckPlanParams; result: CleanupPlan };
  memory: { params: Record<string, never>; result: NodeJS.MemoryUsage & { instances: number } };
};

export class DuckDbEngine {
  private client: EngineClient | undefined;
  private idle: NodeJS.Timeout | undefined;
  private pending = 0;
  private disposed = false;
  /** Workers started so far (tests, log). */
  workersStarted = 0;
  readonly workerPath: string;

  constructor(private readonly opts: DuckDbEngineOptions = {}) {
    this.workerPath = opts.workerPath ?? path.join(__dirname, 'duckdb-worker.js');
  }

  /** True while a worker (and its WebAssembly memory) exists. */
  get running(): boolean { return !!this.client; }

  async call<M extends keyof Methods>(method: M, params: Methods[M]['params'], opts: CallOptions = {}): Promise<Methods[M]['result']> {
    if (this.disposed) throw new EngineError('cancelled', 'The DuckDB reader was shut down.');
    if (method === 'close' && !this.client) return { closed: false } as Methods[M]['result'];
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.once(method, params, opts);
      } catch (e) {
        // A worker that crashed (wasm trap, out of memory) is replaced; the read is retried once.
        if (attempt === 1 && e instanceof EngineError && e.code === 'internal' && /worker (error|exited)/.test(e.message + (e.detail ?? ''))) continue;
        throw e;
      }
    }
  }

  private async once<M extends keyof Methods>(method: M, params: Methods[M]['params'], opts: CallOptions): Promise<Methods[M]['result']> {
    clearTimeout(this.idle);
    this.pending++;
    const client = this.client ??= (this.workersStarted++, new EngineClient(this.workerPath));
    const watchdog = new AbortController();
    const timer = setTimeout(() => watchdog.abort(), this.opts.timeoutMs ?? 120_000);
    const onAbort = () => watchdog.abort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      return await client.request<Methods[M]['result']>(method, params, { signal: watchdog.signal });
    } catch (e) {
      if (e instanceof EngineError && e.code === 'cancelled' && !opts.signal?.aborted && watchdog.signal.aborted) {
        if (this.client === client) this.client = undefined; // the hung worker is gone
        void client.dispose();
        throw new EngineError('io', `The DuckDB reader did not answer within ${Math.round((this.opts.timeoutMs ?? 120_000) / 1000)} s and was restarted; try again.`, String((params as { path?: unknown }).path ?? ''));
      }
      if (e instanceof EngineError && e.code === 'internal' && this.client === client) { this.client = undefined; void client.dispose(); }
      throw e;
    } finally {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      if (--this.pending === 0) this.armIdle();
    }
  }

  private armIdle(): void {
    clearTimeout(this.idle);
    this.idle = setTimeout(() => { void this.stopWorker(); }, this.opts.idleMs ?? 60_000);
    this.idle.unref();
  }

  /** Terminates the worker now (its memory is returned); the next call starts a new one. */
  async stopWorker(): Promise<void> {
    clearTimeout(this.idle);
    const c = this.client;
    this.client = undefined;
    if (c) await c.dispose();
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    await this.stopWorker();
  }
}
