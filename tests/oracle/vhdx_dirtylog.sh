#!/usr/bin/env bash
# Oracle: a VHDX with a pending (dirty) log, read without writing to it.
#
# The evidence is iotest-dirtylog-10G-4M.vhdx from the shared corpus (qemu iotest 070: a
# qemu 1.6.50 dynamic 10 GiB disk, 1 MiB blocks, whose last log entry was never applied;
# a read-only file). vdcheck must
#  - report vhdx.log.pending and read_semantics.vhdx_log = {state pending, view replayed};
#  - by default hash the replayed disk, equal to qemu's: `qemu-img check -r all` on a
#    copy replays the log, then `qemu-img convert -O raw` (md5 of that raw is
#    f57388780d1d321ed98f042d6cd3926e per the shared corpus README; checked here too);
#  - with --log-view on-disk hash the disk as it is on disk, equal to qemu's view of a copy
#    whose header LogGuids are zeroed (CRC-32C re-sealed, computed here in bash), which
#    qemu then opens read-only without replaying; that view must differ from the replayed one;
#  - leave the original untouched: sha256, size, mtime and ctime identical before and
#    after. The atime proof runs on a scratch copy whose atime is set to 2001, so that a
#    relatime mount would move it on any read without O_NOATIME; the original's atime is
#    only noted, since tests running in parallel may read the shared corpus.
#
# usage: vhdx_dirtylog.sh VDCHECK SOURCE_DIR SCRATCH_DIR
#   the shared corpus: $VDCHECK_SHARED_CORPUS, else SOURCE_DIR/../shared/corpus
# Needs bash, coreutils, qemu-img; uses openssl for sha256 when present (faster).
set -euo pipefail
vdcheck=$1 src=$2 scratch=$3
shared=${VDCHECK_SHARED_CORPUS:-$src/../shared/corpus}
orig=$shared/vhdx/iotest-dirtylog-10G-4M.vhdx
replayed_md5=f57388780d1d321ed98f042d6cd3926e

. "$src/tests/harness/shell_lib.sh"
[ -r "$orig" ] || vd_skip "shared corpus image $orig"
vd_require qemu-img
rm -rf "$scratch" && mkdir -p "$scratch"
passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok   $1"; }
bad() { failed=$((failed + 1)); echo "FAIL $1"; }
check() { # label want got
  if [ "$2" = "$3" ]; then ok "$1"; else bad "$1: got '${3}', want '${2}'"; fi
}

sha256() { # file -> hex
  if command -v openssl >/dev/null; then
    openssl dgst -sha256 -r "$1" | cut -c1-64
  else
    sha256sum "$1" | cut -c1-64
  fi
}

# Reads of the original go through O_NOATIME when the kernel allows it (owner or
# CAP_FOWNER); otherwise a plain read, and the atime comparison is reported, not enforced.
noatime=iflag=noatime
if ! dd if="$orig" of=/dev/null bs=4096 count=1 "$noatime" status=none 2>/dev/null; then
  noatime=
  echo "note: O_NOATIME is refused for $orig (uid $(id -u), file owner $(stat -c %u "$orig")):" \
       "reads by this test or by vdcheck may update its atime on a relatime mount"
fi
read_orig() { dd if="$orig" bs=1M ${noatime:+"$noatime"} status=none; }

stat_of() { stat -c 'size %s atime %x mtime %y ctime %z' "$1"; }
json_get() { # key (a string or integer field) from the JSON on stdin, first occurrence
  tr -d '\n ' | grep -o "\"$1\":\"\{0,1\}[^\",}]*" | head -1 | sed 's/^[^:]*://; s/"//g' || true
}
virtual_sha256() { # the virtual sha256 from vdcheck's JSON report on stdin
  tr -d '\n ' | sed -n 's/.*"virtual":{"sha256":"\([0-9a-f]*\)".*/\1/p'
}
vhdx_log_of() { # the read_semantics.vhdx_log object of the JSON on stdin
  tr -d '\n ' |
    sed -n 's/.*"vhdx_log":{\([^{}]*\(\[[^]]*\]\)\{0,1\}[^{}]*\)}.*/\1/p'
}

# ------------------------------------------------------------------ CRC-32C in bash --
CRC_T=()
for ((i = 0; i < 256; i++)); do
  c=$i
  for ((j = 0; j < 8; j++)); do
    if ((c & 1)); then c=$(( (c >> 1) ^ 0x82F63B78 )); else c=$((c >> 1)); fi
  done
  CRC_T[i]=$c
