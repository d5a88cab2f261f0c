#!/usr/bin/env bash
# The read-only rule (DESIGN.md), proved on every subcommand that takes an image: evidence
# files are copies chmod 0444 in a 0555 directory, with their access time set in the past
# so that a read without O_NOATIME would move it on a relatime mount. Every run goes under
# the LD_PRELOAD recorder (tests/tools/open_recorder.c). After each run:
#   - content hash, size, mtime, ctime, atime, inode, link count and mode of every evidence
#     file are unchanged, and the evidence directory holds the same entries, same times;
#   - the recorder saw no open of an evidence file (by path, or by device and inode: a
#     symlink or hard link elsewhere counts) with O_WRONLY, O_RDWR, O_CREAT, O_TRUNC,
#     O_APPEND or O_TMPFILE, and no truncate, rename, unlink, link, chmod, chown, utime of
#     one, nor any such call inside the evidence directory;
#   - every image the run analyzes WAS opened read-only (else the recorder saw nothing and
#     the proof is void), with O_NOATIME when the kernel allows it.
# Also: the report says whether O_NOATIME was granted (true as the owner or root; false,
# with the text report saying so, as `nobody` on a root-owned file), and -o naming an
# evidence file, directly or through a symlink, a hard link or another spelling, is refused
# with exit status 64.
# usage: readonly_evidence.sh VDCHECK SOURCE_DIR SCRATCH_DIR
set -uo pipefail
vdcheck=$1 src=$2 scratch=$3
build=$(dirname "$vdcheck")
recorder=$build/tests/libopen_recorder.so
corpus=$src/corpus
passed=0 failed=0

ok() { passed=$((passed + 1)); echo "ok   $1"; }
bad() { failed=$((failed + 1)); echo "FAIL $1"; }
finish() {
  echo "$passed passed, $failed failed"
  [ "$failed" = 0 ]
  exit
}

[ -d "$scratch/evidence" ] && chmod u+w "$scratch/evidence"
rm -rf "$scratch" && mkdir -p "$scratch"
ev=$scratch/evidence out=$scratch/out links=$scratch/links logs=$scratch/logs
mkdir -p "$ev" "$out" "$links" "$logs"
nobody_dir=
cleanup() {
  chmod u+w "$ev" 2>/dev/null
  if [ -n "$nobody_dir" ] && [ "$nobody_dir" != "$scratch/nobody" ]; then rm -rf "$nobody_dir"; fi
}
trap cleanup EXIT

if [ ! -f "$recorder" ]; then
  bad "the open recorder is not built: $recorder"
  finish
fi
# A sanitized vdcheck wants its runtime first in the library list; the recorder comes first.
asan="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"

# open(2) flags (Linux): the ones that can change or create a file.
O_NOATIME=0x40000
WRITE_FLAGS=$((0x1 | 0x2 | 0x40 | 0x200 | 0x400 | 0x400000)) # WRONLY RDWR CREAT TRUNC APPEND TMPFILE
OPEN_FUNCS=" open open64 openat openat64 __open_2 __open64_2 __openat_2 __openat64_2 creat creat64 fopen fopen64 freopen freopen64 "

echo "#    evidence on: $(findmnt -n -o TARGET,FSTYPE,OPTIONS -T "$scratch" 2>/dev/null ||
  stat -f -c '%T' "$scratch")"
echo "#    running as uid $(id -u)"

