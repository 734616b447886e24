#!/usr/bin/env bash
# Load tests of `smartcheck serve` and `smartcheck lookup -` on the synthetic
# 1,000,000-record catalog (docs/performance.md, issue 12). Needs wrk (Debian
# package wrk) and curl; installs nothing. Run from the repository root:
#
#   docs/bench-serve.sh [quick]
#
# "quick" runs every step for 5 s instead of 30 s (a smoke test of the script);
# ONLY=paced runs only the 2,000 requests/s step (to repeat it when the machine
# was busy), ONLY=sync only the step with a background sync, ONLY=lookup only
# the two lookup steps.
# Each step also prints the CPU time the hypervisor took from this virtual
# machine while it ran (steal, from /proc/stat): at 5 % or more, latencies
# say more about the neighbours than about serve.
# The synthetic catalog is the benchmarks' cache, made if missing
# (~/.cache/smartcheck-bench/synthetic-1000000-v2); the sync test also makes
# a catalog of 1,010,000 records that extends it (same keys, issued a day
# later) in $BENCH_DIR (default /tmp/smartcheck-bench-serve).
#
# wrk has no fixed-rate mode (that is wrk2): the 2,000 requests/s step paces
# each connection in Lua (random pauses of DELAY_MS=10 on average, 23 connections), so
# its latencies are those of requests sent at that rate, and a stall would
# slow the sender too (coordinated omission): the max latency is shown for
# that reason. On a 2-core machine wrk itself takes most of one core.
set -euo pipefail
cd "$(dirname "$0")/.."
for p in wrk curl; do
  command -v $p >/dev/null || { echo "bench-serve: $p is missing (Debian package $p)" >&2; exit 1; }
done
dur=30s; short=15s
[ "${1:-}" = quick ] && { dur=5s; short=5s; }
N=1000000
cache=${XDG_CACHE_HOME:-$HOME/.cache}/smartcheck-bench/synthetic-$N-v2
work=${BENCH_DIR:-/tmp/smartcheck-bench-serve}
mkdir -p "$work"
bin=$work/smartcheck
go build -o "$bin" ./cmd/smartcheck
go build -o "$work/synthcat" ./serve/internal/synthcat
[ -f "$cache/checkpoint" ] || "$work/synthcat" -n $N -out "$cache"
next=$work/synthetic-$((N + 10000))
[ -f "$next/checkpoint" ] || "$work/synthcat" -n $((N + 10000)) -issued 2026-11-02T00:00:00Z -out "$next"

echo "== machine: $(nproc) cores; load at start: $(uptime | sed 's/.*load average: //')"
# steal_since "$(cpustat)": the share of CPU time stolen by the hypervisor since then.
cpustat() { awk '/^cpu / { t = 0; for (i = 2; i <= 9; i++) t += $i; print $9, t }' /proc/stat; }
steal_since() {
  read -r s0 t0 <<< "$1"; read -r s1 t1 <<< "$(cpustat)"
  awk -v s=$((s1 - s0)) -v t=$((t1 - t0)) 'BEGIN { printf "STEAL %.1f%% of the CPU time during the step\n", t ? 100 * s / t : 0 }'
}
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
state=$work/state; rm -rf "$state"; mkdir -p "$state"
look=(--catalog "$cache" --trust "$cache/trust" --state "$state" --at 2026-12-01)

if [ -z "${ONLY:-}" ] || [ "${ONLY:-}" = lookup ]; then
echo "== lookup, one process per code (5 codes)"
start=$(date +%s.%N)
for i in 101 20202 303030 404040 999998; do "$bin" lookup --json "${look[@]}" 0952$(printf %09d $i)0 >/dev/null 2>&1 || true; done
end=$(date +%s.%N)
awk -v s="$start" -v e="$end" 'BEGIN { p = (e - s) / 5; printf "RESULT lookup_per_process_s=%.3f codes_per_s=%.2f\n", p, 1 / p }'

