#!/bin/sh
# Runs a benchmark binary briefly so it never rots.
set -eu
exec "$1" --benchmark_min_time=0.01
