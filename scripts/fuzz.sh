#!/usr/bin/env bash
# Builds the libFuzzer targets with --config=fuzz (clang-14, ASan + UBSan) and
# runs each on a copy of its seed corpus, one after the other.
#
#   scripts/fuzz.sh [--seconds=N] [--runs=N] [--workdir=DIR] [TARGET...]
#
# TARGET is a label (//mock_pim/http:http_parser_fuzzer) or a target name
# (http_parser_fuzzer); the default is every target tagged "fuzz" (see
# bazel/fuzz.bzl). Each runs for N seconds (default 60), N executions, or
# with both until the first of the two (the campaign of the README:
# --runs=10000000 --seconds=3600), with -timeout=10 and the -max_len its
# "fuzz_max_len=" tag gives. New inputs and crash reproducers go to
# DIR/<target>/ (default: a new directory under $TMPDIR, removed afterwards
# if nothing failed), never into the repository.
#
# Prints per target: executions, exec/s, seconds, coverage at start and end,
# new inputs, and the result; a crash, leak, timeout, out-of-memory or
# sanitizer report fails the target and prints the reproducer. Ends with
# "fuzz: N passed, N failed" and exits 1 if any target failed.
#
# The short run of CI (scripts/run_tests.sh): --runs=20000.
set -uo pipefail
cd "$(dirname "$0")/.."

seconds=60
seconds_given=0
runs=""
workdir=""
wanted=()
for arg in "$@"; do
  case "$arg" in
    --seconds=*) seconds="${arg#*=}"; seconds_given=1 ;;
    --runs=*) runs="${arg#*=}" ;;
    --workdir=*) workdir="${arg#*=}" ;;
    -h|--help) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "fuzz.sh: unknown option $arg" >&2; exit 2 ;;
    *) wanted+=("$arg") ;;
  esac
done
for n in "$seconds" "${runs:-1}"; do
  [[ "$n" =~ ^[0-9]+$ ]] || { echo "fuzz.sh: --seconds and --runs take a whole number" >&2; exit 2; }
done

