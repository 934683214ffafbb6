// Journey: problems and a cleanup, end to end, in the real workbench on a copy of the demo.
//   problems-01-panel       the Problems panel with the panic-tda findings
//   report-01-hover         the health report: squiggles, and a hover on an incomplete run
//   cleanup-01-modal        "Delete Incomplete Runs…" from the palette: the modal with counts per table
//   cleanup-02-done         after the typed confirmation: the runs are gone from the report
//   cleanup-03-undone       after "Undo Last Cleanup": the runs are back
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { demoWorkspace, openWorkbench, repoRoot, startCodeServer, type CodeServer, type Workbench } from './driver';
import { expectRunsView } from './steps';

function copyDir(from: string, to: string): void {
  fs.mkdirSync(to, { recursive: true });
  for (const e of fs.readdirSync(from, { withFileTypes: true })) {
    const a = path.join(from, e.name); const b = path.join(to, e.name);
    if (e.isDirectory()) copyDir(a, b); else fs.copyFileSync(a, b);
  }
}

suite('UI: problems, report and cleanup', function () {
  this.timeout(300_000);
  let server: CodeServer;
  let wb: Workbench;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'eh-cleanup-ui-'));
  const ws = path.join(tmp, 'demo');
  const reportText = () => wb.page.locator('.editor-instance .view-lines').first().innerText();

  suiteSetup(async () => {
    copyDir(demoWorkspace, ws);
    // Ask for the typed confirmation even for a handful of runs, so the journey shows it.
    const settings = path.join(ws, '.vscode', 'settings.json');
    const current = fs.existsSync(settings) ? JSON.parse(fs.readFileSync(settings, 'utf8')) : {};
    fs.mkdirSync(path.dirname(settings), { recursive: true });
    fs.writeFileSync(settings, JSON.stringify({ ...current, 'experimentHealth.confirmTypedAboveRuns': 1 }, null, 1));
    server = await startCodeServer();
    wb = await openWorkbench(server, { folder: ws, extensionDevelopmentPath: repoRoot });
    await expectRunsView(wb);
    await wb.page.locator('.part.sidebar .monaco-list-row', { hasText: 'trajectory_data.sqlite' }).first().waitFor({ timeout: 120_000 });
  });
  suiteTeardown(async () => { await wb?.close(); server?.kill(); fs.rmSync(tmp, { recursive: true, force: true }); });

  async function pick(text: string | RegExp): Promise<void> {
    const row = wb.page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: text }).first();
    await row.waitFor({ state: 'visible', timeout: 15_000 });
    await row.click();
  }

  test('the Problems panel lists the findings with their codes', async () => {
    await wb.runCommand('View: Focus Problems');
    // The list is virtual (only visible rows exist): narrow it with the panel's own filter box.
    const filter = wb.page.locator('.markers-panel-action-filter input, .viewpane-filter input').first();
    await filter.fill('trajectory_data');
    const rows = wb.page.locator('.markers-panel .monaco-list-row');
    await rows.filter({ hasText: /stopped at 58\d of 1000/ }).first().waitFor({ timeout: 60_000 });
    const texts = await rows.allInnerTexts();
    assert.ok(texts.some((t) => /run\/incomplete/.test(t)), texts.slice(0, 10).join('\n'));
    await wb.screenshot('problems-01-panel');
  });

  test('the health report shows squiggles and a hover with the run', async () => {
    await wb.runCommand('Experiment Health: Show Health Report');
    await pick('trajectory_data.sqlite');
    // Monaco renders spaces as U+00A0: match with \s.
    const line = wb.page.locator('.view-line', { hasText: /incomplete\s+584\/1000/ }).first();
    await line.waitFor({ timeout: 30_000 });
    // Diagnostics arrive just after the text: wait for the squiggles they draw.
    await wb.page.locator('.squiggly-error').first().waitFor({ state: 'attached', timeout: 20_000 });
    // The editor may still be laying out (panel opening, code lenses arriving): ask a few times.
    let box: { x: number; y: number; width: number; height: number } | null = null;
    for (let i = 0; i < 10 && !box; i++) {
      await line.waitFor({ state: 'visible', timeout: 10_000 });
      await line.scrollIntoViewIfNeeded().catch(() => undefined);
      box = await line.boundingBox();
      if (!box) await wb.page.waitForTimeout(500);
    }
    assert.ok(box, 'the run line is on screen');
    // Put the cursor on the run and ask for its hover (a resting mouse is timing-dependent).
    await wb.page.mouse.click(box.x + 60, box.y + box.height / 2);
    const hover = wb.page.locator('.monaco-hover').filter({ hasText: /Run/ }).first();
    for (let i = 0; i < 3 && !(await hover.isVisible()); i++) {
      await wb.runCommand('Show or Focus Hover');
      await hover.waitFor({ state: 'visible', timeout: 5_000 }).catch(() => undefined);
    }
    await hover.waitFor({ state: 'visible', timeout: 10_000 });
    assert.match(await hover.innerText(), /incomplete/);
    await wb.screenshot('report-01-hover');
    await wb.page.mouse.move(5, 5);
  });

  test('Delete Incomplete Runs… from the palette: modal with counts, typed confirmation, done; then Undo', async () => {
    await wb.runCommand('Experiment Health: Delete Incomplete Runs…');
    await pick('trajectory_data.sqlite');
    await pick(/7 incomplete/);
    const dialog = await wb.dialog(60_000);
    assert.match(dialog.text, /Delete 7 incomplete runs/i);
    assert.match(dialog.text, /invocation: [\d,]+ deleted/);
    assert.ok(dialog.buttons.includes('Archive and Delete'), dialog.buttons.join());
    await wb.screenshot('cleanup-01-modal');
    await dialog.click('Archive and Delete');
    await wb.quickInput.waitFor({ state: 'visible', timeout: 10_000 });
    await wb.quickInput.fill('7');
    await wb.quickInput.press('Enter');
    // The report (still open) is rendered again after the cleanup: its truncated runs are gone.
    await wb.page.waitForFunction(() => !document.querySelector('.editor-instance .view-lines')?.textContent?.includes('584/1000'), undefined, { timeout: 120_000 });
    const notes = await wb.notifications();
    assert.ok(notes.some((n) => /Deleted|deleted/.test(n)), notes.join('\n'));
    await wb.screenshot('cleanup-02-done');

    await wb.runCommand('Experiment Health: Undo Last Cleanup…');
    const undo = await wb.dialog(60_000);
    assert.match(undo.text, /Undo/);
    await undo.click('Restore');
    await wb.page.waitForFunction(() => !!document.querySelector('.editor-instance .view-lines')?.textContent?.includes('584/1000'), undefined, { timeout: 120_000 });
    assert.match(await reportText(), /584\/1000/);
    await wb.screenshot('cleanup-03-undone');
  });
});
