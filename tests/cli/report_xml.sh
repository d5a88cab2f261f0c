#!/usr/bin/env bash
# The XML (DFXML) report: every report vdcheck writes for the corpus (all formats, clean and
# damaged, with and without digests, piecewise windows and custody fields), an unrecognized
# file, a missing file, several images at once and hostile names is valid against
# docs/vdcheck.xsd (which imports docs/dfxml.xsd), and says what the JSON report says:
# digests, piecewise windows, findings, summary, verdict. The validator is shown to reject
# broken documents, so the validation can fail.
# usage: report_xml.sh VDCHECK SOURCE_DIR SCRATCH_DIR
set -uo pipefail
vdcheck=$1 src=$2 scratch=$3
schema=$src/docs/vdcheck.xsd
rm -rf "$scratch" && mkdir -p "$scratch"
passed=0 failed=0

ok() { passed=$((passed + 1)); echo "ok   $1"; }
bad() { failed=$((failed + 1)); echo "FAIL $1"; }
check() { # label command...: passes when the command succeeds
  local label=$1; shift
  if "$@"; then ok "$label"; else bad "$label"; fi
}
absent() { ! LC_ALL=C grep -q "$@"; } # grep ARGS... finds nothing

# The validator is built next to the tests; $XSD_VALIDATE overrides.
validator=
for candidate in ${XSD_VALIDATE:-} "$(dirname "$vdcheck")/tests/xsd_validate" "$scratch/../../xsd_validate"; do
  if [ -x "$candidate" ] && [ -f "$candidate" ]; then validator=$candidate; break; fi
done
if [ -z "$validator" ]; then
  echo "FAIL xsd_validate not found (build the xsd_validate target)"
  exit 1
fi

# validate WANT LABEL DOC...: the validator's exit status must be WANT.
validate() {
  local want=$1 label=$2; shift 2
  "$validator" "$schema" "$@" >"$scratch/validate.out" 2>&1
  local got=$?
  if [ "$got" = "$want" ]; then
    ok "$label (validator exit $got)"
  else
    bad "$label: validator exit $got, want $want"
    grep -v ': valid$' "$scratch/validate.out" | head -20
  fi
}

# ---- extraction with grep/sed: one "name value" line per item ----

json_digests() { # FILE container|virtual
  sed -n "/\"$2\": {/,/}/p" "$1" | sed -n 's/^ *"\([a-z0-9]*\)": "\([0-9a-f]*\)",\{0,1\}$/\1 \2/p'
}
xml_digest_lines() { sed -n 's/.*hashdigest type="\([a-z0-9]*\)">\([0-9a-f]*\)<.*/\1 \2/p'; }
xml_container() { sed -n '/<source>/,/<\/source>/p' "$1" | xml_digest_lines; }
xml_virtual() {
  sed -n '/<vdcheck:virtual_disk>/,/<vdcheck:piecewise\|<\/vdcheck:virtual_disk>/p' "$1" |
    grep -v '<vdcheck:piecewise' | xml_digest_lines
}
json_windows() { sed -n 's/^ *"digest": "\([0-9a-f]*\)".*/\1/p' "$1"; }
xml_windows() {
  sed -n '/<byte_runs>/,/<\/byte_runs>/p' "$1" | xml_digest_lines | sed 's/^[a-z0-9]* //'
}
json_summary() {
  for s in fatal error warning info; do
    printf '%s %s\n' "$s" "$(sed -n "/\"summary\": {/,/}/s/^ *\"$s\": \([0-9]*\).*/\1/p" "$1")"
  done
}
xml_summary() {
  for s in fatal error warning info; do
    printf '%s %s\n' "$s" "$(sed -n "s/.*<vdcheck:summary .*\b$s=\"\([0-9]*\)\".*/\1/p" "$1")"
  done
}
json_verdict() { sed -n 's/^ *"verdict": "\([a-z]*\)".*/\1/p' "$1"; }
xml_verdict() { sed -n 's/.*<vdcheck:verdict>\([a-z]*\)<.*/\1/p' "$1"; }
json_virtual_size() { sed -n '/"image": {/,$s/^ *"virtual_size": \([0-9]*\).*/\1/p' "$1" | head -1; }