done
crc32c() { # file offset length -> 8 hex digits
  local c=0xFFFFFFFF b
  for b in $(od -An -tu1 -v -j "$2" -N "$3" "$1"); do
    c=$(( CRC_T[(c ^ b) & 0xFF] ^ (c >> 8) ))
  done
  printf '%08x' $(( c ^ 0xFFFFFFFF ))
}
le32() { od -An -tx4 -j "$2" -N 4 "$1" | tr -d ' '; } # file offset -> hex of the LE u32
poke_le32() { # file offset hex8
  local h=$3
  printf "\\x${h:6:2}\\x${h:4:2}\\x${h:2:2}\\x${h:0:2}" |
    dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}
printf 123456789 >"$scratch/crc-check"
check "bash CRC-32C self-test" e3069283 "$(crc32c "$scratch/crc-check" 0 9)"

# ------------------------------------------------------------------- before --
stat_before=$(stat_of "$orig")
sha_before=$(read_orig | sha256sum | cut -c1-64)
echo "original: $stat_before sha256 $sha_before"

# ------------------------------------------------------------------- vdcheck --
"$vdcheck" --json --hash sha256 "$orig" >"$scratch/replayed.json" 2>"$scratch/replayed.err" || true
"$vdcheck" --json --hash sha256 --log-view on-disk "$orig" >"$scratch/on-disk.json" \
  2>"$scratch/on-disk.err" || true
[ -s "$scratch/on-disk.err" ] && echo "vdcheck --log-view on-disk stderr: $(head -3 "$scratch/on-disk.err")"
vd_replayed=$(virtual_sha256 <"$scratch/replayed.json")
vd_on_disk=$(virtual_sha256 <"$scratch/on-disk.json")
log_r=$(vhdx_log_of <"$scratch/replayed.json")
log_d=$(vhdx_log_of <"$scratch/on-disk.json")
echo "vdcheck read_semantics.vhdx_log (default):      {${log_r}}"
echo "vdcheck read_semantics.vhdx_log (--log-view on-disk): {${log_d}}"

if tr -d '\n ' <"$scratch/replayed.json" | grep -q '"id":"vhdx.log.pending"'; then
  ok "finding vhdx.log.pending"
else
  bad "finding vhdx.log.pending missing; findings: $(tr -d '\n ' <"$scratch/replayed.json" |
    grep -o '"id":"[^"]*","severity":"[^"]*"' | tr '\n' ' ')"
fi
check "vhdx_log.state (default)" pending "$(json_get state <<<"{$log_r}")"
check "vhdx_log.view (default)" replayed "$(json_get view <<<"{$log_r}")"
# The active sequence is the newest entry alone (seq 7 at log offset 0xc000, whose Tail
# points at itself), with one descriptor: the BAT page at file offset 0x200000.
check "vhdx_log.entries_replayed" 1 "$(json_get entries_replayed <<<"{$log_r}")"
check "vhdx_log.descriptors_replayed" 1 "$(json_get descriptors_replayed <<<"{$log_r}")"
if grep -q '"offset":2097152' <<<"$log_r"; then
  ok "changed_ranges include the BAT page (offset 2097152)"
else
  bad "changed_ranges do not include the BAT page at 2097152: {$log_r}"
fi
check "vhdx_log.view (--log-view on-disk)" on-disk "$(json_get view <<<"{$log_d}")"
check "vhdx_log.state (--log-view on-disk)" pending "$(json_get state <<<"{$log_d}")"

# ------------------------------------------------------ qemu: replayed view --
read_orig >"$scratch/replay.vhdx"
chmod 644 "$scratch/replay.vhdx"
if qemu-img convert -f vhdx -O raw "$scratch/replay.vhdx" "$scratch/x.raw" 2>"$scratch/qemu.err"; then
  bad "qemu opened the dirty copy read-only (expected a refusal)"
else
  grep -q "contains a log that needs to be replayed" "$scratch/qemu.err" &&
    ok "qemu refuses a read-only open of the dirty log" ||
    bad "qemu read-only open failed differently: $(head -1 "$scratch/qemu.err")"
