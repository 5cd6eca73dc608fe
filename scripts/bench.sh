#!/usr/bin/env bash
# End-to-end benchmark of ptransform against cp and the peers installed on this machine
# (Miller, DuckDB through node, excelize). Run by `make bench`; not run by CI.
#
#   scripts/bench.sh                 # 10M rows (~0.95 GB), 3 timed runs each
#   ROWS=1000000 RUNS=5 scripts/bench.sh
#   BENCH_DIR=/tmp/pt-bench scripts/bench.sh          # keep and reuse generated data
#   SECTIONS=xlsx scripts/bench.sh                    # only the Excel section
#   JOBS="identity filter" scripts/bench.sh           # only these jobs of the csv section
#   CEILING=0 scripts/bench.sh                        # without the pinned one-worker runs
#
# Sections: csv (the jobs of issue 10, each with --workers 2 and --workers 1, against
# cp, Miller and DuckDB where installed: identity, select+rename, derive, filter+derive+
# select, upper, a date format, group-by (few and 1M groups), top-N, a full sort in
# 256 MiB, the output formats jsonl, parquet and xlsx on the
# first FORMAT_ROWS rows, Parquet input to CSV on those rows (the file written by
# DuckDB with its default settings and by ptransform), and lookup, issue 12: ROWS orders
# looked up against LOOKUP_PRODUCTS products, made by tools/gencsv -orders/-products)
# and xlsx (a 200k-row sheet to CSV against excelize's Rows() iterator; needs
# ../shared/bench and Debian's python3-xlsxwriter to make the workbook).
# A peer that is not installed is skipped: Miller is `mlr` on PATH; DuckDB is
# @duckdb/node-api, from the global npm root or installed into the data directory.
#
# Method: data is generated deterministically (tools/gencsv, fixed seed) into a temp
# directory, never the repo. Each command runs once untimed under /usr/bin/time (peak RSS,
# and it puts the input in the page cache), then RUNS timed runs, each after removing the
# previous output and a `sync`; the table gives the median wall time, throughput of the
# input, and ratios against cp and the peers measured in the same run (a command slower
# than SLOW seconds runs once). The machine is shared and noisy: compare ratios, not
# absolute times.
#
# The two-core ceiling: on a machine of two CPUs (and taskset), each job also runs with
# one worker pinned to CPU 0 and to CPU 1 (times t0, t1). The vCPUs of a shared VM are
# not equal (docs/performance.md, "The two vCPUs are not equal"): a memory-heavy job has
# run 1.5-1.75x slower on one than on the other, the slower one changing with the
# host's load. No split of one job over both can beat 1 / (1/t0 + 1/t1), both cores busy
# at their own speed; the table gives --workers 1 over that time (the ceiling of the
# scaling ratio) and the share of it --workers 2 reaches.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
ROWS=${ROWS:-10000000}
RUNS=${RUNS:-3}
SLOW=${SLOW:-20} # seconds: a command whose first run takes longer is not run again
SECTIONS=${SECTIONS:-"csv xlsx"}
SHARED=${SHARED:-$ROOT/../shared/bench}
DIR=${BENCH_DIR:-$(mktemp -d /tmp/ptransform-bench.XXXXXX)}
mkdir -p "$DIR"
[ -n "${KEEP:-}" ] || [ -n "${BENCH_DIR:-}" ] || trap 'rm -rf "$DIR"' EXIT

PT="$DIR/ptransform"
(cd "$ROOT" && go build -o "$PT" ./cmd/ptransform)
IN="$DIR/rows_$ROWS.csv"
if [[ " $SECTIONS " == *" csv "* ]] && [ ! -f "$IN" ]; then
  echo "generating $ROWS rows into $IN" >&2
  (cd "$ROOT" && go run ./tools/gencsv "$IN" "$ROWS")
fi
OUT="$DIR/out.csv"