# label<TAB>max_len for every fuzz target, from the BUILD files.
targets=$(bazel query --output=xml 'attr(tags, "\bfuzz\b", kind(cc_binary, //...))' 2>/dev/null |
  python3 -c '
import sys, xml.etree.ElementTree as ET
for rule in ET.parse(sys.stdin).getroot().iter("rule"):
    tags = [s.get("value") for l in rule.iter("list") if l.get("name") == "tags" for s in l]
    max_len = next((t.split("=", 1)[1] for t in tags if t.startswith("fuzz_max_len=")), "4096")
    print(rule.get("name") + "\t" + max_len)
' | sort)
if [ -z "$targets" ]; then
  echo "fuzz.sh: no fuzz targets found (bazel query failed?)" >&2
  echo "fuzz: 0 passed, 1 failed"
  exit 1
fi

selected=()
if ((${#wanted[@]} == 0)); then
  mapfile -t selected <<<"$targets"
else
  for w in "${wanted[@]}"; do
    line=$(awk -F'\t' -v w="$w" '$1 == w || $1 ~ (":" w "$") || $1 ~ (":" w "_fuzzer$")' <<<"$targets")
    if [ -z "$line" ]; then
      echo "fuzz.sh: no fuzz target $w; there are:" >&2
      cut -f1 <<<"$targets" >&2
      exit 2
    fi
    selected+=("$line")
  done
fi

labels=()
for t in "${selected[@]}"; do labels+=("${t%%$'\t'*}"); done
echo "== bazel build --config=fuzz (${#labels[@]} targets)" >&2
if ! bazel build --config=fuzz "${labels[@]}" >&2; then
  echo "fuzz.sh: the fuzz build failed" >&2
  echo "fuzz: 0 passed, ${#labels[@]} failed"
  exit 1
fi
bin=$(bazel info --config=fuzz bazel-bin 2>/dev/null)

own_workdir=0
if [ -z "$workdir" ]; then
  workdir=$(mktemp -d "${TMPDIR:-/tmp}/pimsim-fuzz.XXXXXX")
  own_workdir=1
fi
mkdir -p "$workdir"

# Leaks fail a run like crashes do; UBSan already aborts (-fno-sanitize-recover).
export ASAN_OPTIONS="detect_leaks=1:strict_string_checks=1:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:${UBSAN_OPTIONS:-}"

budget=()
[ -n "$runs" ] && budget+=(-runs="$runs")
{ [ -z "$runs" ] || [ "$seconds_given" = 1 ]; } && budget+=(-max_total_time="$seconds")

passed=0
failed=0
rows=()
reproducers=()
for t in "${selected[@]}"; do
  label="${t%%$'\t'*}"
  max_len="${t##*$'\t'}"
  pkg="${label#//}"; pkg="${pkg%%:*}"
  name="${label##*:}"
  dir="$workdir/$name"
  rm -rf "$dir"
  mkdir -p "$dir/corpus" "$dir/artifacts"
  cp -r "$pkg/${name}_corpus/." "$dir/corpus/"
  log="$dir/fuzz.log"
  echo "== $label (-max_len=$max_len ${budget[*]})" >&2
  start=$(date +%s.%N)
  "$bin/$pkg/$name" "${budget[@]}" -max_len="$max_len" -timeout=10 -print_final_stats=1 \
    -artifact_prefix="$dir/artifacts/" "$dir/corpus" >"$log" 2>&1
  rc=$?
  elapsed=$(python3 -c "import sys; print('%.1f' % (float(sys.argv[2]) - float(sys.argv[1])))" \
    "$start" "$(date +%s.%N)")
  stat() { sed -n "s/^stat::$1: *//p" "$log" | tail -1; }
  execs=$(stat number_of_executed_units)
  # Over the wall time, start-up and the seed corpus included: libFuzzer's
  # own figure is whole executions per whole second, 0 for a short run.
  per_sec=$(python3 -c "import sys; print(round(int(sys.argv[1] or 0) / max(float(sys.argv[2]), 0.1)))" \
    "$execs" "$elapsed")
  new_units=$(stat new_units_added)
  cov_start=$(sed -n 's/.*INITED cov: \([0-9]*\).*/\1/p' "$log" | head -1)
  cov_end=$(grep -E '^#[0-9]+' "$log" | sed -n 's/.* cov: \([0-9]*\).*/\1/p' | tail -1)
  reproducer=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
  result=ok
  if [ "$rc" -ne 0 ] || [ -n "$reproducer" ] ||
     grep -qE '^==[0-9]+==ERROR|runtime error:|ERROR: libFuzzer' "$log"; then
    result=$(grep -oE 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer): [a-zA-Z -]+|runtime error|FUZZ_CHECK failed' \
      "$log" | head -1)
    result="FAILED (${result:-exit $rc})"
    failed=$((failed + 1))
    reproducers+=("$label: $log${reproducer:+ reproducer $reproducer}")
    if [ -n "$reproducer" ]; then
      echo "   reproduce: $bin/$pkg/$name $reproducer" >&2
      echo "   minimise:  $bin/$pkg/$name -minimize_crash=1 -runs=100000 $reproducer" >&2
    fi
    grep -E 'FUZZ_CHECK failed|ERROR:|SUMMARY:|runtime error:' "$log" | head -5 >&2
  else
    passed=$((passed + 1))
  fi
  rows+=("$(printf '%-28s %10s %9s %8s %13s %6s  %s' "$name" "${execs:-?}" "${per_sec:-?}" \
    "$elapsed" "${cov_start:-?} -> ${cov_end:-?}" "${new_units:-?}" "$result")")
done

echo
printf '%-28s %10s %9s %8s %13s %6s  %s\n' target runs exec/s seconds coverage new result
printf '%s\n' "${rows[@]}"
if ((${#reproducers[@]})); then
  echo
  echo "Failures (logs and reproducers kept in $workdir):"
  printf '  %s\n' "${reproducers[@]}"
elif ((own_workdir)); then
  rm -rf "$workdir"
else
  echo "New inputs are in $workdir/<target>/corpus."
fi
echo "fuzz: $passed passed, $failed failed"
((failed == 0))
