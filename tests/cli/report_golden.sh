#!/usr/bin/env bash
# The JSON report against docs/report.schema.json and against golden reports.
#
#  - golden: for each case below, `vdcheck --json [OPTIONS] IMAGE` run from the source tree
#    with a relative path; the values that vary between runs or machines (times, host, uid,
#    device, inode, the binary's path, the build, the version) are replaced by "<varies>" by
#    tests/tools/json_normalize, keeping their keys, and the result must equal
#    tests/golden/NAME.json byte for byte (the diff is printed otherwise);
#  - schema: every raw report (the golden cases, a multi-image NDJSON run, and a run on each
#    image in corpus/) validates against docs/report.schema.json, and `vdcheck map --json`
#    against its $defs/map; the reports of the shared corpus too when it is present
#    ($VDCHECK_SHARED_CORPUS, else SOURCE_DIR/../shared/corpus; its absence is only noted);
#  - negative: reports broken on purpose (verdict "ok", an unknown key, a short digest, ...)
#    must be rejected, so the schema can fail at all.
#
# Regenerate the golden files after an intended change of the report:
#   VDCHECK_UPDATE_GOLDEN=1 ctest --test-dir BUILD -R report_golden
# (or run this script with VDCHECK_UPDATE_GOLDEN=1), then review `git diff tests/golden`:
# the files must show what the reporter really writes. Never edit them by hand.
#
# usage: report_golden.sh VDCHECK SOURCE_DIR SCRATCH_DIR
#   json_schema_check and json_normalize are looked up next to the tests in the build tree;
#   $JSON_SCHEMA_CHECK and $JSON_NORMALIZE override.
set -uo pipefail
vdcheck=$1 src=$2 scratch=$3
update=${VDCHECK_UPDATE_GOLDEN:-0}
rm -rf "$scratch" && mkdir -p "$scratch"
scratch=$(cd "$scratch" && pwd)
vdcheck=$(cd "$(dirname "$vdcheck")" && pwd)/$(basename "$vdcheck")
src=$(cd "$src" && pwd)
schema=$src/docs/report.schema.json
goldens=$src/tests/golden
passed=0 failed=0

ok() { passed=$((passed + 1)); echo "ok   $1"; }
bad() { failed=$((failed + 1)); echo "FAIL $1"; }
indent() { sed 's/^/     /' "$@"; }

# find_tool NAME ENV_OVERRIDE: the tool built next to the tests (CMAKE_CURRENT_BINARY_DIR of
# tests/, which also holds scratch/NAME).
find_tool() {
  local candidate
  for candidate in ${2:-} "$scratch/../../$1" "$(dirname "$vdcheck")/tests/$1" "$(dirname "$vdcheck")/$1"; do
    if [ -x "$candidate" ] && [ -f "$candidate" ]; then echo "$candidate"; return 0; fi
  done
  echo "FAIL $1 not found (build the $1 target)" >&2
  return 1
}
checker=$(find_tool json_schema_check "${JSON_SCHEMA_CHECK:-}") || exit 1
normalize=$(find_tool json_normalize "${JSON_NORMALIZE:-}") || exit 1

# The values that vary between runs or machines. The evidence's noatime depends on who owns
# the checkout (O_NOATIME needs the owner or CAP_FOWNER), so it varies between machines too.
varies=(/tool/version '/tool/build/*' /source/mtime /custody/command_line/0 '/custody/host/*'
        /custody/uid /custody/started /custody/finished /custody/evidence/noatime)
for field in device inode mtime ctime atime; do
  varies+=("/custody/evidence/*/$field")
done
# A parent's path is resolved to an absolute one: where the scratch folder is.
varies+=('/chain/*/path')

# validate LABEL DOC...: every document validates against the report schema.
validate() {
  local label=$1; shift
  "$checker" "$schema" "$@" >"$scratch/check.out" 2>&1
  local rc=$?
  if [ "$rc" = 0 ]; then
    ok "$label"
  else
    bad "$label: json_schema_check exit $rc"; indent "$scratch/check.out" | head -40
  fi
}

