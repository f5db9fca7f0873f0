#!/usr/bin/env bash
# Instructions per call of each case of a benchmark, for the floor, the glue and the incumbent,
# counted by callgrind (deterministic, where times on a shared machine move by ±20 %): the count
# of a run making CALLS calls less that of a run making none, over CALLS.
#
#   bash stubs/benches/count.sh                      # all cases of `glue` (preview1)
#   bash stubs/benches/count.sh clock_time_get
#   BENCH=component bash stubs/benches/count.sh      # all cases of `component` (WASI 0.2)
#   BENCH=component bash stubs/benches/count.sh now
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v valgrind >/dev/null || { echo "count.sh needs valgrind" >&2; exit 2; }
CALLS=${CALLS:-20000}
BENCH=${BENCH:-glue}
case "$BENCH" in
  glue) all="fd_write_1x16 fd_write_4x64 clock_time_get random_get_32 args_sizes_get" ;;
  component) all="write_16 now" ;;
  *) echo "count.sh: no benchmark \`$BENCH\` (glue or component)" >&2; exit 2 ;;
esac
cargo bench -p wasi-stubs --bench "$BENCH" --no-run 2>/dev/null
bench=$(ls -t target/release/deps/"$BENCH"-* | grep -v '\.d$' | head -n 1)
cases=${1:-$all}

instructions() { # case variant calls
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bench" --count "$1" "$2" "$3" 2>&1 \
    | sed -n 's/.*Collected : *\([0-9]*\).*/\1/p'
}

# The component benchmark has a fourth variant: the ready MinimalComponentHost.
variants="floor glue incumbent"
[ "$BENCH" = component ] && variants="floor glue minimal incumbent"

printf '%-16s' case
for variant in $variants; do printf ' %10s' "$variant"; done
for variant in $variants; do [ "$variant" = floor ] || printf ' %10s' "$variant/fl"; done
printf '\n'
for case in $cases; do
  row=()
  for variant in $variants; do
    zero=$(instructions "$case" "$variant" 0)
    many=$(instructions "$case" "$variant" "$CALLS")
    row+=("$(( (many - zero + CALLS / 2) / CALLS ))")
  done
  printf '%-16s' "$case"
  for n in "${row[@]}"; do printf ' %10s' "$n"; done
  for n in "${row[@]:1}"; do printf ' %10s' "$(awk -v g="$n" -v f="${row[0]}" 'BEGIN { printf "%.2f", g / f }')"; done
  printf '\n'
done