DUCK=""
if [[ " $SECTIONS " == *" csv "* ]] && command -v node >/dev/null && [ -z "${NO_DUCKDB:-}" ]; then
  if [ ! -d "$DIR/duck/node_modules/@duckdb/node-api" ]; then
    mkdir -p "$DIR/duck/node_modules"
    if global=$(npm root -g 2>/dev/null) && [ -d "$global/@duckdb/node-api" ]; then
      ln -sfn "$global/@duckdb" "$DIR/duck/node_modules/@duckdb"
    else
      (cd "$DIR/duck" && npm init -y >/dev/null && npm install --silent @duckdb/node-api >/dev/null 2>&1) || true
    fi
  fi
  if [ -d "$DIR/duck/node_modules/@duckdb/node-api" ]; then
    cp "$ROOT/scripts/duck_job.mjs" "$DIR/duck/"
    DUCK="node $DIR/duck/duck_job.mjs"
  fi
fi
CEIL=""
if [ "${CEILING:-1}" != 0 ] && [ "$(nproc)" = 2 ] && command -v taskset >/dev/null; then CEIL=1; fi
MLR=""
if command -v mlr >/dev/null && [ -z "${NO_MILLER:-}" ]; then MLR=mlr; fi

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

declare -A WALL RSS SIZES
order=()
# measure NAME OUTPUT COMMAND...: records the median wall time and peak RSS of COMMAND,
# which writes OUTPUT (removed before each run: replacing a 1 GB file costs the kernel
# time that creating one does not).
measure() {
  local name=$1 out=$2; shift 2
  local t rss s e first
  # Each run starts with no dirty pages left by the one before: writeback of a previous
  # 1 GB output otherwise throttles whichever command comes next, cp included.
  rm -rf "$out"; sync
  s=$(date +%s.%N)
  /usr/bin/time -o "$DIR/rss" -f "%M" "$@" >/dev/null 2>"$DIR/stderr" || { echo "  $name: failed: $(tail -1 "$DIR/stderr")" >&2; return; }
  e=$(date +%s.%N)
  rss=$(tail -1 "$DIR/rss")
  first=$(echo "$e - $s" | bc)
  if (( $(echo "$first > $SLOW" | bc) )); then
    t=$first # a slow peer: its single run is the figure (n=1)
  else
    t=$(for _ in $(seq "$RUNS"); do
      rm -rf "$out"; sync
      s=$(date +%s.%N); "$@" >/dev/null 2>&1; e=$(date +%s.%N)
      echo "$e - $s" | bc
    done | median)
  fi
  rm -rf "$out"
  WALL[$name]=$t; RSS[$name]=$((rss / 1024)); order+=("$name")
  SIZES[$name]=$SIZE
  printf '  %-44s %8.3f s  %7.0f MB/s  %6s MiB\n' "$name" "$t" "$(echo "$SIZE / $t / 1000000" | bc -l)" "${RSS[$name]}" >&2
}

ratio() { echo "${WALL[$1]} / ${WALL[$2]}" | bc -l; }
have() { [ -n "${WALL[$1]:-}" ]; }

# job NAME INPUT EXT 'PTRANSFORM ARGS' 'MILLER ARGS' DUCKDB_JOB [EXCELIZE]: one line of
# the table: ptransform with 2 workers and with 1, then each peer that is installed and
# can do the job (empty arguments: no such peer command).
jobs=()
job() {
  local name=$1 in=$2 ext=$3 pt=$4 mlr=$5 duck=$6 exz=${7:-}
  [ -z "${JOBS:-}" ] || [[ " $JOBS " == *" $name "* ]] || return 0
  jobs+=("$name")
  SIZE=$(stat -L -c %s "$in")
  local out="$DIR/out.$ext" args
  eval "args=($pt)"
  measure "$name: ptransform --workers 2" "$out" "$PT" apply --quiet --workers 2 "${args[@]}" "$in" -o "$out"
  measure "$name: ptransform --workers 1" "$out" "$PT" apply --quiet --workers 1 "${args[@]}" "$in" -o "$out"
  if [ -n "$CEIL" ]; then
    measure "$name: ptransform --workers 1 on CPU 0" "$out" taskset -c 0 "$PT" apply --quiet --workers 1 "${args[@]}" "$in" -o "$out"
    measure "$name: ptransform --workers 1 on CPU 1" "$out" taskset -c 1 "$PT" apply --quiet --workers 1 "${args[@]}" "$in" -o "$out"
  fi
  if [ -n "$MLR" ] && [ -n "$mlr" ]; then
    measure "$name: Miller" "$out" sh -c "mlr $mlr \"\$0\" > \"\$1\"" "$in" "$out"
  fi
  if [ -n "$DUCK" ] && [ -n "$duck" ]; then
    measure "$name: DuckDB" "$out" $DUCK "$duck" "$in" "$out"
  fi
  if [ -n "$exz" ] && [ -x "$DIR/csv2xlsx" ]; then
    measure "$name: excelize StreamWriter" "$out" "$DIR/csv2xlsx" "$in" "$out" "$exz"
  fi
}

