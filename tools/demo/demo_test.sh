#!/usr/bin/env bash
# The README's main job must complete a session with its data intact and
# show every mode flag doing what the manual page says.
set -euo pipefail
out=$("$1")
echo "$out"
grep -q "handshake complete" <<<"$out"
grep -q "application data .*(intact)" <<<"$out"
grep -q "ACCEPT_MOVING_WRITE_BUFFER off retry from another address: refused" <<<"$out"
grep -q "ACCEPT_MOVING_WRITE_BUFFER on  retry from another address: accepted" <<<"$out"
grep -q "AUTO_RETRY on  KeyUpdate then data, both buffered: first read() gives the data" <<<"$out"
grep -q "version            TLS 1.3" <<<"$out"
grep -q "SEND_FALLBACK_SCSV off a TLS 1.2-only retry: handshake completes at TLS 1.2" <<<"$out"
grep -q "SEND_FALLBACK_SCSV on  a TLS 1.2-only retry: server answers inappropriate_fallback" <<<"$out"
grep -q "ASYNC on  signature on a worker thread: 1 kWantAsync returns, handshake complete" <<<"$out"
grep -q "client's shutdown() completed both ways" <<<"$out"
