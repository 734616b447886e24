#!/usr/bin/env bash
# Measures opening a synthetic catalog (issue 2's targets) and the floor:
# sha256sum of the same records file. Usage: docs/bench-open.sh [RECORDS]
# (default 1,000,000). The catalog is made once and kept in the user cache
# directory (about a minute and 1 GB for a million records).
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}
export SMARTCHECK_BENCH_RECORDS=$n
go test -run=XXX -bench='Open' -benchtime=5x -count=3 ./catalog | grep '^Benchmark'
go test -run=XXX -bench='Lookup' -benchtime=20000x -count=1 ./catalog | grep '^Benchmark'
dir="${XDG_CACHE_HOME:-$HOME/.cache}/smartcheck-bench/synthetic-$n-v2"
echo "records file: $(du -h "$dir/records" | cut -f1)"
for i in 1 2 3; do
  /usr/bin/env time -f "sha256sum: %e s wall" sha256sum "$dir/records" >/dev/null
  /usr/bin/env time -f "openssl dgst -sha256: %e s wall" openssl dgst -sha256 "$dir/records" >/dev/null
done
go build -o /tmp/smartcheck-bench ./cmd/smartcheck
for i in 1 2 3; do
  /usr/bin/env time -f "smartcheck lookup (open + judge, whole process): %e s wall, %U s user, %S s sys, %M KB max RSS" \
    /tmp/smartcheck-bench lookup --catalog "$dir" --state "$(mktemp -d)" --at 2026-11-24 --json 09520000123451 >/dev/null
done
