#!/bin/sh
# Runs a benchmark binary (the first argument) once with the arguments that
# follow, so that it never rots (bazel/benchmark.bzl).
set -eu
exec "$@"
