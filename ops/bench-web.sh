#!/usr/bin/env bash
# `make bench-web`: the web app's first load, this build and a previous one
# (PREVIOUS, default ce83dbd: the app before issue 18's work), measured by
# web/tests/browser/bench.mjs with the same server; rewrites its section of
# docs/BENCHMARKS.md. The previous app is built once in a worktree under $TMPDIR.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
prev=${PREVIOUS:-ce83dbd}
work=${TMPDIR:-/tmp}/roundtable-web-$prev
target=${CARGO_TARGET_DIR:-$HOME/.cache/roundtable/target}

if [ ! -f "$work/web/dist/index.html" ]; then
  rm -rf "$work"
  git -C "$root" worktree prune
  git -C "$root" worktree add --detach "$work" "$prev"
  (cd "$work/web" && npm ci --no-audit --no-fund && npm run build)
fi
cargo build -p roundtable
(cd "$root/web" && npm run build)
cd "$root/web"
ROUNDTABLE_BIN="$target/debug/roundtable" PREVIOUS_DIST="$work/web/dist" PREVIOUS_LABEL="$prev" \
  node tests/browser/bench.mjs
