#!/bin/sh
# Replays a fuzz target's seed corpus (and the crash reproducers kept in it)
# through the target once: fuzz_corpus_test.sh FUZZER CORPUS_FILE...
set -eu
fuzzer="$1"
shift
exec "$fuzzer" "$@"
