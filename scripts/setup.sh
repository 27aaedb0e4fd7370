#!/usr/bin/env bash
# Installs what pimsim needs on a fresh Debian 12 machine (idempotent). Root
# or sudo is required only when something is missing.
set -euo pipefail

packages=(
  bazel-bootstrap bazel-rules-java
  g++ protobuf-compiler protobuf-compiler-grpc libprotobuf-dev libgrpc++-dev
  libabsl-dev libgtest-dev libgmock-dev libbenchmark-dev libboost-dev
  nlohmann-json3-dev libcurl4-openssl-dev libssl-dev
  python3 python3-grpcio python3-protobuf
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
