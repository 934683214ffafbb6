// Journey: the extension in development mode (as `npm start` shows it): its activity-bar container
// opens the Runs view, and "Experiment Health: Show Log" opens its log channel.
import * as assert from 'assert';
import { repoRoot, startCodeServer, openWorkbench, type CodeServer, type Workbench } from './driver';
import { expectLogChannel, expectRunsView } from './steps';

suite('UI: workbench (development mode)', () => {
  let server: CodeServer;
  let wb: Workbench;
  const consoleErrors: string[] = [];

  suiteSetup(async () => {
    server = await startCodeServer();
    wb = await openWorkbench(server, { extensionDevelopmentPath: repoRoot,
      onConsole: (level, text) => { if (/error|ERR/.test(level) && /experiment.?health/i.test(text)) consoleErrors.push(text); } });
  });
  suiteTeardown(async () => { await wb?.close(); server?.kill(); });

  test('the workbench opens the demo workspace as Extension Development Host', async () => {
    await wb.page.locator('.explorer-folders-view, .explorer-viewlet').first().waitFor();
    assert.match(await wb.page.title(), /Extension Development Host/);
    await wb.screenshot('dev-01-workbench');
  });

  test('the Experiment Health container shows the Runs view', async () => {
    await expectRunsView(wb);
    await wb.screenshot('dev-02-runs-view');
  });

  test('"Experiment Health: Close Database" from the palette asks which database, and Escape closes nothing', async () => {
    // Once the demo's databases are read (the view lists them).
    await wb.page.locator('.monaco-list-row', { hasText: 'trajectory_data.sqlite' }).first().waitFor({ state: 'visible', timeout: 120_000 });
    await wb.runCommand('Experiment Health: Close Database');
    const pick = wb.page.locator('.quick-input-widget');
    await wb.page.locator('.quick-input-widget input[placeholder="Choose a database to close"]').waitFor({ state: 'visible', timeout: 15_000 });
    const rows = await pick.locator('.quick-input-list .monaco-list-row').allInnerTexts();
    assert.ok(rows.some((r) => r.includes('panic-tda/db/trajectory_data.sqlite')), `the demo's databases are offered: ${JSON.stringify(rows)}`);
    await wb.screenshot('dev-03-close-database-pick');
    await wb.page.keyboard.press('Escape');
    await pick.waitFor({ state: 'hidden' });
  });

  test('"Experiment Health: Show Log" opens the log channel', async () => {
    await wb.runCommand('Experiment Health: Show Log');
    await expectLogChannel(wb);
    await wb.screenshot('dev-04-show-log');
    assert.deepStrictEqual(consoleErrors, [], 'the extension logged errors to the console');
  });
});
