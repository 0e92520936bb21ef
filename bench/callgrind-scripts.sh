#!/bin/bash
# Instructions per request of the scripting rows, counted by callgrind: a measure this noisy
# 2-core VM cannot move (the req/s rows swing ±20% between runs here).
#   bench/callgrind-scripts.sh target/release/sluice
#   bench/callgrind-scripts.sh redis-server
# Each workload: a fresh server under callgrind, one warm-up request, counters zeroed, then
# 20,000 requests (10 clients, -P 16), counters dumped; prints instructions per request.
set -euo pipefail
SERVER=${1:?server binary}
PORT=${PORT:-7802}
N=20000
one="return redis.call('incr', KEYS[1])"
ten="for i = 1, 9 do redis.call('incr', KEYS[1]) end return redis.call('incr', KEYS[1])"
lib="#!lua name=benchlib
redis.register_function('bump', function(keys) return redis.call('incr', keys[1]) end)"
run() { # label, script
  local out; out=$(mktemp -u /tmp/callgrind.XXXXXX)
  valgrind --tool=callgrind --callgrind-out-file="$out" "$SERVER" --port "$PORT" --save '' \
    --appendonly no >/dev/null 2>&1 &
  local pid=$!
  for _ in $(seq 100); do redis-cli -p "$PORT" ping >/dev/null 2>&1 && break; sleep 0.3; done
  local sha; sha=$(redis-cli -p "$PORT" script load "$2")
  redis-cli -p "$PORT" function load "$lib" >/dev/null
  local cmd=(evalsha "$sha" 1 k)
  [ "$1" = "FCALL, 1 call" ] && cmd=(fcall bump 1 k)
  redis-benchmark -p "$PORT" -n 1 -c 1 "${cmd[@]}" >/dev/null
  callgrind_control -z "$pid" >/dev/null
  redis-benchmark -p "$PORT" -n $N -c 10 -P 16 "${cmd[@]}" >/dev/null
  callgrind_control -d "$pid" >/dev/null
  redis-cli -p "$PORT" shutdown nosave >/dev/null 2>&1 || true
  wait "$pid" 2>/dev/null || true
  # The dump taken after zeroing is the smallest file's total.
  local ir
  ir=$(for f in "$out".*; do callgrind_annotate "$f" 2>/dev/null | awk '/PROGRAM TOTALS/{gsub(",","",$1); print $1; exit}'; done | sort -n | head -1)
  echo "$1: $((ir / N)) instructions per request"
  rm -f "$out"*
}
run "EVALSHA, 1 call" "$one"
run "EVALSHA, 10 calls" "$ten"
run "FCALL, 1 call" "$one"
