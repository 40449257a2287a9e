#!/usr/bin/env bash
# Runs every native Go fuzz target of the repository, one after the other,
# for SECONDS each (default 60), or until each has run N executions when the
# first argument is written Nx (go test's -fuzztime syntax; the count
# includes the baseline pass over the corpus), and prints the executions and
# seconds each one reached.
#
#   scripts/fuzz.sh [SECONDS | Nx] [PACKAGE...]
#   FUZZ_MINIMIZE=0 scripts/fuzz.sh 1000000x     # the million-execution run
#
# Targets are found with `go test -list '^Fuzz'`, so a new target is picked
# up without editing this script. Runs are sequential on purpose: a fuzz run
# uses every core it is given, and the machine is shared. A crash stops the
# script with the failing input left under the package's testdata/fuzz/.
# FUZZ_PARALLEL sets -parallel (default 1). FUZZ_MINIMIZE sets
# -fuzzminimizetime (default 1s): Go's default of 60 s spent shrinking each
# new interesting input stalls short runs on large seeds (certificates).
# FUZZ_TARGETS is an extended regexp that picks targets by name (default:
# all). For long runs use FUZZ_MINIMIZE=0: a target that keeps finding new
# coverage (FuzzGetChain finds hundreds of inputs an hour) spends nearly all
# of its time minimizing them otherwise, 3 executions/s instead of 2,500.
set -euo pipefail
cd "$(dirname "$0")/.."

secs=${1:-60}
shift || true
case $secs in
  ''|*[!0-9x]*|x*|*x?*) echo "usage: scripts/fuzz.sh [SECONDS | Nx] [PACKAGE...]" >&2; exit 2;;
  *x) fuzztime=$secs ;;
  *) fuzztime=${secs}s ;;
esac
pkgs=("$@")
[ ${#pkgs[@]} -gt 0 ] || mapfile -t pkgs < <(go list ./...)
par=()
# One worker by default: on this 2-core workplace two workers stalled for
# tens of seconds at a time (0 execs/s) where one runs steadily.
par=(-parallel "${FUZZ_PARALLEL:-1}")

summary=()
for pkg in "${pkgs[@]}"; do
  # A package that does not build must fail the run, not look target-less.
  if ! listing=$(go test -list '^Fuzz' "$pkg" 2>&1); then
    echo "FAIL: cannot list the fuzz targets of $pkg:" >&2
    echo "$listing" >&2
    exit 1
  fi
  targets=$(echo "$listing" | grep '^Fuzz' | grep -E "${FUZZ_TARGETS:-.}" || true)
  for target in $targets; do
    echo "== $pkg $target ($fuzztime)"
    log=$(mktemp)
    start=$(date +%s)
    if ! go test "$pkg" -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" -fuzzminimizetime "${FUZZ_MINIMIZE:-1s}" "${par[@]}" 2>&1 | tee "$log"; then
      echo "FAIL: $pkg $target" >&2
      rm -f "$log"
      exit 1
    fi
    # The last progress line of the fuzz engine carries the total: "execs: N".
    # None when the run ended during the baseline pass over the corpus.
    execs=$(grep -o 'execs: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*' || echo "baseline-only")
    summary+=("$(printf '%-55s %-32s %10s execs %5ss' "$pkg" "$target" "$execs" "$(( $(date +%s) - start ))")")
    rm -f "$log"
  done
done
echo "== summary"
printf '%s\n' "${summary[@]}"
