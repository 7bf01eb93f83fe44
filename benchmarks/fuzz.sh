#!/usr/bin/env bash
# fuzz.sh - libFuzzer on the readers that take bytes from outside (CSV, .npy,
# checkpoints, model files) and on the option parser (one argument per line; every
# option check, nothing run), with AddressSanitizer: builds dir-dist-fuzz (the readers)
# and, when asked for, dir-dist-fuzz-options (the whole command line, so a much larger
# build) with --sanitize fuzzer,address into .build/fuzz (apart from the normal build), then runs
# each reader from the seed corpus in Tests/FuzzCorpus (copied: the corpus in the
# repository stays as it is) and prints how many inputs each ran and whether any
# crashed. A crash leaves its input in the work folder, named in the output, and the
# status is 1.
#
# Usage: benchmarks/fuzz.sh [--runs N | --seconds S] [READER...]
#   default: --runs 1000000 for the four readers (the benchmark); CI runs --seconds 10.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
limit=(-runs=1000000)
readers=()
while (( $# > 0 )); do
    case $1 in
        --runs) limit=(-runs="$2"); shift 2 ;;
        --seconds) limit=(-max_total_time="$2"); shift 2 ;;
        csv | npy | checkpoint | model | options) readers+=("$1"); shift ;;
        *) echo "error: unknown argument '$1' (usage: $0 [--runs N | --seconds S] [csv|npy|checkpoint|model|options...])" >&2
           exit 2 ;;
    esac
done
# The option parser only on request: under the fuzzer it ran about 1 input a second
# here (928 inputs, 0 crashes), too slow for a million; its seeds replay in the suite.
(( ${#readers[@]} > 0 )) || readers=(csv npy checkpoint model)
# Swift's default coverage for -sanitize=fuzzer is trace-pc-guard, which libFuzzer no
# longer reads: inline 8-bit counters with a PC table (and comparisons traced) are.
build() {
    swift build --package-path "$repo" --scratch-path "$repo/.build/fuzz" --product "$1" \
        --sanitize fuzzer --sanitize address -Xswiftc -DFUZZING \
        -Xswiftc -sanitize-coverage=edge,inline-8bit-counters,pc-table,trace-cmp >&2
}
build dir-dist-fuzz
[[ " ${readers[*]} " == *" options "* ]] && build dir-dist-fuzz-options
work=$(mktemp -d)
status=0
for reader in "${readers[@]}"; do
    mkdir -p "$work/$reader"
    cp "$repo/Tests/FuzzCorpus/$reader/"* "$work/$reader/"
    log=$work/$reader.log
    bin=$repo/.build/fuzz/debug/dir-dist-fuzz
    [[ $reader == options ]] && bin=$repo/.build/fuzz/debug/dir-dist-fuzz-options
    set +e
    (cd "$work" && DIR_DIST_FUZZ=$reader "$bin" "$work/$reader" "${limit[@]}" -max_len=4096 -rss_limit_mb=2048 \
        -print_final_stats=1 >"$log" 2>&1)
    result=$?
    set -e
    runs=$(awk '/stat::number_of_executed_units/ {print $2}' "$log")
    if (( result == 0 )); then
        echo "$reader: ${runs:-?} inputs, 0 crashes, 0 sanitizer reports"
    else
        status=1
        crash=$(grep -o "crash-[0-9a-f]*\|leak-[0-9a-f]*\|timeout-[0-9a-f]*\|oom-[0-9a-f]*" "$log" | head -1)
        echo "$reader: FAILED after ${runs:-?} inputs (input: $work/${crash:-?}); the report:"
        grep -E "ERROR|Fatal error|SUMMARY" "$log" | head -5
    fi
done
if (( status == 0 )); then rm -rf "$work"; fi
exit "$status"
