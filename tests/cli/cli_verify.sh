#!/usr/bin/env bash
# Chain of custody: `vdcheck verify IMAGE --against REPORT`.
#  - VHD, VHDX, VDI (qemu-img + qemu-io) and Bochs (bximage) images with data are hashed
#    with `--json --hash md5,sha1,sha256,sha512 --piecewise 1M`; verify then exits 0 and
#    prints VERIFIED;
#  - on a copy: (a) one byte changed inside a data block (found with `vdcheck map`): exit
#    1, every container and virtual digest MISMATCH and exactly one piecewise window, the
#    one holding the byte, named by its offset; (b) one byte changed where the virtual disk
#    does not look (per format, a spot found empirically: BAT sector padding, block map
#    padding, the header's padding, the unused part of a VHDX header's 64 KiB slot):
#    container MISMATCH only, virtual digests and windows match; (c) the copy truncated:
#    exit 1 or 2, never VERIFIED;
#  - (d) an NDJSON file of several reports: verify picks the report by path, by file name
#    when the path differs (run from another directory), exact path over a same-named
#    report, and refuses (exit 2) when only an ambiguous file name matches;
#  - (e) unusable reports exit 2 with a one-line reason on stderr: made without --hash, not
#    JSON, not a vdcheck report (wrong schema), a digest in upper case or too short,
#    piecewise windows out of order; no --against: 64; a missing image: 2;
#  - (f) the shared corpus' VHDX with a pending log, hashed with --log-view on-disk:
#    verify uses the report's view (VERIFIED); when the two views map differently, the
#    report edited to name view "replayed" must differ on the virtual digest only.
#    (sha256 only there: the disk is 10 GiB of mostly zeros.)
# usage: cli_verify.sh VDCHECK SOURCE_DIR SCRATCH_DIR
#   the shared corpus: $VDCHECK_SHARED_CORPUS, else SOURCE_DIR/../shared/corpus
set -uo pipefail
vdcheck=$(cd "$(dirname "$1")" && pwd)/$(basename "$1") src=$2 scratch=$3
shared=${VDCHECK_SHARED_CORPUS:-$src/../shared/corpus}
. "$src/tests/harness/shell_lib.sh"
vd_require qemu-img qemu-io bximage od
rm -rf "$scratch" && mkdir -p "$scratch/imgs" "$scratch/other"
scratch=$(cd "$scratch" && pwd)
passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok   $1"; }
bad() { failed=$((failed + 1)); echo "FAIL $1"; }
MiB=1048576

# verify_run IMAGE REPORT [DIR]: runs verify (in DIR), sets $rc; stdout in $out, stderr in $err.
out=$scratch/verify.out err=$scratch/verify.err
verify_run() {
  rc=0
  (cd "${3:-$scratch}" && "$vdcheck" verify "$1" --against "$2" --no-progress) >"$out" 2>"$err" || rc=$?
}
show() { sed 's/^/     /' "$out" "$err" | head -"${1:-12}"; }
lines() { grep -c -- "$1" "$out" || true; } # lines of the verify output matching a regex
flip() { # FILE OFFSET: complement one byte in place
  local b
  b=$(od -An -tu1 -j "$2" -N 1 "$1" | tr -d ' ')
  printf "\\$(printf '%03o' $(( 255 - b )))" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}
virtual_sha256() { tr -d '\n ' <"$1" | sed -n 's/.*"virtual":{[^}]*"sha256":"\([0-9a-f]*\)".*/\1/p'; }

# ------------------------------------------------------------------- the images --
cd "$scratch" || exit 1
for fmt in vpc:vhd:"" vhdx:vhdx:"-o block_size=1M" vdi:vdi:""; do
  IFS=: read -r qfmt ext opts <<<"$fmt"
  # shellcheck disable=SC2086
  qemu-img create -q -f "$qfmt" $opts "imgs/i.$ext" 8M
  qemu-io -f "$qfmt" -c "write -P 0x11 0 300k" -c "write -P 0x22 5M 100k" -c "write -P 0x33 7M 4k" \
    "imgs/i.$ext" >/dev/null