# --- the evidence ---------------------------------------------------------------------
declare -A want_check want_map
add_image() { # corpus-path check-status map-status
  local name=${1##*/}
  cp "$corpus/$1" "$ev/$name" || bad "copy $1"
  want_check[$name]=$2 want_map[$name]=$3
  names+=("$name")
}
names=()
add_image vhd/qemu-dynamic-8M-data.vhd 0 0         # clean, qemu-img
add_image vhdx/qemu-dynamic-8M-bs1M-data.vhdx 0 0  # qemu-img; warnings only (no corpus VHDX is clean)
add_image vdi/qemu-dynamic-4M-data.vdi 0 0         # clean, qemu-img
add_image bochs/bximage-growing-640K-data.img 0 0  # clean, bximage
add_image vhdx/bat-duplicate.vhdx 1 1              # damaged: two BAT entries, one block
add_image vhd/bad-dyn-cookie.vhd 1 2               # damaged: fatal, not mappable
vhd=${names[0]} vhdx=${names[1]}
# A differencing chain (issue 6): the child's parent, found beside it, is evidence too.
shared=$src/../shared/corpus
chain_child=
if [ -f "$shared/vdi/openslx_image-default_snapshot.vdi" ]; then
  corpus=$shared add_image vdi/openslx_image-default.vdi 0 0
  corpus=$shared add_image vdi/openslx_image-default_snapshot.vdi 0 0
  chain_child=openslx_image-default_snapshot.vdi chain_parent=openslx_image-default.vdi
else
  echo "#    ../shared/corpus is not present: no differencing chain in the evidence"
fi

for name in "${names[@]}"; do
  touch -a -d @946684800 "$ev/$name" # atime 2000-01-01: older than mtime and ctime
done
chmod 0444 "$ev"/*
ln -s "$ev/$vhd" "$links/symlink.vhd"
hard_link=
if ln "$ev/$vhd" "$links/hardlink.vhd" 2>"$scratch/ln.err"; then
  hard_link=$links/hardlink.vhd # made before the baseline: it changes the link count and ctime
else
  echo "#    no hard link on this file system ($(cat "$scratch/ln.err")): that -o case is not run"
fi
chmod 0555 "$ev"

# Identity "dev:ino" (as the recorder writes it) of each evidence file.
declare -A ev_by_id
for name in "${names[@]}"; do
  id=$(stat -c '%d:%i' "$ev/$name")
  ev_by_id[$id]=$name
done

# Hashes without moving the access time (O_NOATIME: allowed to the owner and to root).
hash_noatime() { dd if="$1" iflag=noatime bs=1M status=none | sha256sum | cut -d' ' -f1; }
if ! dd if="$ev/$vhd" iflag=noatime bs=1 count=1 status=none >/dev/null 2>"$scratch/dd.err"; then
  bad "cannot read the evidence with O_NOATIME to hash it: $(cat "$scratch/dd.err")"
  finish
fi

snapshot() {
  local name
  for name in "${names[@]}"; do
    echo "$name sha256=$(hash_noatime "$ev/$name")" \
      "$(stat -c 'size=%s mtime=%y ctime=%z atime=%x inode=%i links=%h mode=%a owner=%u:%g' "$ev/$name")"
  done
  echo "directory $(stat -c 'mtime=%y ctime=%z mode=%a' "$ev")"
  echo "entries $(ls -A "$ev" | tr '\n' ' ')"
}
baseline=$(snapshot)
echo "$baseline" | sed 's/^/#    /'

# Is the atime check sensitive here? A plain read of a file whose atime is older than its
# mtime moves the atime unless the mount has noatime (or a read-only mount): say which.
mkdir -p "$scratch/canary"
cp "$corpus/vhd/$vhd" "$scratch/canary/c" && touch -a -d @946684800 "$scratch/canary/c"
canary_before=$(stat -c %x "$scratch/canary/c")
cat "$scratch/canary/c" >/dev/null
if [ "$(stat -c %x "$scratch/canary/c")" != "$canary_before" ]; then
  echo "#    atime check is sensitive: a plain read moved a canary's atime on this mount"
  atime_sensitive=1
else
  echo "#    this mount did not move a canary's atime on a plain read (noatime?): an unchanged atime proves less"
  atime_sensitive=0
fi

# --- the recorder log -----------------------------------------------------------------
# scan_log LOG DIR IDS: sets `violations` (lines of write-mode opens or changing calls that
# reach a file of IDS, by identity, or anything under DIR) and `opened` (" name:flags" for
# each read-only open of a file of IDS).
scan_log() {
  local log=$1 dir=$2
  local -n ids=$3
  local func flags id path name
  violations='' opened=''
  while IFS=' ' read -r func flags id path; do
    name=
    [ -n "${ids[$id]:-}" ] && name=${ids[$id]}
    case $path in
      "$dir" | "$dir"/*) [ -n "$name" ] || name=${path##*/} ;;
    esac
    [ -n "$name" ] || continue
    if [[ $OPEN_FUNCS == *" $func "* ]] && [[ $flags == 0x* ]] && ((!(flags & WRITE_FLAGS))); then
      [ -n "${ids[$id]:-}" ] && opened+=" ${ids[$id]}:$flags"
    else
      violations+="      $func $flags $id $path"$'\n'
    fi
  done <"$log"
}

