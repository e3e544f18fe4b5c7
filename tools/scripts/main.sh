#!/usr/bin/env bash
# The main job: install what is missing, then run a real TLS 1.3 session.
#   tools/scripts/main.sh                      certificate chain made on the spot
#   tools/scripts/main.sh --cert C.pem --key K.pem
set -euo pipefail
cd "$(dirname "$0")/../.."
tools/scripts/install-deps.sh
bazel build --noshow_progress //tools/demo
exec bazel-bin/tools/demo/demo "$@"
