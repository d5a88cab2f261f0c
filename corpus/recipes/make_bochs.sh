#!/usr/bin/env bash
# make_bochs.sh - build the Bochs redolog part of the vdcheck test corpus.
#
# Usage: corpus/recipes/make_bochs.sh [OUTDIR]     (default: <repo>/corpus/bochs)
#
# Needs bash, coreutils (od, tr, head, seq, truncate, sha256sum, cp, rm, mktemp),
# dd, bximage (Bochs 2.7) and qemu-img (Debian qemu-utils 7.2, used only to check
# that the data image reads back as its raw source). See corpus/README.md for what
# every file is and what a validator must find in it.
#
# Reproducibility: bximage -func=convert stamps the v2 header's timestamp (offset
# 0x54, FAT date/time) with the current local time. Unless BOCHS_NO_NORMALIZE=1 is
# set, the recipe overwrites it with 2024-01-01 00:00:00 (0x58210000). Everything
# else is what bximage wrote, so the output is byte-for-byte reproducible with the
# same bximage version.
#
# Licence: project licence (MIT).
set -euo pipefail

script_dir=$(cd "$(dirname "$0")" && pwd)
repo_root=$(cd "$script_dir/../.." && pwd)
out=${1:-$repo_root/corpus/bochs}
mkdir -p "$out"
out=$(cd "$out" && pwd)

work=$(mktemp -d "${TMPDIR:-/tmp}/make_bochs.XXXXXX")
trap 'rm -rf "$work"' EXIT
. "$script_dir/recipe_lib.sh"
export LC_ALL=C TZ=UTC

# 2024-01-01 00:00:00 as a FAT date/time (date << 16 | time), little-endian bytes.
FIXED_TIMESTAMP=00002158

normalize() {
    [ "${BOCHS_NO_NORMALIZE:-0}" = 1 ] || poke "$1" $((0x54)) "$FIXED_TIMESTAMP"
}

new() { rm -f "$out/$1"; echo "$out/$1"; }

# ------------------------------------------------------- valid images --

# An empty 10M growing redolog: v2, catalog 1024, bitmap 4, extent 16384, disk
# 10321920 (20/16/63), nothing allocated (4608 bytes).
f=$(new bximage-growing-10M-empty.img)
bximage -func=create -hd=10M -imgmode=growing -q "$f" >/dev/null
normalize "$f"

# A 640 KiB disk converted from a raw file with three text regions: 16 KiB at 0,
# 9000 bytes at 205800 (unaligned: partly written extents) and "LAST" 600 bytes
# before the end. bximage stores only non-zero sectors: catalog 512, bitmap 1,
# extent 4096; disk extents 0-3, 50-52 and 159 stored, 52 sectors written.
raw=$work/source-640K.raw
truncate -s 655360 "$raw"
# (no "| head -c" after seq: with pipefail a SIGPIPE'd seq would abort the script)
seq -f 'vdcheck-bochs %07g' 0 999 >"$work/r1"
truncate -s 16384 "$work/r1"
dd if="$work/r1" of="$raw" conv=notrunc status=none
seq -f 'second %07g' 0 999 >"$work/r2"
truncate -s 9000 "$work/r2"
dd if="$work/r2" of="$raw" bs=1 seek=205800 conv=notrunc status=none
printf 'LAST' | dd of="$raw" bs=1 seek=$(( 655360 - 600 )) conv=notrunc status=none
f=$(new bximage-growing-640K-data.img)
bximage -func=convert -imgmode=growing -q "$raw" "$f" >/dev/null
normalize "$f"
qemu-img convert -f bochs -O raw "$f" "$work/chk.raw"
[ "$(sha256sum <"$raw")" = "$(sha256sum <"$work/chk.raw")" ] ||
    die "the data image does not read back as its raw source"
h=$(sha256sum <"$raw"); echo "raw source sha256: ${h:0:64}"

# ------------------------------------------------------ crafted images --
# Base: bximage-growing-640K-data.img. Header 0-511; catalog at 512 (512 entries):
#   [0..3] = 0..3, [50..52] = 4..6, [159] = 7, the rest 0xFFFFFFFF;
# stored extents at 2560 + k * 4608 (bitmap sector, then 4096 data bytes); EOF 39424.
DATA=$out/bximage-growing-640K-data.img
[ "$(peek "$DATA" 512 16)" = 00000000010000000200000003000000 ] &&
    [ "$(peek "$DATA" $(( 512 + 159 * 4 )) 4)" = 07000000 ] ||
    die "unexpected base layout"

crafted() { # crafted NAME - a copy of the data image
    local f; f=$(new "$1"); cp "$DATA" "$f"; echo "$f"
}

# Catalog entry 51 (offset 716) = 1, the stored extent of entry 1.
f=$(crafted catalog-duplicate.img)
poke "$f" 716 01000000

# Catalog entry 100 (offset 912, free) = 0x200 = 512, the catalog size.
f=$(crafted catalog-entry-range.img)
poke "$f" 912 00020000

# Header size field (0x44) = 1024: Bochs still reads the catalog at 512, QEMU at 1024.
f=$(crafted header-size-1024.img)
poke "$f" $((0x44)) 00040000

# Disk size (0x58) 655360 -> 653312: the last extent (159) now has 4 sectors inside
# the disk, and its bitmap (offset 2560 + 7 * 4608 = 34816) marks sector 6 written.
f=$(crafted bitmap-past-disk-end.img)
[ "$(peek "$f" 34816 1)" = 40 ] || die "bitmap-past-disk-end: unexpected bitmap"
poke "$f" $((0x58)) 00f80900

# 512 bytes of 0x55 after the last stored extent.
f=$(crafted trailing-data.img)
head -c 512 /dev/zero | tr '\0' '\125' >>"$f"

chmod 644 "$out"/*.img
cd "$out"
sha256sum -- *.img
