#!/bin/bash
# echo_server_test: each loop serves HTTP over IPv4 and IPv6 loopback to
# curl, echoes to openssl s_client, and shuts down gracefully on SIGTERM.
set -u
server="$1"
command -v curl >/dev/null || { echo "FAIL: curl missing (apt-get install curl)"; exit 1; }
fail=0
for loop in epoll uring; do
  dir=$(mktemp -d)
  "$server" --loop=$loop --listen=127.0.0.1:0 --listen=[::1]:0 --ca-out="$dir/ca.pem" --stats-every=0 \
    --seconds=20 >"$dir/out" 2>&1 &
  pid=$!
  for _ in $(seq 100); do grep -q 'listening on \[' "$dir/out" && break; sleep 0.1; done
  if grep -q "io_uring_queue_init" "$dir/out"; then
    echo "FAIL: $loop: io_uring refused here: $(cat "$dir/out")"; fail=1; continue
  fi
  p4=$(sed -n 's/^listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$dir/out")
  p6=$(sed -n 's/^listening on \[::1\]:\([0-9]*\).*/\1/p' "$dir/out")
  got4=$(curl -s --max-time 5 --cacert "$dir/ca.pem" "https://localhost:$p4/")
  got6=$(curl -s --max-time 5 -6 --cacert "$dir/ca.pem" "https://[::1]:$p6/")
  echoed=$(echo "ping-$loop" | timeout 5 openssl s_client -quiet -CAfile "$dir/ca.pem" \
    -connect "127.0.0.1:$p4" 2>/dev/null | head -1)
  kill -TERM $pid
  wait $pid; rc=$?
  [ "$got4" = "hello from sluice" ] || { echo "FAIL: $loop: IPv4 curl got '$got4'"; fail=1; }
  [ "$got6" = "hello from sluice" ] || { echo "FAIL: $loop: IPv6 curl got '$got6'"; fail=1; }
  [ "$echoed" = "ping-$loop" ] || { echo "FAIL: $loop: echo got '$echoed'"; fail=1; }
  [ $rc = 0 ] || { echo "FAIL: $loop: exit $rc"; fail=1; }
  # s_client -quiet ends without close_notify, which counts as a transport
  # failure (truncation); the two curl sessions close cleanly.
  grep -q '^final: open 0, accepted 3, handshakes 3, failures 1 (clean 2, tls_error 0, transport_error 1' \
    "$dir/out" || { echo "FAIL: $loop: counters"; fail=1; }
  cat "$dir/out"
  rm -rf "$dir"
done
[ $fail = 0 ] && echo PASS
exit $fail