done
head -c $((4 * MiB)) /dev/zero | tr '\0' 'A' >"$scratch/b.raw"
dd if=/dev/zero of="$scratch/b.raw" bs=1k seek=1024 count=2048 conv=notrunc status=none
bximage -func=convert -imgmode=growing -q "$scratch/b.raw" imgs/i.bochs >/dev/null
rm -f "$scratch/b.raw"

# A byte the virtual disk does not see, per format (checked below: the virtual digests
# still match): VHD: 0xFF padding of the BAT's sector (BAT at 1536, 5 entries); VDI: the
# padding between the block map (at 512, 8 entries) and the first block (1024); Bochs:
# padding of the 512-byte header; VHDX: inside header 1's 64 KiB slot, past its 4 KiB.
declare -A invisible=([vhd]=2000 [vdi]=1000 [bochs]=500 [vhdx]=$((65536 + 8192)))
declare -A vsha

for ext in vhd vhdx vdi bochs; do
  img=imgs/i.$ext rep=$scratch/r-$ext.json
  "$vdcheck" --json --hash md5,sha1,sha256,sha512 --piecewise 1M "$img" >"$rep" 2>/dev/null
  vsha[$ext]=$(virtual_sha256 "$rep")
  [ -n "${vsha[$ext]}" ] || bad "$ext: the report has no virtual sha256"
  windows=$(tr -d '\n ' <"$rep" | grep -o '"offset":[0-9]*,"length":[0-9]*,"digest"' | wc -l)

  verify_run "$img" "$rep"
  if [ "$rc" = 0 ] && grep -q '^VERIFIED' "$out" && [ "$(lines MISMATCH)" = 0 ]; then
    ok "$ext: verify of the original: exit 0, VERIFIED ($(grep -c '^  match' "$out") checks, $windows windows)"
  else bad "$ext: verify of the original: exit $rc"; show; fi

  # (a) one byte inside a data block (the last one, so that the window is not the first)
  read -r off len fo < <("$vdcheck" map --json "$img" |
    sed -n 's/.*"offset": \([0-9]*\), "length": \([0-9]*\), "kind": "data", "file_offset": \([0-9]*\).*/\1 \2 \3/p' | tail -1)
  k=$(( len / 3 )) g=$(( off + len / 3 ))
  cp "$img" "$scratch/copy.$ext" && flip "$scratch/copy.$ext" $(( fo + k ))
  verify_run "$scratch/copy.$ext" "$rep"
  w=$(( g / MiB * MiB ))
  if [ "$rc" = 1 ] && grep -q '^DIFFERS' "$out" && [ "$(lines '^  MISMATCH  container ')" = 4 ] &&
     [ "$(lines '^  MISMATCH  virtual [ms][dh]')" = 4 ] && [ "$(lines '^  MISMATCH  window at ')" = 1 ] &&
     grep -q "^  MISMATCH  window at $w (" "$out" &&
     grep -q "^  MISMATCH  piecewise  *1 of $windows sha512 windows" "$out" &&
     [ "$(lines '^  MISMATCH  \(file size\|format\|variant\|virtual size\) ')" = 0 ]; then
    ok "$ext (a): byte at file $((fo + k)) (disk $g): exit 1, 4+4 digests and window $w differ"
  else bad "$ext (a): byte at file $((fo + k)) (disk $g, window $w): exit $rc"; show 24; fi

  # (b) one byte the virtual disk does not see
  cp "$img" "$scratch/copy.$ext" && flip "$scratch/copy.$ext" "${invisible[$ext]}"
  verify_run "$scratch/copy.$ext" "$rep"
  if [ "$rc" = 1 ] && grep -q '^DIFFERS' "$out" && [ "$(lines '^  MISMATCH  container ')" = 4 ] &&
     [ "$(lines MISMATCH)" = 4 ] && [ "$(lines '^  match     virtual [ms][dh]')" = 4 ] &&
     grep -q "^  match     piecewise  *0 of $windows " "$out"; then
    ok "$ext (b): byte at file ${invisible[$ext]} outside the disk: container differs only"
  else bad "$ext (b): byte at file ${invisible[$ext]}: exit $rc"; show 24; fi

  # (c) truncated
  head -c $(( $(stat -c %s "$img") / 2 + 512 )) "$img" >"$scratch/copy.$ext"
  verify_run "$scratch/copy.$ext" "$rep"
  if { [ "$rc" = 1 ] || [ "$rc" = 2 ]; } && ! grep -q VERIFIED "$out" && grep -q 'MISMATCH  file size' "$out"; then
    ok "$ext (c): truncated copy: exit $rc, not VERIFIED"
  else bad "$ext (c): truncated copy: exit $rc"; show; fi
  rm -f "$scratch/copy.$ext"
