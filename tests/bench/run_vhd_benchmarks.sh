#!/usr/bin/env bash
# Reproduces every measurement in docs/benchmarks.md, section "VHD (issue 2)".
#
# usage: tests/bench/run_vhd_benchmarks.sh VDCHECK SCRATCH_DIR [RUNS]
#   VDCHECK      path to a Release build of vdcheck
#   SCRATCH_DIR  where the images go (needs ~3.5 GiB free; emptied of our files at the end
#                unless KEEP=1)
#   RUNS         timed runs per measurement (default 5, at least 3); median and min reported
#
# Needs: qemu-img, openssl, sha256sum, python3, GNU /usr/bin/time. Optional: vhdiinfo and
# vhdimount (Debian libvhdi-utils) with /dev/fuse. Cold-cache runs need root (writes
# /proc/sys/vm/drop_caches); without it they are reported as "n/a".
# Prints Markdown tables on stdout (and copies them to SCRATCH_DIR/results.md).
set -euo pipefail

[ $# -ge 2 ] || { echo "usage: $0 VDCHECK SCRATCH_DIR [RUNS]" >&2; exit 64; }
VD=$(realpath "$1")
S=$2
RUNS=${3:-5}
[ "$RUNS" -ge 3 ] || RUNS=3
[ -x "$VD" ] || { echo "not executable: $VD" >&2; exit 64; }
for t in qemu-img openssl sha256sum python3 /usr/bin/time; do
  command -v "$t" >/dev/null || { echo "missing tool: $t" >&2; exit 69; }
done
mkdir -p "$S"
S=$(realpath "$S")
cd "$S"
OUT="$S/results.md"
: >"$OUT"
say() { printf '%s\n' "$*" | tee -a "$OUT"; }

CAN_DROP=0
if [ -w /proc/sys/vm/drop_caches ]; then CAN_DROP=1; fi
drop_caches() { sync; echo 3 >/proc/sys/vm/drop_caches; }

cleanup() {
  if mountpoint -q "$S/mnt" 2>/dev/null; then umount "$S/mnt" || true; fi
  if [ "${KEEP:-0}" != 1 ]; then
    sync; rm -f "$S"/empty_*.vhd "$S"/max.vhd "$S"/src.raw "$S"/rand.bin "$S"/half.vhd \
          "$S"/half.raw "$S"/out.raw "$S"/half.json "$S"/rss.txt
    rmdir "$S/mnt" 2>/dev/null || true
  fi
}
trap cleanup EXIT

now_ns() { date +%s%N; }

# timeit MODE CMD...: runs each shell command RUNS times, interleaved (A B A B ...) so that
# drift on this shared VM hits all of them alike. MODE warm: after one untimed warm-up run
# of each; MODE cold: dropping the page cache before each run. $PRE, if set, runs untimed
# before each run. Prints "median_ms min_ms" per command, one line each.
timeit() {
  local mode=$1 i j t0 t1; shift
  local n=$# cmds=("$@") times=()
  if [ "$mode" = cold ] && [ $CAN_DROP = 0 ]; then
    for ((j = 0; j < n; j++)); do echo "n/a n/a"; done; return
  fi
  if [ "$mode" = warm ]; then
    for ((j = 0; j < n; j++)); do
      [ -z "${PRE:-}" ] || eval "$PRE"
      eval "${cmds[j]}" >/dev/null 2>&1
    done
  fi
  for ((i = 0; i < RUNS; i++)); do
    for ((j = 0; j < n; j++)); do
      [ -z "${PRE:-}" ] || eval "$PRE"
      if [ "$mode" = cold ]; then drop_caches; fi
      t0=$(now_ns)
      eval "${cmds[j]}" >/dev/null 2>&1 || { echo "command failed: ${cmds[j]}" >&2; exit 1; }
      t1=$(now_ns)
      times[j]="${times[j]:-} $(( (t1 - t0) / 1000 ))"
    done
  done
  for ((j = 0; j < n; j++)); do
    printf '%s\n' ${times[j]} | sort -n | awk '{a[NR]=$1} END {
      m = (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2;
      printf "%.1f %.1f\n", m / 1000, a[1] / 1000 }'
  done
}

# peak_rss CMD...: largest "Maximum resident set size" (KiB) over RUNS runs.
peak_rss() {
  local i r max=0
  for ((i = 0; i < RUNS; i++)); do
    /usr/bin/time -f '%M' -o "$S/rss.txt" "$@" >/dev/null 2>&1 || true
    r=$(tail -1 "$S/rss.txt")
    [ "$r" -gt "$max" ] && max=$r
  done
  echo "$max"
}

row() { # row LABEL CMD : one Markdown row with warm and cold median/min
  local w c
  w=$(timeit warm "$2"); c=$(timeit cold "$2")
  set -- "$1" $w $c
  say "| $1 | $2 | $3 | $4 | $5 |"
}

# ---------------------------------------------------------------- machine
say "## Machine"
say ""
say "- CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')," \
    "$(nproc) cores; SHA extensions: $(grep -m1 -ow sha_ni /proc/cpuinfo || echo none)"
say "- RAM: $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo); kernel $(uname -r)"
say "- filesystem of $S: $(df -T "$S" | awk 'NR==2 {print $2 " on " $1}')"
SPEED_K=$(openssl speed -evp sha256 -seconds 3 2>/dev/null | awk '/^sha256/ {sub("k", "", $NF); print $NF}')
say "- openssl speed -evp sha256 (16 KiB blocks): $(awk -v k="$SPEED_K" 'BEGIN {printf "%.0f MB/s", k/1000}')"
say "- vdcheck $("$VD" --version 2>&1 | head -1); $(qemu-img --version | head -1);" \
    "$(openssl version); $(sha256sum --version | head -1)"
if command -v vhdiinfo >/dev/null; then say "- $(vhdiinfo -V 2>&1 | head -1)"; fi
say "- runs per measurement: $RUNS (warm: after one warm-up run; cold: caches dropped before each run: $([ $CAN_DROP = 1 ] && echo yes || echo 'no, not root'))"
say ""

# ---------------------------------------------------------------- 1. empty dynamic VHDs
for sz in 1G 64G 512G 2040G; do
  qemu-img create -q -f vpc "empty_$sz.vhd" "$sz"
done
ln -f empty_2040G.vhd max.vhd

say "## 1. Empty dynamic VHDs (no hash)"
say ""
say "| virtual size | file size | BAT entries | warm median ms | warm min ms | cold median ms | cold min ms | peak RSS KiB |"
say "|---|---|---|---|---|---|---|---|"
for sz in 1G 64G 512G 2040G; do
  f="empty_$sz.vhd"
  blocks=$("$VD" --json "$f" | python3 -c 'import json,sys; print(json.load(sys.stdin)["image"]["details"]["blocks"])')
  w=$(timeit warm "'$VD' '$f'"); c=$(timeit cold "'$VD' '$f'")
  rss=$(peak_rss "$VD" "$f")
  set -- $w $c
  say "| $sz | $(stat -c %s "$f") | $blocks | $1 | $2 | $3 | $4 | $rss |"
done
say ""
say "Peers on max.vhd (2040G):"
say ""
say "| command | warm median ms | warm min ms | cold median ms | cold min ms |"
say "|---|---|---|---|---|"
row "(timing-loop overhead: /bin/true)" "/bin/true"
row "vdcheck max.vhd --json" "'$VD' --json max.vhd"
row "qemu-img info max.vhd" "qemu-img info max.vhd"
if command -v vhdiinfo >/dev/null; then
  row "vhdiinfo max.vhd" "vhdiinfo max.vhd"
  say ""
  say "vhdiinfo max.vhd peak RSS: $(peak_rss vhdiinfo max.vhd) KiB"
else
  say "| vhdiinfo max.vhd | n/a (libvhdi-utils not installed) | | | |"
fi
say ""

# ---------------------------------------------------------------- 2. half-allocated 1 GiB VHD
# Deterministic "random" data: AES-256-CTR keystream from a fixed passphrase.
{ openssl enc -aes-256-ctr -pass pass:vdcheck-bench -nosalt -pbkdf2 -in /dev/zero 2>/dev/null \
    || true; } | head -c $((512 * 1024 * 1024)) >rand.bin  # openssl dies of SIGPIPE here
rm -f src.raw
truncate -s 1G src.raw
for ((i = 0; i < 256; i++)); do # even 2 MiB blocks random, odd blocks never written (holes)
  dd if=rand.bin of=src.raw bs=2M skip=$i seek=$((2 * i)) count=1 conv=notrunc status=none
done
rm -f rand.bin half.vhd half.raw
qemu-img convert -f raw -O vpc src.raw half.vhd   # zero blocks stay unallocated
rm -f src.raw
qemu-img convert -f vpc -O raw half.vhd half.raw  # exact raw equivalent (CHS-rounded size)

"$VD" --json --hash sha256 half.vhd >half.json || true
read -r alloc blocks vhash chash < <(python3 -c '
import json; d = json.load(open("half.json")); x = d["image"]["details"]; h = d["hashes"]
print(x["allocated_blocks"], x["blocks"], h["virtual"]["sha256"], h["container"]["sha256"])')
raw_sum=$(sha256sum half.raw | cut -d' ' -f1)
vhd_sum=$(sha256sum half.vhd | cut -d' ' -f1)
map_data=$(qemu-img map --output=json half.vhd | grep -c '"data": true' || true)

say "## 2. 1 GiB dynamic VHD, every other 2 MiB block allocated (random data)"
say ""
say "- half.vhd: $(stat -c %s half.vhd) bytes; virtual size $(stat -c %s half.raw) bytes;" \
    "allocated_blocks $alloc of $blocks (vdcheck), $map_data data extents (qemu-img map)"
say "- virtual sha256: vdcheck $vhash, sha256sum half.raw $raw_sum:" \
    "$([ "$vhash" = "$raw_sum" ] && echo MATCH || echo MISMATCH)"
say "- container sha256: vdcheck $chash, sha256sum half.vhd $vhd_sum:" \
    "$([ "$chash" = "$vhd_sum" ] && echo MATCH || echo MISMATCH)"
say ""
say "| command | warm median ms | warm min ms | cold median ms | cold min ms |"
say "|---|---|---|---|---|"
sync  # let the writeback of the freshly made images finish before timing
CMD_A="'$VD' --hash sha256 half.vhd"; CMD_B="openssl dgst -sha256 half.raw"
{ read -r A_W; read -r B_W; } < <(timeit warm "$CMD_A" "$CMD_B")
{ read -r A_C; read -r B_C; } < <(timeit cold "$CMD_A" "$CMD_B")
[ -n "${A_W:-}" ] && [ -n "${A_C:-}" ] || { echo "timing a/b failed" >&2; exit 1; }
set -- $A_W $A_C; say "| a. vdcheck --hash sha256 half.vhd | $1 | $2 | $3 | $4 |"
set -- $B_W $B_C; say "| b. openssl dgst -sha256 half.raw | $1 | $2 | $3 | $4 |"
PRE="rm -f out.raw" row "c. qemu-img convert -O raw half.vhd out.raw && sha256sum out.raw" \
  "qemu-img convert -f vpc -O raw half.vhd out.raw && sha256sum out.raw"
PRE="rm -f out.raw" row "c2. same, hashing with openssl dgst -sha256 out.raw" \
  "qemu-img convert -f vpc -O raw half.vhd out.raw && openssl dgst -sha256 out.raw"
rm -f out.raw
if qemu-img convert -f vpc -O raw half.vhd /dev/stdout 2>/dev/null | sha256sum | grep -q "^$raw_sum"; then
  row "c'. qemu-img convert -O raw half.vhd /dev/stdout \| sha256sum" \
    "set -o pipefail; qemu-img convert -f vpc -O raw half.vhd /dev/stdout | sha256sum"
else
  say "| c'. qemu-img convert ... /dev/stdout \| sha256sum | fails (qemu-img cannot write raw to a pipe) | | | |"
fi
row "d. sha256sum half.vhd" "sha256sum half.vhd"
if command -v vhdimount >/dev/null && [ -c /dev/fuse ]; then
  mkdir -p mnt
  if vhdimount half.vhd mnt >/dev/null 2>&1 && sleep 0.2 \
      && [ "$(sha256sum mnt/vhdi1 | cut -d' ' -f1)" = "$raw_sum" ]; then
    umount mnt
    row "e. vhdimount + sha256sum mnt/vhdi1 + umount" \
      "vhdimount half.vhd mnt && sha256sum mnt/vhdi1 && umount mnt"
  else
    umount mnt 2>/dev/null || true
    say "| e. vhdimount + sha256sum | fails or wrong hash | | | |"
  fi
else
  say "| e. vhdimount + sha256sum | n/a (vhdimount or /dev/fuse missing) | | | |"
fi
say ""
say "Peak RSS of vdcheck --hash sha256 half.vhd: $(peak_rss "$VD" --hash sha256 half.vhd) KiB"
set -- $A_W $A_C $B_W $B_C
say ""
say "Ratio a/b (goal <= 1.25): warm median $(awk -v a="$1" -v b="$5" 'BEGIN {printf "%.2f", a/b}')," \
    "warm min $(awk -v a="$2" -v b="$6" 'BEGIN {printf "%.2f", a/b}')," \
    "cold median $(awk -v a="$3" -v b="$7" 'BEGIN {if (b+0 > 0) printf "%.2f", a/b; else print "n/a"}')," \
    "cold min $(awk -v a="$4" -v b="$8" 'BEGIN {if (b+0 > 0) printf "%.2f", a/b; else print "n/a"}')"
say "SHA-256 compute floor for the virtual disk at the openssl speed rate:" \
    "$(awk -v v="$(stat -c %s half.raw)" -v k="$SPEED_K" 'BEGIN {printf "%.1f", v / k}') ms;" \
    "a (warm min) / floor = $(awk -v a="$2" -v v="$(stat -c %s half.raw)" -v k="$SPEED_K" 'BEGIN {printf "%.2f", a / (v / k)}')"
