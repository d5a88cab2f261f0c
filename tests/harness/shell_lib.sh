# Sourced by the shell tests (tests/cli, tests/oracle). A test that cannot run skips with
# exit 77, except under VDCHECK_NO_SKIP=1 (CI), where it fails: nothing may skip there.
vd_skip() {
  if [ "${VDCHECK_NO_SKIP:-0}" = 1 ]; then echo "cannot run: $1"; exit 1; fi
  echo "SKIP: $1"
  exit 77
}

# vd_require TOOL...: every tool must be on PATH.
vd_require() {
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null || vd_skip "$tool not installed"
  done
}

# ---- oracle helpers: the caller sets $vdcheck and $scratch ----

# vd_oracle_begin TOOL...: needs the tools; seeds $RANDOM from VDCHECK_TEST_SEED (shown, so
# a failure can be replayed), sets $nwrites (VDCHECK_ORACLE_WRITES, default 40), empties
# $scratch and zeroes the counters vd_compare keeps.
vd_oracle_begin() {
  seed=${VDCHECK_TEST_SEED:-20261121}
  nwrites=${VDCHECK_ORACLE_WRITES:-40}
  echo "seed $seed"
  vd_require "$@"
  rm -rf "$scratch" && mkdir -p "$scratch"
  RANDOM=$seed
  fails=0 total=0
}

# vd_oracle_end: the tally; fails the script when any comparison failed.
vd_oracle_end() {
  echo "$(( total - fails )) passed, $fails failed"
  [ "$fails" = 0 ]
}

# vd_report_virtual IMAGE: "virtual_size sha256" from vdcheck's JSON report (empty if absent).
vd_report_virtual() {
  local json
  json=$("$vdcheck" --json --hash sha256 "$1" | tr -d '\n ') || true
  printf '%s %s\n' \
    "$(sed -n 's/.*"image":{[^}]*"virtual_size":\([0-9]*\).*/\1/p' <<<"$json")" \
    "$(sed -n 's/.*"virtual":{"sha256":"\([0-9a-f]*\)".*/\1/p' <<<"$json")"
}

# vd_compare LABEL IMAGE SIZE SHA256: vdcheck's virtual size and sha256 against the oracle's.
vd_compare() {
  local size sha
  read -r size sha < <(vd_report_virtual "$2")
  total=$((total + 1))
  if [ "$sha" = "$4" ] && [ "$size" = "$3" ]; then
    echo "ok   $1"
  else
    echo "FAIL $1: vdcheck size ${size:-none} sha256 ${sha:-none}; oracle size $3 sha256 $4"
    echo "     reproduce: rerun with KEEP=1, then $vdcheck --json --hash sha256 $2"
    fails=$((fails + 1))
  fi
}

# vd_rand N: REPLY = a number 0 <= n < N (N up to 2^30). Not used as $(vd_rand): bash
# reseeds RANDOM in a subshell, so the sequence would not replay from the printed seed.
vd_rand() { REPLY=$(( (RANDOM * 32768 + RANDOM) % $1 )); }

# vd_qemu_random_writes FORMAT IMAGE SIZE BLOCK COUNT: COUNT random qemu-io writes (every
# fifth unaligned), one across a block boundary and one on the last sector.
vd_qemu_random_writes() {
  local fmt=$1 img=$2 size=$3 bs=$4 n=$5 cmds=() i len off
  for ((i = 0; i < n; i++)); do
    len=$(( (RANDOM % 128 + 1) * 512 ))
    vd_rand $(( (size - len) / 512 ))
    off=$(( REPLY * 512 ))
    if (( i % 5 == 4 )); then
      len=$(( len - RANDOM % 511 )); off=$(( off + RANDOM % 511 ))
    fi
    cmds+=(-c "write -P $((RANDOM % 255 + 1)) $off $len")
  done
  if (( size > bs )); then
    vd_rand $(( (size - 1) / bs ))
    local b=$(( (REPLY + 1) * bs ))
    cmds+=(-c "write -P 0x3c $(( b - 1000 )) 3000")
  fi
  cmds+=(-c "write -P 0xe7 $(( size - 512 )) 512")
  qemu-io -f "$fmt" "${cmds[@]}" "$img" >/dev/null
}

# vd_random_raw FILE BYTES TAG SCALE: BYTES seeded random bytes (AES-CTR keystream keyed by
# the seed, TAG and size), then six zero holes of 1..24 sectors, every other one SCALE times
# longer so that some span whole blocks.
vd_random_raw() {
  local file=$1 size=$2 key i off len
  key=$(printf '%s-%s-%s' "$seed" "$3" "$size" | sha256sum | cut -c1-32)
  head -c "$size" /dev/zero |
    openssl enc -aes-128-ctr -K "$key" -iv 00000000000000000000000000000000 >"$file"
  for ((i = 0; i < 6; i++)); do
    len=$(( (RANDOM % 24 + 1) * 512 ))
    (( i % 2 == 0 )) && len=$(( len * $4 ))
    (( len < size )) || continue
    vd_rand $(( (size - len) / 512 + 1 ))
    off=$(( REPLY * 512 ))
    dd if=/dev/zero of="$file" bs=512 seek=$(( off / 512 )) count=$(( len / 512 )) \
      conv=notrunc status=none
  done
}
