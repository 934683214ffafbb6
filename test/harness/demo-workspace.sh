#!/usr/bin/env bash
# Writes the demo workspace (test/demo-workspace, git-ignored) if it is missing, with the project's
# own fixture builder. Needs `node esbuild.mjs --tests` first. EH_FRESH_DEMO=1 rebuilds it.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
WS="$ROOT/test/demo-workspace"
DEMO="$ROOT/out/test/fixtures/demo.js"
[ "${EH_FRESH_DEMO:-}" = 1 ] && rm -rf "$WS"
if [ -e "$WS" ] && [ ! -f "$WS/.placeholder" ]; then exit 0; fi
if [ -f "$DEMO" ]; then
  rm -rf "$WS"   # also replaces an earlier placeholder
  echo "[demo] node out/test/fixtures/demo.js test/demo-workspace"
  node "$DEMO" "$WS"
elif [ ! -e "$WS" ]; then
  # The fixture builder (test/fixtures/demo.ts) is not written yet: an empty workspace still lets
  # the editor and the tests open; the next run replaces it.
  echo "[demo] $DEMO not built yet: writing a placeholder workspace"
  mkdir -p "$WS" && touch "$WS/.placeholder"
  printf '# Demo workspace (placeholder)\n\nThe demo databases come from test/fixtures/demo.ts, which is not there yet.\n' > "$WS/README.md"
fi
