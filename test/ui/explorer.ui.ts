// Journey: the run explorer in the real workbench. Screenshots (test-results/ui/):
//   explorer-01-e2-expanded   panic-tda's experiment E2 expanded, its incomplete runs visible
//   explorer-02-filtered      the state filter "incomplete" applied (view description shows it)
//   explorer-03-error         a database that cannot be read: one error item with the engine's sentence
//   explorer-04-welcome       a workspace without databases: the welcome view
// It also measures, in the real UI, the time from clicking an experiment to its first run row on
// screen, and prints it ("[explorer-ui] …").
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { demoWorkspace, openWorkbench, repoRoot, startCodeServer, type CodeServer, type Workbench } from './driver';
import { expectRunsView } from './steps';

const ROW = '.part.sidebar .monaco-list-row';

function copyDir(from: string, to: string): void {
  fs.mkdirSync(to, { recursive: true });
  for (const e of fs.readdirSync(from, { withFileTypes: true })) {
    const a = path.join(from, e.name); const b = path.join(to, e.name);
    if (e.isDirectory()) copyDir(a, b); else fs.copyFileSync(a, b);
  }
}

suite('UI: run explorer', () => {
  let server: CodeServer;
  let wb: Workbench | undefined;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'eh-explorer-ui-'));

  suiteSetup(async () => { server = await startCodeServer(); });
  suiteTeardown(async () => { await wb?.close(); server?.kill(); fs.rmSync(tmp, { recursive: true, force: true }); });

  async function open(folder: string): Promise<Workbench> {
    await wb?.close();
    wb = await openWorkbench(server, { folder, extensionDevelopmentPath: repoRoot });
    await expectRunsView(wb);
    // a wider side bar, so labels and descriptions are readable in the screenshots
    const box = await wb.page.locator('.part.sidebar').boundingBox();
    if (box) {
      await wb.page.mouse.move(box.x + box.width + 2, box.y + box.height / 2);
      await wb.page.mouse.down();
      await wb.page.mouse.move(box.x + 620, box.y + box.height / 2, { steps: 5 });
      await wb.page.mouse.up();
    }
    return wb;
  }

  test('panic-tda: E2 expanded shows its incomplete runs', async function () {
    this.timeout(300_000);
    const ws = path.join(tmp, 'demo');
    copyDir(demoWorkspace, ws);
    const w = await open(ws);
    const panic = w.page.locator(ROW, { hasText: /trajectory_data\.sqlite\s*panic-tda/ }).first();
    await panic.waitFor({ timeout: 120_000 }); // discovery + first read of the databases
    // collapse the other databases (all rows at level 1 but panic-tda) so E2's runs fit on screen
    for (let i = 0; i < 20; i++) {
      const other = w.page.locator(`${ROW}[aria-level="1"][aria-expanded="true"]`).filter({ hasNotText: 'trajectory_data' }).first();
      if (await other.count() === 0) break;
      await other.locator('.monaco-tl-twistie').click();
      await w.page.waitForTimeout(200);
    }
    if (await panic.getAttribute('aria-expanded') !== 'true') await panic.locator('.monaco-tl-twistie').click();
    const e2 = w.page.locator(ROW, { hasText: '11 runs · 7 incomplete' }).first();
    await e2.waitFor({ timeout: 30_000 });
    const t0 = Date.now();
    await e2.click();
    const firstRun = w.page.locator(ROW, { hasText: /\d+\/1000 · stopped .* ago · unknown/ }).first();
    await firstRun.waitFor({ timeout: 10_000 });
    const ms = Date.now() - t0;
    console.log(`[explorer-ui] E2 (11 runs): click → first run row on screen in ${ms} ms`);
    const rows = await w.page.locator(ROW).allInnerTexts();
    assert.ok(rows.filter((r) => /· unknown/.test(r)).length >= 5, rows.join('\n'));
    // The tooltip is resolved on hover (resolveTreeItem), with the run's key columns. The pointer
    // can cross other rows on its way and leave their hover up: clear it and try again.
    const anyHover = w.page.locator('.monaco-hover:visible, .workbench-hover:visible');
    const hover = w.page.locator('.monaco-hover, .workbench-hover', { hasText: /Run .* — incomplete/ }).first();
    for (let attempt = 1; ; attempt++) {
      await w.page.mouse.move(1000, 600); // over the editor area: no tree hover stays up
      await w.page.waitForFunction(() => !Array.from(document.querySelectorAll('.monaco-hover, .workbench-hover'))
        .some((h) => (h as HTMLElement).offsetParent !== null), undefined, { timeout: 10_000 }).catch(() => undefined);
      await firstRun.hover();
      try { await hover.waitFor({ timeout: 8_000 }); break; } catch (e) {
        if (attempt >= 3) throw new Error(`no run tooltip; hovers shown: ${(await anyHover.allInnerTexts()).join(' | ') || 'none'} (${e instanceof Error ? e.message.split('\n')[0] : e})`);
      }
    }
    assert.match(await hover.innerText(), /configuration/);
    await w.page.mouse.move(700, 500); // no hover tooltip over the tree
    await w.screenshot('explorer-01-e2-expanded');
  });

  test('filter by state: "incomplete" only, shown in the view description', async () => {
    const w = wb!;
    // (Workbench.runCommand waits for the palette to close; this command opens a quick pick instead)
    const pick = w.page.locator('.quick-input-widget');
    await w.page.keyboard.press('F1');
    await pick.locator('input').first().fill('>Experiment Health: Filter Runs by State');
    await pick.locator('.quick-input-list .monaco-list-row', { hasText: 'Filter Runs by State' }).first().waitFor();
    await pick.locator('input').first().press('Enter');
    await pick.locator('input[placeholder^="Pick states"]').waitFor();
    const row = pick.locator('.quick-input-list .monaco-list-row', { hasText: /^incomplete/ }).first();
    await row.waitFor({ state: 'visible' });
    await row.locator('input[type=checkbox], .quick-input-list-checkbox, .monaco-checkbox').first().click();
    await pick.locator('input.input, .quick-input-box input').first().press('Enter');
    await pick.waitFor({ state: 'hidden' });
    await w.page.locator('.part.sidebar', { hasText: 'incomplete' }).first().waitFor();
    // runs.sqlite (egregora) and llmcore.db (recipe-runner) have no incomplete runs: hidden
    await w.page.waitForFunction(() => !Array.from(document.querySelectorAll('.part.sidebar .monaco-list-row')).some((r) => /llmcore\.db/.test((r as HTMLElement).innerText)));
    const rows = await w.page.locator(ROW).allInnerTexts();
    assert.ok(rows.some((r) => /trajectory_data\.sqlite/.test(r)), rows.join('\n'));
    assert.ok(!rows.some((r) => /runs\.sqlite/.test(r)), rows.join('\n'));
    const header = await w.page.locator('.part.sidebar .composite.title, .part.sidebar .pane-header').allInnerTexts();
    assert.ok(header.some((h) => /incomplete/.test(h)), `view description: ${header.join(' | ')}`);
    await w.page.mouse.move(700, 500);
    await w.screenshot('explorer-02-filtered');
    await w.runCommand('Experiment Health: Clear Filter');
  });

  test('a database that cannot be read: one error item with the sentence and Show Log', async function () {
    this.timeout(200_000);
    const ws = path.join(tmp, 'broken');
    fs.mkdirSync(ws, { recursive: true });
    fs.writeFileSync(path.join(ws, 'results.db'), Buffer.from('SQLite format 3\0'.padEnd(4096, 'x')));
    const w = await open(ws);
    const item = w.page.locator(ROW, { hasText: 'results.db' }).first();
    await item.waitFor({ timeout: 60_000 });
    await w.page.waitForFunction(() => !/reading…/.test((document.querySelector('.part.sidebar') as HTMLElement).innerText), undefined, { timeout: 60_000 });
    const text = await item.innerText();
    assert.ok(text.length > 'results.db'.length + 10, `the error item says why: ${text}`);
    await item.hover(); // inline Show Log action appears on hover
    await w.screenshot('explorer-03-error');
  });

  test('no databases: the welcome view offers Open Database… and the mapping guide', async () => {
    const ws = path.join(tmp, 'empty');
    fs.mkdirSync(ws, { recursive: true });
    fs.writeFileSync(path.join(ws, 'README.md'), '# nothing here\n');
    const w = await open(ws);
    const welcome = w.page.locator('.part.sidebar .welcome-view-content');
    await welcome.waitFor({ timeout: 30_000 });
    const text = await welcome.innerText();
    assert.match(text, /Open Database/);
    assert.match(text, /mapping/i);
    await w.screenshot('explorer-04-welcome');
  });

  // EH_TREE_PERF_WS=<folder with big databases>: click each experiment, time until its first run row
  // is on screen (the issue's ≤ 300 ms goal, measured in the real workbench). Printed, not asserted.
  if (process.env.EH_TREE_PERF_WS) {
    test('performance: click → first page on screen, big experiments', async function () {
      this.timeout(900_000);
      const w = await open(process.env.EH_TREE_PERF_WS!);
      const exps = w.page.locator(ROW, { hasText: / runs · / });
      await exps.first().waitFor({ timeout: 600_000 });
      const n = await exps.count();
      const lines: string[] = [];
      for (let i = 0; i < n; i++) {
        for (let round = 1; round <= 3; round++) {
          const row = w.page.locator(ROW, { hasText: / runs · / }).nth(i);
          const label = (await row.innerText()).replace(/\s+/g, ' ');
          if (await row.getAttribute('aria-expanded') === 'true') await row.locator('.monaco-tl-twistie').click();
          await w.runCommand('Experiment Health: Refresh'); // forget loaded pages: the next expand asks the server
          await w.page.waitForTimeout(Number(process.env.EH_TREE_PERF_SETTLE_MS ?? 3000)); // the refresh's own work settles
          const again = w.page.locator(ROW, { hasText: label.split(' ')[0] }).first();
          const level = Number(await again.getAttribute('aria-level'));
          const t0 = Date.now();
          await again.click();
          await w.page.locator(`${ROW}[aria-level="${level + 1}"]`).first().waitFor({ timeout: 30_000 });
          lines.push(`${label}: click → first run row ${Date.now() - t0} ms (round ${round})`);
          await w.page.locator(ROW, { hasText: label.split(' ')[0] }).first().locator('.monaco-tl-twistie').click();
        }
      }
      await w.screenshot('explorer-05-perf');
      for (const l of lines) console.log(`[explorer-ui-perf] ${l}`);
    });
  }
});

