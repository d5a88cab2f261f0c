#!/usr/bin/env bash
# The command line: exit statuses, output formats, the catalog document, -o safety, and
# that evidence is never modified (content, mtime, ctime) by any subcommand.
# usage: cli_check.sh VDCHECK SOURCE_DIR SCRATCH_DIR
set -uo pipefail
vdcheck=$1 src=$2 scratch=$3
corpus=$src/corpus/vhd
rm -rf "$scratch" && mkdir -p "$scratch"
passed=0 failed=0

ok() { passed=$((passed + 1)); echo "ok   $1"; }
bad() { failed=$((failed + 1)); echo "FAIL $1"; }
expect_status() { # want label command...
  local want=$1 label=$2; shift 2
  "$@" >"$scratch/out" 2>"$scratch/err"
  local got=$?
  if [ "$got" = "$want" ]; then ok "$label (exit $got)"; else bad "$label: exit $got, want $want"; cat "$scratch/err"; fi
}

expect_status 0 "clean image" "$vdcheck" "$corpus/qemu-dynamic-8M-data.vhd"
expect_status 0 "warnings only" "$vdcheck" check "$corpus/future-timestamp.vhd"
expect_status 1 "error findings" "$vdcheck" "$corpus/bad-footer-checksum.vhd"
expect_status 1 "fatal findings" "$vdcheck" "$corpus/bad-dyn-cookie.vhd"
expect_status 2 "unrecognized" "$vdcheck" "$src/README.md"
expect_status 2 "missing file" "$vdcheck" "$scratch/nope.vhd"
expect_status 2 "directory" "$vdcheck" "$scratch"
expect_status 1 "worst of several" "$vdcheck" --json "$corpus/qemu-dynamic-8M-empty.vhd" "$corpus/bad-dyn-checksum.vhd"
[ "$(wc -l <"$scratch/out")" = 2 ] && ok "one JSON line per image" || bad "one JSON line per image"
expect_status 64 "no image" "$vdcheck" check
expect_status 64 "unknown option" "$vdcheck" --bogus "$corpus/qemu-dynamic-8M-empty.vhd"
expect_status 64 "unknown digest" "$vdcheck" --hash crc32 "$corpus/qemu-dynamic-8M-empty.vhd"
expect_status 0 "version" "$vdcheck" --version
grep -q '^vdcheck [0-9]' "$scratch/out" && ok "version text" || bad "version text"
expect_status 0 "help" "$vdcheck" --help

# JSON report contract (DESIGN.md): the keys are there, in the right shape.
"$vdcheck" --json --hash md5,sha256 "$corpus/qemu-dynamic-8M-data.vhd" >"$scratch/r.json"
for key in '"schema": "vdcheck.report/1"' '"tool": {' '"source": {' '"image": {' \
           '"read_semantics": {' '"hashes": {' '"container": {' '"virtual": {' \
           '"findings": \[' '"summary": {' '"verdict": "clean"' '"vhd_bitmap": "honored"'; do
  grep -q "$key" "$scratch/r.json" && ok "json has $key" || bad "json has $key"
done
"$vdcheck" --json "$corpus/bad-footer-checksum.vhd" >"$scratch/r.json"
grep -q '"id": "vhd.footer.checksum"' "$scratch/r.json" && grep -q '"expected": "0xffffeea9"' "$scratch/r.json" \
  && ok "json finding with expected value" || bad "json finding with expected value"

# The catalog document is generated and must not be stale.
"$vdcheck" findings --markdown >"$scratch/findings.md"
cmp -s "$scratch/findings.md" "$src/docs/findings.md" && ok "docs/findings.md is current" ||
  bad "docs/findings.md is stale: run vdcheck findings --markdown > docs/findings.md"

# -o writes the report, and never over an input.
expect_status 0 "-o FILE" "$vdcheck" --json -o "$scratch/report.json" "$corpus/qemu-dynamic-8M-empty.vhd"
grep -q '"verdict": "clean"' "$scratch/report.json" && ok "-o content" || bad "-o content"

# Evidence untouched: a 0444 copy in a 0555 folder, hashed and stat'ed before and after.
ev=$scratch/evidence
mkdir -p "$ev"
cp "$corpus/qemu-dynamic-8M-data.vhd" "$corpus/bad-footer-checksum.vhd" "$ev/"
chmod 0444 "$ev"/*.vhd && chmod 0555 "$ev"
before=$(cd "$ev" && sha256sum ./*.vhd && stat -c '%n %s %Y %Z %i' ./*.vhd)
"$vdcheck" --hash md5,sha1,sha256,sha512 "$ev"/*.vhd >/dev/null
"$vdcheck" --json "$ev"/*.vhd >/dev/null
"$vdcheck" check --text "$ev"/*.vhd >/dev/null
expect_status 64 "-o naming an input is refused" "$vdcheck" -o "$ev/bad-footer-checksum.vhd" "$ev/bad-footer-checksum.vhd"
after=$(cd "$ev" && sha256sum ./*.vhd && stat -c '%n %s %Y %Z %i' ./*.vhd)
[ "$before" = "$after" ] && ok "evidence unchanged (content, size, mtime, ctime, inode)" || bad "evidence changed"
[ -z "$(ls -A "$ev" | grep -v '\.vhd$')" ] && ok "nothing created next to evidence" || bad "files created next to evidence"
chmod 0755 "$ev"

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
