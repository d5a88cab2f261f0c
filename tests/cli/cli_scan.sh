#!/usr/bin/env bash
# vdcheck scan over a tree of a few hundred images of every format, hidden among junk:
# nested folders, odd and misleading extensions, empty files, a FIFO, links in and out of
# the tree, an image with a bad checksum. The expected list of images is what the test put
# there (never vdcheck's own output): every image reported once, in `LC_ALL=C sort` order,
# nothing from outside the tree, the same output whatever --jobs is, exit status 1.
# usage: cli_scan.sh VDCHECK SOURCE_DIR SCRATCH_DIR
set -uo pipefail
vdcheck=$1 src=$2 scratch=$3
. "$src/tests/harness/shell_lib.sh"
tools=$(dirname "$vdcheck")/tests
rm -rf "$scratch" && mkdir -p "$scratch/tree" "$scratch/outside" "$scratch/out"
tree=$scratch/tree out=$scratch/out
passed=0 failed=0
check() { if [ "$2" = 0 ]; then passed=$((passed + 1)); echo "ok   $1"; else failed=$((failed + 1)); echo "FAIL $1"; fi; }
export LC_ALL=C

# ---- the tree ------------------------------------------------------------------------
# Images: every bundled corpus image, each copied several times under other names and
# extensions (.bin, .dat, none, upper case) in nested folders. expected.txt lists them.
: >"$out/expected.txt"
n=0
for image in "$src"/corpus/vhd/*.vhd "$src"/corpus/vhdx/*.vhdx "$src"/corpus/vdi/*.vdi \
  "$src"/corpus/bochs/*.img; do
  base=$(basename "$image")
  for copy in 1 2 3 4 5 6; do
    case $copy in
    1) dest=$tree/$base ;;
    2) dest=$tree/case-$((n % 7))/disk-$n.bin ;;
    3) dest="$tree/case-$((n % 7))/evidence/item $n.dat" ;;
    4) dest=$tree/deep/a/b/c/d/$n ;;
    5) dest=$tree/UPPER/${base^^} ;;
    6) dest=$tree/mixed/$n.${base##*.}.txt ;;
    esac
    mkdir -p "$(dirname "$dest")"
    cp "$image" "$dest"
    echo "$dest" >>"$out/expected.txt"
    n=$((n + 1))
  done
done
# Junk: a JPEG named .vhd, text named .vhdx, random bytes named .vdi, empty files, and a
# file that merely starts with "conectix" text in the middle.
printf '\xff\xd8\xff\xe0\x00\x10JFIF\x00' >"$tree/photo.vhd"
head -c 70000 /dev/urandom >>"$tree/photo.vhd"
echo "not a disk" >"$tree/notes.vhdx"
head -c 4096 /dev/urandom >"$tree/case-1/random.vdi"
: >"$tree/empty.vhd"
: >"$tree/deep/empty"
printf 'hello conectix world\n' >"$tree/mixed/readme"
junk=6
# A FIFO (never opened: it would block), a link to an image outside the tree (not
# followed by default), a link to a folder inside, a dangling link.
mkfifo "$tree/pipe.vhd"
cp "$src/corpus/vhd/qemu-fixed-4M-data.vhd" "$scratch/outside/secret.vhd"
ln -s "$scratch/outside/secret.vhd" "$tree/link-out.vhd"
ln -s "$scratch/outside" "$tree/link-out-dir"
ln -s "deep" "$tree/link-in-dir"
ln -s "nowhere.vhd" "$tree/dangling.vhd"
sort -o "$out/expected.txt" "$out/expected.txt"
images=$(wc -l <"$out/expected.txt")
[ "$images" -ge 300 ]
check "the tree holds $images images and $junk junk files" $?

# ---- scan --json: every image once, in order, nothing else ------------------------------
paths() { "$tools/json_normalize" --select /source/path <"$1" | sed 's/^"//; s/"$//'; }
timeout 300 "$vdcheck" scan "$tree" --jobs 2 --json >"$out/j2.ndjson" 2>"$out/j2.err"
st=$?
[ "$st" = 1 ]
check "exit status 1: some images have error findings ($st)" $?
paths "$out/j2.ndjson" >"$out/j2.paths"
diff "$out/expected.txt" "$out/j2.paths" >"$out/j2.diff"
check "every image reported exactly once, in sorted path order ($(wc -l <"$out/j2.paths") lines)" $?
! grep -Eq "outside|secret|link-|pipe|/photo.vhd$|/notes.vhdx$|/random.vdi$|/empty.vhd$|/deep/empty$|/readme$" "$out/j2.paths"
check "no junk, no link, nothing from outside the tree" $?
"$tools/json_schema_check" "$src/docs/report.schema.json" "$out/j2.ndjson" >"$out/schema.txt"
check "every line validates against docs/report.schema.json" $?
[ "$(grep '"path":"[^"]*/tree/bad-footer-checksum.vhd"' "$out/j2.ndjson" |
  grep -c '"id":"vhd.footer.checksum"')" = 1 ]
