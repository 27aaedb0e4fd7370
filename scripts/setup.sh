#!/usr/bin/env bash
# Installs what pimsim needs on a fresh Debian 12 machine (idempotent). Root
# or sudo is required only when something is missing.
set -euo pipefail

packages=(
  bazel-bootstrap bazel-rules-java
  g++ protobuf-compiler protobuf-compiler-grpc libprotobuf-dev libgrpc++-dev
  libabsl-dev libgtest-dev libgmock-dev libbenchmark-dev libboost-dev
  nlohmann-json3-dev libcurl4-openssl-dev libssl-dev
  clang-14 libclang-rt-14-dev lld-14
  python3 python3-grpcio python3-protobuf python3-urllib3
  nginx-light wrk curl valgrind
  chromium
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # The nginx package starts a server on port 80; the benchmark runs its own.
  if command -v systemctl >/dev/null && systemctl is-active --quiet nginx 2>/dev/null; then
    $sudo systemctl stop nginx || true
  fi
fi

# Node packages of the real-client tests (tests/real_clients: got, axios,
# axios-retry), exactly as the committed lockfile pins them; installed again
# only when the lockfile changed. got 14 needs Node.js 20 or later.
real_clients="$(cd "$(dirname "$0")/.." && pwd)/tests/real_clients"
lock_sum="$(sha256sum "$real_clients/package-lock.json" | cut -d' ' -f1)"
stamp="$real_clients/node_modules/.pimsim-lock-sha256"
if [ "$(cat "$stamp" 2>/dev/null)" != "$lock_sum" ]; then
  if ! command -v npm >/dev/null || ! node -e 'process.exit(parseInt(process.versions.node) < 20 ? 1 : 0)'; then
    echo "setup: tests/real_clients needs Node.js >= 20 and npm" >&2
    exit 1
  fi
  echo "setup: npm ci in tests/real_clients" >&2
  (cd "$real_clients" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  echo "$lock_sum" >"$stamp"
fi
