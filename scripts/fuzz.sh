#!/usr/bin/env bash
# Fuzzes every decoder and parser of outside input with libFuzzer (Tests/Fuzz; `make fuzz`).
#
#   scripts/fuzz.sh [--seconds N] [--targets a,b,...]
#
# Builds Tests/Fuzz with -sanitize=fuzzer (release, in .build-fuzz), then runs each target for N
# seconds (default 60) on a working copy of its committed seeds (Tests/Fuzz/Corpus/TARGET), which
# keeps what it finds in .build-fuzz/corpus. Prints a table of executions, corpus size and crashes per
# target; a crash input is kept in .build-fuzz/crashes/TARGET/ (add it to the seeds once fixed) and
# makes the script exit 1. Replay one without the fuzzing build:
#   swift build --product FlowLearnFuzz && .build/debug/FlowLearnFuzz TARGET FILE
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=60
targets=""
while [ $# -gt 0 ]; do
    case "$1" in
        --seconds) seconds="$2"; shift 2 ;;
        --targets) targets="${2//,/ }"; shift 2 ;;
        *) echo "usage: scripts/fuzz.sh [--seconds N] [--targets a,b,...]" >&2; exit 2 ;;
    esac
done

out=.build-fuzz
mkdir -p "$out"
# SwiftPM links executables with `--defsym main=<module>_main`, which ld.gold cannot combine with
# libFuzzer's own main; the toolchain's lld can (the fuzz driver calls LLVMFuzzerRunDriver itself).
cat > "$out/toolset.json" <<'JSON'
{"schemaVersion": "1.0", "swiftCompiler": {"extraCLIOptions": ["-use-ld=lld"]}}
JSON
echo "fuzz: building the targets with -sanitize=fuzzer (release, $out)" >&2
swift build -c release --scratch-path "$out/build" --product FlowLearnFuzz --toolset "$out/toolset.json" \
    -Xswiftc -sanitize=fuzzer -Xswiftc -DFUZZING >&2
binary="$(swift build -c release --scratch-path "$out/build" --show-bin-path)/FlowLearnFuzz"
[ -n "$targets" ] || targets="$("$binary" --list | tr '\n' ' ')"

printf '%-22s %8s %12s %10s %8s %8s %8s\n' target seconds executions exec/s corpus rss_mb crashes
failed=0
for target in $targets; do
    corpus="$out/corpus/$target"
    crashes="$out/crashes/$target"
    mkdir -p "$corpus" "$crashes"
    cp -n Tests/Fuzz/Corpus/"$target"/* "$corpus"/ 2>/dev/null || true
    log="$out/$target.log"
    status=0
    "$binary" "$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=8192 -print_final_stats=1 \
        -artifact_prefix="$crashes/" "$corpus" >"$log" 2>&1 || status=$?
    executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$log" | tail -1)
    elapsed=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -1)
    found=$(find "$crashes" -type f | wc -l)
    size=$(find "$corpus" -type f | wc -l)
    rate=$(( ${executions:-0} / ( ${elapsed:-0} > 0 ? ${elapsed:-1} : 1 ) ))
    printf '%-22s %8s %12s %10s %8s %8s %8s\n' "$target" "${elapsed:-?}" "${executions:-?}" "$rate" "$size" "${rss:-?}" "$found"
    if [ "$status" -ne 0 ] || [ "$found" -ne 0 ]; then
        failed=1
        echo "fuzz: $target failed (exit $status); its log: $log" >&2
        grep -E "ERROR|Fatal|error:|SUMMARY|Test unit written" "$log" | head -20 >&2 || true
    fi
done
exit "$failed"
