#!/usr/bin/env bash
# run_fuzzers.sh BUILD_DIR SECONDS [TARGET...]
#
# Runs each libFuzzer harness of a -DVDCHECK_FUZZ=ON build (docs/fuzzing.md) for SECONDS,
# FUZZ_JOBS (default 2) at a time, each with its dictionary (tests/fuzz/dict/<target>.dict)
# and a scratch copy of its seeds: corpus/<format>/ and the fixture seeds fuzz_seeds writes,
# in sparse form, and corpus/fuzz/<target>/. Nothing is written into the repository:
# corpora, logs and artifacts go to FUZZ_WORK, kept; without FUZZ_WORK, to a new directory
# under /tmp that is removed when nothing was found.
#
# Environment:
#   FUZZ_JOBS          fuzzers run at once (default 2)
#   FUZZ_WORK          scratch directory, kept (default: mktemp -d, removed when clean)
#   FUZZ_EXTRA_SEEDS   more seed roots (space-separated), local runs only: every file under
#                      a directory named like the format (e.g. /work/shared/corpus, whose
#                      vhd/, derived/vhd/, generated/vhd/ ... then all count)
#   FUZZ_TIMEOUT       seconds one input may take before it is a timeout (default 30)
#   FUZZ_MAX_LEN       the longest input libFuzzer makes (default 256 KiB)
#
# Exit status: 0 when no fuzzer found anything; 1 when one reported a crash, a violated
# property (an abort), a leak, a timeout or an out-of-memory (its log tail and the input,
# base64, are printed), or was stopped by a signal (INTERRUPTED). 64: usage.
set -uo pipefail

ALL_TARGETS=(probe vhd vhdx vdi bochs reports)

