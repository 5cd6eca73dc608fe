#!/usr/bin/env bash
# Interleaved rounds of a few commands, for A/B comparisons on a shared, noisy machine:
# every round runs every command once, in the order given, so that a change of the
# machine's state (load, the host's page cache, which vCPU is slow) falls on all of them
# alike. Not run by CI; `make bench` (scripts/bench.sh) is the standard table.
#
#   scripts/rounds.sh ROUNDS JOBS.tsv [LOG.tsv]
#
# JOBS.tsv: one command a line, "label<TAB>command", run by bash in DIR (default: the
# current directory); lines starting with # are skipped. Example:
#
#   old	/tmp/pt.old apply -q rows_10m.csv -o out.csv
#   new	/tmp/pt.new apply -q rows_10m.csv -o out.csv
#   cp	cp rows_10m.csv out.cp
#
# Every command runs once untimed first (it puts the inputs in the page cache: this VM
# pages out files left alone for a minute). Before each timed run, the outputs of the
# run before are removed (rm -f out.*) and `sync` waits for their writeback, which would
# otherwise slow whichever command comes next. Each run appends "label wall user sys
# maxrssKB load1" to LOG (default: rounds.<time>.tsv); the summary printed at the end
# gives per label the median wall and CPU seconds (user + system), their range and the
# largest peak RSS.
set -euo pipefail
[ $# -ge 2 ] || { sed -n '2,/^set -/p' "$0" | sed '$d' >&2; exit 2; }
rounds=$1 jobs=$(realpath "$2") log=$(realpath -m "${3:-rounds.$(date +%H%M%S).tsv}")
cd "${DIR:-.}"
mapfile -t lines < <(grep -v '^#' "$jobs" | grep .)
timing=$(mktemp)
trap 'rm -f "$timing"' EXIT
for line in "${lines[@]}"; do bash -c "${line#*$'\t'}" >/dev/null 2>&1 || true; done
for _ in $(seq "$rounds"); do
  for line in "${lines[@]}"; do
    rm -f out.*; sync
    /usr/bin/time -o "$timing" -f '%e %U %S %M' bash -c "${line#*$'\t'}" >/dev/null 2>&1 || echo "${line%%$'\t'*}: failed" >&2
    echo "${line%%$'\t'*} $(tail -1 "$timing") $(cut -d' ' -f1 /proc/loadavg)" >> "$log"
  done
done
rm -f out.*
awk '
  function median(s,   a, n, i, j, t) {
    n = split(s, a, " ")
    for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
    return a[int((n + 1) / 2)]
  }
  !($1 in wall) { order[++n] = $1 }
  { wall[$1] = wall[$1] " " $2; cpu[$1] = cpu[$1] " " ($3 + $4)
    if (!($1 in lo) || $2 < lo[$1]) lo[$1] = $2
    if ($2 > hi[$1]) hi[$1] = $2
    if ($5 > rss[$1]) rss[$1] = $5; runs[$1]++ }
  END { for (i = 1; i <= n; i++) { k = order[i]
    printf "%-24s n=%-3d wall %.3f (%.2f-%.2f)  cpu %.2f  rss %d MB\n", k, runs[k], median(wall[k]), lo[k], hi[k], median(cpu[k]), rss[k] / 1024 } }
' "$log"
echo "log: $log" >&2
