#!/usr/bin/env bash
# Oracle: the virtual disk vdcheck hashes equals what independent readers produce.
#  - qemu-img/qemu-io write dynamic and fixed VHDs with random patterns; the sha256 vdcheck
#    reports equals sha256 of `qemu-img convert -O raw`;
#  - bximage converts a random raw file into a VHD; vdcheck's hash equals the raw file's.
# usage: oracle_vhd.sh VDCHECK SOURCE_DIR SCRATCH_DIR   (seed: VDCHECK_TEST_SEED)
set -euo pipefail
vdcheck=$1 src=$2 scratch=$3
. "$src/tests/harness/shell_lib.sh"
vd_oracle_begin qemu-img qemu-io bximage

virtual_sha256() { # image -> the virtual sha256 from vdcheck's JSON report
  "$vdcheck" --json --hash sha256 "$1" | tr -d '\n ' |
    sed -n 's/.*"virtual":{"sha256":"\([0-9a-f]*\)".*/\1/p'
}

compare() { # label image expected-sha256
  local got
  got=$(virtual_sha256 "$2")
  total=$((total + 1))
  if [ "$got" = "$3" ]; then
    echo "ok   $1"
  else
    echo "FAIL $1: vdcheck ${got:-none} oracle $3"
    fails=$((fails + 1))
  fi
}

for variant in dynamic fixed; do
  for size in 5M 64M 130M; do
    img=$scratch/qemu-$variant-$size.vhd
    qemu-img create -q -f vpc -o subformat=$variant "$img" "$size"
    bytes=$(qemu-img info --output=json -f vpc "$img" | sed -n 's/.*"virtual-size": \([0-9]*\).*/\1/p')
    vd_qemu_random_writes vpc "$img" "$bytes" 2097152 40
    qemu-img convert -f vpc -O raw "$img" "$scratch/out.raw"
    compare "qemu $variant $size (40 random writes)" "$img" "$(sha256sum <"$scratch/out.raw" | cut -c1-64)"
    rm -f "$img" "$scratch/out.raw"
  done
done

# bximage: a raw file of random sectors scattered over zeros, converted to a VHD.
raw=$scratch/random.raw
size=10321920 # 10 MiB rounded down to the CHS geometry bximage uses (20/16/63)
truncate -s $size "$raw"
for ((i = 0; i < 30; i++)); do
  head -c $(( (RANDOM % 64 + 1) * 512 )) /dev/urandom |
    dd of="$raw" bs=512 seek=$(( RANDOM % (size / 512 - 64) )) conv=notrunc status=none
done
bximage -func=convert -imgmode=vpc -q "$raw" "$scratch/bx.vhd" >/dev/null
compare "bximage vpc convert of a random raw file" "$scratch/bx.vhd" "$(sha256sum <"$raw" | cut -c1-64)"
rm -f "$raw" "$scratch/bx.vhd"

vd_oracle_end
