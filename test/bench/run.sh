#!/usr/bin/env bash
# npm run bench — engine vs native sqlite3 on a ~1 GB panic-tda fixture and a >= 8 GB file.
#   BENCH_SKIP_BIG=1   skip the >= 8 GB file (it needs ~9 GB of disk and ~2 min to generate)
#   BENCH_ROUNDS=N     rounds of engine and sqlite3 runs per file and cache state (default 3; median ratio)
#   BENCH_SKIP_TREE=1  skip the explorer timing in the real VS Code (3,220- and 100,000-run experiments)
# Files are cached in .bench/ (git-ignored); delete them to regenerate.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
CACHE=$ROOT/.bench
mkdir -p "$CACHE"

if ! command -v sqlite3 >/dev/null; then
  echo "installing the sqlite3 CLI (apt)"
  apt-get install -y sqlite3 >/dev/null || { apt-get update >/dev/null && apt-get install -y sqlite3 >/dev/null; }
fi

# Full build when it works; otherwise the bench-only bundle (same sql.js pin check).
if ! node esbuild.mjs --tests >/dev/null 2>&1 || [ ! -f out/test/bench/engine-run.js ]; then
  echo "full build unavailable; building the bench bundle alone"
  node test/bench/build.mjs
fi

gen_sql() { # OUT RUNS STEPS VECTOR_BYTES
  echo "generating $1 with the sqlite3 CLI (runs=$2 steps=$3 vector=$4 B)…"
  rm -f "$1.tmp"
  sed -e "s/@RUNS@/$2/g; s/@STEPS@/$3/g; s/@VEC@/$4/g" test/bench/gen-panic.sql | sqlite3 "$1.tmp" >/dev/null
  mv "$1.tmp" "$1"
}

# 1 GB: the shared realistic generator when present, else our own SQL generator.
SMALL=$CACHE/fixtures-large/panic-tda/db/trajectory_data.sqlite
if [ ! -f "$SMALL" ]; then
  if [ -f ../shared/fixtures/gen_fixtures.py ]; then
    echo "generating the 1 GB panic-tda fixture (gen_fixtures.py --scale large --systems A)…"
    python3 ../shared/fixtures/gen_fixtures.py "$CACHE/fixtures-large" --scale large --systems A --now 2025-11-20T12:00:00Z
  else
    SMALL=$CACHE/panic-1g.sqlite
    [ -f "$SMALL" ] || gen_sql "$SMALL" 300 500 3072
  fi
fi
FILES=("$SMALL")

if [ "${BENCH_SKIP_BIG:-0}" != 1 ]; then
  BIG=$CACHE/panic-8g.sqlite
  [ -f "$BIG" ] || gen_sql "$BIG" 2200 500 3584
  FILES+=("$BIG")
fi

node out/test/bench/bench.js "${FILES[@]}"

# Cleanup: delete one experiment's incomplete runs of the 1 GB file (on a copy), engine vs the
# plan's own SQL in the native sqlite3 CLI, archive off and on.
echo; echo "== cleanup on a copy of ${SMALL#$ROOT/}"
node out/test/bench/cleanup-bench.js "$SMALL" --work "$CACHE/cleanup" || echo "cleanup bench failed (exit $?)"

# The language server's memory on the demo workspace: SQLite databases, the DuckDB reader, idle.
echo; echo "== language server memory (demo workspace)"
[ -d test/demo-workspace ] || bash test/harness/demo-workspace.sh >/dev/null
# The server's own flags: LEAN_HEAP_FLAGS in src/core/engine/launch.ts.
node esbuild.mjs >/dev/null && node --max-semi-space-size=2 --heap-growing-percent=30 out/test/bench/server-memory.js test/demo-workspace 2>/dev/null | tail -1

# The explorer: click on an experiment → its first run row on screen, in the real workbench.
if [ "${BENCH_SKIP_TREE:-0}" != 1 ]; then
  echo; echo "== explorer: click -> first page on screen (code-server + chromium; target <= 300 ms)"
  bash test/harness/setup.sh >/dev/null && node esbuild.mjs >/dev/null
  node out/test/bench/tree-perf-workspace.js "$CACHE/tree-perf"
  EH_TREE_PERF_WS="$CACHE/tree-perf" EH_GREP=performance node out/test/ui/run.js 2>&1 | grep -aE '^\[explorer-ui-perf\]|passed, ' || true
fi
