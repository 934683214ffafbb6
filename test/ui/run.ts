// UI-test runner (plain Node): runs every out/test/ui/**/*.ui.js with mocha, prints
// "N passed, N failed, N skipped" alone on a line, writes test-results/ui-tests.json and
// screenshots to test-results/ui/, and exits non-zero on failure. EH_GREP=<text> runs a subset.
import * as fs from 'fs';
import * as path from 'path';
import { listFiles, runMochaFiles } from '../suite/index';
import { openWorkbenches, repoRoot, screenshotDir } from './driver';

async function main(): Promise<number> {
  const files = listFiles(__dirname, '.ui.js');
  if (files.length === 0) throw new Error(`no *.ui.js files under ${__dirname}`);
  fs.rmSync(screenshotDir, { recursive: true, force: true });
  fs.mkdirSync(screenshotDir, { recursive: true });
  // Each journey starts its own code-server and browser: generous timeouts, no retries.
  return runMochaFiles(files, path.join(repoRoot, 'test-results/ui-tests.json'), { timeout: 120_000,
    rootHooks: { async afterEach(this: Mocha.Context) {  // a picture of every open workbench on failure
      if (this.currentTest?.state !== 'failed') return;
      const name = `FAILED-${this.currentTest.fullTitle().replace(/[^\w-]+/g, '_').slice(0, 80)}`;
      let i = 0;
      for (const wb of openWorkbenches) await wb.screenshot(`${name}-${i++}`).catch(() => undefined);
    } } });
}

main().then((failures) => process.exit(failures > 0 ? 1 : 0), (e) => { console.error(e); process.exit(2); });
