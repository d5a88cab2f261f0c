#!/usr/bin/env bash
# The Hyper-V (Windows Server 2012) 1 GiB dynamic VHDX of QEMU iotest 064, kept bzip2'ed in
# the shared corpus: 32 MiB blocks, 3 FULLY_PRESENT and 29 PAYLOAD_BLOCK_ZERO. Its source
# says the disk holds 0xa5 over 0-33 MiB, 0x96 over 33-66 MiB and zeros to 1 GiB: the test
# builds that disk independently and compares digests.
# usage: vhdx_hyperv.sh VDCHECK SOURCE_DIR SCRATCH_DIR
set -euo pipefail
vdcheck=$1 src=$2 scratch=$3
shared=${VDCHECK_SHARED_CORPUS:-$src/../shared/corpus}
. "$src/tests/harness/shell_lib.sh"
[ -f "$shared/compressed/iotest-dynamic-1G.vhdx.bz2" ] || vd_skip "shared corpus not present"
vd_require bzcat
rm -rf "$scratch" && mkdir -p "$scratch"
img=$scratch/iotest-dynamic-1G.vhdx
bzcat "$shared/compressed/iotest-dynamic-1G.vhdx.bz2" >"$img"

mib=$((1 << 20))
expected=$( {
  head -c $((33 * mib)) /dev/zero | tr '\0' '\245'
  head -c $((33 * mib)) /dev/zero | tr '\0' '\226'
  head -c $((1024 * mib - 66 * mib)) /dev/zero
} | sha256sum | cut -c1-64)

report=$("$vdcheck" --json --hash sha256 "$img" | tr -d '\n ')
fails=0
check() { # label pattern
  if grep -q -- "$2" <<<"$report"; then echo "ok   $1"; else echo "FAIL $1"; fails=$((fails + 1)); fi
}
check "virtual sha256 = the pattern the source describes" "\"virtual\":{\"sha256\":\"$expected\""
check "container sha256 as the README says" \
  '"container":{"sha256":"a4fb24fa51fb4852d5a6bdc2b390a91b0a4e19b47696edc5a00c816067257402"'
check "verdict clean" '"verdict":"clean"'
check "3 FULLY_PRESENT blocks" '"fully_present":3'
check "29 PAYLOAD_BLOCK_ZERO blocks" '"zero":29'
check "creator" '"creator":"MicrosoftWindows6.2.9200.16384"'
check "physical sector 4096" '"physical_sector_size":4096'
rm -f "$img"
[ "$fails" = 0 ]