cd "$src" || exit 1
mkdir -p "$scratch/raw" "$scratch/normalized"
[ "$update" = 1 ] && mkdir -p "$goldens"
cases=()

# golden NAME EXIT_STATUS VDCHECK_ARGUMENT...: one golden case, `vdcheck --json ARGS`.
golden() {
  local name=$1 want=$2; shift 2
  local raw=$scratch/raw/$name.json norm=$scratch/normalized/$name.json
  cases+=("$name")
  "$vdcheck" --json "$@" >"$raw" 2>"$scratch/raw/$name.err"
  local got=$?
  if [ "$got" = "$want" ]; then
    ok "$name: exit $got"
  else
    bad "$name: exit $got, want $want"; indent "$scratch/raw/$name.err"
  fi
  validate "$name: the report validates against the schema" "$raw"
  if ! "$normalize" "${varies[@]}" <"$raw" >"$norm"; then
    bad "$name: json_normalize failed"
    return
  fi
  if [ "$update" = 1 ]; then
    cp "$norm" "$goldens/$name.json" && ok "$name: golden file written" ||
      bad "$name: cannot write the golden file"
  elif [ ! -f "$goldens/$name.json" ]; then
    bad "$name: no tests/golden/$name.json (run with VDCHECK_UPDATE_GOLDEN=1)"
  elif diff -u --label "tests/golden/$name.json" --label "vdcheck --json $*" "$goldens/$name.json" "$norm" \
          >"$scratch/diff"; then
    ok "$name: matches tests/golden/$name.json"
  else
    bad "$name: differs from tests/golden/$name.json (VDCHECK_UPDATE_GOLDEN=1 rewrites it):"
    indent "$scratch/diff"
  fi
}

# Every format, clean and damaged, digests and windows, custody options, no image at all.
golden vhd-qemu-dynamic-8M-data-allhashes 0 --hash md5,sha1,sha256,sha512 --piecewise 1M \
  corpus/vhd/qemu-dynamic-8M-data.vhd
golden vhd-future-timestamp 0 corpus/vhd/future-timestamp.vhd
golden vhd-bad-footer-checksum 1 corpus/vhd/bad-footer-checksum.vhd
golden vhd-bad-dyn-cookie-fatal 1 --hash sha256 corpus/vhd/bad-dyn-cookie.vhd
golden vhdx-qemu-dynamic-8M-bs1M-data 0 --hash sha256 corpus/vhdx/qemu-dynamic-8M-bs1M-data.vhdx
golden vhdx-bad-header1-checksum 1 corpus/vhdx/bad-header1-checksum.vhdx
golden vdi-qemu-static-2M-data-custody 0 --hash sha1 --case CASE-2026-042 --examiner "A. Examiner" \
  --note "golden test" corpus/vdi/qemu-static-2M-data.vdi
golden vdi-map-duplicate 1 corpus/vdi/map-duplicate.vdi
golden bochs-bximage-growing-640K-data 0 --hash md5 corpus/bochs/bximage-growing-640K-data.img
golden bochs-catalog-entry-range 1 corpus/bochs/catalog-entry-range.img
golden unrecognized-license 2 LICENSE
golden missing-file 2 corpus/vhd/no-such-image.vhd

# Differencing chains from the shared corpus ($VDCHECK_SHARED_CORPUS, else
# SOURCE_DIR/../shared/corpus). A parent is looked for only in its child's folder, so each case
# copies its files into a scratch folder of its own and runs there with a relative path.
shared=${VDCHECK_SHARED_CORPUS:-$src/../shared/corpus}
# chain_golden NAME EXIT_STATUS "FILE..." VDCHECK_ARGUMENT...: the FILEs (relative to the
# shared corpus) copied into one folder, then `golden NAME EXIT_STATUS VDCHECK_ARGUMENT...` run
# in it.
chain_golden() {
  local name=$1 want=$2 files=$3 file; shift 3
  local dir=$scratch/chains/$name
  for file in $files; do
    if [ ! -f "$shared/$file" ]; then
      echo "note: no $shared/$file; golden case $name not run"
      cases+=("$name")
      return
    fi
  done
  mkdir -p "$dir"
  for file in $files; do cp "$shared/$file" "$dir/"; done
  cd "$dir" && golden "$name" "$want" "$@"
  cd "$src" || exit 1
}
# The VDI snapshot finds its parent by UUID in its folder: one matching link, a complete chain,
# and the merged disk hashed (the snapshot holds no block: the parent's digest).
chain_golden vdi-chain-parent-found 0 "vdi/openslx_image-default.vdi vdi/openslx_image-default_snapshot.vdi" \
  --hash sha256 openslx_image-default_snapshot.vdi