echo "== lookup - over 100,000 codes (catalog opened once)"
awk 'BEGIN { for (i = 101; i < 100101; i++) { s = sprintf("0952%09d", i); sum = 0;
  for (k = 1; k <= 13; k++) sum += substr(s, k, 1) * (k % 2 ? 3 : 1);
  print s ((10 - sum % 10) % 10) } }' > "$work/codes"
start=$(date +%s.%N); st=$(cpustat)
"$bin" lookup --json "${look[@]}" - < "$work/codes" > "$work/answers"
end=$(date +%s.%N)
lines=$(wc -l < "$work/answers")
awk -v n="$lines" -v s="$start" -v e="$end" 'BEGIN { printf "RESULT lookup_stdin_codes=%d seconds=%.2f codes_per_s=%.0f (catalog opening included)\n", n, e - s, n / (e - s) }'
steal_since "$st"
if [ "${ONLY:-}" = lookup ]; then exit 0; fi
fi

# serve on a copy of the catalog (a sync appends to it), following $pub.
serve_dir=$work/serve-catalog
rm -rf "$serve_dir"; cp -r "$cache" "$serve_dir"
pub=$work/pub
ln -sfn "$cache" "$pub"
# Both listen on a free port and say which.
addr() { for _ in $(seq 150); do a=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$1" | head -1) && [ -n "$a" ] && { echo "$a"; return; }; sleep 0.2; done; cat "$1" >&2; exit 1; }
"$work/synthcat" -http 127.0.0.1:0 -dir "$pub" 2> "$work/pub.err" & pids+=($!)
puburl=$(addr "$work/pub.err")
"$bin" serve --listen 127.0.0.1:0 --catalog "$serve_dir" --trust "$cache/trust" --state "$state" \
  --log "$work/checks.jsonl" --sync "$puburl/" --sync-every 10s --cpuprofile "$work/cpu.pprof" \
  2> "$work/serve.err" & serve_pid=$!; pids+=($serve_pid)
base=$(addr "$work/serve.err")
for _ in $(seq 100); do curl -sf $base/healthz >/dev/null && break; sleep 0.2; done
curl -sf $base/healthz >/dev/null || { cat "$work/serve.err"; exit 1; }
lua=docs/bench-serve.lua
rss() { awk '/VmHWM/ { print $2 / 1024 " MB" }' /proc/$serve_pid/status; }

echo "== load now: $(uptime | sed "s/.*load average: //")"
if [ "${ONLY:-}" != sync ]; then
echo "== serve: 2,000 requests/s (paced: 23 connections, random pauses of 10 ms on average), $dur"
st=$(cpustat)
DELAY_MS=10 wrk -t1 -c23 -d$dur --latency -s $lua $base | grep -E 'RESULT|Latency|Requests/sec'
steal_since "$st"

if [ "${ONLY:-}" = paced ]; then echo "== load at end: $(uptime | sed 's/.*load average: //')"; exit 0; fi
echo "== serve: as fast as it goes, 1 wrk thread, $short each"
for c in 1 2 4 8 16 32; do printf 'connections=%-3s ' $c; st=$(cpustat); wrk -t1 -c$c -d$short -s $lua $base | grep RESULT | tr '\n' ' '; steal_since "$st"; done
fi

echo "== serve: 2,000 requests/s while a background sync installs 10,000 new records, $dur"
before=$(curl -s $base/metrics | grep -E '^smartcheck_(catalog_records|syncs_total\{outcome="installed"\})')
(sleep 3; ln -sfn "$next" "$pub") &
st=$(cpustat)
DELAY_MS=10 wrk -t1 -c23 -d$dur --latency -s $lua $base | grep -E 'RESULT|Latency'
steal_since "$st"
echo "before: $before" | tr '\n' ' '; echo
echo "after:  $(curl -s $base/metrics | grep -E '^smartcheck_(catalog_records|syncs_total\{outcome="installed"\})' | tr '\n' ' ')"
echo "serve peak memory: $(rss)"
kill -TERM $serve_pid; wait $serve_pid || true
echo "== CPU profile of the whole serve run (top 15)"
go tool pprof -top -nodecount=15 "$bin" "$work/cpu.pprof" 2>/dev/null | tail -16
echo "== load at end: $(uptime | sed 's/.*load average: //')"