# compare NAME XML JSON: the XML report says what the JSON report says (a chain's links too:
# their findings, summaries and verdicts come before the image's own in both).
compare() {
  local name=$1 xml=$2 json=$3 want got
  [ "$(xml_container "$xml")" = "$(json_digests "$json" container)" ] &&
    ok "$name: container digests" || bad "$name: container digests differ"
  [ "$(xml_virtual "$xml")" = "$(json_digests "$json" virtual)" ] &&
    ok "$name: virtual digests" || bad "$name: virtual digests differ"
  [ "$(xml_windows "$xml")" = "$(json_windows "$json")" ] &&
    ok "$name: piecewise digests" || bad "$name: piecewise digests differ"
  want=$(grep -c '"severity": ' "$json") got=$(grep -c '<vdcheck:finding ' "$xml")
  [ "$got" = "$want" ] && ok "$name: $got findings" || bad "$name: $got findings, JSON has $want"
  [ "$(xml_summary "$xml")" = "$(json_summary "$json")" ] &&
    ok "$name: summary" || bad "$name: summary differs"
  [ "$(xml_verdict "$xml")" = "$(json_verdict "$json")" ] && [ -n "$(json_verdict "$json")" ] &&
    ok "$name: verdict $(xml_verdict "$xml" | tail -1)" || bad "$name: verdict differs"
}

# windows NAME XML JSON: one byte_run per 1 MiB window of the virtual disk, when it was hashed.
windows() {
  local name=$1 xml=$2 json=$3 runs size want
  runs=$(grep -c '<byte_run ' "$xml")
  if [ -n "$(json_digests "$json" virtual)" ]; then
    size=$(json_virtual_size "$json")
    want=$(( (size + 1048575) / 1048576 ))
    hashed=$((hashed + 1))
  else
    want=0 # no virtual digest (unresolved parent, fatal finding, unhashed): no windows
  fi
  [ "$runs" = "$want" ] && ok "$name: $runs byte_runs" || bad "$name: $runs byte_runs, want $want"
}

# split_lines FILE: each line of a multi-image report becomes a document to validate.
split_lines() {
  local i=0 line
  while IFS= read -r line; do
    i=$((i + 1))
    printf '%s\n' "$line" >"$1.$i.xml"
    docs+=("$1.$i.xml")
  done <"$1"
}

# ---- every corpus image, two ways ----
full=(--hash md5,sha1,sha256,sha512 --piecewise 1M --case X --examiner Y --note Z)
docs=() n=0 hashed=0
for f in "$src"/corpus/{vhd,vhdx,vdi,bochs}/*.{vhd,vhdx,vdi,img}; do
  [ -e "$f" ] || continue
  n=$((n + 1))
  name=${f#"$src"/corpus/}
  plain=$scratch/plain-$n.xml xml=$scratch/full-$n.xml json=$scratch/full-$n.json
  "$vdcheck" --xml --no-progress "$f" >"$plain"
  "$vdcheck" --xml --no-progress "${full[@]}" "$f" >"$xml"
  xs=$?
  "$vdcheck" --json --no-progress "${full[@]}" "$f" >"$json"
  js=$?
  [ "$xs" = "$js" ] && ok "$name: exit $xs as with --json" || bad "$name: exit $xs, --json $js"
  compare "$name" "$xml" "$json"
  windows "$name" "$xml" "$json"
  docs+=("$plain" "$xml")
done
[ "$n" -ge 40 ] && ok "$n corpus images" || bad "only $n corpus images found"
[ "$hashed" -ge 30 ] && ok "$hashed with a virtual disk digest" || bad "only $hashed with a virtual digest"
# The comparisons can fail: another image's digests differ.
[ "$(xml_container "$scratch/full-1.xml")" != "$(json_digests "$scratch/full-2.json" container)" ] &&
  ok "digest comparison tells images apart" || bad "digest comparison is vacuous"

# An unrecognized file and a missing one still give a whole report.
"$vdcheck" --xml "$src/README.md" >"$scratch/unrecognized.xml"
"$vdcheck" --json "$src/README.md" >"$scratch/unrecognized.json"
compare "README.md" "$scratch/unrecognized.xml" "$scratch/unrecognized.json"
"$vdcheck" --xml "${full[@]}" "$scratch/nope.vhd" >"$scratch/missing.xml"
"$vdcheck" --json "${full[@]}" "$scratch/nope.vhd" >"$scratch/missing.json"
compare "missing file" "$scratch/missing.xml" "$scratch/missing.json"
check "missing file: error status" grep -q '<vdcheck:status>input/output error</vdcheck:status>' "$scratch/missing.xml"
check "missing file: no image element" absent '<vdcheck:image>' "$scratch/missing.xml"
docs+=("$scratch/unrecognized.xml" "$scratch/missing.xml")

# The DFXML part and the custody block.
x=$scratch/clean.xml
"$vdcheck" --xml "${full[@]}" "$src/corpus/vhd/qemu-dynamic-8M-data.vhd" >"$x"
docs+=("$x")
for key in '^<?xml version="1.0" encoding="UTF-8"?>$' \
           '^<dfxml version="1.0" .*xmlns="http://www.forensicswiki.org/wiki/Category:Digital_Forensics_XML"' \
           '<dc:type>Disk Image Validation</dc:type>' '<program>vdcheck</program>' \
           '<library name="libxml2" version="' '<vdcheck:build_type>' '<command_line>.* --case X ' \
           '<start_time>2[0-9-]*T' '<image_filename>.*/corpus/' '<vdcheck:case>X</vdcheck:case>' \
           '<vdcheck:examiner>Y</vdcheck:examiner>' '<vdcheck:note>Z</vdcheck:note>' \
           '<vdcheck:unchanged>true</vdcheck:unchanged>' '<vdcheck:piecewise algorithm="sha512" size="1048576">' \
           '<byte_run img_offset="1048576" len="1048576">' '<vdcheck:hashdigest type="sha512">'; do
  check "xml has $key" grep -q "$key" "$x"