# The recorder and scan_log catch a write: a control file opened for appending, renamed and
# truncated by a preloaded shell is reported.
mkdir -p "$scratch/control"
echo data >"$scratch/control/victim"
declare -A control_ids=([$(stat -c '%d:%i' "$scratch/control/victim")]=victim)
env VD_OPEN_LOG="$logs/control.log" LD_PRELOAD="$recorder" bash -c \
  'cat "$1" >/dev/null; echo more >>"$1"; mv "$1" "$1.moved"; truncate -s 0 "$1.moved"' _ "$scratch/control/victim"
scan_log "$logs/control.log" "$scratch/control" control_ids
if [[ $violations == *open*0x441* ]] && [[ $violations == *rename* ]] && [[ $violations == *truncate* ]] &&
  [[ $opened == *victim:0x0* ]]; then
  ok "control: the recorder sees a read, an append, a rename and a truncate of a file"
else
  bad "control: the recorder missed writes to a control file (log: $(tr '\n' '|' <"$logs/control.log"))"
fi

# --- running vdcheck ------------------------------------------------------------------
owner_or_root=0
[ "$(id -u)" = 0 ] || [ "$(stat -c %u "$ev/$vhd")" = "$(id -u)" ] && owner_or_root=1
run_cwd=$scratch
runs=0

# run LABEL WANT-STATUS "NAMES OPENED" COMMAND...: runs COMMAND under the recorder in
# $run_cwd, then checks its status, the evidence and the recorder log.
run() {
  local label=$1 want=$2 must_open=$3
  shift 3
  runs=$((runs + 1))
  local log=$logs/run$runs.log
  stdout=$out/run$runs.out stderr=$out/run$runs.err
  : >"$log"
  (cd "$run_cwd" && env VD_OPEN_LOG="$log" LD_PRELOAD="$recorder" ASAN_OPTIONS="$asan" "$@") \
    >"$stdout" 2>"$stderr"
  local status=$? good=1
  if [ "$status" != "$want" ]; then
    bad "$label: exit $status, want $want"
    sed 's/^/      /' "$stderr" | head -n 5
    good=0
  fi
  local now
  now=$(snapshot)
  if [ "$now" != "$baseline" ]; then
    bad "$label: the evidence changed"
    diff <(echo "$baseline") <(echo "$now") | sed 's/^/      /'
    good=0
  fi
  scan_log "$log" "$ev" ev_by_id
  if [ -n "$violations" ]; then
    bad "$label: write-mode open or changing call on evidence:"
    printf '%s' "$violations"
    good=0
  fi
  local name flags noatime_missing=
  for name in $must_open; do
    if [[ $opened != *" $name:"* ]]; then
      bad "$label: the recorder saw no read-only open of $name: the proof is void"
      good=0
      continue
    fi
    # The open that succeeded carries O_NOATIME when the kernel allows it.
    noatime=0
    for flags in $(grep -oE " $name:0x[0-9a-f]+" <<<"$opened" | cut -d: -f2); do
      ((flags & O_NOATIME)) && noatime=1
    done
    [ "$owner_or_root" = 1 ] && [ "$noatime" = 0 ] && noatime_missing+=" $name"
  done
  if [ -n "$noatime_missing" ]; then
    bad "$label: opened without O_NOATIME as owner/root:$noatime_missing"
    good=0
  fi
  [ "$good" = 1 ] && ok "$label (exit $status; evidence unchanged; no write open; opened:${must_open:- none})"
}

