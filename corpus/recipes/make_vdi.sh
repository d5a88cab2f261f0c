#!/usr/bin/env bash
# make_vdi.sh - build the VirtualBox VDI part of the vdcheck test corpus.
#
# Usage: corpus/recipes/make_vdi.sh [OUTDIR]     (default: <repo>/corpus/vdi)
#
# Needs only bash, coreutils (od, tr, head, truncate, sha256sum, cp, rm,
# mktemp), dd and qemu-img/qemu-io (Debian qemu-utils 7.2). See
# corpus/README.md for what every file is and what a validator must find.
#
# Reproducibility: qemu-img writes a random creation UUID (header 0x188) and
# modification UUID (0x198). Unless VDI_NO_NORMALIZE=1 is set, the recipe
# overwrites both with values derived from the file name (the first 16 and
# the next 16 bytes of sha256("vdcheck:<name>")), after every qemu-io write.
# Nothing else is changed, so the output is byte-for-byte reproducible with
# the same tool versions. The header has no checksum to re-seal.
#
# Licence: project licence (MIT).
set -euo pipefail

script_dir=$(cd "$(dirname "$0")" && pwd)
repo_root=$(cd "$script_dir/../.." && pwd)
out=${1:-$repo_root/corpus/vdi}
mkdir -p "$out"
out=$(cd "$out" && pwd)

. "$script_dir/recipe_lib.sh"
export LC_ALL=C

# Header fields (v1.1, absolute offsets).
BLOCKS_OFFSET=340 DATA_OFFSET=344 DISK_SIZE=368 BLOCKS_ALLOCATED=388
UUID_CREATE=392 UUID_MODIFY=408

normalize() { # FILE - fixed UUIDs derived from the name
    local file=$1 h
    [ "${VDI_NO_NORMALIZE:-0}" = 1 ] && return 0
    h=$(printf '%s' "vdcheck:$(basename "$file")" | sha256sum)
    poke "$file" $UUID_CREATE "${h:0:32}"
    poke "$file" $UUID_MODIFY "${h:32:32}"
}

qio() { # FILE COMMAND... - qemu-io on a vdi image, quiet
    local file=$1; shift
    local args=() c
    for c in "$@"; do args+=(-c "$c"); done
    qemu-io -f vdi "${args[@]}" "$file" >/dev/null
}

new() { rm -f "$out/$1"; echo "$out/$1"; }

map_at() { # FILE INDEX - file offset of block map entry INDEX
    echo $(( 16#$(peek "$1" $BLOCKS_OFFSET 4 | sed 's/\(..\)\(..\)\(..\)\(..\)/\4\3\2\1/') + 4 * $2 ))
}

# ------------------------------------------------------- valid images --

# 8 MiB, nothing written: header, 8 free entries, data at 1024 = EOF.
f=$(new qemu-dynamic-8M-empty.vdi)
qemu-img create -q -f vdi "$f" 8M
normalize "$f"

# 4 MiB, blocks 0 and 3 written (map [0, free, free, 1]).
f=$(new qemu-dynamic-4M-data.vdi)
qemu-img create -q -f vdi "$f" 4M
qio "$f" 'write -P 0xa5 0 64k' 'write -P 0x5a 3145728 65536' 'write -P 0x11 4190208 4k'
normalize "$f"

# 2 MiB static: type 2, both blocks allocated at creation, map the identity.
f=$(new qemu-static-2M-data.vdi)
qemu-img create -q -f vdi -o static=on "$f" 2M
qio "$f" 'write -P 0x3c 1000 3000' 'write -P 0xc3 2096640 512'
normalize "$f"

# 2 MiB, block 1 only (the base of the single-defect files below).
f=$(new qemu-dynamic-2M-one-block.vdi)
qemu-img create -q -f vdi "$f" 2M
qio "$f" 'write -P 0x7e 1048576 4096' 'write -P 0x81 2093056 4096'
normalize "$f"

# ------------------------------------------------------ crafted images --
EMPTY=$out/qemu-dynamic-8M-empty.vdi
TWO=$out/qemu-dynamic-4M-data.vdi
ONE=$out/qemu-dynamic-2M-one-block.vdi

crafted() { # NAME BASE
    local f; f=$(new "$1"); cp "$2" "$f"; chmod 644 "$f"; echo "$f"
}

[ "$(peek "$ONE" "$(map_at "$ONE" 0)" 8)" = ffffffff00000000 ] ||
    die "unexpected map in $ONE"
[ "$(peek "$TWO" "$(map_at "$TWO" 0)" 16)" = 00000000ffffffffffffffff01000000 ] ||
    die "unexpected map in $TWO"

# Signature 0xBEDA107F -> 0xBEDA1070 (offset 64).
f=$(crafted bad-signature.vdi "$ONE")
poke "$f" 64 7010dabe

# Map entry 3 -> 0, the data block entry 0 uses (offset 524).
f=$(crafted map-duplicate.vdi "$TWO")
poke "$f" "$(map_at "$f" 3)" 00000000

# Map entry 1 -> 1, but only one block is allocated (offset 516).
f=$(crafted map-entry-range.vdi "$ONE")
poke "$f" "$(map_at "$f" 1)" 01000000

# cBlocksAllocated 1 -> 2 (offset 388).
f=$(crafted allocated-count.vdi "$ONE")
poke "$f" $BLOCKS_ALLOCATED "$(le32 2)"

# 4096 bytes of 0x42 after the last block.
f=$(crafted trailing-data.vdi "$EMPTY")
head -c 4096 /dev/zero | tr '\0' '\102' >>"$f"

# cbDisk 2097152 -> 2097052, not a multiple of 512 (offset 368).
f=$(crafted odd-disk-size.vdi "$ONE")
poke "$f" $DISK_SIZE "$(le64 2097052)"

chmod 644 "$out"/*.vdi
cd "$out"
sha256sum -- *.vdi
