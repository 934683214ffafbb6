// Test worker: the real engine worker plus one method that behaves like a write: busy before its
// commit point, then past it (sql.js blocks its thread the same way).
import { engineError } from '../../src/core/db/errors';
import { handlers, type HandlerContext } from '../../src/core/engine/handlers';
import '../../src/core/engine/worker';

const busy = (ms: number) => { const end = Date.now() + ms; while (Date.now() < end) { /* blocks like a long statement */ } };

handlers.fakeWrite = (p: { beforeMs: number; afterMs: number }, ctx: HandlerContext) => {
  busy(p.beforeMs);
  if (!ctx.enterCommit()) throw engineError('cancelled', '', 'rolled back at the commit point');
  busy(p.afterMs);
  return { committed: true };
};
