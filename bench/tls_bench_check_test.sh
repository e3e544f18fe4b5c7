#!/usr/bin/env bash
# Every tls_bench row on every engine, once each, untimed: a row that stops
# working (a handshake refused, a session not resumed) fails here, not in
# the next benchmark run.
exec "$1" --check
