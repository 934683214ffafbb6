// EngineClient: the caller's handle on the engine worker. One request runs at a time; the rest
// wait in order. Cancelling the running request terminates the worker (sql.js cannot be
// interrupted), and the next request starts a fresh worker once the old one has stopped. A write
// that reached its COMMIT cannot be cancelled: the cancel is ignored and its report arrives.
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { EngineError, engineError } from '../db/errors';
import { CONTROL_CANCELLED, CONTROL_COMMITTING, CONTROL_RUNNING, type EngineMethods, type EngineRequest, type EngineResponse } from './protocol';

/** The engine worker's young-generation limit (MB), see ensureWorker. */
const YOUNG_GENERATION_MB = Number(process.env.EH_ENGINE_YOUNG_MB) || 6;

export interface CallOptions { signal?: AbortSignal }

interface Pending {
  req: EngineRequest;
  resolve(v: unknown): void;
  reject(e: EngineError): void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

export class EngineClient {
  private worker: Worker | undefined;
  private readonly queue: Pending[] = [];
  private running: Pending | undefined;
  /** A cancelled worker being stopped: nothing starts until it has (a recovery must not race it). */
  private stopping: Promise<void> | undefined;
  private nextId = 1;
  private disposed = false;
  /** Workers started so far (a cancel costs one); for tests and logs. */
  workersStarted = 0;

  constructor(private readonly workerPath = path.join(__dirname, 'engine-worker.js')) {}

  /** Typed call of a built-in (or merged-in) method. */
  call<M extends keyof EngineMethods>(method: M, params: EngineMethods[M]['params'], opts?: CallOptions): Promise<EngineMethods[M]['result']> {
    return this.request(method, params, opts) as Promise<EngineMethods[M]['result']>;
  }

  /** Untyped call, for handlers registered without EngineMethods types. */
  request<T = unknown>(method: string, params: unknown, opts: CallOptions = {}): Promise<T> {
    if (this.disposed) return Promise.reject(engineError('cancelled', pathOf(params), 'the engine was shut down'));
    if (opts.signal?.aborted) return Promise.reject(engineError('cancelled', pathOf(params)));
    return new Promise<T>((resolve, reject) => {
      const control = new SharedArrayBuffer(4);
      const p: Pending = { req: { id: this.nextId++, method, params, control }, resolve: resolve as (v: unknown) => void, reject, signal: opts.signal };
      if (opts.signal) {
        p.onAbort = () => this.cancel(p);
        opts.signal.addEventListener('abort', p.onAbort, { once: true });
      }
      this.queue.push(p);
      this.pump();
    });
  }

  /** Rejects everything outstanding and stops the worker. */
  async dispose(): Promise<void> {
    this.disposed = true;
    for (const p of [...this.queue, ...(this.running ? [this.running] : [])]) this.settle(p, engineError('cancelled', pathOf(p.req.params), 'the engine was shut down'));
    this.queue.length = 0;
    this.running = undefined;
    const w = this.worker;
    this.worker = undefined;
    if (w) await w.terminate();
  }

  private cancel(p: Pending): void {
    const i = this.queue.indexOf(p);
    if (i >= 0) {
      this.queue.splice(i, 1);
    } else if (this.running === p) {
      const control = new Int32Array(p.req.control!);
      if (Atomics.compareExchange(control, 0, CONTROL_RUNNING, CONTROL_CANCELLED) === CONTROL_COMMITTING) return; // committed: let it report
      this.running = undefined;
      const w = this.worker;
      this.worker = undefined; // the next request starts a new one
      if (w) {
        this.stopping = w.terminate().then(() => undefined, () => undefined).finally(() => { this.stopping = undefined; this.pump(); });
      }
    } else return;
    this.settle(p, engineError('cancelled', pathOf(p.req.params)));
    this.pump();
  }

  private pump(): void {
    if (this.running || this.disposed || this.stopping) return;
    const p = this.queue.shift();
    if (!p) { this.worker?.unref(); return; }
    this.running = p;
    const w = this.ensureWorker();
    w.ref(); // keep the process alive while work is outstanding
    w.postMessage(p.req);
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    // A small young generation: scans make short-lived rows by the million, and V8's default
    // (16 MB semi-spaces) would hold tens of MB of RSS for them (measured: peak 199 → ~150 MB).
    const w = new Worker(this.workerPath, { resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } });
    this.workersStarted++;
    w.on('message', (res: EngineResponse) => {
      if (w !== this.worker) return;
      const p = this.running;
      if (!p || p.req.id !== res.id) return;
      this.running = undefined;
      if (res.ok) this.settle(p, undefined, res.result);
      else this.settle(p, EngineError.fromJSON(res.error));
      this.pump();
    });
    const crashed = (why: string): void => {
      if (w !== this.worker) return; // terminated on purpose
      this.worker = undefined;
      const p = this.running;
      this.running = undefined;
      if (p) this.settle(p, engineError('internal', pathOf(p.req.params), why));
      this.pump();
    };
    w.on('error', (e) => crashed(`engine worker error: ${e.message}`));
    w.on('exit', (code) => crashed(`engine worker exited with code ${code}`));
    this.worker = w;
    return w;
  }

  private settle(p: Pending, err: EngineError | undefined, value?: unknown): void {
    if (p.onAbort) p.signal?.removeEventListener('abort', p.onAbort);
    if (err) p.reject(err); else p.resolve(value);
  }
}

function pathOf(params: unknown): string {
  const p = (params as { path?: unknown } | null)?.path;
  return typeof p === 'string' ? p : 'the database';
}
