// Drives the real VS Code workbench that code-server serves, headless, with Playwright on Debian
// chromium. Used by the UI journeys (test/ui/*.ui.ts) and by the extension-host test runner
// (test/harness/run-ext-tests.cjs). Recipe and pitfalls: shared/reference/vscode-harness.md.
// Needs test/harness/setup.sh to have run (node 24 + code-server in .vscode-test/, chromium).
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import * as util from 'util';
import { chromium, type BrowserContext, type ConsoleMessage, type Locator, type Page } from 'playwright-core';

export const repoRoot = path.resolve(__dirname, '../../..'); // out/test/ui -> repo root
const cache = path.join(repoRoot, '.vscode-test');
export const node24 = path.join(cache, 'node24/package/bin/node');
export const codeServerEntry = path.join(cache, 'code-server-4.139.1/node_modules/code-server/out/node/entry.js');
export const demoWorkspace = path.join(repoRoot, 'test/demo-workspace');
export const screenshotDir = path.join(repoRoot, 'test-results/ui');
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const servers = new Set<CodeServer>();
/** Open workbenches, so the UI runner can screenshot them when a test fails. On globalThis: every
 *  test file is its own bundle with its own copy of this module. */
const registry = globalThis as { ehOpenWorkbenches?: Set<Workbench> };
export const openWorkbenches = (registry.ehOpenWorkbenches ??= new Set<Workbench>());
process.on('exit', () => servers.forEach((s) => s.kill()));   // never leave a server behind

export function elapsed(t0: number): string { return `+${((Date.now() - t0) / 1000).toFixed(1)}s`; }

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo; s.close(() => resolve(port));
    }).on('error', reject);
  });
}

export class CodeServer {
  constructor(readonly url: string, readonly pid: number, readonly dir: string, readonly logFile: string) {}
  /** Kills the whole process group: file watchers and extension hosts outlive the server otherwise. */
  kill(): void {
    try { process.kill(-this.pid, 'SIGKILL'); } catch { /* already gone */ }
    servers.delete(this);
  }
  logTail(lines = 20): string {
    try { return fs.readFileSync(this.logFile, 'utf8').split('\n').slice(-lines).join('\n'); } catch { return ''; }
  }
}

/** Keeps screenshots about our extension: no welcome page, chat side bar, AI or git prompts. */
function writeQuietSettings(userDataDir: string): void {
  const file = path.join(userDataDir, 'User/settings.json');
  if (fs.existsSync(file)) return;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify({ 'workbench.startupEditor': 'none', 'chat.disableAIFeatures': true,
    'workbench.secondarySideBar.defaultVisibility': 'hidden', 'workbench.tips.enabled': false,
    'git.openRepositoryInParentFolders': 'never' }, null, 2));
}

export interface ServerOptions { extensionsDir?: string; userDataDir?: string; port?: number }

