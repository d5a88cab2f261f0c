#!/usr/bin/env bash
# make_vhd.sh - build the Microsoft VHD part of the vdcheck test corpus.
#
# Usage: corpus/recipes/make_vhd.sh [OUTDIR]     (default: <repo>/corpus/vhd)
#
# Needs only bash, coreutils (od, tr, head, tail, truncate, seq, sha256sum,
# cp, rm, mktemp), dd, qemu-img/qemu-io (Debian qemu-utils 7.2) and bximage
# (Bochs 2.7).  See corpus/README.md for what every file is and what a
# validator must find in it.
#
# Reproducibility: qemu-img and bximage stamp the footer with the current
# time and qemu-img with a random UUID.  Unless VHD_NO_NORMALIZE=1 is set,
# the recipe overwrites footer.timestamp (offset 24) with a fixed value and
# footer.uuid (offset 68) of qemu images with a value derived from the file
# name, then re-seals the footer checksum (both copies for dynamic disks).
# Everything else is exactly what the writer produced, so the output is
# byte-for-byte reproducible with the same tool versions.
#
# Licence: project licence (MIT).
set -euo pipefail

script_dir=$(cd "$(dirname "$0")" && pwd)
repo_root=$(cd "$script_dir/../.." && pwd)
out=${1:-$repo_root/corpus/vhd}
mkdir -p "$out"
out=$(cd "$out" && pwd)

work=$(mktemp -d "${TMPDIR:-/tmp}/make_vhd.XXXXXX")
trap 'rm -rf "$work"' EXIT

# 2024-01-01T00:00:00Z in VHD time (seconds since 2000-01-01T00:00:00Z).
FIXED_TIMESTAMP=2D24BD00

. "$script_dir/recipe_lib.sh"
export LC_ALL=C

# ---------------------------------------------------------------- helpers --

