#!/usr/bin/env bash
# scan benchmarks (issue 7; not run by CI).
#
# usage: tests/bench/run_scan_benchmarks.sh VDCHECK SCRATCH_DIR [RUNS]
#   VDCHECK      path to a Release build of vdcheck
#   SCRATCH_DIR  where the trees go (deleted at the end unless KEEP=1)
#   RUNS         timed runs per command (default 5, at least 3)
#
# The trees: N small images (the clean images of corpus/: VHD fixed and dynamic, VHDX,
# VDI, Bochs, 1 KiB to 4 MiB) copied round robin into folders of 10, 10 folders per parent,
# so a tree of 1,000 images has 100 folders in 10 groups. Every file is an image.
#
# 1. Throughput on 1,000 images: `vdcheck scan --jobs 2 --json` against running
#    `qemu-img info` once per file (what a script over a folder does), one at a time and two
#    at a time (xargs -P2). Target: scan at least 20x the throughput of qemu-img info.
# 2. The same with --hash sha256 (every container and virtual disk hashed).
# 3. Memory as the tree grows: peak RSS of `scan --jobs 2` over 1,000, 4,000 and 16,000
#    images; it must stay flat (the walk holds one folder listing per level and a window of
#    reports, never the tree).
#
# Needs qemu-img, hyperfine, GNU /usr/bin/time, find, xargs. Prints Markdown and copies it to
# SCRATCH_DIR/results-scan.md.
set -euo pipefail
. "$(dirname "$0")/bench_lib.sh"
src=$(cd "$(dirname "$0")/../.." && pwd)
BENCH_FILES=()
bench_setup scan "$@"
trap 'bench_cleanup; [ "${KEEP:-0}" = 1 ] || rm -rf "$S"/tree-*' EXIT

machine_section

seeds=()
for f in "$src"/corpus/vhd/qemu-*.vhd "$src"/corpus/vhd/bximage-*.vhd "$src"/corpus/vhdx/qemu-*.vhdx \
  "$src"/corpus/vdi/qemu-*.vdi "$src"/corpus/bochs/bximage-*.img; do
  [ -f "$f" ] && seeds+=("$f")
done

# make_tree N: tree-N with N images.
make_tree() {
  local n=$1 dir=tree-$1 i
  [ -d "$dir" ] && return 0
  for ((i = 0; i < n; i++)); do
    local d=$dir/g$((i / 100))/f$((i / 10))
    [ $((i % 10)) = 0 ] && mkdir -p "$d"
    cp "${seeds[$((i % ${#seeds[@]}))]}" "$d/img$i"
  done
}

make_tree 1000
bytes=$(du -sb tree-1000 | cut -f1)
say "## 1. Throughput, 1,000 small images"
say ""
say "- tree-1000: 1,000 images from ${#seeds[@]} corpus images, $((bytes / 1048576)) MiB," \
    "$(find tree-1000 -type d | wc -l) folders"
"$VD" scan tree-1000 --jobs 2 --json --no-progress >scan.ndjson 2>scan.err || true
say "- check: scan reported $(wc -l <scan.ndjson) images; $(tail -1 scan.err)"
find tree-1000 -type f | sort >files.txt
bench scan1000 warm "$VD scan tree-1000 --jobs 2 --json --no-progress"
NEEDS_SHELL=1 bench qemu1000 warm "xargs -n1 qemu-img info <files.txt"
NEEDS_SHELL=1 bench qemu1000p2 warm "xargs -P2 -n1 qemu-img info <files.txt"
table scan1000 qemu1000 qemu1000p2
scan_ms=$(median_ms scan1000 warm 0)
q1_ms=$(median_ms qemu1000 warm 0)
q2_ms=$(median_ms qemu1000p2 warm 0)
say ""
say "- scan --jobs 2: $(awk -v t="$scan_ms" 'BEGIN {printf "%.0f", 1000000 / t}') images/s;" \
    "qemu-img info one at a time: $(awk -v t="$q1_ms" 'BEGIN {printf "%.0f", 1000000 / t}') images/s;" \
    "two at a time: $(awk -v t="$q2_ms" 'BEGIN {printf "%.0f", 1000000 / t}') images/s"
say "- ratio: **$(awk -v a="$q1_ms" -v b="$scan_ms" 'BEGIN {printf "%.1f", a / b}')x** qemu-img info" \
    "one at a time, $(awk -v a="$q2_ms" -v b="$scan_ms" 'BEGIN {printf "%.1f", a / b}')x two at a time (target: 20x)"
say ""

say "## 2. With --hash sha256"
say ""
bench scanhash1000 warm "$VD scan tree-1000 --jobs 2 --json --hash sha256 --no-progress"
table scanhash1000
say ""

say "## 3. Memory as the tree grows"
say ""
say "| images | folders | peak RSS KiB (scan --jobs 2 --json) | wall s |"
say "|---|---|---|---|"
for n in 1000 4000 16000; do
  make_tree $n
  rss=$(peak_rss "$VD" scan tree-$n --jobs 2 --json --no-progress)
  start=$(date +%s.%N)
  "$VD" scan tree-$n --jobs 2 --json --no-progress >/dev/null 2>&1 || true
  end=$(date +%s.%N)
  say "| $n | $(find tree-$n -type d | wc -l) | $rss | $(awk -v a="$start" -v b="$end" 'BEGIN {printf "%.2f", b - a}') |"
done
say ""
rm -f scan.ndjson scan.err files.txt
