#!/usr/bin/env bash
# VHDX benchmarks (not run by CI). Modeled on run_vhd_benchmarks.sh.
#
# usage: tests/bench/run_vhdx_benchmarks.sh VDCHECK SCRATCH_DIR [RUNS]
#   VDCHECK      path to a Release build of vdcheck
#   SCRATCH_DIR  where the images go (needs ~4 GiB free; our files are deleted at the end
#                unless KEEP=1)
#   RUNS         timed runs per command (default 5, at least 3)
#
# 1. A 60 TiB dynamic VHDX with 1 MiB blocks (qemu-img create -f vhdx -o block_size=1M;
#    62,914,560 payload + 15,360 sector-bitmap BAT entries, a 488 MiB file): `vdcheck`
#    against `qemu-img check`, time (hyperfine) and peak RSS (GNU time -v).
# 2. A 1 GiB dynamic VHDX, 8 MiB blocks, every other block random data and the others never
#    written: `vdcheck --hash sha256` against `openssl dgst -sha256` of the equivalent raw
#    file and against `qemu-img convert -O raw` + `sha256sum`; the hashes are checked first.
#
# Needs: qemu-img, hyperfine, openssl, sha256sum, GNU /usr/bin/time (Debian package `time`;
# installed with apt-get when missing and running as root). Cold-cache runs need root
# (/proc/sys/vm/drop_caches); without it they are reported as n/a.
# Prints Markdown on stdout and copies it to SCRATCH_DIR/results-vhdx.md.
set -euo pipefail