if [ $# -lt 2 ]; then
    echo "usage: $0 BUILD_DIR SECONDS [TARGET...]   (targets: ${ALL_TARGETS[*]})" >&2
    exit 64
fi
BUILD=$(cd "$1" && pwd) || exit 64
SECONDS_EACH=$2
shift 2
TARGETS=("$@")
[ ${#TARGETS[@]} -eq 0 ] && TARGETS=("${ALL_TARGETS[@]}")
SRC=$(cd "$(dirname "$0")/../.." && pwd)
FUZZ_BIN="$BUILD/tests/fuzz"
JOBS=${FUZZ_JOBS:-2}
WORK=${FUZZ_WORK:-$(mktemp -d /tmp/vdcheck-fuzz.XXXXXX)}
TIMEOUT=${FUZZ_TIMEOUT:-30}
MAX_LEN=${FUZZ_MAX_LEN:-262144} # inputs; sparse ones describe images up to 16 MiB
RAW_MAX=65536                   # raw seeds up to this size are used as they are too
mkdir -p "$WORK"

# Findings of the sanitizers stop the process; libFuzzer turns them into artifacts.
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

formats_of() {
    case $1 in
    probe | reports) echo vhd vhdx vdi bochs ;;
    *) echo "$1" ;;
    esac
}

# The scratch seed directory of one target: every seed in the sparse form the harnesses read
# (fuzz_common.h: a few KiB where the image has MiBs of zeros and data), and the small raw
# images as they are.
prepare_seeds() {
    local target=$1 dir=$2 fmt root
    local raw="$WORK/raw-$target"
    mkdir -p "$dir" "$raw"
    for fmt in $(formats_of "$target"); do
        {
            find "$SRC/corpus/$fmt" "$WORK/fixture-seeds/$fmt" -maxdepth 1 -type f \
                ! -name '*.expect' ! -name '*.md'
            for root in ${FUZZ_EXTRA_SEEDS:-}; do
                find "$root" -type f -path "*/$fmt/*"
            done
        } 2>/dev/null | while read -r f; do
            cp "$f" "$raw/$fmt-$(basename "$f")" # fixture seeds share names across formats
        done
    done
    find "$raw" -type f -size -$((RAW_MAX / 1024))k -exec cp {} "$dir/" \;
    find "$raw" -type f -size -16M -print0 | xargs -0 -r "$FUZZ_BIN/fuzz_seeds" --sparse "$dir"
    if [ -d "$SRC/corpus/fuzz/$target" ]; then
        cp "$SRC/corpus/fuzz/$target"/* "$dir/" 2>/dev/null
    fi
}

run_one() {
    local target=$1 bin="$FUZZ_BIN/fuzz_$1" corpus="$WORK/corpus-$1" art="$WORK/artifacts-$1"
    mkdir -p "$art"
    prepare_seeds "$target" "$corpus"
    "$bin" "$corpus" -dict="$SRC/tests/fuzz/dict/$target.dict" -max_total_time="$SECONDS_EACH" \
        -timeout="$TIMEOUT" -rss_limit_mb=2048 -max_len="$MAX_LEN" -artifact_prefix="$art/" \
        -print_final_stats=1 >"$WORK/$target.log" 2>&1
    echo $? >"$WORK/$target.rc"
}

for target in "${TARGETS[@]}"; do
    if [ ! -x "$FUZZ_BIN/fuzz_$target" ]; then
        echo "no $FUZZ_BIN/fuzz_$target: configure with CC=clang -DVDCHECK_FUZZ=ON" >&2
        exit 64
    fi
done
"$FUZZ_BIN/fuzz_seeds" "$WORK/fixture-seeds" || exit 1

echo "fuzzing ${TARGETS[*]} for ${SECONDS_EACH}s each, $JOBS at a time, in $WORK"
running=0
for target in "${TARGETS[@]}"; do
    if [ "$running" -ge "$JOBS" ]; then
        wait -n
        running=$((running - 1))
    fi
    run_one "$target" &
    running=$((running + 1))
done
wait

status=0
printf '%-8s %12s %8s %6s %7s %s\n' target executions exec/s cov ft result
for target in "${TARGETS[@]}"; do
    log="$WORK/$target.log"
    rc=$(cat "$WORK/$target.rc" 2>/dev/null || echo 1)
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
    ft=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
    found=$(find "$WORK/artifacts-$target" -type f ! -name 'slow-unit-*' | sort)
    result=ok
    if [ -n "$found" ] || { [ "$rc" != 0 ] && ! grep -q 'libFuzzer: run interrupted' "$log"; }; then
        result="FOUND (exit $rc)"
        status=1
    elif [ "$rc" != 0 ]; then
        result="INTERRUPTED (a signal stopped it early)"
        status=1
    fi
    printf '%-8s %12s %8s %6s %7s %s\n' "$target" "${runs:-?}" "${speed:-?}" "${cov:-?}" \
        "${ft:-?}" "$result"
done

for target in "${TARGETS[@]}"; do
    found=$(find "$WORK/artifacts-$target" -type f ! -name 'slow-unit-*' | sort)
    rc=$(cat "$WORK/$target.rc" 2>/dev/null || echo 1)
    [ "$rc" = 0 ] && [ -z "$found" ] && continue
    echo
    echo "== fuzz_$target: exit $rc; the end of $WORK/$target.log:"
    grep -v -E '^#[0-9]+.*(NEW|REDUCE|pulse|RELOAD)' "$WORK/$target.log" | tail -60
    for f in $found; do
        kind=$(basename "$f" | cut -d- -f1)
        echo "== $kind input $f ($(stat -c %s "$f") bytes), base64 (first 256 KiB):"
        head -c 262144 "$f" | base64
        echo "== reproduce: $FUZZ_BIN/fuzz_$target $f   (or fuzz_replay_$target in any build)"
    done
done
if [ "$status" = 0 ] && [ -z "${FUZZ_WORK:-}" ]; then
    rm -rf "$WORK" # nothing found and no FUZZ_WORK asked for: hundreds of MiB of corpora
else
    echo "logs, corpora and artifacts: $WORK"
fi
exit $status