if [[ " $SECTIONS " == *" csv "* ]]; then
  SIZE=$(stat -L -c %s "$IN")
  echo "input: $IN ($((SIZE / 1000000)) MB, $ROWS rows), $(nproc) cores, $RUNS runs each" >&2
  echo "peers: cp${MLR:+, Miller}${DUCK:+, DuckDB}" >&2
  measure "cp" "$OUT" cp "$IN" "$OUT"
  # cp copies inside the kernel (copy_file_range); any program that computes its output
  # writes it with write(). dd is that floor: read and write, no processing.
  measure "dd bs=1M (read+write floor)" "$OUT" dd if="$IN" of="$OUT" bs=1M status=none
  job identity "$IN" csv "" "--csv cat" identity
  job select "$IN" csv "--select id,name,b,a --rename a=amount" "--csv cut -o -f id,name,b,a then rename a,amount" select
  job derive "$IN" csv "-e 'total = a * b'" "--csv put '\$total = \$a * \$b'" derive
  job filter "$IN" csv "-w 'b > 500' -e 'total = a * b' --select id,name,total" \
    "--csv filter '\$b > 500' then put '\$total = \$a * \$b' then cut -o -f id,name,total" filter
  job upper "$IN" csv "-e 'name = upper(name)'" "--csv put '\$name = toupper(\$name)'" upper
  job date "$IN" csv "-e 'date = format_date(date, \"%d/%m/%Y\")'" \
    "--csv put '\$date = strftime(strptime(\$date, \"%Y-%m-%d\"), \"%d/%m/%Y\")'" date
  # Reports (issue 11): five aggregates by a few dozen groups and by 1M groups, top-N,
  # and a full sort in 256 MiB (its runs spill to temporary files).
  AGG='n = count(); s = sum(a); m = mean(b); mx = max(c); mn = min(c)'
  job group "$IN" csv "--group-by category --agg '$AGG'" \
    "--csv stats1 -a count,sum,mean,max,min -f a,b,c -g category" group
  job groups "$IN" csv "--group-by 'g = int(id) % 1000000' --agg '$AGG'" \
    "--csv put '\$g = \$id % 1000000' then stats1 -a count,sum,mean,max,min -f a,b,c -g g" groups
  job topn "$IN" csv "--sort -a --limit 100" "--csv top -n 100 -f a -a" topn
  job sort "$IN" csv "--sort date --memory 256MiB" "--csv sort -f date" sort
  if [ -z "${JOBS:-}" ] || [[ " $JOBS " == *" identity-stdin "* ]]; then
    measure "identity-stdin: ptransform --workers 2" "$OUT" sh -c "\"$PT\" apply --quiet - < \"$IN\" > \"$OUT\""
  fi
  # Output formats, on the first FORMAT_ROWS rows (xlsx: at most 200k, its peer's size).
  FMT_ROWS=${FORMAT_ROWS:-1000000}
  FIN="$DIR/rows_${FMT_ROWS}_of_$ROWS.csv"
  [ -f "$FIN" ] || head -n $((FMT_ROWS + 1)) "$IN" > "$FIN"
  XIN="$DIR/rows_200k_of_$ROWS.csv"
  [ -f "$XIN" ] || head -n 200001 "$IN" > "$XIN"
  if [ -d "$SHARED/goexcelize" ] && [ ! -x "$DIR/csv2xlsx" ]; then
    rm -rf "$DIR/goexcelize" && cp -r "$SHARED/goexcelize" "$DIR/goexcelize"
    (cd "$DIR/goexcelize" && go build -o "$DIR/csv2xlsx" ./cmd/csv2xlsx) || true
  fi
  if [ -z "${JOBS:-}" ] || [[ " $JOBS " == *" lookup "* ]]; then
    NPROD=${LOOKUP_PRODUCTS:-100000}
    ORDERS="$DIR/orders_$ROWS.csv"
    export PRODUCTS="$DIR/products_$NPROD.csv"
    [ -f "$PRODUCTS" ] || (cd "$ROOT" && go run ./tools/gencsv -products "$PRODUCTS" "$NPROD")
    [ -f "$ORDERS" ] || (cd "$ROOT" && go run ./tools/gencsv -orders "$ORDERS" "$ROWS" "$NPROD")
    job lookup "$ORDERS" csv "--lookup '$PRODUCTS' --on product_id --lookup-select name,price" "" lookup
  fi
  job jsonl "$FIN" jsonl "" "--icsv --ojsonl cat" jsonl
  job parquet "$FIN" parquet "" "" parquet
  job xlsx "$XIN" xlsx "" "" "" 200000
  # Parquet input (issue 12): the FORMAT_ROWS rows written as Parquet by DuckDB (default
  # settings) and by ptransform, read back to CSV.
  PIN_OURS="$DIR/rows_${FMT_ROWS}_of_$ROWS.ours.parquet"
  [ -f "$PIN_OURS" ] || "$PT" apply --quiet "$FIN" -o "$PIN_OURS"
  job parquet-in-ours "$PIN_OURS" csv "" "" parquet-in
  if [ -n "$DUCK" ]; then
    PIN_DUCK="$DIR/rows_${FMT_ROWS}_of_$ROWS.duckdb.parquet"
    [ -f "$PIN_DUCK" ] || $DUCK parquet-default "$FIN" "$PIN_DUCK"
    job parquet-in-duckdb "$PIN_DUCK" csv "" "" parquet-in
  fi
