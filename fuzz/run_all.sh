#!/usr/bin/env bash
# run_all.sh MINUTES [TARGET...]: build the libFuzzer targets with clang
# (--config=fuzz, in a separate Bazel output base so the default one's cache
# is untouched) and run each for MINUTES, two at a time (the machines here
# have two cores).
#
# Each target fuzzes a scratch corpus ($FUZZ_WORK/<target>, seeded from
# fuzz/corpus/<target>, which libFuzzer only reads). Crashes go to
# fuzz/crashes/ (not committed). At the end a line per target gives
# executions, edges covered (libFuzzer's final cov:) and corpus size.
#
# To fold new coverage into the checked-in corpus afterwards (keeps it small):
#   <fuzzer> -merge=1 fuzz/corpus/<target> $FUZZ_WORK/<target>
set -euo pipefail

cd "$(dirname "$0")/.."
minutes=${1:?usage: fuzz/run_all.sh MINUTES [TARGET...]}
shift
all_targets=(record handshake_message extensions ech x509 pem client server api_sequence x25519)
targets=("${@:-${all_targets[@]}}")
[[ $# -eq 0 ]] && targets=("${all_targets[@]}")

output_base=${FUZZ_OUTPUT_BASE:-/root/.cache/bazel-fuzz}
work=${FUZZ_WORK:-/tmp/sluice-fuzz}
bazel=(bazel --output_base="$output_base")
"${bazel[@]}" build --config=fuzz --symlink_prefix=/ //fuzz/... >/dev/null
bin=$("${bazel[@]}" info --config=fuzz bazel-bin 2>/dev/null)/fuzz
mkdir -p fuzz/crashes "$work/logs"

# Inputs bigger than these reach no new code: records are at most 2^14+256
# bytes, messages and certificates a few KB in the seeds.
max_len() {
  case $1 in
    record) echo 20000 ;;
    client | server) echo 12000 ;;
    pem | x509 | handshake_message) echo 8192 ;;
    api_sequence) echo 2048 ;;
    x25519) echo 64 ;;
    *) echo 4096 ;;
  esac
}

# Extra flags: an API sequence is only interesting once it is long, so its
# length is not grown slowly from tiny inputs.
extra_flags() {
  case $1 in
    api_sequence) echo -len_control=0 ;;
  esac
}

run_one() {
  local t=$1
  mkdir -p "$work/$t"
  "$bin/${t}_fuzzer" "$work/$t" "fuzz/corpus/$t" \
    -max_total_time=$((minutes * 60)) -max_len="$(max_len "$t")" -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="fuzz/crashes/$t-" $(extra_flags "$t") \
    >"$work/logs/$t.log" 2>&1 || true
}

running=0
for t in "${targets[@]}"; do
  run_one "$t" &
  running=$((running + 1))
  if ((running == 2)); then
    wait -n || true
    running=$((running - 1))
  fi
done
wait || true

printf '%-18s %12s %8s %8s %s\n' target executions cov corpus crashes
for t in "${targets[@]}"; do
  log=$work/logs/$t.log
  execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | awk '{print $2}' | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | awk '{print $2}')
  # libFuzzer's own count: seeds plus what this run added.
  corp=$(grep -o 'corp: [0-9]*' "$log" | tail -1 | awk '{print $2}')
  crashes=$(ls fuzz/crashes 2>/dev/null | grep -c "^$t-" || true)
  printf '%-18s %12s %8s %8s %s\n' "$t" "${execs:-?}" "${cov:-?}" "${corp:-?}" "$crashes"
done
