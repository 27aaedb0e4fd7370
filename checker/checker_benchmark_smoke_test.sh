#!/bin/sh
# Runs the checker benchmark briefly on a small journal so it never rots.
set -eu
exec "$1" --benchmark_min_time=0.01 --events=20000
