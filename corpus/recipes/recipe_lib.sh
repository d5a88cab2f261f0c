# Sourced by the corpus recipes: byte-level helpers to normalize and damage images.

die() { echo "$(basename "$0"): $*" >&2; exit 1; }

# poke FILE OFFSET HEX  - overwrite bytes at OFFSET with HEX (e.g. 0000ff01)
poke() {
    local file=$1 off=$2 hex=$3 esc="" i
    (( ${#hex} % 2 == 0 )) || die "poke: odd hex string $hex"
    for (( i = 0; i < ${#hex}; i += 2 )); do
        esc+="\\x${hex:i:2}"
    done
    # shellcheck disable=SC2059
    printf "$esc" | dd of="$file" bs=1 seek="$off" conv=notrunc status=none
}

# peek FILE OFFSET LEN  - LEN bytes at OFFSET as lower-case hex
peek() { od -An -tx1 -v -j "$2" -N "$3" "$1" | tr -d ' \n'; }

# le32 VALUE / le64 VALUE - VALUE as 4 / 8 little-endian bytes in hex
le32() { local v; v=$(printf '%08x' "$1"); echo "${v:6:2}${v:4:2}${v:2:2}${v:0:2}"; }
le64() { local v; v=$(printf '%016x' "$1"); echo "$(le32 $((16#${v:8:8})))$(le32 $((16#${v:0:8})))"; }