fi

if [[ " $SECTIONS " == *" xlsx "* ]]; then
  X="$DIR/rows_200k.xlsx"
  if [ ! -f "$X" ] && [ -f "$SHARED/gen_xlsx.py" ]; then
    echo "generating $X" >&2
    /usr/bin/python3 "$SHARED/gen_xlsx.py" "$X" --sheets 1 --rows-per-sheet 200000 >&2 || rm -f "$X"
  fi
  if [ -f "$X" ]; then
    SIZE=$(stat -L -c %s "$X")
    echo "input: $X ($((SIZE / 1000000)) MB, 200000 rows x 10 columns)" >&2
    measure "ptransform xlsx->csv --workers 1" "$OUT" "$PT" apply --quiet --workers 1 "$X" -o "$OUT"
    measure "ptransform xlsx->csv --workers 2" "$OUT" "$PT" apply --quiet --workers 2 "$X" -o "$OUT"
    if [ -d "$SHARED/goexcelize" ]; then
      rm -rf "$DIR/goexcelize" && cp -r "$SHARED/goexcelize" "$DIR/goexcelize"
      (cd "$DIR/goexcelize" && go build -o "$DIR/xlsx2csv" ./cmd/xlsx2csv)
      measure "excelize Rows() xlsx->csv" "$OUT" "$DIR/xlsx2csv" "$X" "$OUT"
    fi
  else
    echo "xlsx section skipped: needs $SHARED/gen_xlsx.py and python3-xlsxwriter" >&2
  fi
fi

