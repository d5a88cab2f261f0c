#!/usr/bin/env bash
# Hashing against independent tools: every digest of the container equals coreutils' sums
# of the file, every digest of the virtual disk equals the sums of `qemu-img convert -O raw`
# (bximage for Bochs), and each --piecewise window equals the sum of that slice of the raw
# disk (cut with dd). Also the progress bar: drawn on a terminal (script(1) gives one), and
# never when stderr is not a terminal or with --no-progress.
# usage: oracle_hash.sh VDCHECK SOURCE_DIR SCRATCH_DIR
set -uo pipefail
vdcheck=$1 src=$2 scratch=$3
. "$src/tests/harness/shell_lib.sh"
vd_oracle_begin qemu-img qemu-io bximage md5sum sha1sum sha256sum sha512sum dd script

window=$((256 * 1024))
check() { # LABEL OK-CONDITION-STATUS
  total=$((total + 1))
  if [ "$2" = 0 ]; then echo "ok   $1"; else echo "FAIL $1"; fails=$((fails + 1)); fi
}
field() { # JSON STREAM ALG -> hex digest
  tr -d '\n ' <"$1" | sed -n "s/.*\"$2\":{[^}]*\"$3\":\"\([0-9a-f]*\)\".*/\1/p"
}

# hash_case LABEL IMAGE RAW: the image and its raw equivalent made by the oracle.
hash_case() {
  local label=$1 img=$2 raw=$3 alg want got
  "$vdcheck" --json --hash md5,sha1,sha256,sha512 --piecewise $window "$img" >"$scratch/r.json"
  for alg in md5 sha1 sha256 sha512; do
    want=$(${alg}sum "$img" | cut -d' ' -f1)
    got=$(field "$scratch/r.json" container $alg)
    [ "$got" = "$want" ]; check "$label container $alg" $?
    want=$(${alg}sum "$raw" | cut -d' ' -f1)
    got=$(field "$scratch/r.json" virtual $alg)
    [ "$got" = "$want" ]; check "$label virtual $alg" $?
  done
  # Windows: the strongest digest asked for (sha512), cut from offset 0 in $window bytes.
  local size windows i bad=0
  size=$(stat -c %s "$raw")
  windows=$(( (size + window - 1) / window ))
  tr -d '\n ' <"$scratch/r.json" | grep -o '"digest":"[0-9a-f]*"' | cut -d'"' -f4 >"$scratch/got"
  for ((i = 0; i < windows; i++)); do
    dd if="$raw" bs=$window skip=$i count=1 status=none | sha512sum | cut -d' ' -f1
  done >"$scratch/want"
  [ "$(wc -l <"$scratch/got")" = "$windows" ] && cmp -s "$scratch/got" "$scratch/want"
  check "$label $windows piecewise sha512 windows equal dd slices" $?
  grep -q '"algorithm": "sha512"' "$scratch/r.json"; check "$label piecewise uses sha512" $?
}

qemu_case() { # FMT OPTIONS NAME BYTES
  local img=$scratch/$3
  qemu-img create -q -f "$1" ${2:+-o "$2"} "$img" "$4"
  vd_qemu_random_writes "$1" "$img" "$4" 65536 12
  qemu-img convert -f "$1" -O raw "$img" "$scratch/$3.raw"
  hash_case "$3" "$img" "$scratch/$3.raw"
}

qemu_case vpc subformat=dynamic dyn.vhd $((6 << 20))
qemu_case vhdx "" dyn.vhdx $((6 << 20))
qemu_case vdi "" dyn.vdi $((6 << 20))

# Bochs (QEMU only reads it): qemu-io writes a raw disk, bximage converts it to a growing
# image, and the raw disk is the oracle of the virtual one.
raw=$scratch/grow.raw
truncate -s $((4 << 20)) "$raw"
vd_qemu_random_writes raw "$raw" $((4 << 20)) 32768 10
bximage -func=convert -imgmode=growing -q "$raw" "$scratch/grow.img" >/dev/null
hash_case grow.img "$scratch/grow.img" "$raw"

# ---- the progress bar
img=$scratch/dyn.vhdx
script -qec "'$vdcheck' --hash sha256 '$img'" /dev/null >"$scratch/tty.out" 2>&1
grep -q 'hashing .* ETA' "$scratch/tty.out"; check "progress bar on a terminal" $?
script -qec "'$vdcheck' --hash sha256 --no-progress '$img'" /dev/null >"$scratch/tty.out" 2>&1
! grep -q 'ETA' "$scratch/tty.out"; check "--no-progress: no bar" $?
"$vdcheck" --hash sha256 "$img" >/dev/null 2>"$scratch/err"
[ ! -s "$scratch/err" ]; check "no bar when stderr is not a terminal" $?

# ---- --piecewise sizes
for bad in 0 -1 1X 12KB '' 99999999999999999999; do
  "$vdcheck" --piecewise "$bad" "$img" >/dev/null 2>&1
  [ $? = 64 ]; check "--piecewise '$bad' is a usage error" $?
done
"$vdcheck" --json --piecewise 1M "$img" >"$scratch/r.json"
grep -q '"size": 1048576' "$scratch/r.json" && grep -q '"algorithm": "sha256"' "$scratch/r.json" &&
  [ -n "$(field "$scratch/r.json" virtual sha256)" ]
check "--piecewise alone implies sha256 and 1M means 1048576" $?
vd_oracle_end
