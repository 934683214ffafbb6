// worker_threads entry (bundled as engine-worker.js): runs handlers off the caller's event loop.
// Requests are answered in order; the client terminates this thread to cancel one.
import { parentPort } from 'node:worker_threads';
import { EngineError, engineError } from '../db/errors';
import { loadSqlJs, loadedSqlJs } from '../db/sqljs';
import { handlers, type HandlerContext } from './handlers';
import './doctor-handlers'; // registers the doctor's methods in `handlers`
import './cleanup-handlers'; // and the cleanup's
import { DatabasePool } from './pool';
import { CONTROL_CANCELLED, CONTROL_COMMITTING, CONTROL_RUNNING, type EngineRequest, type EngineResponse } from './protocol';

const port = parentPort;
if (!port) throw new Error('engine-worker.js must run in a worker thread');

const ready = loadSqlJs();
const pool = new DatabasePool(() => loadedSqlJs()!);
const contextFor = (req: EngineRequest): HandlerContext => ({
  getDatabase: (p) => pool.get(p),
  closeDatabase: (p) => pool.close(p),
  read: (p, fn) => pool.read(p, fn),
  enterCommit: () => !req.control
    || Atomics.compareExchange(new Int32Array(req.control), 0, CONTROL_RUNNING, CONTROL_COMMITTING) !== CONTROL_CANCELLED,
});

let chain: Promise<void> = Promise.resolve();
port.on('message', (req: EngineRequest) => {
  chain = chain.then(() => handle(req)); // one at a time, in arrival order
});

async function handle(req: EngineRequest): Promise<void> {
  let res: EngineResponse;
  try {
    await ready;
    const handler = Object.prototype.hasOwnProperty.call(handlers, req.method) ? handlers[req.method] : undefined;
    if (!handler) throw engineError('bad-request', String((req.params as { path?: unknown })?.path ?? ''), `unknown method '${req.method}'`);
    res = { id: req.id, ok: true, result: await handler(req.params, contextFor(req)) };
  } catch (e) {
    const err = e instanceof EngineError ? e
      : engineError('internal', String((req.params as { path?: unknown })?.path ?? ''), e instanceof Error ? e.message : String(e));
    res = { id: req.id, ok: false, error: err.toJSON() };
  }
  port!.postMessage(res);
}
