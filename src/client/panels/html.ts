// The HTML shell of every panel: strict content security policy (no inline script or style, a
// fresh nonce per render, no eval), resources only from media/, and the state to start from.
import * as crypto from 'node:crypto';
import * as vscode from 'vscode';

/** Webview options for our panels: scripts on, resources only from media/, kept alive when hidden. */
export function panelOptions(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
  return { enableScripts: true, retainContextWhenHidden: false, enableFindWidget: true, localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'media')] };
}

/** Applies panelOptions to a restored panel (the serializer gets the panel with its old options). */
export function applyOptions(panel: vscode.WebviewPanel, extensionUri: vscode.Uri): void {
  const { enableScripts, localResourceRoots } = panelOptions(extensionUri);
  panel.webview.options = { enableScripts, localResourceRoots };
}

export function csp(webview: vscode.Webview, nonce: string): string {
  return [
    "default-src 'none'",
    `img-src ${webview.cspSource} data:`,
    `style-src ${webview.cspSource}`,
    `font-src ${webview.cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]!));

export interface ShellOptions {
  title: string;
  /** media/dist/<script>.js */
  script: 'charts' | 'runDetails';
  /** media/<name>.css, in order. */
  styles: string[];
  /** Handed to the script through a data attribute (JSON). */
  state: unknown;
}

export function panelHtml(webview: vscode.Webview, extensionUri: vscode.Uri, o: ShellOptions): string {
  const nonce = crypto.randomBytes(18).toString('base64');
  const media = (...p: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', ...p)).toString();
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp(webview, nonce)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
${o.styles.map((s) => `<link rel="stylesheet" href="${media(`${s}.css`)}">`).join('\n')}
<title>${escapeHtml(o.title)}</title>
</head>
<body data-state="${escapeHtml(JSON.stringify(o.state))}">
<main id="root" aria-busy="true"><p class="muted">Loading…</p></main>
<div id="live" class="visually-hidden" role="status" aria-live="polite"></div>
<script nonce="${nonce}" src="${media('dist', `${o.script}.js`)}"></script>
</body>
</html>`;
}
