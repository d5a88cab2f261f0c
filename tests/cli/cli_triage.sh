#!/usr/bin/env bash
# vdcheck triage from the command line, on a folder like a fuzzer's output: corpus images,
# truncated and bit-flipped copies, duplicates, junk. Every input lands in exactly one
# bucket (files + duplicates), the JSON validates against docs/triage.schema.json, the text
# has one line per bucket, largest first, and an input over the time limit is a timeout
# (exit 1) without stopping the run. Crashes are covered by tests/engine/test_triage.c,
# which can make a child die on purpose.
# usage: cli_triage.sh VDCHECK SOURCE_DIR SCRATCH_DIR
set -uo pipefail
vdcheck=$1 src=$2 scratch=$3
. "$src/tests/harness/shell_lib.sh"
tools=$(dirname "$vdcheck")/tests
rm -rf "$scratch" && mkdir -p "$scratch/afl/crashes" "$scratch/afl/hangs" "$scratch/out"
in=$scratch/afl out=$scratch/out
passed=0 failed=0
check() { if [ "$2" = 0 ]; then passed=$((passed + 1)); echo "ok   $1"; else failed=$((failed + 1)); echo "FAIL $1"; fi; }
export LC_ALL=C

RANDOM=7
n=0
for image in "$src"/corpus/vhd/qemu-*.vhd "$src"/corpus/vhdx/qemu-*.vhdx "$src"/corpus/vdi/qemu-*.vdi \
  "$src"/corpus/bochs/bximage-*.img; do
  size=$(stat -c %s "$image")
  cp "$image" "$in/crashes/id:$(printf %06d $n),orig"
  n=$((n + 1))
  for cut in 1 2 3; do
    vd_rand "$size"
    head -c "$REPLY" "$image" >"$in/crashes/id:$(printf %06d $n),trunc"
    n=$((n + 1))
  done
  for flip in 1 2 3; do
    cp "$image" "$in/hangs/id:$(printf %06d $n),flip"
    vd_rand 4096
    printf '\xa5' | dd of="$in/hangs/id:$(printf %06d $n),flip" bs=1 seek="$REPLY" conv=notrunc status=none
    n=$((n + 1))
  done
done
cp "$in/crashes/id:000000,orig" "$in/crashes/id:$(printf %06d $n),dup"
n=$((n + 1))
head -c 5000 /dev/urandom >"$in/crashes/id:$(printf %06d $n),junk"
n=$((n + 1))
inputs=$(find "$in" -type f | wc -l)
distinct=$(find "$in" -type f -exec sha256sum {} + | cut -c1-64 | sort -u | wc -l)

"$vdcheck" triage "$in" --json --no-progress >"$out/t.json" 2>"$out/t.err"
st=$?
[ "$st" = 0 ]
check "triage of $inputs inputs completes, exit 0 ($st)" $?
"$tools/json_schema_check" "$src/docs/triage.schema.json" "$out/t.json"
check "the JSON validates against docs/triage.schema.json" $?
sel() { "$tools/json_normalize" --select "$1" <"$out/t.json"; }
[ "$(sel /inputs)" = "$inputs" ] && [ "$(sel /unique)" = "$distinct" ]
check "inputs $inputs, distinct contents $distinct (counted by sha256sum)" $?
# Every input exactly once over all buckets: files and duplicates' file entries.
"$tools/json_normalize" --select /buckets <"$out/t.json" |
  grep -vE '"(representative|same_as)"' | grep -oE '"/[^"]*/afl/[^"]*"' | sort >"$out/listed.txt"
find "$in" -type f | sed 's/.*/"&"/' | sort >"$out/all.txt"
cmp -s "$out/listed.txt" "$out/all.txt"
check "every input is listed in exactly one bucket (as a file or a duplicate)" $?
grep -q '"same_as": "[^"]*id:000000,orig"' "$out/t.json"
check "the duplicate is listed against the input it repeats" $?

"$vdcheck" triage "$in" --text --no-progress >"$out/t.txt" 2>/dev/null
buckets=$("$tools/json_normalize" --select /buckets <"$out/t.json" | grep -c '"key":')
[ "$(($(wc -l <"$out/t.txt") - 1))" = "$buckets" ] &&
  awk 'NR > 1 { if (prev != "" && $1 > prev) bad = 1; prev = $1 } END { exit bad }' "$out/t.txt" &&
  head -1 "$out/t.txt" | grep -q "^$inputs inputs, $distinct distinct, 0 skipped, $buckets buckets$"
check "--text: a summary line, then one line per bucket, largest first" $?

# --jobs changes nothing but the time.
"$vdcheck" triage "$in" --json --jobs 1 --no-progress >"$out/t1.json" 2>/dev/null
cmp -s "$out/t.json" "$out/t1.json"
check "--jobs 1 gives the same document" $?

# A limit nothing can meet: every input times out, the run completes, exit 1.
"$vdcheck" triage "$in/hangs" --json --timeout 0.001 --no-progress >"$out/to.json" 2>/dev/null
st=$?
[ "$st" = 1 ] && grep -q '"outcome": "timeout"' "$out/to.json" &&
  "$tools/json_schema_check" "$src/docs/triage.schema.json" "$out/to.json" >/dev/null
check "--timeout 0.001: inputs time out, the run completes, exit 1 ($st)" $?

"$vdcheck" triage "$in/crashes" "$scratch/no-such-folder" --json --no-progress >"$out/missing.json" 2>"$out/missing.err"
st=$?
[ "$st" = 2 ] && grep -q "no-such-folder: No such file or directory" "$out/missing.err" &&
  "$tools/json_schema_check" "$src/docs/triage.schema.json" "$out/missing.json" >/dev/null
check "a folder that cannot be read: named on stderr, the rest triaged, exit 2 ($st)" $?

for bad in "--timeout 0" "--timeout x" "--memory -1" "--memory 1.5" "--jobs 0"; do
  "$vdcheck" triage "$in" $bad >/dev/null 2>&1
  [ $? = 64 ]
  check "usage error: triage $bad" $?
done

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
