# Shared by the hyperfine-based benchmark scripts (sourced, not run).
#
# bench_setup NAME VDCHECK SCRATCH_DIR [RUNS]: checks the tools, enters SCRATCH_DIR and sets
#   VD, S, RUNS (default 5, at least 3), OUT (SCRATCH_DIR/results-NAME.md), CAN_DROP.
#   Files listed in BENCH_FILES (relative to S) are deleted on exit unless KEEP=1.
# say TEXT: print a Markdown line and append it to OUT.
# bench NAME MODE 'CMD'...: hyperfine runs, warm (one warm-up) or cold (page cache dropped
#   before each run; skipped when not root); $PREP runs before each run; NEEDS_SHELL=1 when a
#   command is a pipeline. table NAME...: one Markdown table from those runs.
# peak_rss CMD...: the largest "Maximum resident set size" (KiB) over RUNS runs.
# machine_section: CPU, memory, kernel, filesystem and tool versions.
# make_half_vhdx: half.vhdx (1 GiB dynamic VHDX, 8 MiB blocks, even blocks random data, odd
#   blocks never written) and half.raw, its equivalent raw file.

bench_setup() {
  local name=$1
  shift
  [ $# -ge 2 ] || { echo "usage: $0 VDCHECK SCRATCH_DIR [RUNS]" >&2; exit 64; }
  VD=$(realpath "$1")
  S=$2
  RUNS=${3:-5}
  [ "$RUNS" -ge 3 ] || RUNS=3
  [ -x "$VD" ] || { echo "not executable: $VD" >&2; exit 64; }
  if [ ! -x /usr/bin/time ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get install -y -q time >/dev/null
  fi
  for t in qemu-img hyperfine openssl sha256sum md5sum /usr/bin/time; do
    command -v "$t" >/dev/null || { echo "missing tool: $t" >&2; exit 69; }
  done
  mkdir -p "$S"
  S=$(realpath "$S")
  : >"$S/hyperfine.log"
  local need_kib=$((4 * 1024 * 1024))
  AVAIL_KIB=$(df -Pk "$S" | awk 'NR==2 {print $4}')
  [ "$AVAIL_KIB" -ge "$need_kib" ] ||
    { echo "$S: $((AVAIL_KIB / 1024)) MiB free, need $((need_kib / 1024)) MiB" >&2; exit 73; }
  cd "$S"
  OUT="$S/results-$name.md"
  : >"$OUT"
  CAN_DROP=0
  if [ -w /proc/sys/vm/drop_caches ]; then CAN_DROP=1; fi
  trap bench_cleanup EXIT
}

DROP="sh -c 'sync; echo 3 > /proc/sys/vm/drop_caches'" # works with and without -N
BENCH_FILES=()

bench_cleanup() {
  if [ "${KEEP:-0}" != 1 ]; then
    (cd "$S" && rm -f "${BENCH_FILES[@]}" hf-*.json rss.txt hyperfine.log)
  fi
}

say() { printf '%s\n' "$*" | tee -a "$OUT"; }

bench() {
  local name=$1 mode=$2 args=()
  shift 2
  local prep=${PREP:-}
  rm -f "hf-$name-$mode.json"
  if [ "$mode" = cold ]; then
    [ "$CAN_DROP" = 1 ] || return 0
    prep="${prep:+$prep; }$DROP"
  else
    args+=(--warmup 1)
  fi
  [ -z "$prep" ] || args+=(--prepare "$prep")
  # -N (no intermediate shell) unless a command needs one: with a shell, hyperfine
  # subtracts its calibrated shell start-up time, which zeroes runs of a few ms.
  [ "${NEEDS_SHELL:-0}" = 1 ] || args+=(-N)
  hyperfine -i --style none --runs "$RUNS" "${args[@]}" --export-json "hf-$name-$mode.json" \
    "$@" >/dev/null 2>>"$S/hyperfine.log"
}

table() {
  local name mode
  say "| command | cache | median ms | mean ± sd ms | min ms | max ms |"
  say "|---|---|---|---|---|---|"
  for name in "$@"; do
    for mode in warm cold; do
      if [ ! -f "hf-$name-$mode.json" ]; then
        say "| ($name) | $mode: n/a ($([ "$CAN_DROP" = 1 ] && echo 'not run' || echo 'not root')) | | | | |"
        continue
      fi
      awk -v m="$mode" '
        function num(s) { sub(/.*: */, "", s); sub(/,$/, "", s); return s * 1000 }
        /"command":/ { c = $0; sub(/^[^:]*: *"/, "", c); sub(/",?$/, "", c); gsub(/\\"/, "\"", c)
                       gsub(/\|/, "\\|", c) }
        /"mean":/ { mean = num($0) } /"stddev":/ { sd = num($0) } /"median":/ { med = num($0) }
        /"min":/ { mn = num($0) }
        /"max":/ { mx = num($0); printf "| `%s` | %s | %.1f | %.1f ± %.1f | %.1f | %.1f |\n",
                   c, m, med, mean, sd, mn, mx }' "hf-$name-$mode.json" |
        while IFS= read -r l; do say "$l"; done
    done
  done
}

# median_ms NAME MODE INDEX: the median of the INDEX-th command (0-based) of a bench run.
median_ms() {
  awk -v want="$3" '/"median":/ { if (n++ == want) { s = $0; sub(/.*: */, "", s); sub(/,$/, "", s);
                     printf "%.1f", s * 1000 } }' "hf-$1-$2.json"
}

