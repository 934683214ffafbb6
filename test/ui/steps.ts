// Assertions shared by the UI journeys.
import * as assert from 'assert';
import type { Workbench } from './driver';

/** Clicks the "Experiment Health" activity-bar entry and waits for its Runs view. */
export async function expectRunsView(wb: Workbench): Promise<void> {
  const item = wb.activityBarItem('Experiment Health');
  await item.waitFor({ timeout: 60_000 }); // appears once the extension's contributions are registered
  await item.click();
  await wb.page.mouse.move(700, 450); // no hover tooltip in the screenshots
  const sidebar = wb.page.locator('.part.sidebar');
  await sidebar.locator('.composite.title', { hasText: /Experiment Health/i }).waitFor();
  // With a single view the pane header is merged into the container title ("EXPERIMENT HEALTH: RUNS").
  const text = await sidebar.innerText();
  assert.match(text, /Runs/i, `sidebar shows no Runs view:\n${text}`);
}

/** The Output panel is open on the "Experiment Health" channel and shows the activation line. */
export async function expectLogChannel(wb: Workbench): Promise<void> {
  const output = wb.page.locator('.part.panel .output-view');
  // On a busy machine the first palette run can land while the workbench is still restoring its
  // panel layout; ask once more before concluding the command does nothing.
  if (!(await output.waitFor({ state: 'visible', timeout: 15_000 }).then(() => true, () => false))) {
    await wb.runCommand('Experiment Health: Show Log');
    await output.waitFor({ state: 'visible' });
  }
  const picked = await wb.page.locator('.part.panel select.monaco-select-box option:checked').first().innerText();
  assert.strictEqual(picked, 'Experiment Health', 'the Output panel shows another channel');
  // The channel scrolls to its newest lines (the list is virtual: old lines are not rendered), so
  // look for any line our log writes rather than the first one.
  await output.locator('.view-lines', { hasText: /\[(info|warning|error)\]/ }).waitFor({ timeout: 20_000 });
}
