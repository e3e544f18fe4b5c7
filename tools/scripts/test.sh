#!/usr/bin/env bash
# Installs what is missing, runs every test under Bazel, and prints
# "N passed, N failed" counting doctest test cases (a test target without
# doctest output counts as one case; a target that failed to build or
# crashed counts as one failure).
set -uo pipefail
cd "$(dirname "$0")/../.."
tools/scripts/install-deps.sh || { echo "0 passed, 1 failed"; exit 1; }

flags=(--noshow_progress --color=no --curses=no --test_summary=short --keep_going)
# Where ../shared/vectors exists (CI has it), tests that need it must run.
if [ -d ../shared/vectors ]; then
  flags+=(--test_env=SLUICE_REQUIRE_VECTORS=1)
fi
log=$(mktemp)
bazel test "${flags[@]}" "$@" //... 2>&1 | tee "$log"
bazel_rc=${PIPESTATUS[0]}

passed=0
failed=0
testlogs=$(bazel info bazel-testlogs 2>/dev/null)
targets=$(bazel query 'tests(//...)' 2>/dev/null)
for t in $targets; do
  path=${t#//}
  path=${path/://}
  testlog="$testlogs/$path/test.log"
  status=$(grep -E "^$t[[:space:]]" "$log" | tail -1 | awk '{print $2}')
  summary=""
  [ -f "$testlog" ] && summary=$(grep -E '^\[doctest\] test cases:' "$testlog" | tail -1)
  if [ "$status" = "PASSED" ] || [ "$status" = "(cached)" ]; then
    if [ -n "$summary" ]; then
      p=$(echo "$summary" | sed -E 's/.*\|[[:space:]]*([0-9]+) passed.*/\1/')
      f=$(echo "$summary" | sed -E 's/.*\|[[:space:]]*([0-9]+) failed.*/\1/')
      passed=$((passed + p))
      failed=$((failed + f))
    else
      passed=$((passed + 1))
    fi
  else
    f=0
    [ -n "$summary" ] && f=$(echo "$summary" | sed -E 's/.*\|[[:space:]]*([0-9]+) failed.*/\1/')
    [ "$f" -gt 0 ] 2>/dev/null || f=1
    failed=$((failed + f))
    p=0
    [ -n "$summary" ] && p=$(echo "$summary" | sed -E 's/.*\|[[:space:]]*([0-9]+) passed.*/\1/')
    passed=$((passed + p))
    echo "FAILED: $t ($status)"
  fi
done
rm -f "$log"
if [ "$bazel_rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1  # the build itself failed
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
