#!/usr/bin/env bash
# make_vhdx.sh - build the Microsoft VHDX part of the vdcheck test corpus.
#
# Usage: corpus/recipes/make_vhdx.sh [OUTDIR]     (default: <repo>/corpus/vhdx)
#
# Needs bash, coreutils, qemu-img/qemu-io (Debian qemu-utils 7.2) and python3 (for the
# CRC-32C re-sealing and the byte edits; the recipe runs offline, never in tests/CI).
# See corpus/README.md for what every file is and what a validator must find in it.
#
# Reproducibility: qemu-img/qemu-io write random values into a VHDX: the header
# SequenceNumber, FileWriteGuid and DataWriteGuid (both headers), the LogGuid of every log
# entry left in the log region by writes, and the Virtual Disk ID (page 83) metadata item.
# Unless VHDX_NO_NORMALIZE=1 is set, the recipe replaces them (see `normalize` in the
# helper below) and re-seals the header and log entry CRC-32Cs. Nothing else changes, so
# with the same tool versions the output is byte-for-byte reproducible.
#
# Size: qemu-img 7.2 puts the first payload block at BAT offset + BAT length + 5 MiB
# ("a 4 MB buffer for future expansion"), so every file it creates is at least 8 MiB, and
# every allocated block adds a whole block. The crafted images therefore start from a base
# whose all-zero tail (4..8 MiB, referenced by nothing) is cut off; see corpus/README.md.
#
# Licence: project licence (MIT).
set -euo pipefail

script_dir=$(cd "$(dirname "$0")" && pwd)
repo_root=$(cd "$script_dir/../.." && pwd)
out=${1:-$repo_root/corpus/vhdx}
mkdir -p "$out"
out=$(cd "$out" && pwd)

work=$(mktemp -d "${TMPDIR:-/tmp}/make_vhdx.XXXXXX")
trap 'rm -rf "$work"' EXIT
export LC_ALL=C

die() { echo "make_vhdx.sh: $*" >&2; exit 1; }

# ------------------------------------------------------------ python helper --
cat >"$work/vx.py" <<'PY'
"""Byte-level helper for make_vhdx.sh. All VHDX integers are little-endian."""
import hashlib, struct, sys, uuid

def _table():
    t = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        t.append(c)
    return t
_T = _table()