echo
echo "| command | median s | MB/s of input | peak RSS MiB |"
echo "|---|---:|---:|---:|"
for n in "${order[@]}"; do
  printf '| %s | %.3f | %.0f | %s |\n' "$n" "${WALL[$n]}" "$(echo "${SIZES[$n]} / ${WALL[$n]} / 1000000" | bc -l)" "${RSS[$n]}"
done
# times faster than PEER (its time over ours), or - when either is missing.
times() { if have "$1" && have "$2"; then printf '%.1f' "$(ratio "$1" "$2")"; else printf -- '-'; fi; }
if [ ${#jobs[@]} -gt 0 ]; then
  echo
  echo "Ratios, ptransform --workers 2 against: itself with one worker (scaling), cp (share"
  echo "of its throughput, all jobs reading the same input), Miller and DuckDB (times faster)."
  echo
  echo "Two-core ceiling (where measured): --workers 1 over 1 / (1/t0 + 1/t1), t0 and t1 the"
  echo "one-worker runs pinned to CPU 0 and CPU 1; of ceiling: that time over --workers 2's."
  echo
  echo "| job | --workers 2 s | --workers 2 / 1 | two-core ceiling | of ceiling | % of cp | x Miller | x DuckDB | x excelize |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
  for j in "${jobs[@]}"; do
    pt="$j: ptransform --workers 2"
    have "$pt" || continue
    cpshare=-
    if have cp && [ "${SIZES[$pt]}" = "${SIZES[cp]}" ]; then cpshare=$(printf '%.0f%%' "$(echo "100 * ${WALL[cp]} / ${WALL[$pt]}" | bc -l)"); fi
    ceiling=- ofceiling=-
    c0="$j: ptransform --workers 1 on CPU 0" c1="$j: ptransform --workers 1 on CPU 1"
    if have "$c0" && have "$c1" && have "$j: ptransform --workers 1"; then
      both=$(echo "1 / (1 / ${WALL[$c0]} + 1 / ${WALL[$c1]})" | bc -l)
      ceiling=$(printf '%.2f' "$(echo "${WALL[$j: ptransform --workers 1]} / $both" | bc -l)")
      ofceiling=$(printf '%.0f%%' "$(echo "100 * $both / ${WALL[$pt]}" | bc -l)")
    fi
    scaling=-
    if have "$j: ptransform --workers 1"; then scaling=$(printf '%.2f' "$(ratio "$j: ptransform --workers 1" "$pt")"); fi
    printf '| %s | %.3f | %s | %s | %s | %s | %s | %s | %s |\n' "$j" "${WALL[$pt]}" "$scaling" "$ceiling" "$ofceiling" "$cpshare" \
      "$(times "$j: Miller" "$pt")" "$(times "$j: DuckDB" "$pt")" "$(times "$j: excelize StreamWriter" "$pt")"
  done
  echo
  echo "Bars (issue 10): identity >= 90% of cp; --workers 2 / 1 >= 1.8 on derive and upper;"
  echo "derive >= 5x DuckDB and >= 10x Miller; filter >= 4x DuckDB; peak RSS <= 200 MiB;"
  echo "(issue 11) group >= 5x DuckDB, >= 10x Miller, --workers 2 / 1 >= 1.7; groups >= 2x"
  echo "DuckDB, peak RSS <= 600 MiB; topn >= 5x DuckDB; sort <= 2x DuckDB's time, RSS <= 400 MiB;"
  echo "(issue 12) parquet-in-* >= 2x DuckDB; lookup >= 4x DuckDB, --workers 2 / 1 >= 1.7:"
  if have "identity: ptransform --workers 2"; then
    printf 'peak RSS: identity %s MiB, derive %s MiB\n' "${RSS[identity: ptransform --workers 2]}" "${RSS[derive: ptransform --workers 2]:-}"
  fi
fi
if have "excelize Rows() xlsx->csv"; then
  printf 'xlsx->csv vs excelize Rows(): %.1fx faster (bar: >= 10x)\n' "$(ratio "excelize Rows() xlsx->csv" "ptransform xlsx->csv --workers 2")"
fi