done

# ---------------------------------------------------------- (d) several reports --
cp imgs/i.vhd other/i.vhd && flip other/i.vhd $((2560 + 1000)) # another disk named i.vhd
osha=$("$vdcheck" --json --hash sha256 other/i.vhd | tr -d '\n ' |
  sed -n 's/.*"virtual":{"sha256":"\([0-9a-f]*\)".*/\1/p')
"$vdcheck" --json --hash sha256 --piecewise 1M imgs/i.vhd imgs/i.vhdx other/i.vhd imgs/i.vdi imgs/i.bochs \
  >all.ndjson 2>/dev/null
[ "$(wc -l <all.ndjson)" = 5 ] && ok "(d) NDJSON: 5 reports, one per line" || bad "(d) NDJSON: $(wc -l <all.ndjson) lines"
picked() { # LABEL IMAGE DIR SHA256: VERIFIED with that virtual digest
  verify_run "$2" "$scratch/all.ndjson" "$3"
  if [ "$rc" = 0 ] && grep -q '^VERIFIED' "$out" && grep -q "^  match     virtual sha256  *$4$" "$out"; then
    ok "(d) $1"
  else bad "(d) $1: exit $rc"; show; fi
}
for ext in vhdx vdi bochs; do
  picked "by path: imgs/i.$ext" "imgs/i.$ext" "$scratch" "${vsha[$ext]}"
  picked "by file name from another directory: i.$ext" "i.$ext" "$scratch/imgs" "${vsha[$ext]}"
done
picked "exact path over a same-named report: imgs/i.vhd" imgs/i.vhd "$scratch" "${vsha[vhd]}"
picked "exact path over a same-named report: other/i.vhd" other/i.vhd "$scratch" "$osha"
[ "$osha" != "${vsha[vhd]}" ] && ok "(d) the two i.vhd disks differ" || bad "(d) the two i.vhd disks should differ"
verify_run i.vhd "$scratch/all.ndjson" "$scratch/imgs"
[ "$rc" = 2 ] && grep -q 'none for' "$err" && [ ! -s "$out" ] &&
  ok "(d) two reports named i.vhd, neither path matches: exit 2 ($(cat "$err"))" ||
  { bad "(d) ambiguous file name: exit $rc"; show; }

# ----------------------------------------------------------- (e) unusable input --
rep=$scratch/r-vhd.json
"$vdcheck" --json imgs/i.vhd >nohash.json
echo 'this is not JSON' >notjson.json
sed 's|"schema": "vdcheck.report/1"|"schema": "vdcheck.triage/1"|' "$rep" >schema.json
sed '0,/"sha256": "/s/"sha256": "\([0-9a-f]*\)"/"sha256": "\U\1"/' "$rep" >upper.json
sed '0,/"sha1": "/s/"sha1": "\([0-9a-f]*\)[0-9a-f]"/"sha1": "\1"/' "$rep" >short.json
sed '/"piecewise"/,/"findings"/{s/"offset": 1048576,/"offset": 0,/;t;s/"offset": 0,/"offset": 1048576,/}' "$rep" >order.json
# Present with the wrong type or sign: unusable, never a silently skipped check.
sed '0,/"container": {/s/"container": {[^}]*}/"container": "deadbeef"/' "$rep" | tr -d '\n' |
  sed 's/"container": {[^}]*}/"container": "deadbeef"/' >typed.json
