import * as vscode from 'vscode';

/** The "Experiment Health" log: what was done, with timings. Shared by client and server output. */
export const log: vscode.LogOutputChannel = vscode.window.createOutputChannel('Experiment Health', { log: true });

/** Runs `work`, logging how long it took under `what`. */
export async function timed<T>(what: string, work: () => Promise<T>): Promise<T> {
  const t0 = Date.now();
  try {
    const result = await work();
    log.info(`${what} (${Date.now() - t0} ms)`);
    return result;
  } catch (e) {
    log.error(`${what} failed after ${Date.now() - t0} ms: ${e instanceof Error ? e.message : String(e)}`);
    throw e;
  }
}
