#!/usr/bin/env bash
# VHDX benchmarks (not run by CI). Modeled on run_vhd_benchmarks.sh.
#
# usage: tests/bench/run_vhdx_benchmarks.sh VDCHECK SCRATCH_DIR [RUNS]
#   VDCHECK      path to a Release build of vdcheck
#   SCRATCH_DIR  where the images go (needs ~4 GiB free; our files are deleted at the end
#                unless KEEP=1)
#   RUNS         timed runs per command (default 5, at least 3)
#
# 1. A 60 TiB dynamic VHDX with 1 MiB blocks (qemu-img create -f vhdx -o block_size=1M;
#    62,914,560 payload + 15,360 sector-bitmap BAT entries, a 488 MiB file): `vdcheck`
#    against `qemu-img check`, time (hyperfine) and peak RSS (GNU time -v).
# Hashing throughput is measured by run_hash_benchmarks.sh.
#
# Needs: qemu-img, hyperfine, openssl, sha256sum, GNU /usr/bin/time (Debian package `time`;
# installed with apt-get when missing and running as root). Cold-cache runs need root
# (/proc/sys/vm/drop_caches); without it they are reported as n/a.
# Prints Markdown on stdout and copies it to SCRATCH_DIR/results-vhdx.md.
set -euo pipefail
. "$(dirname "$0")/bench_lib.sh"
BENCH_FILES=(x60t.vhdx x60t.json)
bench_setup vhdx "$@"

machine_section

# ------------------------------------------------ 1. 60 TiB dynamic, 1 MiB blocks
rm -f x60t.vhdx
qemu-img create -q -f vhdx -o block_size=1M x60t.vhdx 60T
"$VD" --json x60t.vhdx >x60t.json 2>/dev/null || true
verdict=$(tr -d '\n ' <x60t.json | sed -n 's/.*"verdict":"\([a-z]*\)".*/\1/p')
vsize=$(tr -d '\n ' <x60t.json | sed -n 's/.*"virtual_size":\([0-9]*\).*/\1/p')
rm -f x60t.json
say "## 1. Empty 60 TiB dynamic VHDX, 1 MiB blocks (no hash)"
say ""
say "- x60t.vhdx: $(stat -c %s x60t.vhdx) bytes; vdcheck: verdict ${verdict:-?}," \
    "virtual size ${vsize:-?}; qemu-img check: $(qemu-img check -f vhdx x60t.vhdx 2>&1 | head -1)"
say ""
bench big warm "'$VD' x60t.vhdx" "qemu-img check -f vhdx x60t.vhdx"
bench big cold "'$VD' x60t.vhdx" "qemu-img check -f vhdx x60t.vhdx"
table big
say ""
say "| command | peak RSS KiB |"
say "|---|---|"
say "| vdcheck x60t.vhdx | $(peak_rss "$VD" x60t.vhdx) |"
say "| qemu-img check -f vhdx x60t.vhdx | $(peak_rss qemu-img check -f vhdx x60t.vhdx) |"
say ""
rm -f x60t.vhdx