done
check "no sha512 in a DFXML hashdigest" absent '<hashdigest type="sha512"' "$x"
check "plain report: no digests, no custody names" absent 'hashdigest\|<vdcheck:case>' "$scratch/plain-1.xml"

# Text XML 1.0 cannot carry: a control byte in a path and in --note (not UTF-8 text for the
# JSON report either), U+FFFF in a path and U+FFFE in --case (valid UTF-8, but not XML).
ln -s "$src/corpus/vhd/bad-footer-checksum.vhd" "$scratch/"$'ctl\x01name.vhd'
ln -s "$src/corpus/vhd/bad-footer-checksum.vhd" "$scratch/"$'nonchar\xef\xbf\xbf.vhd'
"$vdcheck" --xml --note $'a\x01b' --case $'\xef\xbf\xbe' "$scratch/"$'ctl\x01name.vhd' \
  "$scratch/"$'nonchar\xef\xbf\xbf.vhd' >"$scratch/hostile.xml"
check "hostile name: no control byte in the document" \
  absent $'[\x01-\x08\x0b\x0c\x0e-\x1f]' "$scratch/hostile.xml"
check "hostile name: no U+FFFF in the document" absent $'\xef\xbf\xbf' "$scratch/hostile.xml"
check "hostile name: no U+FFFE in the document" absent $'\xef\xbf\xbe' "$scratch/hostile.xml"
check "control byte in a path: image_filename in hex" grep -q '<image_filename>hex:.*63746c016e616d652e766864<' "$scratch/hostile.xml"
check "U+FFFF in a path: image_filename in hex" grep -q '<image_filename>hex:.*6e6f6e63686172efbfbf2e766864<' "$scratch/hostile.xml"
check "control byte in --note: hex" grep -q '<vdcheck:note>hex:610162</vdcheck:note>' "$scratch/hostile.xml"
check "U+FFFE in --case: hex" grep -q '<vdcheck:case>hex:efbfbe</vdcheck:case>' "$scratch/hostile.xml"
split_lines "$scratch/hostile.xml"

# Several images: one document per line, each valid on its own.
"$vdcheck" --xml "$src/corpus/vhd/bad-footer-checksum.vhd" "$src/README.md" \
  "$src/corpus/vdi/qemu-dynamic-4M-data.vdi" >"$scratch/several.xml"
check "several images: three lines" test "$(wc -l <"$scratch/several.xml")" = 3
split_lines "$scratch/several.xml"

# ---- differencing chains from the shared corpus: a parent found, a parent missing ----
# ($VDCHECK_SHARED_CORPUS, else SOURCE_DIR/../shared/corpus; its absence is only noted)
shared=${VDCHECK_SHARED_CORPUS:-$src/../shared/corpus}
json_links() { grep -c '^      "depth": ' "$1"; } # elements of the top-level chain array
json_link_paths() { sed -n 's/^      "path": "\(.*\)",$/\1/p' "$1"; }
xml_link_paths() { sed -n 's/.*<vdcheck:path>\(.*\)<\/vdcheck:path>.*/\1/p' "$1"; }
# chain_case NAME LINKS COMPLETE IMAGE FILE...: the FILEs (relative to the shared corpus) are
# copied into one folder, where the parent search looks; the XML report of IMAGE is valid (with
# the others below), has LINKS vdcheck:link elements, as many as the JSON chain has elements,
# the same parents and identity entries, complete="COMPLETE", and says what the JSON says.
chain_case() {
  local name=$1 links=$2 complete=$3 image=$4 file; shift 4
  local dir=$scratch/chains/$name xml=$scratch/$name.xml json=$scratch/$name.json got want
  for file in "$@"; do
    if [ ! -f "$shared/$file" ]; then
      echo "note: no $shared/$file; chain case $name not run"
      return
    fi
  done
  mkdir -p "$dir"
  for file in "$@"; do cp "$shared/$file" "$dir/"; done
  "$vdcheck" --xml --no-progress --hash sha256 "$dir/$image" >"$xml"
  "$vdcheck" --json --no-progress --hash sha256 "$dir/$image" >"$json"
  compare "$name" "$xml" "$json"
  check "$name: the JSON report has a chain" grep -q '^  "chain": \[' "$json"
  got=$(grep -c '<vdcheck:link ' "$xml") want=$(json_links "$json")
  [ "$got" = "$want" ] && [ "$got" = "$links" ] && ok "$name: $got vdcheck:link, $want in the JSON chain" ||
    bad "$name: $got vdcheck:link, $want in the JSON chain, want $links"
  [ "$(xml_link_paths "$xml")" = "$(json_link_paths "$json")" ] && ok "$name: the same parents" ||
    bad "$name: the parents differ"
  got=$(grep -c '<vdcheck:identity ' "$xml") want=$(grep -c '^ *"match": ' "$json")
  [ "$got" = "$want" ] && ok "$name: $got identity entries" || bad "$name: $got identity entries, JSON has $want"
  check "$name: chain complete=\"$complete\"" grep -q "<vdcheck:chain complete=\"$complete\"/\{0,1\}>" "$xml"
  check "$name: chain_complete $complete in JSON" grep -q "^  \"chain_complete\": $complete,$" "$json"
  docs+=("$xml")
}
chain_case vdi-parent-found 1 true openslx_image-default_snapshot.vdi \
  vdi/openslx_image-default.vdi vdi/openslx_image-default_snapshot.vdi
