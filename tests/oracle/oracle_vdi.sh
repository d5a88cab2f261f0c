#!/usr/bin/env bash
# Oracle: the VDI virtual disk vdcheck hashes equals what an independent reader produces.
# qemu-img creates dynamic and static VDI images of several sizes (one not a multiple of
# 1 MiB, so the last block is partial); qemu-io writes random patterns (some unaligned,
# one across a block boundary, one at the last sector); then vdcheck's virtual sha256 and
# virtual size must equal sha256 and size of `qemu-img convert -O raw`.
# usage: oracle_vdi.sh VDCHECK SOURCE_DIR SCRATCH_DIR   (seed: VDCHECK_TEST_SEED,
#        writes per image: VDCHECK_ORACLE_WRITES, default 40)
set -euo pipefail
vdcheck=$1 src=$2 scratch=$3
. "$src/tests/harness/shell_lib.sh"
vd_oracle_begin qemu-img qemu-io sha256sum
bs=1048576 # the only block size qemu writes

# variant size
cases=(
  "dynamic 8M"
  "dynamic 37M"
  "dynamic 70000128"
  "dynamic 1M"
  "static 5M"
  "static 3000064"
)
for c in "${cases[@]}"; do
  read -r variant size <<<"$c"
  img=$scratch/qemu-$variant-$size.vdi
  opts=""; [ "$variant" = static ] && opts="-o static=on"
  # shellcheck disable=SC2086
  qemu-img create -q -f vdi $opts "$img" "$size"
  bytes=$(qemu-img info --output=json -f vdi "$img" | sed -n 's/.*"virtual-size": \([0-9]*\).*/\1/p')
  vd_qemu_random_writes vdi "$img" "$bytes" "$bs" "$nwrites"
  qemu-img convert -f vdi -O raw "$img" "$scratch/out.raw"
  vd_compare "qemu $variant $size ($nwrites random writes)" "$img" \
    "$(stat -c %s "$scratch/out.raw")" "$(sha256sum <"$scratch/out.raw" | cut -c1-64)"
  rm -f "$scratch/out.raw"
  [ "${KEEP:-0}" = 1 ] || rm -f "$img"
done

vd_oracle_end