def crc32c(data):
    c = 0xFFFFFFFF
    for x in data:
        c = _T[(c ^ x) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF
assert crc32c(b"123456789") == 0xE3069283

H1, H2, R1, R2 = 0x10000, 0x20000, 0x30000, 0x40000
GUID_BAT = uuid.UUID("2DC27766-F623-4200-9D64-115E9BFD4A08")
GUID_META = uuid.UUID("8B7CA206-4790-4B9A-B8FE-575F050F886E")
GUID_PAGE83 = uuid.UUID("BECA12AB-B2E6-4523-93EF-C309E000C746")
GUID_FILEPARAM = uuid.UUID("CAA16737-FA36-4D43-B3B6-33F0AA44E76B")

def load(path):
    with open(path, "rb") as f:
        return bytearray(f.read())

def save(path, b):
    with open(path, "r+b") as f:
        f.write(b)

def u32(b, o): return struct.unpack_from("<I", b, o)[0]
def u64(b, o): return struct.unpack_from("<Q", b, o)[0]

def crc_ok(b, off, length):
    s = bytearray(b[off:off + length]); stored = u32(s, 4); s[4:8] = b"\0" * 4
    return crc32c(s) == stored

def seal(b, off, length):
    s = bytearray(b[off:off + length]); s[4:8] = b"\0" * 4
    struct.pack_into("<I", b, off + 4, crc32c(s))

def regions(b, table=R1):
    n = u32(b, table + 8); r = {}
    for i in range(n):
        e = table + 16 + 32 * i
        r[uuid.UUID(bytes_le=bytes(b[e:e + 16]))] = (u64(b, e + 16), u32(b, e + 24), e)
    return r

def metadata(b):
    mo = regions(b)[GUID_META][0]; n = struct.unpack_from("<H", b, mo + 10)[0]; items = {}
    for i in range(n):
        e = mo + 32 + 32 * i
        items[uuid.UUID(bytes_le=bytes(b[e:e + 16]))] = (mo + u32(b, e + 16), u32(b, e + 20))
    return items

def log_entries(b):
    """(offset, length) of every log entry in the log region whose CRC-32C is valid."""
    lo, ll = u64(b, H1 + 72), u32(b, H1 + 68); out = []
    for off in range(lo, min(lo + ll, len(b)), 4096):
        if b[off:off + 4] == b"loge":
            ln = u32(b, off + 8)
            if 0 < ln <= ll and ln % 4096 == 0 and crc_ok(b, off, ln):
                out.append((off, ln))
    return out

def normalize(path, name):
    b = load(path)
    for h in (H1, H2):
        if not crc_ok(b, h, 4096):
            sys.exit(f"normalize {path}: header at {h:#x} has a bad CRC")
    mapping = {}
    def newguid(old):
        if old == b"\0" * 16:
            return old
        if old not in mapping:
            d = hashlib.sha256(f"vdcheck:{name}:guid{len(mapping)}".encode()).digest()
            mapping[old] = uuid.UUID(bytes=d[:16], version=4).bytes_le
        return mapping[old]
    base = min(u64(b, H1 + 8), u64(b, H2 + 8))
    entries = log_entries(b)
    for h in (H1, H2):
        for f in (16, 32, 48):  # FileWriteGuid, DataWriteGuid, LogGuid
            b[h + f:h + f + 16] = newguid(bytes(b[h + f:h + f + 16]))
        struct.pack_into("<Q", b, h + 8, u64(b, h + 8) - base + 1)
        seal(b, h, 4096)
    for off, ln in entries:
        b[off + 32:off + 48] = newguid(bytes(b[off + 32:off + 48]))
        seal(b, off, ln)
    po, pl = metadata(b)[GUID_PAGE83]
    b[po:po + 16] = newguid(bytes(b[po:po + 16]))
    save(path, b)

def bat_offset(b):
    return regions(b)[GUID_BAT][0]

def main():
    cmd, path, *a = sys.argv[1:]
    if cmd == "normalize":
        normalize(path, a[0]); return
    b = load(path)
    if cmd == "poke":            # poke FILE OFFSET HEX
        off = int(a[0], 0); data = bytes.fromhex(a[1]); b[off:off + len(data)] = data
    elif cmd == "seal-header":   # seal-header FILE OFFSET   (4 KiB)
        seal(b, int(a[0], 0), 4096)
    elif cmd == "seal-region":   # seal-region FILE OFFSET   (64 KiB)
        seal(b, int(a[0], 0), 65536)
    elif cmd == "bat-set":       # bat-set FILE INDEX VALUE
        struct.pack_into("<Q", b, bat_offset(b) + 8 * int(a[0]), int(a[1], 0))
    elif cmd == "bat-get":       # bat-get FILE INDEX -> value, entry file offset
        o = bat_offset(b) + 8 * int(a[0]); print(f"{u64(b, o):#x} {o:#x}"); return
    elif cmd == "add32":         # add32 FILE OFFSET DELTA (u32, modulo 2^32)
        o = int(a[0], 0); struct.pack_into("<I", b, o, (u32(b, o) + int(a[1], 0)) & 0xFFFFFFFF)
    elif cmd == "u32":           # u32 FILE OFFSET
        print(f"{u32(b, int(a[0], 0)):#x}"); return
    elif cmd == "fileparam-offset":
        print(f"{metadata(b)[GUID_FILEPARAM][0]:#x}"); return
    elif cmd == "check":         # check FILE: every header/region CRC valid
        bad = [f"{o:#x}" for o, l in ((H1, 4096), (H2, 4096), (R1, 65536), (R2, 65536))
               if not crc_ok(b, o, l)]
        print(" ".join(bad) or "ok"); return
    else:
        sys.exit(f"vx.py: unknown command {cmd}")
    save(path, b)

main()
PY
vx() { python3 "$work/vx.py" "$@"; }

# -------------------------------------------------------------------- helpers --
new() { rm -f "$out/$1"; echo "$out/$1"; }

normalize() { # normalize FILE
    [ "${VHDX_NO_NORMALIZE:-0}" = 1 ] && return 0
    vx normalize "$1" "$(basename "$1")"
    [ "$(vx check "$1")" = ok ] || die "normalize broke a CRC in $1"
}

qio() { # qio FILE CMD... : qemu-io writes on a VHDX, quiet
    local file=$1 args=() c; shift
    for c in "$@"; do args+=(-c "$c"); done
    qemu-io -f vhdx "${args[@]}" "$file" >/dev/null
}

crafted() { # crafted NAME BASE
    local f; f=$(new "$1"); cp "$2" "$f"; chmod 644 "$f"; echo "$f"
}

# ------------------------------------------------------------- valid images --
# Exactly what qemu-img/qemu-io wrote, normalized only.

f=$(new qemu-dynamic-8M-bs1M-data.vhdx)
qemu-img create -q -f vhdx -o subformat=dynamic,block_size=1M "$f" 8M
# Block 5 is written first, so it gets the first file block (8 MiB) and block 0 the
# second (9 MiB): file order differs from virtual order. The 0x3c write is unaligned.
qio "$f" 'write -P 0x5a 5M 64k' 'write -P 0xa5 0 64k' 'write -P 0x3c 1000000 3000'
normalize "$f"

f=$(new qemu-dynamic-48M-bs32M-empty.vhdx)
# 48 MiB is 1.5 blocks of 32 MiB: a partial last block. Empty (a data block would add
# 32 MiB to the file).
qemu-img create -q -f vhdx -o subformat=dynamic,block_size=32M "$f" 48M
normalize "$f"

f=$(new qemu-fixed-2M-bs1M-data.vhdx)
# qemu 7.2 "fixed": 2 MiB preallocated at 8 MiB, but both BAT entries are
# PAYLOAD_BLOCK_ZERO with offset 0; the write then appends block 1 at 10 MiB.
qemu-img create -q -f vhdx -o subformat=fixed,block_size=1M "$f" 2M
qio "$f" 'write -P 0x77 1536k 4k'
normalize "$f"

# ---------------------------------------------------------- crafted images --
# Base E (4 MiB): an empty dynamic 8M disk, 1 MiB blocks, cut to 4 MiB.
#   header 1 @64K, header 2 @128K, region tables @192K and @256K, log @1M (1 MiB),
#   BAT @2M (8 payload entries, all PAYLOAD_BLOCK_ZERO), metadata @3M, file
#   parameters @3M+64K. qemu-img created it as an 8 MiB file; 4..8 MiB is all zero
#   and nothing refers to it.
E=$work/base-E.vhdx
qemu-img create -q -f vhdx -o subformat=dynamic,block_size=1M "$E" 8M
truncate -s 4M "$E"
normalize "$E"
qemu-img check -q -f vhdx "$E" || die "base E does not pass qemu-img check"
# Base D (5 MiB): E, then a qemu-io write of 0xa5 over block 0, which qemu appends at
# the end of the file: BAT entry 0 = FULLY_PRESENT at 4 MiB.
D=$work/base-D.vhdx
cp "$E" "$D"
qio "$D" 'write -P 0xa5 0 1M'
normalize "$D"
[ "$(vx bat-get "$D" 0)" = "0x400006 0x200000" ] || die "base D: unexpected BAT[0] $(vx bat-get "$D" 0)"
qemu-img check -q -f vhdx "$D" || die "base D does not pass qemu-img check"

# Header 1 checksum (0x10004) + 1: a torn header; header 2 (seq 2, current) is intact.
f=$(crafted bad-header1-checksum.vhdx "$E")
vx add32 "$f" 0x10004 1

# Region table 2: Required flag set on the BAT entry (flags at 0x4002C: 0 -> 1), CRC
# re-sealed. Table 1 is untouched (qemu writes flags 0), so both tables are valid and
# differ.
f=$(crafted region-tables-differ.vhdx "$E")
vx poke "$f" 0x4002C 01000000
vx seal-region "$f" 0x40000

# BAT entry 1 (0x200008): FULLY_PRESENT at 3 MiB = the metadata region (inside the file).
f=$(crafted bat-into-metadata.vhdx "$E")
vx bat-set "$f" 1 0x300006

# BAT entry 1 (0x200008): FULLY_PRESENT at 4 MiB, the block of entry 0 (0x200000).
f=$(crafted bat-duplicate.vhdx "$D")
vx bat-set "$f" 1 0x400006

# BAT entry 0 (0x200000): FULLY_PRESENT at 16 MiB; the file is 4 MiB.
f=$(crafted bat-entry-beyond-eof.vhdx "$E")
vx bat-set "$f" 0 0x1000006

# File parameters BlockSize (metadata item at 3M+64K) 1 MiB -> 3 MiB.
f=$(crafted bad-block-size-3M.vhdx "$E")
fp=$(vx fileparam-offset "$f")
[ "$fp" = 0x310000 ] || die "file parameters at $fp, expected 0x310000"
vx poke "$f" "$fp" 00003000

# File cut to 4.5 MiB: the block of entry 0 (4..5 MiB) is half missing.
f=$(crafted truncated-mid-block.vhdx "$D")
truncate -s $(( 4 * 1048576 + 524288 )) "$f"

chmod 644 "$out"/*.vhdx
cd "$out"
sha256sum -- *.vhdx