check "the image with a bad footer checksum says vhd.footer.checksum" $?

# The summary on stderr: counts by format, verdicts, bytes.
want_vhd=$(($(ls "$src"/corpus/vhd/*.vhd | wc -l) * 6))
want_vhdx=$(($(ls "$src"/corpus/vhdx/*.vhdx | wc -l) * 6))
grep -q "; $images images (" "$out/j2.err" && grep -q "vhd $want_vhd" "$out/j2.err" &&
  grep -q "vhdx $want_vhdx" "$out/j2.err" && grep -q "verdicts: clean [0-9]*, warnings" "$out/j2.err"
check "the stderr summary counts images by format and verdict" $?
grep -q "skipped (links, devices)" "$out/j2.err" && grep -q "; 5 skipped" "$out/j2.err"
check "links and the FIFO are skipped and counted (5)" $?

# ---- deterministic whatever --jobs ----------------------------------------------------------
for jobs in 1 5; do
  "$vdcheck" scan "$tree" --jobs $jobs --json >"$out/j$jobs.ndjson" 2>/dev/null
done
for f in j1 j2 j5; do "$tools/json_normalize" /custody <"$out/$f.ndjson" >"$out/$f.norm"; done
cmp -s "$out/j1.norm" "$out/j2.norm" && cmp -s "$out/j1.norm" "$out/j5.norm"
check "--jobs 1, 2 and 5 write the same reports in the same order" $?

# ---- --all: one unrecognized line per junk file -------------------------------------------
"$vdcheck" scan "$tree" --all --json >"$out/all.ndjson" 2>/dev/null
[ "$(wc -l <"$out/all.ndjson")" = $((images + junk)) ] &&
  [ "$(grep -c '"verdict":"unrecognized"' "$out/all.ndjson")" = "$junk" ]
check "--all adds one unrecognized line for each of the $junk junk files" $?

# ---- text and XML --------------------------------------------------------------------------
"$vdcheck" scan "$tree" --text >"$out/scan.txt" 2>/dev/null
[ "$(wc -l <"$out/scan.txt")" = "$images" ] && grep -q '^errors .*bad-footer-checksum.vhd  vhd.footer.checksum$' "$out/scan.txt"
check "--text: one line per image, with the worst finding ids" $?
"$vdcheck" scan "$tree" --xml --hash sha256 >"$out/scan.xml" 2>/dev/null
"$tools/xsd_validate" "$src/docs/vdcheck.xsd" "$out/scan.xml" >/dev/null &&
  [ "$(grep -c '^<fileobject>' "$out/scan.xml")" = "$images" ] &&
  grep -q "<vdcheck:images>$images</vdcheck:images>" "$out/scan.xml"
check "--xml: one DFXML document, a fileobject per image, valid against the XSD" $?

# ---- filters ------------------------------------------------------------------------------
"$vdcheck" scan "$tree" --json --include '*.bin' >"$out/bin.ndjson" 2>/dev/null
[ "$(wc -l <"$out/bin.ndjson")" = "$(grep -c '\.bin$' "$out/expected.txt")" ]
check "--include '*.bin' takes only those files" $?
"$vdcheck" scan "$tree" --json --exclude deep --exclude 'case-*' >"$out/ex.ndjson" 2>/dev/null
[ "$(wc -l <"$out/ex.ndjson")" = "$(grep -vc '/deep/\|/case-' "$out/expected.txt")" ]
check "--exclude skips whole folders" $?

# ---- shards: disjoint, and together the whole -------------------------------------------------
for k in 1 2 3; do
  "$vdcheck" scan "$tree" --json --shard $k/3 >"$out/shard$k.ndjson" 2>/dev/null
  paths "$out/shard$k.ndjson" >"$out/shard$k.paths"
done
sort "$out"/shard?.paths >"$out/shards.paths"
cmp -s "$out/shards.paths" "$out/expected.txt" && [ -s "$out/shard1.paths" ] &&
  [ -s "$out/shard2.paths" ] && [ -s "$out/shard3.paths" ]
check "--shard 1/3, 2/3, 3/3: disjoint, none empty, together every image once" $?
"$vdcheck" scan "$tree/../tree/" --json --shard 2/3 >"$out/shard2b.ndjson" 2>/dev/null
[ "$(wc -l <"$out/shard2b.ndjson")" = "$(wc -l <"$out/shard2.paths")" ]
check "a shard depends on the path below the root, not on how the root is spelled" $?

# ---- links followed when asked ------------------------------------------------------------
"$vdcheck" scan "$tree" --json --follow-symlinks >"$out/follow.ndjson" 2>"$out/follow.err"
paths "$out/follow.ndjson" >"$out/follow.paths"
# link-out-dir/secret.vhd sorts first; link-out.vhd is the same file, so it is not repeated.
[ "$(grep -Ec 'link-out-dir/secret.vhd$|link-out.vhd$' "$out/follow.paths")" = 1 ] &&
  ! grep -q 'link-in-dir' "$out/follow.paths" &&
  [ "$(wc -l <"$out/follow.paths")" = $((images + 1)) ]
check "--follow-symlinks: the outside image once, the linked inner folder not twice" $?

# ---- the report file never lands in the tree; a FIFO never hangs ------------------------------
"$vdcheck" scan "$tree" --json -o "$tree/report.ndjson" 2>"$out/inside.err"
st=$?
[ "$st" = 64 ] && [ ! -e "$tree/report.ndjson" ] && grep -q "inside scanned folder" "$out/inside.err"
check "-o inside a scanned folder is refused (exit $st), nothing created" $?
"$vdcheck" scan "$tree" --json -o "$out/report.ndjson" 2>/dev/null
cmp -s <("$tools/json_normalize" /custody <"$out/report.ndjson") "$out/j1.norm"
check "-o outside the tree writes the same reports" $?

# Review findings: a link as -o is refused (it could lead into the evidence); a file taken
# by --include is found through a link even when its target was turned down; hidden files
# match '*'; a missing root is reported by every shard.
ln -s "$tree/via-link.ndjson" "$out/link.ndjson"
"$vdcheck" scan "$tree" --json -o "$out/link.ndjson" 2>"$out/link.err"
st=$?
[ "$st" = 64 ] && [ ! -e "$tree/via-link.ndjson" ] && grep -q "symbolic link" "$out/link.err"
check "-o through a symbolic link is refused (exit $st), nothing created" $?
mkdir -p "$scratch/inc"
cp "$src/corpus/vhd/qemu-fixed-4M-data.vhd" "$scratch/inc/a.vhd"
ln -s a.vhd "$scratch/inc/b.vhd"
cp "$src/corpus/vhd/qemu-fixed-4M-data.vhd" "$scratch/inc/.hidden.vhd"
"$vdcheck" scan "$scratch/inc" --json --follow-symlinks --include 'b*' >"$out/inc.ndjson" 2>/dev/null
[ "$(paths "$out/inc.ndjson")" = "$scratch/inc/b.vhd" ]
check "--follow-symlinks --include 'b*': the link's target is found under the link's name" $?
"$vdcheck" scan "$scratch/inc" --json --exclude '*.vhd' >"$out/hidden.ndjson" 2>/dev/null
[ ! -s "$out/hidden.ndjson" ]
check "--exclude '*.vhd' also excludes a hidden .hidden.vhd" $?
for k in 1 2 3; do
  "$vdcheck" scan "$scratch/no-such-folder" --json --shard $k/3 >"$out/missing$k.ndjson" 2>/dev/null
  st=$?
  [ "$st" = 2 ] && grep -q '"verdict":"unreadable"' "$out/missing$k.ndjson"
  check "a missing root is reported by shard $k/3 (exit $st)" $?
done

# ---- unreadable files and folders: reported, skipped, exit 2 ----------------------------------
# As root permissions do not bite, so that part runs as nobody on a world-readable copy.
locked=$(mktemp -d /tmp/vdscan.XXXXXX)
chmod 755 "$locked"
mkdir -p "$locked/tree/shut" "$locked/tree/open"
cp "$src/corpus/vhd/qemu-fixed-4M-data.vhd" "$locked/tree/open/a.vhd"
cp "$src/corpus/vhd/qemu-fixed-4M-data.vhd" "$locked/tree/open/b.vhd"
cp "$src/corpus/vhd/qemu-fixed-4M-data.vhd" "$locked/tree/shut/c.vhd"
chmod 644 "$locked/tree/open/a.vhd"
chmod 000 "$locked/tree/open/b.vhd" "$locked/tree/shut"
as_user=()
if [ "$(id -u)" = 0 ]; then
  as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
fi
"${as_user[@]}" "$vdcheck" scan "$locked/tree" --json >"$out/locked.ndjson" 2>"$out/locked.err"
st=$?
[ "$st" = 2 ] && grep -q 'open/a.vhd.*"verdict":"clean"' "$out/locked.ndjson" &&
  grep -q 'open/b.vhd.*"verdict":"unreadable"' "$out/locked.ndjson" &&
  grep -q 'tree/shut.*"verdict":"unreadable"' "$out/locked.ndjson" &&
  grep -q "2 unreadable" "$out/locked.err" && grep -q "shut: Permission denied" "$out/locked.err"
check "an unreadable file and folder are reported and skipped, the rest scanned (exit $st)" $?
chmod -R u+rwX "$locked" && rm -rf "$locked"

# ---- usage ----------------------------------------------------------------------------------
for bad in "--shard 0/3" "--shard 4/3" "--shard 1" "--jobs 0" "--jobs 999" "--hash nope"; do
  "$vdcheck" scan "$tree" $bad >/dev/null 2>&1
  [ $? = 64 ]
  check "usage error: scan $bad" $?
done
"$vdcheck" scan >/dev/null 2>&1
[ $? = 64 ]
check "usage error: no folder" $?

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
