#!/bin/bash
# Instructions per request, counted by callgrind: a measure this noisy 2-core VM cannot move
# (the req/s rows of RESULTS.md swing by ±0.1 between runs where redis-benchmark's one core
# is the bottleneck). Kernel time (the syscalls) is not counted; both servers make about the
# same ones per request.
#   bench/callgrind.sh target/release/sluice
#   bench/callgrind.sh redis-server
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
run() { # label, command...
  local label=$1
  shift
  local out
  out=$(mktemp -u /tmp/callgrind.XXXXXX)
  valgrind --tool=callgrind --callgrind-out-file="$out" "$SERVER" --port "$PORT" --save '' \
    --appendonly no >/dev/null 2>&1 &
  local pid=$!
  for _ in $(seq 100); do redis-cli -p "$PORT" ping >/dev/null 2>&1 && break; sleep 0.3; done
  local sha1 sha10
  sha1=$(redis-cli -p "$PORT" script load "$one")
  sha10=$(redis-cli -p "$PORT" script load "$ten")
  redis-cli -p "$PORT" function load "$lib" >/dev/null
  local cmd=("${@/@ONE@/$sha1}")
  cmd=("${cmd[@]/@TEN@/$sha10}")
  redis-benchmark -p "$PORT" -n 1 -c 1 -r 100000 "${cmd[@]}" >/dev/null
  callgrind_control -z "$pid" >/dev/null 2>&1
  redis-benchmark -p "$PORT" -n $N -c 10 -P 16 -r 100000 "${cmd[@]}" >/dev/null
  callgrind_control -d "$pid" >/dev/null 2>&1
  redis-cli -p "$PORT" shutdown nosave >/dev/null 2>&1 || true
  wait "$pid" 2>/dev/null || true
  # The dump taken after zeroing is the smallest file's total.
  local ir
  ir=$(for f in "$out".*; do callgrind_annotate "$f" 2>/dev/null | awk '/PROGRAM TOTALS/{gsub(",","",$1); print $1; exit}'; done | sort -n | head -1)
  echo "| $label | $((ir / N)) |"
  rm -f "$out"*
}
run "SET" set key:__rand_int__ xxx
run "GET" get key:__rand_int__
run "HSET" hset myhash element:__rand_int__ xxx
run "SADD" sadd myset element:__rand_int__
run "ZADD" zadd myzset __rand_int__ element:__rand_int__
run "EVALSHA, 1 call (INCR)" evalsha @ONE@ 1 k
run "EVALSHA, 10 calls (INCR x10)" evalsha @TEN@ 1 k
run "FCALL, 1 call (INCR)" fcall bump 1 k
run "XADD * f v x <random>" xadd plain '*' f v x __rand_int__
run "XADD IDMP p <random iid> * f v" xadd idmp IDMP p __rand_int__ '*' f v
