#!/bin/sh
# Runs every benchmark of api_benchmark once, briefly: a smoke test, not a
# measurement.
set -eu
exec "$1" --benchmark_min_time=0.01