all="${names[*]}"
for name in "${names[@]}"; do
  run "check $name" "${want_check[$name]}" "$name" "$vdcheck" --no-progress "$ev/$name"
  run "check --text $name" "${want_check[$name]}" "$name" "$vdcheck" check --text "$ev/$name"
  if [ "$owner_or_root" = 1 ]; then
    grep -q '^  evidence: unchanged during the analysis$' "$stdout" &&
      ok "text report: $name unchanged, O_NOATIME granted" ||
      bad "text report on $name: $(grep 'evidence:' "$stdout")"
  fi
  run "check --json $name" "${want_check[$name]}" "$name" "$vdcheck" --json "$ev/$name"
  run "map $name" "${want_map[$name]}" "$name" "$vdcheck" map "$ev/$name"
  run "map --json $name" "${want_map[$name]}" "$name" "$vdcheck" map --json "$ev/$name"
done

# The chain: analyzing the child opens its parent, read-only, and leaves it untouched.
if [ -n "$chain_child" ]; then
  run "check --hash of a child opens its parent" 0 "$chain_child $chain_parent" \
    "$vdcheck" --json --hash sha256 --no-progress -o "$out/chain.json" "$ev/$chain_child"
  grep -q '"chain_complete": true' "$out/chain.json" && ok "the child's chain is complete" ||
    bad "the child's chain is not complete"
  run "map of a child opens its parent" 0 "$chain_child $chain_parent" \
    "$vdcheck" map --json "$ev/$chain_child"
fi

# --xml, when this build has it.
if "$vdcheck" check --help 2>&1 | grep -q -- '--xml'; then
  for name in "${names[@]}"; do
    run "check --xml $name" "${want_check[$name]}" "$name" "$vdcheck" --xml "$ev/$name"
  done
  run "check --xml, all images" 1 "$all" "$vdcheck" --xml --hash sha1 --no-progress "${names[@]/#/$ev/}"
else
  echo "#    vdcheck check --help has no --xml: no XML runs"
fi

# Every digest, piecewise windows, custody fields, the report written with -o.
for name in "${names[@]}"; do
  report=$out/$name.json
  run "check --hash all --piecewise 1M -o $name" "${want_check[$name]}" "$name" \
    "$vdcheck" --json --hash md5,sha1,sha256,sha512 --piecewise 1M --case CASE-7 \
    --examiner "E. Xaminer" --note "read-only test" --no-progress -o "$report" "$ev/$name"
  if [ -s "$report" ] && grep -q '"case": "CASE-7"' "$report" && grep -q '"examiner": "E. Xaminer"' "$report" &&
    grep -q '"unchanged": true' "$report" && grep -q '"sha512": "' "$report"; then
    ok "-o report for $name: custody, digests, evidence unchanged"
  else
    bad "-o report for $name lacks custody, digests or the unchanged record"
  fi
  if [ "$owner_or_root" = 1 ]; then
    grep -q '"noatime": true' "$report" && ok "report on $name says \"noatime\": true (owner or root)" ||
      bad "report on $name does not say \"noatime\": true"
  fi
  run "verify $name" 0 "$name" "$vdcheck" verify "$ev/$name" --against "$report" --no-progress
  grep -q '^VERIFIED' "$stdout" || bad "verify $name did not say VERIFIED"
done
run "--log-view on-disk $vhdx" 0 "$vhdx" "$vdcheck" --log-view on-disk --hash sha256 "$ev/$vhdx"
run "map --log-view on-disk $vhdx" 0 "$vhdx" "$vdcheck" map --log-view on-disk "$ev/$vhdx"

# Several images at once, a file of reports, relative paths from inside the evidence folder.
run "check --json --hash, all images, -o" 1 "$all" "$vdcheck" --json --hash sha256 --no-progress \
  -o "$out/all.ndjson" "${names[@]/#/$ev/}"
[ "$(wc -l <"$out/all.ndjson")" = "${#names[@]}" ] && ok "one report line per image" ||
  bad "all.ndjson does not hold one line per image"
run "verify against a file of reports" 0 "$vhdx" "$vdcheck" verify "$ev/$vhdx" --against "$out/all.ndjson"
# scan and triage walk the folder, open every file in it and fork children (triage).
run "scan --hash of the evidence folder" 1 "$all" "$vdcheck" scan --no-progress --hash sha256 "$ev"
run "scan --xml --all --jobs 1 --follow-symlinks" 1 "$all" "$vdcheck" scan --xml --all --jobs 1 \
  --follow-symlinks --no-progress "$ev"
