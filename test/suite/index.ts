// Extension-host test entry (the @vscode/test-electron contract: `run()` returns a Promise).
// Loads every out/test/suite/**/*.test.js, prints "N passed, N failed, N skipped" alone on a line,
// writes per-test results to test-results/ext-tests.json (extension console output only reaches the
// browser console under code-server, so the file is the durable record), and rejects on failures.
// `runMochaFiles` is reused by the UI-test runner (test/ui/run.ts), which runs in plain Node.
import * as fs from 'fs';
import * as path from 'path';
import Mocha from 'mocha';

export const repoRoot = path.resolve(__dirname, '../../..'); // out/test/suite -> repo root

export interface TestResult { title: string; state: 'passed' | 'failed' | 'skipped'; durationMs?: number; error?: string }

export function listFiles(dir: string, suffix: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? listFiles(p, suffix) : e.name.endsWith(suffix) ? [p] : [];
  }).sort();
}

/** Runs the given mocha files; resolves with the failure count after writing `resultsFile`. */
export function runMochaFiles(files: string[], resultsFile: string, opts: Mocha.MochaOptions = {}): Promise<number> {
  const mocha = new Mocha({ ui: 'tdd', reporter: 'spec', color: false, timeout: 60_000, ...opts });
  if (process.env.EH_GREP) mocha.grep(process.env.EH_GREP); // run a subset: EH_GREP='smoke'
  files.forEach((f) => mocha.addFile(f));
  const results: TestResult[] = [];
  return new Promise((resolve) => {
    const runner = mocha.run((failures) => {
      const s = runner.stats ?? { passes: 0, failures, pending: 0 };
      // Alone on its own line: CI and test/run-all.sh read it (and a run with 0 tests is suspicious).
      console.log(`${s.passes} passed, ${s.failures} failed, ${s.pending} skipped`);
      fs.mkdirSync(path.dirname(resultsFile), { recursive: true });
      fs.writeFileSync(resultsFile, JSON.stringify({ stats: s, results }, null, 2));
      resolve(failures);
    });
    runner.on('pass', (t) => results.push({ title: t.fullTitle(), state: 'passed', durationMs: t.duration }));
    runner.on('pending', (t) => results.push({ title: t.fullTitle(), state: 'skipped' }));
    runner.on('fail', (t, err: Error) => results.push({ title: t.fullTitle(), state: 'failed', durationMs: t.duration, error: String(err?.stack ?? err) }));
  });
}

/**
 * Suites that change the workspace (copy, delete and open databases, open webviews that keep
 * focus) run after the ones that read it as the demo wrote it.
 */
const RUN_LAST = ['diagnostics', 'panels', 'more-systems', 'responsiveness'];
const order = (f: string) => RUN_LAST.indexOf(path.basename(f, '.test.js'));

export async function run(): Promise<void> {
  const files = listFiles(__dirname, '.test.js').sort((a, b) => order(a) - order(b) || a.localeCompare(b));
  if (files.length === 0) throw new Error(`no *.test.js files under ${__dirname}`);
  const failures = await runMochaFiles(files, path.join(repoRoot, 'test-results/ext-tests.json'));
  if (failures > 0) throw new Error(`${failures} extension-host test(s) failed`);
}