peak_rss() {
  local i r max=0
  for ((i = 0; i < RUNS; i++)); do
    /usr/bin/time -v -o "$S/rss.txt" "$@" >/dev/null 2>&1 || true
    r=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$S/rss.txt")
    [ "${r:-0}" -gt "$max" ] && max=$r
  done
  echo "$max"
}

machine_section() {
  say "## Machine"
  say ""
  say "- CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')," \
      "$(nproc) cores; SHA extensions: $(grep -m1 -ow sha_ni /proc/cpuinfo || echo none)"
  say "- RAM: $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo); kernel $(uname -r)"
  say "- filesystem of $S: $(df -T "$S" | awk 'NR==2 {print $2 " on " $1}'), $((AVAIL_KIB / 1048576)) GiB free"
  say "- $("$VD" --version 2>&1 | head -1); $(qemu-img --version | head -1);" \
      "$(openssl version); $(hyperfine --version)"
  say "- load before the runs: $(cut -d' ' -f1-3 /proc/loadavg)"
  say "- $RUNS runs per command; warm: after one warm-up run; cold: page cache dropped before" \
      "each run ($([ "$CAN_DROP" = 1 ] && echo yes || echo 'no, not root'))"
  say ""
}

make_half_vhdx() {
  BENCH_FILES+=(rand.bin src.raw half.vhdx half.raw)
  # Deterministic "random" data: AES-256-CTR keystream from a fixed passphrase.
  { openssl enc -aes-256-ctr -pass pass:vdcheck-bench -nosalt -pbkdf2 -in /dev/zero 2>/dev/null \
      || true; } | head -c $((512 * 1024 * 1024)) >rand.bin # openssl dies of SIGPIPE here
  rm -f src.raw half.vhdx half.raw
  truncate -s 1G src.raw
  local i
  for ((i = 0; i < 64; i++)); do
    dd if=rand.bin of=src.raw bs=8M skip=$i seek=$((2 * i)) count=1 conv=notrunc status=none
  done
  rm -f rand.bin
  qemu-img convert -f raw -O vhdx -o subformat=dynamic,block_size=8M src.raw half.vhdx
  rm -f src.raw
  qemu-img convert -f vhdx -O raw half.vhdx half.raw # the equivalent raw file
  sync
}