run "scan --json -o outside the evidence folder" 1 "$all" "$vdcheck" scan --json --no-progress \
  -o "$out/scan.ndjson" "$ev"
run "scan -o inside the evidence folder is refused" 64 "" "$vdcheck" scan --json \
  -o "$ev/scan.ndjson" "$ev"
run "triage of the evidence folder" 0 "$all" "$vdcheck" triage --json --no-progress "$ev"
run "triage --text --jobs 1" 0 "$all" "$vdcheck" triage --text --jobs 1 --no-progress "$ev"
run_cwd=$ev
run "scan ., run inside the evidence folder" 1 "$all" "$vdcheck" scan --no-progress .
run "triage ., run inside the evidence folder" 0 "$all" "$vdcheck" triage --no-progress .
run "check, all images, run inside the evidence folder" 1 "$all" "$vdcheck" --hash md5 --no-progress "${names[@]}"
run "map, run inside the evidence folder" 0 "$vhd" "$vdcheck" map "$vhd"
run "findings, inside the evidence folder" 0 "" "$vdcheck" findings
run "findings --markdown, inside the evidence folder" 0 "" "$vdcheck" findings --markdown
run "--version, inside the evidence folder" 0 "" "$vdcheck" --version
run "--help, inside the evidence folder" 0 "" "$vdcheck" --help
run_cwd=$scratch

# A file that does not exist, in the evidence folder: nothing is created.
run "check of a missing file" 2 "" "$vdcheck" "$ev/missing.vhd"
run "check --json -o of a missing file" 2 "" "$vdcheck" --json -o "$out/missing.json" "$ev/missing.vhd"
run "map of a missing file" 2 "" "$vdcheck" map "$ev/missing.vhd"
run "verify of a missing file" 2 "" "$vdcheck" verify "$ev/missing.vhd" --against "$out/$vhd.json"
run "images and a missing file" 2 "$vhd $vhdx" "$vdcheck" --no-progress "$ev/$vhd" "$ev/$vhdx" "$ev/missing.vhd"

# -o naming an input is refused before anything is opened, whatever the spelling.
refused() { # label output input...
  local label=$1 output=$2
  shift 2
  run "-o refused: $label" 64 "" "$vdcheck" --json -o "$output" "$@"
  grep -q 'refusing to write the report over input' "$stderr" && ok "-o refused: $label: says why" ||
    bad "-o refused: $label: no reason on stderr"
}
refused "the evidence itself" "$ev/$vhd" "$ev/$vhd"
refused "the second of two inputs" "$ev/$vhdx" "$ev/$vhd" "$ev/$vhdx"
refused "another spelling" "$ev/../evidence/./$vhd" "$ev/$vhd"
refused "a symlink to the input" "$links/symlink.vhd" "$ev/$vhd"
refused "the input given through a symlink" "$ev/$vhd" "$links/symlink.vhd"
if [ -n "$hard_link" ]; then
  refused "a hard link to the input" "$hard_link" "$ev/$vhd"
fi
run_cwd=$ev
refused "a relative path, inside the evidence folder" "./$vhd" "$vhd"
run_cwd=$scratch