chain_case vhd-parent-missing 0 false dfvfs_fat-differential.vhd vhd/dfvfs_fat-differential.vhd
if [ -f "$scratch/vdi-parent-found.xml" ]; then
  x=$scratch/vdi-parent-found.xml
  check "vdi-parent-found: the link found by identity, matching" \
    grep -q '<vdcheck:link depth="1" identity_match="true">' "$x"
  check "vdi-parent-found: no asked path (found by search)" absent '<vdcheck:asked>' "$x"
  check "vdi-parent-found: uuid_create matches" grep -q '<vdcheck:identity name="uuid_create" match="true">' "$x"
  # The validator can fail on a link: a link without its verdict, an unknown link attribute.
  with_link=$x
fi

for d in "${docs[@]}"; do
  grep -q '^<dfxml ' "$d" || bad "root element of $d is not dfxml"
done
validate 0 "${#docs[@]} reports valid against docs/vdcheck.xsd" "${docs[@]}"
schema=$src/docs/dfxml.xsd validate 0 "dfxml.xsd as the entry point too" "${docs[@]:0:4}"

# ---- the validator can fail ----
with_finding=
for ((k = 1; k <= n; k++)); do
  if grep -q '<vdcheck:finding ' "$scratch/full-$k.xml"; then with_finding=$scratch/full-$k.xml; break; fi
done
broken() { # LABEL SED-SCRIPT: the edited report must be rejected
  sed "$2" "$with_finding" >"$scratch/broken.xml"
  if cmp -s "$with_finding" "$scratch/broken.xml"; then bad "$1: the edit changed nothing"; return; fi
  validate 1 "rejects $1" "$scratch/broken.xml"
}
broken "an unknown severity" '0,/severity="[a-z]*"/s//severity="bogus"/'
broken "a finding without message" '/<vdcheck:message>/d'
broken "a report without verdict" '/<vdcheck:verdict>/d'
broken "sha512 as a DFXML hashdigest" 's|<vdcheck:hashdigest type="sha512">\(.*\)</vdcheck:hashdigest>|<hashdigest type="sha512">\1</hashdigest>|'
broken "a u64 fact that is negative" '0,/<vdcheck:u64 name="\([a-z_]*\)">[0-9]*</s//<vdcheck:u64 name="\1">-1</'
broken "an unknown vdcheck element" 's|<vdcheck:summary |<vdcheck:extra/><vdcheck:summary |'
broken "an unnamed object member" '0,/<vdcheck:string name="[a-z_]*">/s//<vdcheck:string>/'
if [ -n "${with_link:-}" ]; then
  with_finding=$with_link
  broken "a link without depth" 's/<vdcheck:link depth="1" /<vdcheck:link /'
  broken "a link deeper than 64" 's/<vdcheck:link depth="1" /<vdcheck:link depth="65" /'
  broken "a chain without complete" 's/<vdcheck:chain complete="true">/<vdcheck:chain>/'
  broken "an identity without an expected value" '/<vdcheck:identity name="uuid_create"/,/<\/vdcheck:identity>/{/<vdcheck:expected>/d}'
  broken "a link without its verdict" '/<vdcheck:link /,/<\/vdcheck:link>/{/<vdcheck:verdict>/d}'
fi
printf '<dfxml version="1.0"' >"$scratch/unclosed.xml"
validate 1 "rejects a document that is not well-formed" "$scratch/unclosed.xml"
validate 2 "a missing document is unreadable" "$scratch/absent.xml"

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
