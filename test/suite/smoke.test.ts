// Smoke test in the real VS Code: the extension is there, activates, registers its commands.
import * as assert from 'assert';
import * as vscode from 'vscode';

const EXTENSION_ID = 'experiment-health.experiment-health';

function versionAtLeast(actual: string, min: [number, number]): boolean {
  const [major, minor] = actual.split('.').map((n) => parseInt(n, 10));
  return major > min[0] || (major === min[0] && minor >= min[1]);
}

suite('smoke', () => {
  test('VS Code is at least 1.95', () => {
    console.log(`[smoke] vscode ${vscode.version}, ${vscode.env.appName}, uiKind ${vscode.env.uiKind}, node ${process.version}`);
    assert.ok(versionAtLeast(vscode.version, [1, 95]), `vscode.version ${vscode.version} < 1.95`);
  });

  test('the extension is present and activates', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `extension ${EXTENSION_ID} not found`);
    await ext.activate();
    assert.strictEqual(ext.isActive, true);
  });

  test('its commands are registered', async () => {
    const commands = await vscode.commands.getCommands(true);
    assert.ok(commands.includes('experimentHealth.showLog'), 'experimentHealth.showLog is not registered');
  });
});