sed '0,/"file_size": [0-9]*/s/"file_size": [0-9]*/"file_size": -1/' "$rep" >negative.json
head -c $(( $(wc -c <"$rep") / 2 )) "$rep" >truncated.json
for f in nohash.json schema.json upper.json short.json order.json typed.json negative.json truncated.json; do
  cmp -s "$rep" "$f" && bad "(e) $f: the edit did not apply"
done
for c in "nohash:made without --hash" "notjson:not JSON" "schema:not a vdcheck report" \
         "upper:digest in upper case" "short:digest one hex digit short" "order:piecewise windows out of order" \
         "typed:container digests as a string" "negative:a negative file_size" \
         "truncated:cut in the middle"; do
  f=${c%%:*} what=${c#*:}
  verify_run imgs/i.vhd "$scratch/$f.json"
  if [ "$rc" = 2 ] && [ "$(wc -l <"$err")" = 1 ] && ! grep -q VERIFIED "$out"; then
    ok "(e) report $what: exit 2: $(cat "$err")"
  else bad "(e) report $what: exit $rc, $(wc -l <"$err") lines on stderr"; show; fi
done
rc=0; "$vdcheck" verify imgs/i.vhd >"$out" 2>"$err" || rc=$?
[ "$rc" = 64 ] && ok "(e) no --against: exit 64" || bad "(e) no --against: exit $rc"
verify_run imgs/missing.vhd "$rep"
[ "$rc" = 2 ] && ! grep -q VERIFIED "$out" && ok "(e) missing image: exit 2" || { bad "(e) missing image: exit $rc"; show; }
verify_run imgs/i.vhd "$scratch/no-such-report.json"
[ "$rc" = 2 ] && [ "$(wc -l <"$err")" = 1 ] && ok "(e) missing report: exit 2: $(cat "$err")" ||
  { bad "(e) missing report: exit $rc"; show; }

# --------------------------------------------------- (f) VHDX with a pending log --
dirty=$shared/vhdx/iotest-dirtylog-10G-4M.vhdx
if [ ! -r "$dirty" ]; then
  if [ "${VDCHECK_NO_SKIP:-0}" = 1 ]; then bad "(f) shared corpus image $dirty missing"
  else echo "note: (f) not run: $dirty missing"; fi
else
  "$vdcheck" --json --hash sha256 --log-view on-disk "$dirty" >dirty.json 2>/dev/null
  tr -d '\n ' <dirty.json | grep -q '"vhdx_log":{"state":"pending","view":"on-disk"' &&
    ok "(f) report: log pending, view on-disk" || bad "(f) report does not record the on-disk view"
  verify_run "$dirty" "$scratch/dirty.json"
  [ "$rc" = 0 ] && grep -q '^VERIFIED' "$out" && ok "(f) verify uses the report's on-disk view: VERIFIED" ||
    { bad "(f) verify with the on-disk report: exit $rc"; show; }
  "$vdcheck" map --json --log-view on-disk "$dirty" >map-on-disk.json 2>/dev/null
  "$vdcheck" map --json --log-view replayed "$dirty" >map-replayed.json 2>/dev/null
  if cmp -s map-on-disk.json map-replayed.json; then
    echo "note: (f) the two log views map alike here: the edited-view check is not run"
  else
    sed 's/"view": "on-disk"/"view": "replayed"/' dirty.json >dirty-replayed.json
    verify_run "$dirty" "$scratch/dirty-replayed.json"
    if [ "$rc" = 1 ] && [ "$(lines MISMATCH)" = 1 ] && grep -q '^  MISMATCH  virtual sha256 ' "$out" &&
       grep -q '^  match     container sha256 ' "$out"; then
      ok "(f) the report edited to view \"replayed\": the virtual digest differs (the view matters)"
    else bad "(f) edited view: exit $rc"; show; fi
  fi
fi

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