# The VHD child names a parent that is not there: an empty chain, image.parent.missing.
chain_golden vhd-chain-parent-missing 0 vhd/dfvfs_fat-differential.vhd dfvfs_fat-differential.vhd

# A golden file without a case is stale.
for file in "$goldens"/*.json; do
  [ -e "$file" ] || continue
  name=$(basename "$file" .json)
  [[ " ${cases[*]} " == *" $name "* ]] || bad "tests/golden/$name.json has no case in this script: remove it"
done

# json_normalize without pointers reprints a report byte for byte, so the golden files read
# like real reports.
for name in vhd-qemu-dynamic-8M-data-allhashes unrecognized-license; do
  "$normalize" <"$scratch/raw/$name.json" | cmp -s - "$scratch/raw/$name.json" &&
    ok "json_normalize reprints $name unchanged" || bad "json_normalize changes $name"
done

# Several images: one compact report per line (NDJSON), each the same report as alone.
multi=(corpus/vhd/future-timestamp.vhd corpus/vdi/map-duplicate.vdi LICENSE corpus/vhd/no-such-image.vhd)
"$vdcheck" --json "${multi[@]}" >"$scratch/multi.ndjson" 2>/dev/null
[ "$(wc -l <"$scratch/multi.ndjson")" = "${#multi[@]}" ] && ! grep -qv '^{.*}$' "$scratch/multi.ndjson" &&
  ok "NDJSON: one compact report per image" || bad "NDJSON: not one compact line per image"
validate "NDJSON: every line validates against the schema" "$scratch/multi.ndjson"
"$normalize" "${varies[@]}" /custody/command_line <"$scratch/multi.ndjson" >"$scratch/multi.normalized"
for name in vhd-future-timestamp vdi-map-duplicate unrecognized-license missing-file; do
  "$normalize" /custody/command_line <"$scratch/normalized/$name.json"
done >"$scratch/multi.expected"
diff -u "$scratch/multi.expected" "$scratch/multi.normalized" >"$scratch/diff" &&
  ok "NDJSON: the reports equal the single-image ones (but the command line)" ||
  { bad "NDJSON: the reports differ from the single-image ones"; indent "$scratch/diff"; }

# Every image of the corpus, with every digest and windows, alone and in one NDJSON run.
images=()
for file in corpus/*/*; do
  case $file in *.vhd | *.vhdx | *.vdi | *.img) images+=("$file") ;; esac
