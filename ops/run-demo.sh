#!/usr/bin/env bash
# `make run`: the demo server with two local witnesses beside it, run as an outside
# body would run them (ops/witness/README.md) under the example names 银州区纪委
# (jiwei) and 铁岭日报 (ribao), with a 2-of-2 quorum. Their keys and state live in
# DATA/witnesses; a second run reuses them.
# Usage: ops/run-demo.sh BINARY DATA LISTEN
set -euo pipefail
bin="$1"; data="$2"; listen="$3"
mkdir -p "$data/witnesses"
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

names=(jiwei ribao)
ports=(8091 8092)
args=()
for i in 0 1; do
  dir="$data/witnesses/${names[$i]}"
  mkdir -p "$dir"
  [ -f "$dir/witness.key" ] ||
    "$bin" witness-keygen --out "$dir/witness.key" --name "witness.yinzhou.example/${names[$i]}" > "$dir/vkey"
  args+=(--witness "http://127.0.0.1:${ports[$i]} $(cat "$dir/vkey")")
done

# The server first (the witnesses learn its key from /log/vkey, as their operators
# would); until they run, it serves its newest checkpoint unwitnessed.
"$bin" serve --data "$data" --listen "$listen" --demo "${args[@]}" &
server=$!
pids+=("$server")
for _ in $(seq 1 600); do
  vkey="$(curl -fsS "http://$listen/log/vkey" 2>/dev/null | head -n 1 || true)"
  [ -n "$vkey" ] && break
  kill -0 "$server" 2>/dev/null || exit 1
  sleep 0.5
done
for i in 0 1; do
  dir="$data/witnesses/${names[$i]}"
  printf 'log %s\n' "$vkey" > "$dir/witness.conf"
  "$bin" witness --data "$dir/state" --listen "127.0.0.1:${ports[$i]}" \
    --key "$dir/witness.key" --config "$dir/witness.conf" &
  pids+=($!)
done
echo "witnesses: http://127.0.0.1:${ports[0]} (${names[0]}), http://127.0.0.1:${ports[1]} (${names[1]}); policy: http://$listen/log/witnesses"
wait "$server"