# be32 FILE OFFSET / be64 FILE OFFSET  - big-endian unsigned value (decimal)
be32() { echo $(( 16#$(peek "$1" "$2" 4) )); }
be64() { echo $(( 16#$(peek "$1" "$2" 8) )); }

# bytesum FILE OFFSET LEN  - sum of LEN bytes at OFFSET
bytesum() {
    local s=0 b
    for b in $(od -An -tu1 -v -j "$2" -N "$3" "$1"); do
        s=$(( s + b ))
    done
    echo "$s"
}

# seal FILE BASE LEN CKOFF - recompute a VHD checksum: ones' complement of
# the byte sum of the LEN-byte structure at BASE, with the 4-byte checksum
# field at BASE+CKOFF taken as zero.
seal() {
    local file=$1 base=$2 len=$3 ckoff=$4 s c
    s=$(bytesum "$file" "$base" "$len")
    c=$(bytesum "$file" $(( base + ckoff )) 4)
    poke "$file" $(( base + ckoff )) "$(printf '%08x' $(( ~(s - c) & 0xffffffff )))"
}
seal_footer() { seal "$1" "$2" 512 64; }
seal_dynhdr() { seal "$1" "$2" 1024 36; }

is_dynamic() { [ "$(peek "$1" 0 8)" = "636f6e6563746978" ]; }
eof_footer() { echo $(( $(stat -c %s "$1") - 512 )); }

# footer_poke FILE FOOTER_OFFSET HEX - poke at FOOTER_OFFSET inside every
# footer copy of FILE (offset 0 for dynamic disks, and EOF-512), re-sealing.
footer_poke() {
    local file=$1 off=$2 hex=$3 f
    local copies=("$(eof_footer "$file")")
    is_dynamic "$file" && copies=(0 "${copies[@]}")
    for f in "${copies[@]}"; do
        poke "$file" $(( f + off )) "$hex"
        seal_footer "$file" "$f"
    done
}

# dynhdr_poke FILE HDR_OFFSET HEX - poke inside the dynamic header, re-seal.
dynhdr_poke() {
    local file=$1 off=$2 hex=$3 h
    h=$(be64 "$1" 16)
    poke "$file" $(( h + off )) "$hex"
    seal_dynhdr "$file" "$h"
}

# bat_set FILE INDEX HEX - set BAT entry INDEX (BAT is not checksummed).
bat_set() {
    local file=$1 idx=$2 hex=$3 h t
    h=$(be64 "$file" 16)
    t=$(be64 "$file" $(( h + 16 )))
    poke "$file" $(( t + 4 * idx )) "$hex"
}

# normalize FILE [keep-uuid] - fixed timestamp (and UUID), see header.
normalize() {
    local file=$1 name
    [ "${VHD_NO_NORMALIZE:-0}" = 1 ] && return 0
    name=$(basename "$file")
    footer_poke "$file" 24 "$FIXED_TIMESTAMP"
    if [ "${2:-}" != keep-uuid ]; then
        local h; h=$(printf '%s' "vdcheck:$name" | sha256sum)
        footer_poke "$file" 68 "${h:0:32}"
    fi
}

qio() { # qemu-io on a vpc image, quiet
    local file=$1; shift
    local args=() c
    for c in "$@"; do args+=(-c "$c"); done
    qemu-io -f vpc "${args[@]}" "$file" >/dev/null
}

new() { rm -f "$out/$1"; echo "$out/$1"; }

# ------------------------------------------------------- valid images --

f=$(new qemu-dynamic-8M-empty.vhd)
qemu-img create -q -f vpc "$f" 8M
normalize "$f"

f=$(new qemu-dynamic-8M-data.vhd)
qemu-img create -q -f vpc "$f" 8M
# Two allocated blocks only (0 and 3) to stay under the corpus size budget.
qio "$f" 'write -P 0xa5 0 64k' 'write -P 0x5a 1M 64k' 'write -P 0x11 7M 4k'
normalize "$f"

f=$(new qemu-fixed-4M-data.vhd)
qemu-img create -q -f vpc -o subformat=fixed "$f" 4M
qio "$f" 'write -P 0xa5 0 64k' 'write -P 0x5a 2M 64k' 'write -P 0x11 4190208 4k'
normalize "$f"

f=$(new qemu-dynamic-forcesize-6000000.vhd)
qemu-img create -q -f vpc -o force_size=on "$f" 6000000
qio "$f" 'write -P 0x3c 5M 64k'
normalize "$f"

f=$(new qemu-fixed-forcesize-3000000.vhd)
qemu-img create -q -f vpc -o subformat=fixed,force_size=on "$f" 3000000
normalize "$f"

# bximage: the source is a raw disk of exactly the CHS size bximage picks
# for 10M (20/16/63 => 10321920 bytes) so that nothing is cut off; three
# 64 KiB text regions, all in the last (partial) 2 MiB block.
raw=$work/bximage-source.raw
rm -f "$raw"
truncate -s 10321920 "$raw"
region() { # region SEEK_BYTES TAG
    # (no "| head -c": with pipefail a SIGPIPE'd seq would abort the script)
    seq -f "$2 %07g" 0 2499 >"$work/region"
    truncate -s 65536 "$work/region"
    dd if="$work/region" of="$raw" bs=512 seek=$(( $1 / 512 )) conv=notrunc status=none
}
region 8388608  'vdcheck-bximage-r1'
region 9437184  'vdcheck-bximage-r2'
region 10256384 'vdcheck-bximage-r3'
f=$(new bximage-vpc-10M-data.vhd)
# NB: bximage 2.7 needs -imgmode AFTER -hd for create, otherwise it silently
# writes a flat image; convert takes the mode as given.
bximage -func=convert -imgmode=vpc -q "$raw" "$f" >/dev/null
normalize "$f" keep-uuid
[ "$(sha256sum <"$raw")" = "$(qemu-img convert -f vpc -O raw "$f" "$work/chk.raw" && sha256sum <"$work/chk.raw")" ] ||
    die "bximage image does not read back as its raw source"
h=$(sha256sum <"$raw"); echo "bximage raw source sha256: ${h:0:64}"
rm -f "$work/chk.raw"

# ------------------------------------------------------ crafted images --
# Base for header/footer/BAT defects: the empty 8M dynamic disk
#   footer@0, dyn header@512, BAT@1536 (5 entries), footer@2048, EOF 2560.
# Base for block defects: qemu-dynamic-forcesize-6000000.vhd
#   BAT = [ffffffff, ffffffff, 00000004]; bitmap@2048, data@2560, EOF 2100224.
# Base for fixed-disk defects: qemu-fixed-forcesize-3000000.vhd
#   data 0..3000319, footer@3000320, EOF 3000832.
EMPTY=$out/qemu-dynamic-8M-empty.vhd
BLOCK=$out/qemu-dynamic-forcesize-6000000.vhd
FIXED=$out/qemu-fixed-forcesize-3000000.vhd

crafted() { # crafted NAME BASE
    local f; f=$(new "$1"); cp "$2" "$f"; chmod 644 "$f"; echo "$f"
}
# add_to_be32 FILE OFFSET DELTA - add DELTA to a big-endian u32 in place
add_to_be32() {
    poke "$1" "$2" "$(printf '%08x' $(( ($(be32 "$1" "$2") + $3) & 0xffffffff )))"
}

# Footer checksum off by one in both copies (offsets 64 and 2112).
f=$(crafted bad-footer-checksum.vhd "$EMPTY")
add_to_be32 "$f" 64 1
add_to_be32 "$f" 2112 1

# Copy at 0 differs: creator_app "qemu" -> "qemU" (offset 31), re-sealed.
f=$(crafted bad-footer-copy-mismatch.vhd "$EMPTY")
poke "$f" 31 55
seal_footer "$f" 0

# Trailing footer cut off (file ends after the BAT).
f=$(crafted truncated-no-eof-footer.vhd "$EMPTY")
truncate -s 2048 "$f"

# Dynamic header checksum off by one (offset 548).
f=$(crafted bad-dyn-checksum.vhd "$EMPTY")
add_to_be32 "$f" 548 1

# Dynamic header cookie "cxsparse" -> "Xxsparse" (offset 512), re-sealed.
f=$(crafted bad-dyn-cookie.vhd "$EMPTY")
dynhdr_poke "$f" 0 58

# Block size 0x300000 (offset 544), re-sealed.
f=$(crafted bad-block-size-3M.vhd "$EMPTY")
dynhdr_poke "$f" 32 00300000

# BAT[0] = sector 0x1000 (byte 2097152), file is 2560 bytes (offset 1536).
f=$(crafted bat-entry-beyond-eof.vhd "$EMPTY")
bat_set "$f" 0 00001000

# BAT[0] = 4, same block as BAT[2] (offset 1536).
f=$(crafted bat-duplicate.vhd "$BLOCK")
bat_set "$f" 0 00000004

# BAT[0] = 1, i.e. bitmap at byte 512 = the dynamic header (offset 1536).
f=$(crafted bat-into-header.vhd "$EMPTY")
bat_set "$f" 0 00000001

# Block 2 (bitmap@2048): clear the bit of block sector 2048 (byte 2304,
# 0xff -> 0x7f); its data at 1051136 is 0x3c, so the data becomes hidden.
f=$(crafted bitmap-hidden-data.vhd "$BLOCK")
if [ "$(peek "$f" 2304 1)" != ff ] || [ "$(peek "$f" 1051136 1)" != 3c ]; then
    die "bitmap-hidden-data: unexpected base layout"
fi
poke "$f" 2304 7f

# Fixed disk with 4096 data bytes removed before the footer.
f=$(new fixed-truncated.vhd)
head -c $(( 3000320 - 4096 )) "$FIXED" >"$f"
tail -c 512 "$FIXED" >>"$f"

# Fixed disk with 4096 zero bytes between the data and the footer.
f=$(new fixed-trailing-data.vhd)
head -c 3000320 "$FIXED" >"$f"
head -c 4096 /dev/zero >>"$f"
tail -c 512 "$FIXED" >>"$f"

# Disk type 5 (offsets 60 and 2108), both copies re-sealed.
f=$(crafted bad-disk-type-5.vhd "$EMPTY")
footer_poke "$f" 60 00000005

# Timestamp 0xF0000000 = 2127-08-06T09:04:00Z (offsets 24 and 2072), re-sealed.
f=$(crafted future-timestamp.vhd "$EMPTY")
footer_poke "$f" 24 F0000000

# Reserved footer byte at footer offset 400 = 0x01 (offsets 400, 2448).
f=$(crafted reserved-nonzero.vhd "$EMPTY")
footer_poke "$f" 400 01

# 512 bytes of 0x42 between the BAT (last structure) and the footer.
f=$(new slack-nonzero.vhd)
head -c 2048 "$EMPTY" >"$f"
head -c 512 /dev/zero | tr '\0' '\102' >>"$f"
tail -c 512 "$EMPTY" >>"$f"

# max_table_entries 5 -> 4 (offset 540), re-sealed.
f=$(crafted max-table-entries-small.vhd "$EMPTY")
dynhdr_poke "$f" 28 00000004

chmod 644 "$out"/*.vhd
cd "$out"
sha256sum -- *.vhd