done
reports=()
for image in "${images[@]}"; do
  out=$scratch/corpus/${image#corpus/}.json
  mkdir -p "$(dirname "$out")"
  "$vdcheck" --json --hash md5,sha1,sha256,sha512 --piecewise 256K "$image" >"$out" 2>/dev/null
  reports+=("$out")
done
validate "corpus: the ${#images[@]} reports (every digest, 256K windows) validate" "${reports[@]}"
"$vdcheck" --json --log-view on-disk "${images[@]}" >"$scratch/corpus.ndjson" 2>/dev/null
[ "$(wc -l <"$scratch/corpus.ndjson")" = "${#images[@]}" ] && ok "corpus: one NDJSON line per image" ||
  bad "corpus: not one NDJSON line per image"
validate "corpus: the NDJSON run validates" "$scratch/corpus.ndjson"

# vdcheck map --json against $defs/map, through a schema that refers to it.
{
  printf '{"$schema": "https://json-schema.org/draft/2020-12/schema", "$ref": "#/$defs/map", "$defs": '
  "$normalize" --select '/$defs' <"$schema"
  printf '}\n'
} >"$scratch/map.schema.json"
maps=()
for image in "${images[@]}"; do
  out=$scratch/map/${image#corpus/}.json
  mkdir -p "$(dirname "$out")"
  "$vdcheck" map --json "$image" >"$out" 2>/dev/null
  [ -s "$out" ] && maps+=("$out")
done
if [ "${#maps[@]}" = 0 ]; then
  bad "map: no image of the corpus was mapped"
elif "$checker" "$scratch/map.schema.json" "${maps[@]}" >"$scratch/check.out" 2>&1; then
  ok "map: ${#maps[@]} maps validate against \$defs/map"
else
  bad "map: a map does not validate against \$defs/map"; indent "$scratch/check.out" | head -40
fi
printf '{"virtual_size": 4096, "extents": [{"offset": 0, "length": 4096, "kind": "data", "depth": 0}]}\n' \
  >"$scratch/map-bad.json"
"$checker" "$scratch/map.schema.json" "$scratch/map-bad.json" >/dev/null 2>&1
[ $? = 1 ] && ok "map: a data extent without file_offset is rejected" ||
  bad "map: a data extent without file_offset passes"

# The shared corpus, when it is there: every file, one NDJSON run (differencing images,
# parent locators, a pending VHDX log, files no format recognizes).
if [ -d "$shared" ]; then
  mapfile -t files < <(find "$shared" -type f | LC_ALL=C sort)
  "$vdcheck" --json "${files[@]}" >"$scratch/shared.ndjson" 2>/dev/null
  [ "$(wc -l <"$scratch/shared.ndjson")" = "${#files[@]}" ] &&
    ok "shared corpus: one NDJSON line per file" || bad "shared corpus: not one NDJSON line per file"
  validate "shared corpus: the ${#files[@]} reports validate" "$scratch/shared.ndjson"
else
  echo "note: no shared corpus at $shared; its reports were not validated"
fi

# Broken on purpose: each must be rejected (exit 1: valid JSON, invalid report), at the
# instance POINTER where the edit was made ("(root)" for the document).
# mutant LABEL SOURCE_CASE SED_SCRIPT POINTER
mutant() {
  local doc=$scratch/mutant.json
  sed "$3" "$scratch/raw/$2.json" >"$doc"
  if cmp -s "$doc" "$scratch/raw/$2.json"; then
    bad "rejects $1: the edit did not apply"
    return
  fi
  "$checker" "$schema" "$doc" >"$scratch/check.out" 2>&1
  local rc=$?
  if [ "$rc" != 1 ]; then
    bad "rejects $1: json_schema_check exit $rc, want 1"; indent "$scratch/check.out"
  elif ! grep -qF ": $4: " "$scratch/check.out"; then
    bad "rejects $1, but not at $4:"; indent "$scratch/check.out"
  else
    ok "rejects $1"
  fi
}
mutant 'verdict "ok"' vhd-future-timestamp 's/"verdict": "warnings"/"verdict": "ok"/' /verdict
mutant 'an unknown top-level key' vhd-future-timestamp \
  's/^  "schema": /  "surprise": true,\n  "schema": /' /surprise
mutant 'an unknown key in a finding' vhd-bad-footer-checksum \
  '0,/"severity": /s//"colour": "red", "severity": /' /findings/0/colour
mutant 'an unknown key in custody' vhd-future-timestamp 's/"uid": /"gid": 0, "uid": /' /custody/gid
mutant 'a 63-digit sha256' vhd-qemu-dynamic-8M-data-allhashes \
  '0,/"sha256": "[0-9a-f]/s//"sha256": "/' /hashes/container/sha256
mutant 'an md5 window digest under sha512' vhd-qemu-dynamic-8M-data-allhashes \
  '0,/"digest": "[0-9a-f]*"/s//"digest": "0123456789abcdef0123456789abcdef"/' \
  /piecewise/windows/0/digest
mutant 'a missing summary' vhd-future-timestamp '/"summary": {/,/}/d' '(root)'
mutant 'a null fact' vhd-future-timestamp 's/"footer_used": "end"/"footer_used": null/' \
  /image/details/footer_used
mutant 'a finding id that is not dotted lower case' vhd-bad-footer-checksum \
  's/"id": "vhd\.footer\.checksum"/"id": "VHD_FOOTER_CHECKSUM"/' /findings/0/id
mutant 'a severity outside the four' vhd-bad-footer-checksum \
  '0,/"severity": "error"/s//"severity": "critical"/' /findings/0/severity
mutant 'an index below -1' vhd-bad-footer-checksum '0,/"index": -1/s//"index": -2/' /findings/0/index
mutant 'verdict clean with an error counted' vhd-qemu-dynamic-8M-data-allhashes \
  's/"error": 0/"error": 1/' /summary/error
mutant 'unreadable without an error' missing-file '/"error": {/,/}/d' '(root)'
mutant 'an image of an unknown format' vhd-future-timestamp 's/"format": "vhd"/"format": "qcow2"/' \
  /image/format
mutant 'a started time without nanoseconds' vhd-future-timestamp \
  's/\("started": "[^".]*\)\.[0-9]*Z"/\1Z"/' /custody/started
mutant 'a file size that is not an integer' unrecognized-license \
  's/"file_size": \([0-9]*\)/"file_size": "\1"/' /source/file_size
# The chain: closed like the rest, and consistent with chain_complete.
if [ -f "$scratch/raw/vdi-chain-parent-found.json" ]; then
  mutant 'an unknown key in a chain link' vdi-chain-parent-found \
    '0,/"identity_match": /s//"trusted": true, "identity_match": /' /chain/0/trusted
  mutant 'a complete chain with an identity mismatch' vdi-chain-parent-found \
    '0,/"identity_match": true/s//"identity_match": false/' /chain/0/identity_match
  mutant 'a link at depth 0' vdi-chain-parent-found '0,/"depth": 1/s//"depth": 0/' /chain/0/depth
  mutant 'an identity value expected as a string' vdi-chain-parent-found \
    '0,/"expected": \[/{/"expected": \[/{N;s/"expected": \[\n *\("[^"]*"\)/"expected": \1, "was": [/}}' \
    /chain/0/identity/0/expected
  mutant 'a complete chain read with --no-parent' vdi-chain-parent-found \
    's/"unallocated": "parent"/"unallocated": "parent", "parent": "read_as_zero"/' /chain_complete
  mutant 'a clean parent with a warning counted' vdi-chain-parent-found \
    '0,/"warning": 0/s//"warning": 1/' /chain/0/summary/warning
fi
if [ -f "$scratch/raw/vhd-chain-parent-missing.json" ]; then
  mutant 'a complete chain without a link' vhd-chain-parent-missing \
    's/"chain_complete": false/"chain_complete": true/' /chain
  mutant 'a chain without chain_complete' vhd-chain-parent-missing '/"chain_complete": /d' '(root)'
fi
mutant 'a chain for an image that needs no parent' vhd-future-timestamp \
  's/^  "findings": /  "chain": [],\n  "chain_complete": false,\n  "findings": /' '(root)'
# ... while the fact trees stay open to new facts.
sed 's/"footer_used": "end"/"footer_used": "end", "future_fact": {"list": [1, -2, true, "s"]}/' \
  "$scratch/raw/vhd-future-timestamp.json" >"$scratch/open.json"
"$checker" "$schema" "$scratch/open.json" >"$scratch/check.out" 2>&1 &&
  ! cmp -s "$scratch/open.json" "$scratch/raw/vhd-future-timestamp.json" &&
  ok "accepts a new fact in image.details" ||
  { bad "rejects a new fact in image.details"; indent "$scratch/check.out"; }

[ "$update" = 1 ] && echo "golden files rewritten in $goldens: review them with git diff"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