fi
rm -f "$scratch/x.raw"
qemu-img check -f vhdx -r all "$scratch/replay.vhdx" >"$scratch/check.out" 2>&1 || true
grep -q "1 corruptions" "$scratch/check.out" && ok "qemu-img check -r all: 1 corruptions repaired" ||
  bad "qemu-img check -r all: $(tr '\n' ' ' <"$scratch/check.out")"
qemu-img convert -f vhdx -O raw "$scratch/replay.vhdx" "$scratch/replayed.raw"
rm -f "$scratch/replay.vhdx"
md5sum "$scratch/replayed.raw" >"$scratch/replayed.md5" &
md5_pid=$!
q_replayed=$(sha256 "$scratch/replayed.raw")
wait "$md5_pid"
check "qemu replayed view md5 = shared corpus README" "$replayed_md5" "$(cut -c1-32 "$scratch/replayed.md5")"
rm -f "$scratch/replayed.raw"
check "vdcheck virtual sha256 (replayed) = qemu after check -r all" "$q_replayed" "$vd_replayed"

# ------------------------------------------------------- qemu: on-disk view --
# Zero LogGuid (header +48, 16 bytes) in both headers of a copy and re-seal their CRC-32C
# (header +4, over 4 KiB with the field zeroed). qemu then has no log to replay and reads
# BAT and blocks as they are on disk.
read_orig >"$scratch/stale.vhdx"
chmod 644 "$scratch/stale.vhdx"
crc_ok=1
for h in 65536 131072; do
  stored=$(le32 "$scratch/stale.vhdx" $((h + 4)))
  poke_le32 "$scratch/stale.vhdx" $((h + 4)) 00000000
  [ "$(crc32c "$scratch/stale.vhdx" "$h" 4096)" = "$stored" ] || crc_ok=0
  dd if=/dev/zero of="$scratch/stale.vhdx" bs=1 seek=$((h + 48)) count=16 conv=notrunc status=none
  poke_le32 "$scratch/stale.vhdx" $((h + 4)) "$(crc32c "$scratch/stale.vhdx" "$h" 4096)"
done
check "bash CRC-32C reproduces both stored header checksums" 1 "$crc_ok"
if qemu-img convert -f vhdx -O raw "$scratch/stale.vhdx" "$scratch/stale.raw" 2>"$scratch/qemu.err"; then
  q_on_disk=$(sha256 "$scratch/stale.raw")
  rm -f "$scratch/stale.raw"
  check "vdcheck virtual sha256 (--log-view on-disk) = qemu with the log disabled" "$q_on_disk" "$vd_on_disk"
else
  bad "qemu could not read the LogGuid-cleared copy: $(head -1 "$scratch/qemu.err")"
fi
rm -f "$scratch/stale.vhdx"
if [ -n "$vd_on_disk" ] && [ "$vd_on_disk" != "$vd_replayed" ]; then
  ok "on-disk and replayed hashes differ"
else
  bad "on-disk hash '${vd_on_disk}' vs replayed '${vd_replayed}': should both exist and differ"
fi

# -------------------------------------------- atime on a copy (relatime-proof) --
read_orig >"$scratch/atime.vhdx"
touch -a -d '2001-01-01 00:00:00' "$scratch/atime.vhdx"
a0=$(stat -c %x "$scratch/atime.vhdx")
"$vdcheck" --json "$scratch/atime.vhdx" >/dev/null 2>&1 || true # any read would move it
check "vdcheck leaves an old atime alone (copy with atime 2001; relatime would move it)" \
  "$a0" "$(stat -c %x "$scratch/atime.vhdx")"
rm -f "$scratch/atime.vhdx"

# -------------------------------------------------------------------- after --
stat_after=$(stat_of "$orig")
sha_after=$(read_orig | sha256sum | cut -c1-64)
check "original sha256 unchanged" "$sha_before" "$sha_after"
# The original's atime is compared for the record only: other tests running in parallel
# (ctest -j) may read the shared corpus without O_NOATIME. The enforced atime proof is the
# copy above, which nothing else touches.
check "original size/mtime/ctime unchanged" "$(sed 's/ atime .* mtime/ mtime/' <<<"$stat_before")" \
  "$(sed 's/ atime .* mtime/ mtime/' <<<"$stat_after")"
[ "$stat_before" = "$stat_after" ] ||
  echo "note: the original's atime moved ($stat_before -> $stat_after): another reader or" \
       "${noatime:-no O_NOATIME for this test}"

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
