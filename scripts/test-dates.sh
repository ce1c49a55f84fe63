#!/usr/bin/env bash
# Runs the jest suite with the machine's clock set to dates where calendar code breaks (libfaketime; Debian's
# `faketime` package). The clock is shifted by a fixed offset (computed just before each run), so it starts at each
# date and runs on from there, and every process of the run — the app replicas a test spawns too — sees one clock.
# Usage: scripts/test-dates.sh [jest args…]   (TEST_DATES="2026-12-01T04:30:00Z …" to choose the dates)
# Prints one "date: N passed, N failed" line per date and writes .cache/dates/<date>.json.
set -uo pipefail
cd "$(dirname "$0")/.."
if ! command -v faketime >/dev/null; then
  echo "faketime is not installed (apt-get install faketime)"; exit 2
fi
# UTC instants:
#   2026-12-01T04:30Z  23:30 in Detroit on the last evening of November (the next 09:00 is in December)
#   2027-03-14T06:30Z  01:30 EST, half an hour before Detroit springs forward (02:00-03:00 does not exist)
#   2026-11-01T05:30Z  01:30 EDT, the first of the two 01:30s of the night Detroit falls back
#   2027-01-01T04:30Z  23:30 in Detroit on 31 December (the year ends within the hour)
#   2028-02-29T14:00Z  09:00 in Detroit on 29 February
DATES=${TEST_DATES:-"2026-12-01T04:30:00Z 2027-03-14T06:30:00Z 2026-11-01T05:30:00Z 2027-01-01T04:30:00Z 2028-02-29T14:00:00Z"}
mkdir -p .cache/dates
total_passed=0; total_failed=0; status=0
for d in $DATES; do
  out=".cache/dates/${d//:/}.json"
  rm -f "$out"
  offset=$(( $(date -u -d "$d" +%s) - $(date -u +%s) ))
  [ "$offset" -ge 0 ] && offset="+$offset"
  TZ=UTC FAKETIME_DONT_FAKE_MONOTONIC=1 faketime -f "${offset}s" npx jest --json --outputFile="$out" "$@" \
    > ".cache/dates/${d//:/}.log" 2>&1
  rc=$?
  p=0; f=0
  if [ -f "$out" ]; then
    p=$(node -e "const r=require('./$out');console.log(r.numPassedTests)")
    f=$(node -e "const r=require('./$out');console.log(r.numFailedTests + (r.numRuntimeErrorTestSuites||0))")
  fi
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  [ "$rc" -ne 0 ] && status=1
  echo "$d: $p passed, $f failed"
  # Each failure with the lines that say why (jest's "●" block), so that a CI log alone explains it.
  if [ "$f" -ne 0 ]; then grep -E -A30 "^  ● " ".cache/dates/${d//:/}.log" | grep -v "^\s*at " | head -80; fi
  total_passed=$((total_passed + p)); total_failed=$((total_failed + f))
done
echo "dates: $total_passed passed, $total_failed failed"
exit $status
