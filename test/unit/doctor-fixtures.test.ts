// The doctor against the project's TypeScript-built fixtures: every finding the builders'
// bookkeeping expects, none invented (the same comparison the Python crosscheck uses).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { checkEgregora, checkPanic, checkRecipe, checkZe, normal, type Check } from '../crosscheck/compare';
import { buildEgregora } from '../fixtures/systems/egregora';
import { buildPanicTda } from '../fixtures/systems/panic-tda';
import { buildRecipeRunner } from '../fixtures/systems/recipe-runner';
import { buildZeBenchmarks } from '../fixtures/systems/ze-benchmarks';

const now = new Date('2025-11-20T12:00:00Z');
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'eh-doctor-'));

/** Collects every difference, so one failing assertion lists them all. */
function collector(): { check: Check; assertClean(): void; count(): number } {
  const diffs: string[] = [];
  let n = 0;
  return {
    check: (name, got, want) => {
      n++;
      const g = JSON.stringify(normal(got)), w = JSON.stringify(normal(want));
      if (g !== w) diffs.push(`${name}\n  got  ${g.slice(0, 400)}\n  want ${w.slice(0, 400)}`);
    },
    assertClean: () => assert.deepEqual(diffs, []),
    count: () => n,
  };
}

for (const variant of ['create_all', 'migrated'] as const) {
  for (const tzOffsetMinutes of [0, 600]) {
    test(`panic-tda ${variant}${tzOffsetMinutes ? ' written at UTC+10' : ''}: findings match the builder`, async () => {
      const dir = tmp();
      (await buildPanicTda({ now, variant, tzOffsetMinutes })).write(dir);
      const c = collector();
      await checkPanic(dir, variant, c.check);
      assert.ok(c.count() >= 15, 'the comparison ran');
      c.assertClean();
    });
  }
}

for (const [name, build, check] of [
  ['ze-benchmarks', buildZeBenchmarks, checkZe],
  ['recipe-runner', buildRecipeRunner, checkRecipe],
  ['egregora', buildEgregora, checkEgregora],
] as const) {
  for (const seed of [1234, 7]) {
    test(`${name} seed ${seed}: findings match the builder`, async () => {
      const dir = tmp();
      (await build({ now, seed })).write(dir);
      const c = collector();
      await check(dir, name, c.check);
      assert.ok(c.count() >= 5, 'the comparison ran');
      c.assertClean();
    });
  }
}
