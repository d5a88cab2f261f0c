#!/usr/bin/env bash
# Oracle: the Bochs virtual disk vdcheck hashes equals both the raw file bximage converted
# and what QEMU reads. Seeded pseudo-random raw files (several sizes, all multiples of 512,
# some not multiples of the extent size, with zero regions whole and partial so that
# bximage leaves extents unallocated and bitmaps partly set) are converted with
# `bximage -func=convert -imgmode=growing`; vdcheck's virtual size and sha256 must equal
# the raw file's and those of `qemu-img convert -f bochs -O raw`.
# usage: oracle_bochs.sh VDCHECK SOURCE_DIR SCRATCH_DIR   (seed: VDCHECK_TEST_SEED)
set -euo pipefail
vdcheck=$1 src=$2 scratch=$3
. "$src/tests/harness/shell_lib.sh"
vd_oracle_begin bximage qemu-img openssl sha256sum

# sizes in bytes: one sector, sub-extent, unaligned to 4 KiB, 1 MiB, several MiB
sizes=(512 3584 102400 655872 1048576 3147264 8388608)
for size in "${sizes[@]}"; do
  raw=$scratch/src-$size.raw img=$scratch/bx-$size.img
  vd_random_raw "$raw" "$size" bochs 8
  bximage -func=convert -imgmode=growing -q "$raw" "$img" >/dev/null
  qemu-img convert -f bochs -O raw "$img" "$scratch/qemu.raw"
  want=$(sha256sum <"$raw" | cut -c1-64)
  qemu=$(sha256sum <"$scratch/qemu.raw" | cut -c1-64)
  read -r vsize vsha < <(vd_report_virtual "$img")
  total=$((total + 1))
  if [ "$vsha" = "$want" ] && [ "$vsha" = "$qemu" ] && [ "$vsize" = "$size" ] &&
     [ "$(stat -c %s "$scratch/qemu.raw")" = "$size" ]; then
    echo "ok   bximage growing $size bytes"
  else
    echo "FAIL bximage growing $size bytes: vdcheck size ${vsize:-none} sha256 ${vsha:-none};" \
      "raw $want; qemu $qemu"
    echo "     reproduce: rerun with KEEP=1, then $vdcheck --json --hash sha256 $img"
    fails=$((fails + 1))
  fi
  rm -f "$scratch/qemu.raw"
  [ "${KEEP:-0}" = 1 ] || rm -f "$raw" "$img"
done

vd_oracle_end