# --- O_NOATIME refused: as nobody, on a world-readable file owned by root -------------
nobody_case() {
  if [ "$(id -u)" != 0 ]; then
    echo "#    not root: the O_NOATIME-refused case (vdcheck as nobody on a root-owned file) is not run"
    return
  fi
  if ! id nobody >/dev/null 2>&1; then
    echo "#    no user nobody: the O_NOATIME-refused case is not run"
    return
  fi
  local uid gid
  uid=$(id -u nobody) gid=$(id -g nobody)
  as_nobody() {
    if command -v setpriv >/dev/null; then
      setpriv --reuid="$uid" --regid="$gid" --clear-groups "$@"
    elif command -v runuser >/dev/null; then
      runuser -u nobody -- "$@"
    else
      su -s /bin/sh nobody -c "$(printf '%q ' "$@")"
    fi
  }
  if ! command -v setpriv >/dev/null && ! command -v runuser >/dev/null && ! command -v su >/dev/null; then
    echo "#    none of setpriv, runuser, su: the O_NOATIME-refused case is not run"
    return
  fi
  # A folder nobody can reach: the scratch folder if its parents let it in, else a temporary one.
  nobody_dir=$scratch/nobody
  mkdir -p "$nobody_dir" && chmod 0755 "$nobody_dir"
  if ! as_nobody test -x "$nobody_dir"; then
    nobody_dir=$(mktemp -d "${TMPDIR:-/tmp}/vdcheck-readonly.XXXXXX") && chmod 0755 "$nobody_dir"
  fi
  local bin=$vdcheck rec=$recorder
  if ! as_nobody test -x "$vdcheck" || ! as_nobody test -r "$recorder"; then
    cp "$vdcheck" "$recorder" "$nobody_dir/" && bin=$nobody_dir/${vdcheck##*/} rec=$nobody_dir/${recorder##*/}
    chmod 0755 "$bin" && chmod 0644 "$rec"
  fi
  local file=$nobody_dir/$vhd log=$nobody_dir/recorder.log
  cp "$corpus/vhd/$vhd" "$file" && touch -a -d @946684800 "$file" && chmod 0444 "$file"
  chown 0:0 "$file"
  : >"$log" && chmod 0666 "$log"
  local before after
  before=$(echo "$(hash_noatime "$file") $(stat -c 'size=%s mtime=%y ctime=%z inode=%i' "$file")")
  local atime_before
  atime_before=$(stat -c %x "$file")

  as_nobody env VD_OPEN_LOG="$log" LD_PRELOAD="$rec" ASAN_OPTIONS="$asan" "$bin" --json "$file" \
    >"$out/nobody.json" 2>"$out/nobody.err"
  local status=$?
  as_nobody env VD_OPEN_LOG="$log" LD_PRELOAD="$rec" ASAN_OPTIONS="$asan" "$bin" "$file" \
    >"$out/nobody.txt" 2>>"$out/nobody.err"
  local status2=$?
  if [ "$status" = 0 ] && [ "$status2" = 0 ]; then
    ok "as nobody: check --json and check ran (exit 0)"
  else
    bad "as nobody: exit $status and $status2: $(head -n 3 "$out/nobody.err")"
  fi
  grep -q '"noatime": false' "$out/nobody.json" && ok "as nobody: the report says \"noatime\": false" ||
    bad "as nobody: the report does not say \"noatime\": false"
  grep -q 'O_NOATIME refused' "$out/nobody.txt" && ok "as nobody: the text report says O_NOATIME was refused" ||
    bad "as nobody: the text report does not say O_NOATIME was refused"
  # The recorder: O_NOATIME tried and refused, then a read-only open without it; no write.
  declare -A nobody_ids=([$(stat -c '%d:%i' "$file")]=$vhd)
  scan_log "$log" "$nobody_dir/$vhd" nobody_ids
  local tried_noatime=0 plain_open=0 func flags id path
  while IFS=' ' read -r func flags id path; do
    [ "$path" = "$file" ] || continue
    [[ $flags == 0x* ]] || continue
    ((flags & O_NOATIME)) && [ "$id" = - ] && tried_noatime=1
    ((!(flags & O_NOATIME))) && [ "$id" != - ] && plain_open=1
  done <"$log"
  if [ -z "$violations" ] && [ "$tried_noatime" = 1 ] && [ "$plain_open" = 1 ]; then
    ok "as nobody: O_NOATIME refused, opened read-only without it, no write open"
  else
    bad "as nobody: recorder log unexpected (violations: ${violations:-none}; log: $(tr '\n' '|' <"$log"))"
  fi
  after=$(echo "$(hash_noatime "$file") $(stat -c 'size=%s mtime=%y ctime=%z inode=%i' "$file")")
  [ "$before" = "$after" ] && ok "as nobody: content, size, mtime, ctime unchanged" ||
    bad "as nobody: the file changed: $before -> $after"
  if [ "$(stat -c %x "$file")" != "$atime_before" ]; then
    echo "#    as nobody: the access time moved, as the report warns ($atime_before -> $(stat -c %x "$file"))"
  else
    echo "#    as nobody: the access time did not move (mount options)"
  fi
}
nobody_case

[ "$atime_sensitive" = 1 ] || echo "#    note: atime comparisons above ran on a mount that does not update atime on read"
finish
