#!/usr/bin/env bash
# `npm start`: build, write the demo workspace if missing, and open it with the extension loaded.
#   - desktop `code` on PATH: an Extension Development Host window (F5-like);
#   - else code-server on http://127.0.0.1:${PORT:-8080} (no auth: localhost only), until Ctrl-C.
#     The extension is linked into a dedicated extensions dir (.vscode-test/start/extensions) as a
#     symlink to this repo, so after a rebuild (`npm run watch`) "Developer: Reload Window" picks it up.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
node esbuild.mjs
node esbuild.mjs --tests
bash test/harness/demo-workspace.sh
WS="$ROOT/test/demo-workspace"

if command -v code >/dev/null; then
  exec code --extensionDevelopmentPath="$ROOT" "$WS"
fi

bash test/harness/setup.sh
CACHE="$ROOT/.vscode-test"
NODE24="$CACHE/node24/package/bin/node"
CS="$CACHE/code-server-4.139.1/node_modules/code-server/out/node/entry.js"
EXT_DIR="$CACHE/start/extensions"
VERSION=$(node -p 'require("./package.json").version')
# One link, named like an installed extension; the scanner follows it to the repo's package.json.
rm -rf "$EXT_DIR" && mkdir -p "$EXT_DIR"
ln -s "$ROOT" "$EXT_DIR/experiment-health.experiment-health-$VERSION"

PORT=${PORT:-8080}
echo
echo "Experiment Health on code-server: open http://127.0.0.1:$PORT/?folder=$WS   (Ctrl-C stops)"
echo
# exec: Ctrl-C reaches code-server directly, which stops its extension host and watchers with it.
exec "$NODE24" "$CS" --auth none --bind-addr "127.0.0.1:$PORT" --disable-telemetry --disable-update-check \
  --disable-workspace-trust --disable-getting-started-override --user-data-dir "$CACHE/start/user-data" \
  --extensions-dir "$EXT_DIR" --config /dev/null "$WS"
