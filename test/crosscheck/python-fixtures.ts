// Cross-check (not part of npm test: it needs ../shared): generates the Python fixtures for a few
// seeds, both panic-tda variants, with and without --tz-skew, runs our doctor on each database and
// compares its findings with the generator's expected_findings.json. Prints a line per check and
// exits non-zero on any difference.
//   node out/test/crosscheck/python-fixtures.js [--seeds 1234,7] [--keep DIR]
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkEgregora, checkPanic, checkRecipe, checkZe, normal } from './compare';

const GENERATOR = path.resolve(__dirname, '../../../../shared/fixtures/gen_fixtures.py');
let failures = 0, passes = 0;

function check(name: string, got: unknown, want: unknown): void {
  const g = JSON.stringify(normal(got)), w = JSON.stringify(normal(want));
  if (g === w) { passes++; console.log(`ok    ${name}`); return; }
  failures++;
  console.log(`DIFF  ${name}\n      got  ${g.slice(0, 600)}\n      want ${w.slice(0, 600)}`);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const seeds = (args[args.indexOf('--seeds') + 1] && args.includes('--seeds') ? args[args.indexOf('--seeds') + 1] : '1234,7,99').split(',');
  if (!fs.existsSync(GENERATOR)) { console.log(`skipped: ${GENERATOR} not found (needs ../shared)`); return; }
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'eh-crosscheck-'));
  for (const seed of seeds) {
    for (const variant of ['create_all', 'migrated']) {
      for (const skew of [false, true]) {
        const dir = path.join(root, `${seed}-${variant}${skew ? '-skew' : ''}`);
        execFileSync('python3', [GENERATOR, dir, '--scale', 'small', '--seed', seed, '--panic-variant', variant, ...(skew ? ['--tz-skew'] : [])], { stdio: 'ignore' });
        const tag = `[seed ${seed} ${variant}${skew ? ' tz-skew' : ''}]`;
        try { await checkPanic(dir, tag, check); } catch (e) { failures++; console.log(`FAIL  ${tag} A: ${(e as Error).message}`); }
        if (variant === 'create_all') { await checkZe(dir, tag, check); await checkRecipe(dir, tag, check); await checkEgregora(dir, tag, check); }
      }
    }
  }
  if (!args.includes('--keep')) fs.rmSync(root, { recursive: true, force: true });
  console.log(`${passes} passed, ${failures} failed`);
  process.exitCode = failures ? 1 : 0;
}

void main();
