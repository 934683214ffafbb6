// Journey: the editor panels in the real workbench. Experiment charts from the palette (quick picks
// for database and experiment): the panic-tda demo's E2 histogram with its spike at 584–586; run
// details of a failed ze-benchmarks run with its stack trace (opened through a keybinding with
// arguments, as a tree click would); the charts in the high contrast theme; and the panel restored
// after a window reload (webview serializer). Screenshots: test-results/ui/panels-*.png.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { FrameLocator } from 'playwright-core';
import { demoWorkspace, openWorkbench, repoRoot, startCodeServer, type CodeServer, type Workbench } from './driver';
import { expectRunsView } from './steps';

const ZE = path.join(demoWorkspace, 'ze-benchmarks/benchmark-report/public/benchmarks.db');
const RUN_DETAILS_KEY = 'ctrl+alt+shift+d';
const CHARTS_KEY = 'ctrl+alt+shift+c';
const PANIC = path.join(demoWorkspace, 'panic-tda/db/trajectory_data.sqlite');

/** The visible webview's content frame (VS Code nests it: iframe.webview → #active-frame). */
function webview(wb: Workbench): FrameLocator {
  return wb.page.frameLocator('iframe.webview.ready:visible').frameLocator('#active-frame');
}

suite('UI: run details and experiment charts', () => {
  let server: CodeServer;
  let wb: Workbench;
  let userDataDir: string;
  const consoleErrors: string[] = [];
  const failed = (JSON.parse(fs.readFileSync(path.join(demoWorkspace, 'ze-benchmarks/expected_findings.json'), 'utf8')) as
    { findings: { failed: { run_id: string; error: string }[] } }).findings.failed.find((f) => f.error.includes('\n    at '))!;
  const e2 = (JSON.parse(fs.readFileSync(path.join(demoWorkspace, 'panic-tda/expected_findings.json'), 'utf8')) as
    { experiments: { id_hex: string; label: string }[] }).experiments.find((e) => e.label.startsWith('E2'))!;

  const settingsFile = () => path.join(userDataDir, 'User/settings.json');

  suiteSetup(async () => {
    userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'eh-ud-panels-'));
    fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
    fs.writeFileSync(settingsFile(), JSON.stringify({ 'workbench.startupEditor': 'none', 'chat.disableAIFeatures': true,
      'workbench.secondarySideBar.defaultVisibility': 'hidden', 'workbench.tips.enabled': false, 'git.openRepositoryInParentFolders': 'never',
      'workbench.colorTheme': 'Default Dark Modern' }, null, 2));
    // Run details is a tree/report command (hidden from the palette): bind it, with its arguments, to a key.
    fs.writeFileSync(path.join(userDataDir, 'User/keybindings.json'), JSON.stringify([
      { key: RUN_DETAILS_KEY, command: 'experimentHealth.showRunDetails', args: { path: ZE, runId: failed.run_id } },
    ], null, 2));
    server = await startCodeServer({ userDataDir });
    wb = await openWorkbench(server, { extensionDevelopmentPath: repoRoot,
      onConsole: (level, text) => { if (/error|ERR/.test(level) && /experiment.?health|webview|Content Security Policy/i.test(text)) consoleErrors.push(text); } });
    await expectRunsView(wb);
  });
  suiteTeardown(async () => { await wb?.close(); server?.kill(); });

  test('charts from the palette: the E2 histogram spikes at 584–586', async () => {
    // the quick pick lists the databases the server has read: ask again until panic-tda's is there
    const input = wb.page.locator('.quick-input-widget input');
    const dbRow = wb.page.locator('.quick-input-list .monaco-list-row', { hasText: 'trajectory_data.sqlite' }).first();
    for (let attempt = 0; ; attempt++) {
      await wb.runCommand('Experiment Health: Show Experiment Charts');
      const shown = await dbRow.waitFor({ timeout: 5000 }).then(() => true, () => false);
      if (shown) break;
      if (attempt > 20) throw new Error('the database quick pick never listed trajectory_data.sqlite');
      await wb.page.keyboard.press('Escape');
      await wb.page.waitForTimeout(2000);
    }
    await input.fill('trajectory_data');
    await input.press('Enter');
    await wb.page.locator('.quick-input-widget', { hasText: 'Experiment' }).waitFor();
    await input.fill(e2.id_hex.slice(0, 8));
    await wb.page.locator('.quick-input-list .monaco-list-row', { hasText: e2.id_hex.slice(0, 8) }).first().waitFor();
    await input.press('Enter');
    const view = webview(wb);
    const headline = view.locator('.headline');
    await headline.waitFor({ timeout: 60_000 });
    assert.match(await headline.innerText(), /stopped at step 584–586 of 1,000 \(incomplete\)/);
    await view.locator('#steps canvas').waitFor();
    // the data table beside the histogram: the 580–599 bin with its exact values
    const row = view.locator('#steps tbody tr', { hasText: '580–599' });
    assert.match(await row.innerText(), /584 ×2, 585 ×1, 586 ×1/);
    const canvas = view.locator('#steps canvas');
    // keyboard: focus the histogram, walk to the spike (arrows skip empty bins); the tooltip shows the exact values
    await canvas.focus();
    await wb.page.keyboard.press('ArrowRight'); // 500–519 (the run truncated by hand)
    await wb.page.keyboard.press('ArrowRight'); // 580–599
    await wb.page.waitForTimeout(300);
    const live = await view.locator('#live').innerText();
    assert.match(live, /580–599: 4 runs \(4 incomplete\)/, `announced: ${live}`);
    await wb.screenshot('panels-01-e2-histogram');
    // the per-network histograms and the remaining charts are there, each with its table
    assert.strictEqual(await view.locator('section.chart-section canvas').count(), await view.locator('section.chart-section .table-box').count());
    assert.ok(await view.locator('#group-0 canvas').count() === 1 && await view.locator('#group-1 canvas').count() === 1, 'one histogram per network');
  });

  test('keyboard: a Select button of the data table selects the bar\'s runs', async () => {
    const view = webview(wb);
    const select = view.locator('#steps tbody tr', { hasText: '580–599' }).getByRole('button', { name: /Select the 4 runs in 580–599/ });
    await select.focus();
    await wb.page.keyboard.press('Enter');
    await view.locator('#selected', { hasText: /4 runs \(580–599\)/ }).waitFor({ timeout: 10_000 });
    await wb.screenshot('panels-02-keyboard-select');
  });

  test('run details of a failed run show its error text (stack trace) in a monospace block', async () => {
    await wb.page.locator('.part.editor').click({ position: { x: 5, y: 5 } }).catch(() => undefined);
    await wb.page.keyboard.press('Control+Alt+Shift+D');
    const view = webview(wb);
    const pre = view.locator('pre.error-text');
    await pre.waitFor({ timeout: 60_000 });
    const text = await pre.innerText();
    assert.ok(text.includes("TypeError: Cannot read properties of undefined (reading 'weighted')"), text);
    assert.ok(text.includes('    at executeBenchmark'), 'the stack trace keeps its lines and indentation');
    const family = await pre.evaluate((el) => getComputedStyle(el).fontFamily);
    assert.match(family, /mono|courier|consol|menlo|droid sans mono/i);
    assert.match(await view.locator('h1').innerText(), /failed/);
    assert.ok(await view.getByRole('button', { name: 'Delete Run…' }).isVisible());
    assert.strictEqual(await view.getByRole('button', { name: 'Delete Incomplete Run…' }).count(), 0);
    await wb.screenshot('panels-03-run-details-failed');
  });

  test('the charts panel is restored after a window reload (serializer)', async () => {
    await wb.runCommand('Developer: Reload Window');
    await wb.page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    const tab = wb.page.locator('.tabs-container .tab', { hasText: /^Charts/ }).first();
    await tab.waitFor({ timeout: 60_000 });
    await tab.click();
    await webview(wb).locator('.headline').waitFor({ timeout: 90_000 });
    await wb.screenshot('panels-04-restored-after-reload');
    const csp = consoleErrors.filter((e) => /Content Security Policy|Refused to/i.test(e));
    assert.deepStrictEqual(csp, [], 'the webviews broke their content security policy');
  });
  test('charts in the high contrast theme (workbench.colorTheme "Default High Contrast")', async () => {
    await wb.close(); server.kill();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eh-ud-panels-hc-'));
    fs.mkdirSync(path.join(dir, 'User'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'User/settings.json'), JSON.stringify({ 'workbench.startupEditor': 'none', 'chat.disableAIFeatures': true,
      'workbench.secondarySideBar.defaultVisibility': 'hidden', 'workbench.tips.enabled': false, 'workbench.colorTheme': 'Default High Contrast' }, null, 2));
    fs.writeFileSync(path.join(dir, 'User/keybindings.json'), JSON.stringify([
      { key: CHARTS_KEY, command: 'experimentHealth.showCharts', args: { path: PANIC, experimentId: e2.id_hex } },
    ], null, 2));
    server = await startCodeServer({ userDataDir: dir });
    wb = await openWorkbench(server, { extensionDevelopmentPath: repoRoot });
    await wb.page.locator('.monaco-workbench.hc-black').waitFor({ timeout: 60_000 });
    await expectRunsView(wb);
    const view = webview(wb);
    for (let attempt = 0; ; attempt++) { // until the server has read the database
      await wb.page.keyboard.press('Control+Alt+Shift+C');
      if (await view.locator('.headline').waitFor({ timeout: 5000 }).then(() => true, () => false)) break;
      if (attempt > 20) throw new Error('the charts never showed');
    }
    await view.locator('body.vscode-high-contrast').waitFor();
    const canvas = view.locator('#steps canvas');
    await canvas.focus();
    await wb.page.keyboard.press('ArrowRight');
    await wb.page.keyboard.press('ArrowRight');
    await wb.page.waitForTimeout(300);
    await wb.screenshot('panels-05-charts-high-contrast');
    // high contrast: bars are outlined in the theme's contrast border
    const border = await view.locator('body').evaluate(() => getComputedStyle(document.documentElement).getPropertyValue('--vscode-contrastBorder').trim());
    assert.ok(border, 'the high contrast theme defines --vscode-contrastBorder');
  });
});
