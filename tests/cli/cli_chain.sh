#!/usr/bin/env bash
# Differencing chains from the command line: --parent-dir, --no-parent, map depths and
# verify, on the openslx VirtualBox pair of the shared corpus (a snapshot and its base).
# usage: cli_chain.sh VDCHECK SOURCE_DIR SCRATCH_DIR
set -uo pipefail
vdcheck=$1 src=$2 scratch=$3
. "$src/tests/harness/shell_lib.sh"
shared=$src/../shared/corpus/vdi
[ -f "$shared/openslx_image-default_snapshot.vdi" ] || vd_skip "../shared/corpus is not present"
rm -rf "$scratch" && mkdir -p "$scratch/child" "$scratch/base" "$scratch/out"
cp "$shared/openslx_image-default_snapshot.vdi" "$scratch/child/snap.vdi"
cp "$shared/openslx_image-default.vdi" "$scratch/base/base.vdi"
child=$scratch/child/snap.vdi out=$scratch/out
passed=0 failed=0
check() { if [ "$2" = 0 ]; then passed=$((passed + 1)); echo "ok   $1"; else failed=$((failed + 1)); echo "FAIL $1"; fi; }
virtual_sha() { tr -d '\n ' <"$1" | sed -n 's/.*"virtual":{"sha256":"\([0-9a-f]*\)".*/\1/p'; }

# The parent is in another folder: missing, no virtual hash, exit 0 (a warning).
"$vdcheck" --json --hash sha256 "$child" >"$out/alone.json"; st=$?
[ "$st" = 0 ] && grep -q '"id": "image.parent.missing"' "$out/alone.json" &&
  grep -q '"chain_complete": false' "$out/alone.json" && [ -z "$(virtual_sha "$out/alone.json")" ]
check "parent elsewhere: image.parent.missing, no virtual hash (exit $st)" $?

# --parent-dir finds it: the chain is complete and the merged disk hashes like the base
# (the snapshot holds no block of its own).
"$vdcheck" --json --hash sha256 --parent-dir "$scratch/base" -o "$out/chain.json" "$child"; st=$?
"$vdcheck" --json --hash sha256 "$scratch/base/base.vdi" >"$out/base.json"
[ "$st" = 0 ] && grep -q '"chain_complete": true' "$out/chain.json" &&
  [ -n "$(virtual_sha "$out/chain.json")" ] &&
  [ "$(virtual_sha "$out/chain.json")" = "$(virtual_sha "$out/base.json")" ]
check "--parent-dir: chain complete, merged hash = the base's" $?

# --no-parent: hashed with the parent's sectors as zeros, and the report says so.
"$vdcheck" --json --hash sha256 --no-parent "$child" >"$out/zero.json"
want=$(head -c 1073741824 /dev/zero | sha256sum | cut -c1-64)
[ "$(virtual_sha "$out/zero.json")" = "$want" ] && grep -q '"parent": "read_as_zero"' "$out/zero.json"
check "--no-parent: the missing parent reads as zeros (read_semantics.parent)" $?

# map: depth 1 with the parent, a parent extent without it.
"$vdcheck" map --json --parent-dir "$scratch/base" "$child" >"$out/map.json"
grep -q '"kind": "unallocated", "depth": 1' "$out/map.json"
check "map --parent-dir: the extents come from depth 1" $?
"$vdcheck" map --json "$child" >"$out/map-alone.json"
grep -q '"kind": "parent"}' "$out/map-alone.json"
check "map without the parent: parent extents, no depth" $?

# verify needs the same roots; a report made with --no-parent is verified with it.
"$vdcheck" verify "$child" --against "$out/chain.json" --parent-dir "$scratch/base" >"$out/v1" 2>&1
[ $? = 0 ] && grep -q '^VERIFIED' "$out/v1"
check "verify with --parent-dir: VERIFIED" $?
"$vdcheck" verify "$child" --against "$out/chain.json" >"$out/v2" 2>&1
[ $? = 1 ] && grep -q 'MISMATCH  virtual sha256' "$out/v2"
check "verify without the parent's folder: the virtual digest is not computed (exit 1)" $?
"$vdcheck" verify "$child" --against "$out/zero.json" >"$out/v3" 2>&1
[ $? = 0 ] && grep -q '^VERIFIED' "$out/v3"
check "verify of a --no-parent report reads the parent as zeros again" $?

# -o never lands on a disk image, even one that only the chain resolution would open.
before=$(sha256sum "$scratch/base/base.vdi")
"$vdcheck" --json --parent-dir "$scratch/base" -o "$scratch/base/base.vdi" "$child" >/dev/null 2>"$out/o.err"
[ $? = 64 ] && [ "$(sha256sum "$scratch/base/base.vdi")" = "$before" ] && grep -q 'vdi image' "$out/o.err"
check "-o naming the parent's file is refused, the parent untouched" $?

# Usage: at most 15 roots.
args=()
for i in $(seq 16); do args+=(--parent-dir "$scratch"); done
"$vdcheck" "${args[@]}" "$child" >/dev/null 2>&1
[ $? = 64 ]
check "16 --parent-dir roots are a usage error" $?

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
