#!/usr/bin/env bash
# Oracle: the VHDX virtual disk vdcheck hashes equals what an independent reader produces.
# qemu-img creates dynamic and fixed VHDX images with block sizes 1, 8, 32 and 256 MiB and
# virtual sizes that are (and are not) multiples of the block size; qemu-io writes random
# patterns (some unaligned, some across block boundaries, one at the last sector); then
# vdcheck's virtual sha256 and virtual size must equal sha256 and size of
# `qemu-img convert -O raw`.
# usage: oracle_vhdx.sh VDCHECK SOURCE_DIR SCRATCH_DIR   (seed: VDCHECK_TEST_SEED,
#        writes per image: VDCHECK_ORACLE_WRITES, default 40)
set -euo pipefail
vdcheck=$1 src=$2 scratch=$3
. "$src/tests/harness/shell_lib.sh"
vd_oracle_begin qemu-img qemu-io sha256sum

# variant block_size size [extra -o options]
cases=(
  "dynamic 1M 130M"
  "dynamic 8M 300M"
  "dynamic 32M 130M"
  "dynamic 256M 300M"
  "fixed 1M 64M"
  "fixed 8M 130M"
  "fixed 32M 300M"
  "fixed 256M 300M"
  "dynamic 1M 75M block_state_zero=off"
  "fixed 8M 40M block_state_zero=off"
)
for c in "${cases[@]}"; do
  read -r variant bs size extra <<<"$c"
  img=$scratch/qemu-$variant-bs$bs-$size${extra:+-${extra//=/-}}.vhdx
  qemu-img create -q -f vhdx -o "subformat=$variant,block_size=$bs${extra:+,$extra}" "$img" "$size"
  bytes=$(qemu-img info --output=json -f vhdx "$img" | sed -n 's/.*"virtual-size": \([0-9]*\).*/\1/p')
  bsb=$(( ${bs%M} * 1048576 ))
  vd_qemu_random_writes vhdx "$img" "$bytes" "$bsb" "$nwrites"
  qemu-img convert -f vhdx -O raw "$img" "$scratch/out.raw"
  vd_compare "qemu $variant bs $bs $size${extra:+ $extra} ($nwrites random writes)" "$img" \
    "$(stat -c %s "$scratch/out.raw")" "$(sha256sum <"$scratch/out.raw" | cut -c1-64)"
  rm -f "$scratch/out.raw"
  [ "${KEEP:-0}" = 1 ] || rm -f "$img"
done

vd_oracle_end