/** Starts code-server (fresh user-data and extensions dirs unless given) and waits for /healthz. */
export async function startCodeServer(opts: ServerOptions = {}): Promise<CodeServer> {
  if (!fs.existsSync(codeServerEntry)) throw new Error(`code-server missing: run bash test/harness/setup.sh (${codeServerEntry})`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eh-cs-'));
  const port = opts.port ?? await freePort();
  const logFile = path.join(dir, 'code-server.log');
  const userDataDir = opts.userDataDir ?? path.join(dir, 'user-data');
  writeQuietSettings(userDataDir);
  const out = fs.openSync(logFile, 'w');
  const child = spawn(node24, [codeServerEntry, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`,
    '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override',
    '--user-data-dir', userDataDir,
    '--extensions-dir', opts.extensionsDir ?? path.join(dir, 'extensions'), '--config', '/dev/null'],
  { detached: true, stdio: ['ignore', out, out] }); // detached = own process group, killed as one
  const server = new CodeServer(`http://127.0.0.1:${port}`, child.pid!, dir, logFile);
  servers.add(server);
  for (let i = 0; i < 120; i++) {
    if (child.exitCode !== null) break;
    if (await fetch(`${server.url}/healthz`).then((r) => r.ok, () => false)) return server;
    await new Promise((r) => setTimeout(r, 250));
  }
  server.kill();
  throw new Error(`code-server did not start:\n${server.logTail()}`);
}

/** `code-server --install-extension`, into the given extensions dir. */
export function installVsix(vsix: string, extensionsDir: string): string {
  const r = spawnSync(node24, [codeServerEntry, '--extensions-dir', extensionsDir, '--user-data-dir',
    fs.mkdtempSync(path.join(os.tmpdir(), 'eh-ud-')), '--config', '/dev/null', '--install-extension', vsix], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`--install-extension failed (${r.status}): ${r.stdout}${r.stderr}`);
  return r.stdout;
}

// Workbench console noise that says nothing about our extension (see reference pitfall 12).
const NOISE = new RegExp([/\[AgentHost|\[ChatModelSelection\]|\[AccountPolicyGate\]|Failed to load resource|open-vsx\.org/,
  /authentication provider 'github'|vsda|connection token|Creating a socket|reconnection-grace-time|^Canceled/,
  /builtin extensions cache|Creation of workbench contribution|\[Service Worker\]|web worker extension host|^\s*$/].map((r) => r.source).join('|'));

/** Both the workbench's logger and the extension host's console.log arrive as
 *  console.log('%c INFO', 'color: …', fmt, ...args): strip the style, apply the format. Errors are
 *  serialised poorly by jsonValue(), so for them take Chromium's text (which has the stack). */
async function formatConsole(m: ConsoleMessage): Promise<{ level: string; text: string }> {
  const style = /^%c\s*(\S+)\s+color:\s*\S+\s?/;
  if (m.type() === 'error') return { level: 'error', text: m.text().replace(style, '').split('\n').slice(0, 4).join('\n') };
  try {
    let args = await Promise.all(m.args().map((a) => a.jsonValue()));
    let level: string = m.type();
    if (typeof args[0] === 'string' && args[0].startsWith('%c')) { level = args[0].slice(2).trim(); args = args.slice(2); }
    return { level, text: util.format(...args) };
  } catch { return { level: m.type(), text: m.text().replace(style, '') }; }
}

export interface WorkbenchOptions {
  folder?: string;
  /** Load the extension from this folder in development mode (needs the smoke-test-driver injection). */
  extensionDevelopmentPath?: string;
  extensionTestsPath?: string;
  extensionEnvironment?: Record<string, string>;
  /** Called with each (filtered) browser console line; default: ignore. */
  onConsole?: (level: string, text: string) => void;
  /** Called when the workbench reports the end of an extension test run. */
  onAutomationExit?: (code: number) => void;
}

export class Workbench {
  constructor(readonly context: BrowserContext, readonly page: Page, readonly server: CodeServer) {}

  /** Runs a palette command by its full title, e.g. "Experiment Health: Show Log". Returns when the
   *  palette is gone: closed, or replaced by the command's own quick pick / input box (which stays
   *  open for the caller, at `quickInput`). */
  async runCommand(title: string): Promise<void> {
    const input = this.quickInput;
    await this.page.keyboard.press('F1');
    await input.waitFor({ state: 'visible' });
    await input.fill(`>${title}`);
    const row = this.page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
    await row.waitFor({ state: 'visible', timeout: 10_000 });
    await input.press('Enter');
    // The command palette's input has this label; a quick pick opened by the command has its own.
    await this.page.locator('.quick-input-widget input[aria-label="Type the name of a command to run."]').waitFor({ state: 'hidden' });
  }

  /** The input of whatever quick input (palette, quick pick, input box) is open. */
  get quickInput(): Locator { return this.page.locator('.quick-input-widget input'); }

  /** Saves test-results/ui/<name>.png and returns its path. */
  async screenshot(name: string): Promise<string> {
    const file = path.join(screenshotDir, `${name}.png`);
    await this.page.screenshot({ path: file });
    return file;
  }

  /** The activity-bar entry of a view container, by title (its aria-label starts with the title). */
  activityBarItem(title: string): Locator {
    return this.page.locator(`.activitybar .action-item [aria-label^="${title}"]`).first();
  }

  /** Texts of all notifications, read from the notification centre: with the smoke-test driver on
   *  (development mode) toasts are not shown (pitfall 7). Read before closing: the rows detach. */
  async notifications(): Promise<string[]> {
    await this.runCommand('Notifications: Show Notifications');
    const rows = this.page.locator('.notifications-center .notification-list-item');
    await this.page.locator('.notifications-center').waitFor({ state: 'visible' });
    const texts = await rows.allInnerTexts();
    await this.page.keyboard.press('Escape');
    return texts;
  }

  /** Waits for a modal dialog; `text` holds message and buttons (pitfall 8), `click` presses one. */
  async dialog(timeout = 10_000): Promise<{ text: string; buttons: string[]; click(name: string): Promise<void> }> {
    const box = this.page.locator('.monaco-dialog-box');
    await box.waitFor({ state: 'visible', timeout });
    return {
      text: await box.innerText(),
      buttons: await box.locator('.monaco-button').allInnerTexts(),
      click: (name) => box.getByRole('button', { name }).click(),
    };
  }

  async close(): Promise<void> { openWorkbenches.delete(this); await this.context.close().catch(() => undefined); }
}

/** Opens the workbench in a fresh headless chromium and waits until it is on screen. */
export async function openWorkbench(server: CodeServer, opts: WorkbenchOptions = {}): Promise<Workbench> {
  const context = await chromium.launchPersistentContext(fs.mkdtempSync(path.join(os.tmpdir(), 'eh-pw-')), {
    executablePath: chromiumPath, headless: true, viewport: { width: 1400, height: 900 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage',
      '--disable-features=LocalNetworkAccessChecks'], // pitfall 3: else the routed page cannot open its WebSocket
  });
  const page = context.pages()[0] ?? await context.newPage();
  page.on('console', async (m) => {
    if (!opts.onConsole || m.type() === 'debug') return;
    const { level, text } = await formatConsole(m);
    if (!NOISE.test(text)) opts.onConsole(level, text);
  });
  // Must be exposed before navigating (pitfall 5). Only called in extension-test mode.
  await page.exposeFunction('codeAutomationExit', (code: number) => opts.onAutomationExit?.(code));

  const payload: [string, string][] = [];
  const remote = (p: string) => `vscode-remote://remote${p}`; // code-server's remote authority is "remote"
  if (opts.extensionDevelopmentPath) payload.push(['extensionDevelopmentPath', remote(opts.extensionDevelopmentPath)]);
  if (opts.extensionTestsPath) payload.push(['extensionTestsPath', remote(opts.extensionTestsPath)]);
  if (opts.extensionEnvironment) payload.push(['extensionEnvironment', JSON.stringify(opts.extensionEnvironment)]);
  if (payload.length) {
    // A built workbench ignores ?payload= unless developmentOptions.enableSmokeTestDriver: inject it.
    await page.route((u) => u.pathname === '/' && u.searchParams.has('payload'), async (route) => {
      const resp = await route.fetch();
      const body = (await resp.text()).replace('&quot;developmentOptions&quot;:{',
        '&quot;developmentOptions&quot;:{&quot;enableSmokeTestDriver&quot;:true,');
      await route.fulfill({ response: resp, body });
    });
  }
  const query = new URLSearchParams({ folder: opts.folder ?? demoWorkspace });
  if (payload.length) query.set('payload', JSON.stringify(payload));
  await page.goto(`${server.url}/?${query}`);
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  const wb = new Workbench(context, page, server);
  openWorkbenches.add(wb);
  return wb;
}

export interface ExtTestOptions {
  extensionDevelopmentPath: string; extensionTestsPath: string; folder: string;
  extensionEnvironment?: Record<string, string>; timeoutMs?: number;
}

/** Runs an @vscode/test-electron style suite in code-server's Node extension host. Returns the exit
 *  code: the suite's (0/1), 124 on harness timeout. Prints the extension host's console as is. */
export async function runExtensionTests(opts: ExtTestOptions): Promise<number> {
  const t0 = Date.now();
  const server = await startCodeServer();
  console.log(`[harness] code-server ${server.url} (pid ${server.pid}) ready ${elapsed(t0)}`);
  let exit!: (code: number) => void;
  const exited = new Promise<number>((r) => (exit = r));
  let wb: Workbench | undefined;
  try {
    wb = await openWorkbench(server, {
      folder: opts.folder, extensionDevelopmentPath: opts.extensionDevelopmentPath,
      extensionTestsPath: opts.extensionTestsPath, extensionEnvironment: opts.extensionEnvironment,
      // Extension-host output (mocha's spec reporter) as is, so it reads like a terminal run;
      // workbench errors prefixed, so they cannot be mistaken for test output.
      onConsole: (level, text) => console.log(/^(INFO|log|info)$/.test(level) ? text : `[${level}] ${text}`),
      onAutomationExit: (code) => exit(code),
    });
    console.log(`[harness] workbench loaded ${elapsed(t0)}, waiting for the suite`);
    const timeoutMs = opts.timeoutMs ?? 300_000;
    const code = await Promise.race([exited, new Promise<number>((r) => setTimeout(() => r(124), timeoutMs).unref())]);
    console.log(`[harness] ${code === 124 ? `timed out after ${timeoutMs} ms` : `codeAutomationExit(${code})`} ${elapsed(t0)}`);
    if (code !== 0) console.log(`[harness] code-server log tail:\n${server.logTail()}`);
    return code;
  } finally {
    await wb?.close();
    server.kill();
  }
}