[ $# -ge 2 ] || { echo "usage: $0 VDCHECK SCRATCH_DIR [RUNS]" >&2; exit 64; }
VD=$(realpath "$1")
S=$2
RUNS=${3:-5}
[ "$RUNS" -ge 3 ] || RUNS=3
[ -x "$VD" ] || { echo "not executable: $VD" >&2; exit 64; }
if [ ! -x /usr/bin/time ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  apt-get install -y -q time >/dev/null
fi
for t in qemu-img hyperfine openssl sha256sum /usr/bin/time; do
  command -v "$t" >/dev/null || { echo "missing tool: $t" >&2; exit 69; }
done
mkdir -p "$S"
S=$(realpath "$S")
: >"$S/hyperfine.log"
need_kib=$((4 * 1024 * 1024))
avail_kib=$(df -Pk "$S" | awk 'NR==2 {print $4}')
[ "$avail_kib" -ge "$need_kib" ] ||
  { echo "$S: $((avail_kib / 1024)) MiB free, need $((need_kib / 1024)) MiB" >&2; exit 73; }
cd "$S"
OUT="$S/results-vhdx.md"
: >"$OUT"
say() { printf '%s\n' "$*" | tee -a "$OUT"; }

CAN_DROP=0
if [ -w /proc/sys/vm/drop_caches ]; then CAN_DROP=1; fi
DROP="sh -c 'sync; echo 3 > /proc/sys/vm/drop_caches'" # works with and without -N

cleanup() {
  if [ "${KEEP:-0}" != 1 ]; then
    rm -f "$S"/x60t.vhdx "$S"/src.raw "$S"/rand.bin "$S"/half.vhdx "$S"/half.raw "$S"/out.raw \
          "$S"/half.json "$S"/hf-*.json "$S"/rss.txt "$S"/hyperfine.log
  fi
}
trap cleanup EXIT

# bench NAME MODE 'CMD' ['CMD'...]: hyperfine, warm (after one warm-up run) or cold (page
# cache dropped before each run); writes hf-NAME-MODE.json. $PREP runs before each run.
bench() {
  local name=$1 mode=$2 args=(); shift 2
  local prep=${PREP:-}
  rm -f "hf-$name-$mode.json"
  if [ "$mode" = cold ]; then
    [ "$CAN_DROP" = 1 ] || return 0
    prep="${prep:+$prep; }$DROP"
  else
    args+=(--warmup 1)
  fi
  [ -z "$prep" ] || args+=(--prepare "$prep")
  # -N (no intermediate shell) unless a command needs one: with a shell, hyperfine
  # subtracts its calibrated shell start-up time, which zeroes runs of a few ms.
  [ "${NEEDS_SHELL:-0}" = 1 ] || args+=(-N)
  hyperfine -i --style none --runs "$RUNS" "${args[@]}" --export-json "hf-$name-$mode.json" \
    "$@" >/dev/null 2>>"$S/hyperfine.log"
}
# table NAME...: one Markdown table (times in ms) from hf-NAME-{warm,cold}.json
table() {
  local name mode
  say "| command | cache | median ms | mean ± sd ms | min ms | max ms |"
  say "|---|---|---|---|---|---|"
  for name in "$@"; do
    for mode in warm cold; do
      if [ ! -f "hf-$name-$mode.json" ]; then
        say "| ($name) | $mode: n/a (not root) | | | | |"; continue
      fi
      awk -v m="$mode" '
        function num(s) { sub(/.*: */, "", s); sub(/,$/, "", s); return s * 1000 }
        /"command":/ { c = $0; sub(/^[^:]*: *"/, "", c); sub(/",?$/, "", c); gsub(/\\"/, "\"", c)
                       gsub(/\|/, "\\|", c) }
        /"mean":/ { mean = num($0) } /"stddev":/ { sd = num($0) } /"median":/ { med = num($0) }
        /"min":/ { mn = num($0) }
        /"max":/ { mx = num($0); printf "| `%s` | %s | %.1f | %.1f ± %.1f | %.1f | %.1f |\n",
                   c, m, med, mean, sd, mn, mx }' "hf-$name-$mode.json" | while IFS= read -r l; do say "$l"; done
    done
  done
}
peak_rss() { # CMD... -> max "Maximum resident set size" (KiB) over RUNS runs
  local i r max=0
  for ((i = 0; i < RUNS; i++)); do
    /usr/bin/time -v -o "$S/rss.txt" "$@" >/dev/null 2>&1 || true
    r=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$S/rss.txt")
    [ "${r:-0}" -gt "$max" ] && max=$r
  done
  echo "$max"
}

# ------------------------------------------------------------------- machine
say "## Machine"
say ""
say "- CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')," \
    "$(nproc) cores; SHA extensions: $(grep -m1 -ow sha_ni /proc/cpuinfo || echo none)"
say "- RAM: $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo); kernel $(uname -r)"
say "- filesystem of $S: $(df -T "$S" | awk 'NR==2 {print $2 " on " $1}'), $((avail_kib / 1048576)) GiB free"
say "- $("$VD" --version 2>&1 | head -1); $(qemu-img --version | head -1);" \
    "$(openssl version); $(hyperfine --version)"
say "- $RUNS runs per command; warm: after one warm-up run; cold: page cache dropped before" \
    "each run ($([ "$CAN_DROP" = 1 ] && echo yes || echo 'no, not root'))"
say ""

# ------------------------------------------------ 1. 60 TiB dynamic, 1 MiB blocks
rm -f x60t.vhdx
qemu-img create -q -f vhdx -o block_size=1M x60t.vhdx 60T
"$VD" --json x60t.vhdx >x60t.json 2>/dev/null || true
verdict=$(tr -d '\n ' <x60t.json | sed -n 's/.*"verdict":"\([a-z]*\)".*/\1/p')
vsize=$(tr -d '\n ' <x60t.json | sed -n 's/.*"virtual_size":\([0-9]*\).*/\1/p')
rm -f x60t.json
say "## 1. Empty 60 TiB dynamic VHDX, 1 MiB blocks (no hash)"
say ""
say "- x60t.vhdx: $(stat -c %s x60t.vhdx) bytes; vdcheck: verdict ${verdict:-?}," \
    "virtual size ${vsize:-?}; qemu-img check: $(qemu-img check -f vhdx x60t.vhdx 2>&1 | head -1)"
say ""
bench big warm "'$VD' x60t.vhdx" "qemu-img check -f vhdx x60t.vhdx"
bench big cold "'$VD' x60t.vhdx" "qemu-img check -f vhdx x60t.vhdx"
table big
say ""
say "| command | peak RSS KiB |"
say "|---|---|"
say "| vdcheck x60t.vhdx | $(peak_rss "$VD" x60t.vhdx) |"
say "| qemu-img check -f vhdx x60t.vhdx | $(peak_rss qemu-img check -f vhdx x60t.vhdx) |"
say ""
rm -f x60t.vhdx

# ------------------------------------------- 2. 1 GiB, half random, half never written
# Deterministic "random" data: AES-256-CTR keystream from a fixed passphrase.
{ openssl enc -aes-256-ctr -pass pass:vdcheck-bench -nosalt -pbkdf2 -in /dev/zero 2>/dev/null \
    || true; } | head -c $((512 * 1024 * 1024)) >rand.bin # openssl dies of SIGPIPE here
rm -f src.raw
truncate -s 1G src.raw
for ((i = 0; i < 64; i++)); do # even 8 MiB blocks random, odd blocks never written (holes)
  dd if=rand.bin of=src.raw bs=8M skip=$i seek=$((2 * i)) count=1 conv=notrunc status=none
done
rm -f rand.bin half.vhdx half.raw
qemu-img convert -f raw -O vhdx -o subformat=dynamic,block_size=8M src.raw half.vhdx
rm -f src.raw
qemu-img convert -f vhdx -O raw half.vhdx half.raw # the equivalent raw file
sync

"$VD" --json --hash sha256 half.vhdx >half.json 2>/dev/null || true
vhash=$(tr -d '\n ' <half.json | sed -n 's/.*"virtual":{"sha256":"\([0-9a-f]*\)".*/\1/p')
raw_sum=$(sha256sum half.raw | cut -c1-64)
say "## 2. 1 GiB dynamic VHDX, 8 MiB blocks, every other block random data, the rest never written"
say ""
say "- half.vhdx: $(stat -c %s half.vhdx) bytes (64 of 128 blocks written by qemu-img convert," \
    "the zero ones left unallocated); half.raw: $(stat -c %s half.raw) bytes"
say "- virtual sha256: vdcheck ${vhash:-none}, sha256sum half.raw $raw_sum:" \
    "$([ "$vhash" = "$raw_sum" ] && echo MATCH || echo MISMATCH)"
say ""
bench hash warm "'$VD' --hash sha256 half.vhdx" "openssl dgst -sha256 half.raw"
bench hash cold "'$VD' --hash sha256 half.vhdx" "openssl dgst -sha256 half.raw"
NEEDS_SHELL=1 PREP="rm -f out.raw" bench conv warm \
  "qemu-img convert -f vhdx -O raw half.vhdx out.raw && sha256sum out.raw"
NEEDS_SHELL=1 PREP="rm -f out.raw" bench conv cold \
  "qemu-img convert -f vhdx -O raw half.vhdx out.raw && sha256sum out.raw"
table hash conv
rm -f out.raw
say ""
say "Peak RSS of vdcheck --hash sha256 half.vhdx: $(peak_rss "$VD" --hash sha256 half.vhdx) KiB"
