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
  nginx-light wrk curl openssl valgrind
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
# axios-retry) and of the throughput benchmark's reference integration
# (bench/client_throughput: got, p-limit), exactly as the committed lockfiles
# pin them; each directory installed again only when its lockfile changed.
# got 14 needs Node.js 20 or later.
root="$(cd "$(dirname "$0")/.." && pwd)"
for dir in tests/real_clients bench/client_throughput; do
  lock_sum="$(sha256sum "$root/$dir/package-lock.json" | cut -d' ' -f1)"
  stamp="$root/$dir/node_modules/.pimsim-lock-sha256"
  if [ "$(cat "$stamp" 2>/dev/null)" != "$lock_sum" ]; then
    if ! command -v npm >/dev/null || ! node -e 'process.exit(parseInt(process.versions.node) < 20 ? 1 : 0)'; then
      echo "setup: $dir needs Node.js >= 20 and npm" >&2
      exit 1
    fi
    echo "setup: npm ci in $dir" >&2
    (cd "$root/$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
    echo "$lock_sum" >"$stamp"
  fi
done
