#!/usr/bin/env bash
# Runs BoringSSL's TLS conformance suite (BoGo) against sluice's shim
# (//tests/bogo:shim) with tests/bogo/config.json, and prints the passed /
# failed / skipped / disabled counts and every failure. Exits non-zero on
# any unexpected failure. The runner's sources are in ../shared/bogo beside
# the checkout; where they are absent the suite is not run (exit 0).
#   tools/scripts/bogo.sh [-test 'Pattern*;Other*']   extra args go to the runner
# BAZEL_STARTUP_FLAGS (e.g. --output_base=DIR) is passed to bazel.
set -uo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
bogo_src=$(cd .. && pwd)/shared/bogo
if [ ! -d "$bogo_src" ]; then
  echo "NOT RUN: ../shared/bogo absent"
  exit 0
fi
tools/scripts/install-deps.sh >/dev/null || { echo "BoGo: install-deps failed"; exit 1; }

work=$(mktemp -d /tmp/sluice-bogo.XXXXXX)
trap 'rm -rf "$work"' EXIT
if ! "$bogo_src/build.sh" "$work/runner" >"$work/build.log" 2>&1; then
  cat "$work/build.log"
  echo "BoGo: the runner did not build"
  exit 1
fi
# shellcheck disable=SC2086
if ! bazel ${BAZEL_STARTUP_FLAGS:-} build --noshow_progress --color=no --curses=no //tests/bogo:shim >"$work/shim.log" 2>&1; then
  cat "$work/shim.log"
  echo "BoGo: the shim did not build"
  exit 1
fi
# shellcheck disable=SC2086
bin=$(bazel ${BAZEL_STARTUP_FLAGS:-} info bazel-bin 2>/dev/null)
cp "$bin/tests/bogo/shim" "$work/shim"

start=$(date +%s)
# The runner reads its certificates and keys relative to its own folder.
(cd "$work/runner/src/ssl/test/runner" &&
  "$work/runner/runner.test" -shim-path="$work/shim" -shim-config="$root/tests/bogo/config.json" \
    -pipe -allow-unimplemented -num-workers 2 -json-output "$work/results.json" "$@") >"$work/run.log" 2>&1
runner_rc=$?
end=$(date +%s)

# The names of all tests, disabled ones included: a pass with a shim that
# answers 89 ("not implemented") to everything takes seconds.
printf '#!/bin/sh\n[ "$1" = -is-handshaker-supported ] && echo No && exit 0\nexit 89\n' >"$work/null-shim"
chmod +x "$work/null-shim"
(cd "$work/runner/src/ssl/test/runner" &&
  "$work/runner/runner.test" -shim-path="$work/null-shim" -pipe -allow-unimplemented -num-workers 2 "$@") \
  >"$work/all.log" 2>&1

# How many of the passing tests pass in TLS 1.3 alone: the same run with
# TLS 1.2 turned off in the shim (counted only; it decides nothing).
(cd "$work/runner/src/ssl/test/runner" &&
  "$work/runner/runner.test" -shim-path="$work/shim" -shim-config="$root/tests/bogo/config.json" \
    -shim-extra-flags=-no-tls12 -pipe -allow-unimplemented -num-workers 2 "$@") >"$work/tls13.log" 2>&1

python3 "$root/tools/scripts/bogo_summary.py" "$work/results.json" "$work/run.log" "$work/all.log" \
  "$root/tests/bogo/config.json" "$runner_rc" "$((end - start))" "$work/tls13.log"
