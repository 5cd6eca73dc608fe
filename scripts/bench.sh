#!/usr/bin/env bash
# End-to-end benchmark of ptransform against cp and the peers installed on this machine
# (Miller, DuckDB through node). Run by `make bench`.
#
#   scripts/bench.sh                 # 10M rows (~0.95 GB), 3 timed runs each
#   ROWS=1000000 RUNS=5 scripts/bench.sh
#   BENCH_DIR=/tmp/pt-bench KEEP=1 scripts/bench.sh   # reuse generated data
#
# Method: data is generated deterministically (tools/gencsv, fixed seed) into a temp
# directory, never the repo. Each command runs once untimed under /usr/bin/time (peak RSS,
# and it puts the input in the page cache), then RUNS timed runs; the table gives the
# median wall time, throughput of the input, and ratios against cp and the peers measured
# in the same run. The machine is shared and noisy: compare ratios, not absolute times.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
ROWS=${ROWS:-10000000}
RUNS=${RUNS:-3}
DIR=${BENCH_DIR:-$(mktemp -d /tmp/ptransform-bench.XXXXXX)}
mkdir -p "$DIR"
[ -n "${KEEP:-}" ] || [ -n "${BENCH_DIR:-}" ] || trap 'rm -rf "$DIR"' EXIT

PT="$DIR/ptransform"
(cd "$ROOT" && go build -o "$PT" ./cmd/ptransform)
IN="$DIR/rows_$ROWS.csv"
if [ ! -f "$IN" ]; then
  echo "generating $ROWS rows into $IN" >&2
  (cd "$ROOT" && go run ./tools/gencsv "$IN" "$ROWS")
fi
SIZE=$(stat -c %s "$IN")
OUT="$DIR/out.csv"

DUCK=""
if command -v node >/dev/null && [ -z "${NO_DUCKDB:-}" ]; then
  if [ ! -d "$DIR/duck/node_modules/@duckdb/node-api" ]; then
    (mkdir -p "$DIR/duck" && cd "$DIR/duck" && npm init -y >/dev/null && npm install --silent @duckdb/node-api >/dev/null 2>&1) || true
  fi
  if [ -d "$DIR/duck/node_modules/@duckdb/node-api" ]; then
    cp "$ROOT/scripts/duck_job.mjs" "$DIR/duck/"
    DUCK="node $DIR/duck/duck_job.mjs"
  fi
fi

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

declare -A WALL RSS
order=()
# measure NAME COMMAND...: records the median wall time and peak RSS of COMMAND.
measure() {
  local name=$1; shift
  local t rss
  rss=$( { /usr/bin/time -f "%M" "$@" >/dev/null 2>/dev/null; } 2>&1 | tail -1 )
  for _ in $(seq "$RUNS"); do
    local s e
    s=$(date +%s.%N); "$@" >/dev/null 2>&1; e=$(date +%s.%N)
    echo "$e - $s" | bc
  done | median > "$DIR/t"
  t=$(cat "$DIR/t")
  WALL[$name]=$t; RSS[$name]=$((rss / 1024)); order+=("$name")
  printf '  %-44s %8.3f s  %7.0f MB/s  %6s MiB\n' "$name" "$t" "$(echo "$SIZE / $t / 1000000" | bc -l)" "${RSS[$name]}" >&2
}

echo "input: $IN ($((SIZE / 1000000)) MB, $ROWS rows), $(nproc) cores, $RUNS runs each" >&2
measure "cp" cp "$IN" "$OUT"
measure "ptransform identity --workers 1" "$PT" apply --quiet --workers 1 "$IN" -o "$OUT"
measure "ptransform identity --workers 2" "$PT" apply --quiet --workers 2 "$IN" -o "$OUT"
measure "ptransform select+rename" "$PT" apply --quiet --select id,name,b,a --rename a=amount "$IN" -o "$OUT"
measure "ptransform identity, stdin" sh -c "\"$PT\" apply --quiet - < \"$IN\" > \"$OUT\""
if command -v mlr >/dev/null; then
  measure "mlr identity" mlr --csv cat "$IN"
  measure "mlr select+rename" mlr --csv cut -o -f id,name,b,a then rename a,amount "$IN"
fi
if [ -n "$DUCK" ]; then
  measure "duckdb identity" $DUCK identity "$IN" "$OUT"
  measure "duckdb select+rename" $DUCK select "$IN" "$OUT"
fi

ratio() { echo "${WALL[$1]} / ${WALL[$2]}" | bc -l; }
echo
echo "| command | median s | MB/s | peak RSS MiB | vs cp |"
echo "|---|---:|---:|---:|---:|"
for n in "${order[@]}"; do
  printf '| %s | %.3f | %.0f | %s | %.2f |\n' "$n" "${WALL[$n]}" "$(echo "$SIZE / ${WALL[$n]} / 1000000" | bc -l)" "${RSS[$n]}" "$(echo "${WALL[cp]} / ${WALL[$n]}" | bc -l)"
done
echo
printf 'identity throughput vs cp: %.0f%% (bar: >= 50%%)\n' "$(echo "100 * ${WALL[cp]} / ${WALL[ptransform identity --workers 2]}" | bc -l)"
printf 'scaling --workers 2 / --workers 1: %.2fx (bar: >= 1.8x)\n' "$(ratio "ptransform identity --workers 1" "ptransform identity --workers 2")"
if [ -n "${WALL[mlr identity]:-}" ]; then
  printf 'vs Miller: identity %.1fx, select+rename %.1fx faster\n' "$(ratio "mlr identity" "ptransform identity --workers 2")" "$(ratio "mlr select+rename" "ptransform select+rename")"
fi
if [ -n "${WALL[duckdb identity]:-}" ]; then
  printf 'vs DuckDB: identity %.1fx, select+rename %.1fx faster\n' "$(ratio "duckdb identity" "ptransform identity --workers 2")" "$(ratio "duckdb select+rename" "ptransform select+rename")"
fi
