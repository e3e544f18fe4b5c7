#!/usr/bin/env bash
# Installs what sluice needs on a Debian 12 machine, from Debian's packages.
# Idempotent: apt-get runs only when something is missing.
set -euo pipefail

PACKAGES=(
  bazel-bootstrap g++ clang libclang-rt-14-dev      # build (gcc default, clang for fuzzing)
  libsodium-dev libbearssl-dev liburing-dev         # providers and the io_uring adapter
  libipsec-mb-dev                                   # the IPsec MB AEAD provider
  zlib1g-dev                                        # zlib certificate compression
  doctest-dev nlohmann-json3-dev                    # tests
  libssl-dev openssl gnutls-bin curl                # benchmarks and interop peers
  libnss3-tools botan lighttpd lighttpd-mod-mbedtls # more interop peers (NSS, Botan, mbedTLS)
  ca-certificates python3 iproute2
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
