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

  test('"Experiment Health: Show Log" opens the log channel', async () => {
    await wb.runCommand('Experiment Health: Show Log');
    await expectLogChannel(wb);
    await wb.screenshot('dev-03-show-log');
    assert.deepStrictEqual(consoleErrors, [], 'the extension logged errors to the console');
  });
});
