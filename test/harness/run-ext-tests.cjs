#!/usr/bin/env node
// Runs the extension-host suite (out/test/suite/index.js, the @vscode/test-electron contract) on the
// workspace test/demo-workspace, and exits with the suite's code.
//   - desktop VS Code via @vscode/test-electron when one can be had: VSCODE_EXECUTABLE_PATH, or a
//     download (these machines cannot resolve the download host: detected in < 3 s);
//   - else the same suite in the VS Code that code-server serves (test/ui/driver.ts).
// EH_TEST_HOST=code-server|electron forces one. Every EH_* variable reaches the tests' process.env.
// Needs `node esbuild.mjs && node esbuild.mjs --tests` first (and test/harness/setup.sh for code-server).
const dns = require('dns');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '../..');
const testsPath = path.join(root, 'out/test/suite/index');
const folder = path.resolve(root, process.env.EH_WORKSPACE || 'test/demo-workspace');
// The DuckDB reader idles out after 5 s instead of 60 (the suite measures memory after it).
const env = { EH_DUCKDB_IDLE_MS: '5000', ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('EH_'))) };

function canResolve(host, ms = 3000) {
  return Promise.race([
    dns.promises.lookup(host).then(() => true, () => false),
    new Promise((r) => setTimeout(() => r(false), ms).unref()),
  ]);
}

/** Path of a desktop VS Code, or undefined when none can be had here. */
async function desktopVSCode() {
  if (process.env.VSCODE_EXECUTABLE_PATH) return process.env.VSCODE_EXECUTABLE_PATH;
  if (!(await canResolve('update.code.visualstudio.com'))) return undefined;
  try {
    return await require('@vscode/test-electron').downloadAndUnzipVSCode({ version: 'stable' });
  } catch (e) {
    console.log(`[harness] VS Code download failed (${e.message}); falling back to code-server`);
    return undefined;
  }
}

async function main() {
  if (!fs.existsSync(`${testsPath}.js`)) throw new Error(`${testsPath}.js missing: run node esbuild.mjs --tests`);
  if (!fs.existsSync(folder)) throw new Error(`workspace ${folder} missing (npm start or test/run-all.sh creates it)`);
  const host = process.env.EH_TEST_HOST;
  const exe = host === 'code-server' ? undefined : await desktopVSCode();
  if (exe) {
    console.log(`[harness] desktop VS Code: ${exe}`);
    const { runTests } = require('@vscode/test-electron');
    try {
      return await runTests({ vscodeExecutablePath: exe, extensionDevelopmentPath: root, extensionTestsPath: testsPath,
        extensionTestsEnv: env, launchArgs: [folder, '--disable-extensions', '--disable-workspace-trust'] });
    } catch (e) { return typeof e.code === 'number' ? e.code : 1; } // TestRunFailedError carries the exit code
  }
  if (host === 'electron') throw new Error('EH_TEST_HOST=electron but no desktop VS Code is available');
  const driver = path.join(root, 'out/test/ui/driver.js');
  console.log('[harness] no desktop VS Code here: running in code-server (VS Code for the Web + Node extension host)');
  return require(driver).runExtensionTests({ extensionDevelopmentPath: root, extensionTestsPath: testsPath, folder,
    extensionEnvironment: env, timeoutMs: Number(process.env.EH_TEST_TIMEOUT_MS || 300000) });
}

main().then((code) => process.exit(code), (e) => { console.error('[harness] error:', e); process.exit(2); });
