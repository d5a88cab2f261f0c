#!/usr/bin/env bash
# Hashing benchmarks (issue 5; not run by CI).
#
# usage: tests/bench/run_hash_benchmarks.sh VDCHECK SCRATCH_DIR [RUNS]
#   VDCHECK      path to a Release build of vdcheck
#   SCRATCH_DIR  where the images go (needs ~4 GiB free; deleted at the end unless KEEP=1)
#   RUNS         timed runs per command (default 5, at least 3)
#
# The image: a 1 GiB dynamic VHDX with 8 MiB blocks, even blocks random data, odd blocks
# never written (half.vhdx, 520 MiB), and its equivalent raw file (half.raw, 1 GiB).
# `vdcheck --hash` hashes BOTH the container (520 MiB) and the virtual disk (1 GiB, half of
# it zeros fed without I/O), so it does 1.5x the digest work of one pass over half.raw.
#
# 1. The digests are checked first: virtual = md5sum/sha1sum/sha256sum of half.raw,
#    container = the same of half.vhdx.
# 2. `--hash sha256` against `openssl dgst -sha256 half.raw` (target: within 1.25x),
#    `sha256sum half.raw`, and `qemu-img convert -O raw` + `sha256sum`.
# 3. `--hash md5,sha1,sha256` against `openssl dgst -md5 half.raw` alone (target: within
#    1.3x), the three coreutils sums run in parallel, and `qemu-img convert` + the three sums.
# 4. The cost of --piecewise 1M and the peak memory.
#
# Needs qemu-img, hyperfine, openssl, coreutils, GNU /usr/bin/time. Prints Markdown and copies
# it to SCRATCH_DIR/results-hash.md.
set -euo pipefail
. "$(dirname "$0")/bench_lib.sh"
BENCH_FILES=(out.raw half.json)
bench_setup hash "$@"

machine_section
make_half_vhdx

# ----------------------------------------------------------------- 1. correctness
"$VD" --json --hash md5,sha1,sha256 half.vhdx >half.json 2>/dev/null || true
digest() { # STREAM ALG: the digest from half.json
  tr -d '\n ' <half.json | sed -n "s/.*\"$1\":{[^}]*\"$2\":\"\([0-9a-f]*\)\".*/\1/p"
}
say "## 1. Digests"
say ""
say "- half.vhdx: $(stat -c %s half.vhdx) bytes; half.raw: $(stat -c %s half.raw) bytes"
for alg in md5 sha1 sha256; do
  v=$(digest virtual $alg) c=$(digest container $alg)
  rv=$(${alg}sum half.raw | cut -d' ' -f1) rc=$(${alg}sum half.vhdx | cut -d' ' -f1)
  say "- $alg virtual $v: $([ "$v" = "$rv" ] && echo 'MATCH (= '"${alg}"'sum half.raw)' || echo "MISMATCH ($rv)");" \
      "container: $([ "$c" = "$rc" ] && echo 'MATCH (= '"${alg}"'sum half.vhdx)' || echo "MISMATCH ($rc)")"
done
say ""

# ------------------------------------------------------------------ 2. one digest
say "## 2. \`--hash sha256\`"
say ""
bench one warm "'$VD' --hash sha256 half.vhdx" "openssl dgst -sha256 half.raw" "sha256sum half.raw"
bench one cold "'$VD' --hash sha256 half.vhdx" "openssl dgst -sha256 half.raw" "sha256sum half.raw"
NEEDS_SHELL=1 PREP="rm -f out.raw" bench oneconv warm \
  "qemu-img convert -f vhdx -O raw half.vhdx out.raw && sha256sum out.raw"
NEEDS_SHELL=1 PREP="rm -f out.raw" bench oneconv cold \
  "qemu-img convert -f vhdx -O raw half.vhdx out.raw && sha256sum out.raw"
table one oneconv
say ""

# --------------------------------------------------------------- 3. three digests
say "## 3. \`--hash md5,sha1,sha256\`"
say ""
bench three warm "'$VD' --hash md5,sha1,sha256 half.vhdx" "openssl dgst -md5 half.raw"
bench three cold "'$VD' --hash md5,sha1,sha256 half.vhdx" "openssl dgst -md5 half.raw"
NEEDS_SHELL=1 bench threesums warm \
  "md5sum half.raw & sha1sum half.raw & sha256sum half.raw; wait"
NEEDS_SHELL=1 bench threesums cold \
  "md5sum half.raw & sha1sum half.raw & sha256sum half.raw; wait"
NEEDS_SHELL=1 PREP="rm -f out.raw" bench threeconv warm \
  "qemu-img convert -f vhdx -O raw half.vhdx out.raw && md5sum out.raw && sha1sum out.raw && sha256sum out.raw"
table three threesums threeconv
say ""

# ---------------------------------------------------------------------- ratios
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else printf "n/a" }'; }
verdict() { awk -v r="$1" -v t="$2" 'BEGIN { print (r != "n/a" && r <= t) ? "met" : "NOT met" }'; }
say "## Ratios (medians)"
say ""
say "| comparison | cache | vdcheck ms | reference ms | ratio | target |"
say "|---|---|---|---|---|---|"
for mode in warm cold; do
  [ -f "hf-one-$mode.json" ] || continue
  a=$(median_ms one $mode 0) b=$(median_ms one $mode 1) r=$(ratio "$a" "$b")
  say "| --hash sha256 / openssl dgst -sha256 | $mode | $a | $b | $r | 1.25: $(verdict "$r" 1.25) |"
  a=$(median_ms three $mode 0) b=$(median_ms three $mode 1) r=$(ratio "$a" "$b")
  say "| --hash md5,sha1,sha256 / openssl dgst -md5 | $mode | $a | $b | $r | 1.3: $(verdict "$r" 1.3) |"
done
say ""

# ------------------------------------------------------------ 4. piecewise, memory
say "## 4. \`--piecewise 1M\` and memory"
say ""
bench piece warm "'$VD' --hash sha256 half.vhdx" "'$VD' --hash sha256 --piecewise 1M half.vhdx"
table piece
say ""
say "| command | peak RSS KiB |"
say "|---|---|"
say "| vdcheck --hash sha256 half.vhdx | $(peak_rss "$VD" --hash sha256 half.vhdx) |"
say "| vdcheck --hash md5,sha1,sha256,sha512 --piecewise 1M half.vhdx | $(peak_rss "$VD" --hash md5,sha1,sha256,sha512 --piecewise 1M half.vhdx) |"
say "| openssl dgst -sha256 half.raw | $(peak_rss openssl dgst -sha256 half.raw) |"
