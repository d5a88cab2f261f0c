#!/usr/bin/env bash
# Oracle: `vdcheck map` against `qemu-img map`, against the bytes QEMU reads, and against
# the allocation the writer must have made.
#
# Images: qemu-img creates VHD (vpc dynamic and fixed), VHDX (dynamic and fixed, with and
# without block_state_zero) and VDI (dynamic, static, one with a partial last block), plus
# never-written VHD, VHDX and VDI;
# qemu-io writes random patterns (vd_qemu_random_writes); bximage converts seeded random raw
# files with zero holes into Bochs growing images; two shared-corpus VHDs whose footer size
# and CHS size differ are mapped too. For every image:
#  1. `vdcheck map --json` exits 0, parses as JSON and validates against the map schema
#     (docs/report.schema.json's $defs/map when it has one, else the inline schema below),
#     and its extents tile [0, virtual_size) exactly: sorted, contiguous, no overlap, no
#     empty extent, file_offset on data extents only, depth 0 (no parents here);
#  2. the text form lists the same extents (same count, same values);
#  3. virtual_size equals qemu-img info's virtual-size (VHD: see below);
#  4. where QEMU's driver reports host offsets (vpc, vdi): the guest ranges qemu-img map
#     calls data:true, with their "offset", equal vdcheck's data extents with file_offset,
#     both merged where adjacent ranges continue each other in guest AND host offsets; and
#     the union of qemu's data:false ranges equals the union of vdcheck's zero and
#     unallocated extents. qemu's "zero" flag is not compared: for allocated data it only
#     says the host file has a hole there (static VDI, fixed VHD: zero:true data:true);
#  5. content: every data extent's bytes at file_offset in the image equal the guest bytes
#     of `qemu-img convert -O raw` (Bochs: also the raw file bximage converted), and every
#     zero/unallocated extent reads as zeros there;
#  6. allocation: vd_qemu_random_writes never writes a zero byte and qemu allocates a whole
#     block on its first write (bximage: stores exactly the non-zero sectors), so on a
#     sparse variant the data extents are exactly the blocks (Bochs: sectors) holding a
#     non-zero byte of the raw disk; on a preallocated variant (VHD fixed, VDI static, VHDX
#     fixed with block_state_zero=off) the whole disk is data.
#
# What QEMU 7.2 does differently (checked here, so a change shows up):
#  - VHDX and Bochs: QEMU's drivers implement no block-status call, so qemu-img map reports
#    the whole disk as one data:true range with no "offset". Check 4 cannot apply; checks 5
#    and 6 stand in for it. That one-range answer is asserted, so a QEMU that starts to
#    report offsets fails here and this comment (and the mode) must be updated.
#  - VHDX fixed as qemu-img creates it by default (block_state_zero=on) is not
#    preallocated in the BAT's eyes: every entry is PAYLOAD_BLOCK_ZERO, and qemu-io's first
#    write to a block allocates a new one at the end of the file. vdcheck maps the unwritten
#    blocks as "zero", like a dynamic disk (the BAT of a dynamic disk created by default is
#    ZERO too; with block_state_zero=off it is NOT_PRESENT, mapped "unallocated").
#  - VHD virtual size: vdcheck uses the footer's current_size (docs/formats/vhd.md); QEMU
#    uses the CHS geometry (C*H*S*512) unless the creator is one it knows to use
#    current_size ("qem2", "win ", "d2v ", ...) or the geometry is the maximum. For images
#    qemu-img creates, both agree (it rounds the size to the geometry, or writes "qem2" with
#    force_size). For the shared-corpus VHDs (FreeBSD mkimg "*img" 6 MiB, Virtual PC
#    127 GiB) QEMU's size is smaller; there vdcheck's size must be the footer's
#    current_size, QEMU's must be smaller, and checks 4 and 5 compare only below QEMU's size.
#  - qemu-img map never reports an allocated-but-zero block as data:false: a block qemu
#    allocated (also one written with zeros) is data:true, zero:false (VHD dynamic, VDI
#    dynamic); this matches vdcheck's "data".
# Damaged images that cannot be mapped (a 3 MiB VHDX block size, a VHD dynamic header
# with a bad cookie, a VDI whose block map is cut off): `vdcheck map` exits 2, prints
# nothing on stdout and a reason on stderr, in both text and JSON form.
#
# usage: oracle_map.sh VDCHECK SOURCE_DIR SCRATCH_DIR   (seed: VDCHECK_TEST_SEED, writes
#        per image: VDCHECK_ORACLE_WRITES; shared corpus: VDCHECK_SHARED_CORPUS, else
#        SOURCE_DIR/../shared/corpus; the schema tool: JSON_SCHEMA_CHECK)
set -euo pipefail
vdcheck=$1 src=$2 scratch=$3
shared=${VDCHECK_SHARED_CORPUS:-$src/../shared/corpus}
. "$src/tests/harness/shell_lib.sh"
vd_oracle_begin qemu-img qemu-io bximage openssl od cmp

ok() { total=$((total + 1)); echo "ok   $1"; }
bad() { total=$((total + 1)) fails=$((fails + 1)); echo "FAIL $1"; }

# ------------------------------------------------------------------ JSON schema --
tool=
for candidate in ${JSON_SCHEMA_CHECK:-} "$scratch/../../json_schema_check" \
                 "$(dirname "$vdcheck")/tests/json_schema_check" "$(dirname "$vdcheck")/json_schema_check"; do
  if [ -x "$candidate" ] && [ -f "$candidate" ]; then tool=$candidate; break; fi
done
[ -n "$tool" ] || { echo "FAIL json_schema_check not found (build the json_schema_check target)"; exit 1; }

# json_defs FILE [KEY]: the value of the root object's "$defs" member (a JSON-aware scan:
# braces inside strings do not count); with KEY, prints KEY if "$defs" has that member.
json_defs() {
  awk -v want="${2:-}" '
    { text = text $0 "\n" }
    END {
      n = length(text); depth = 0; instr = 0; str = ""; key = ""; start = 0
      for (i = 1; i <= n; i++) {
        c = substr(text, i, 1)
        if (instr) {
          if (c == "\\") { str = str c substr(text, i + 1, 1); i++; continue }
          if (c == "\"") { instr = 0; last = str } else str = str c
          continue
        }
        if (c == "\"") { instr = 1; str = ""; continue }
        if (c == ":") { key = last; continue }
        if (c == "{" || c == "[") {
          depth++
          if (depth == 2 && key == "$defs" && c == "{" && !start) start = i
          if (start && depth == 3 && want != "" && key == want) found = 1
          continue
        }
        if (c == "}" || c == "]") {
          if (start && depth == 2) { end = i; break }
          depth--
          continue
        }
        if (c == ",") key = ""
      }
      if (want != "") { if (found) print want }
      else if (start && end) print substr(text, start, end - start + 1)
    }' "$1"
}

map_schema=$scratch/map.schema.json
report_schema=$src/docs/report.schema.json
if [ -f "$report_schema" ] && [ "$(json_defs "$report_schema" map)" = map ]; then
  { printf '{"$schema": "https://json-schema.org/draft/2020-12/schema",\n "$ref": "#/$defs/map",\n "$defs": '
    json_defs "$report_schema"
    printf '}\n'; } >"$map_schema"
  echo "map schema: \$defs/map of docs/report.schema.json"
else
  # The map contract of DESIGN.md; parents carry depth >= 1 once chains are resolved.
  cat >"$map_schema" <<'EOF'
{"$schema": "https://json-schema.org/draft/2020-12/schema",
 "type": "object", "required": ["virtual_size", "extents"], "additionalProperties": false,
 "properties": {
  "virtual_size": {"type": "integer", "minimum": 0},
  "extents": {"type": "array", "items": {
   "type": "object", "required": ["offset", "length", "kind"], "additionalProperties": false,
   "properties": {
    "offset": {"type": "integer", "minimum": 0},
    "length": {"type": "integer", "minimum": 1},
    "kind": {"enum": ["data", "zero", "unallocated", "parent"]},
    "file_offset": {"type": "integer", "minimum": 0},
    "depth": {"type": "integer", "minimum": 0}},
   "allOf": [
    {"if": {"properties": {"kind": {"const": "data"}}},
     "then": {"required": ["file_offset"]}, "else": {"not": {"required": ["file_offset"]}}},
    {"if": {"properties": {"kind": {"const": "parent"}}},
     "then": {"properties": {"depth": {"minimum": 1}}},
     "else": {"required": ["depth"], "properties": {"depth": {"const": 0}}}}]}}}}
EOF
  echo "map schema: inline (docs/report.schema.json has no \$defs/map yet)"
fi

# ---------------------------------------------------------------------- parsing --
# Numbers go through awk as doubles (exact below 2^53) and are printed with %.0f: mawk's
# %d stops at 2^31.

# vd_extents MAP.json: "offset length kind file_offset|- depth|-" per extent, in order.
vd_extents() {
  awk 'BEGIN { RS = "}" }
    function get(key,   v) {
      if (!match($0, "\"" key "\": *[^,}]*")) return "-"
      v = substr($0, RSTART, RLENGTH); sub(/^[^:]*: */, "", v); gsub(/"/, "", v); return v
    }
    get("length") != "-" { print get("offset"), get("length"), get("kind"), get("file_offset"), get("depth") }' "$1"
}
# vd_virtual_size MAP.json
vd_virtual_size() { sed -n '1s/^{"virtual_size": \([0-9]*\),.*/\1/p' "$1"; }
# qemu_extents QEMU.json: "start length data|hole offset|-" per range (depth 0 only).
qemu_extents() {
  awk 'BEGIN { RS = "}" }
    function get(key,   v) {
      if (!match($0, "\"" key "\": *[^,}]*")) return "-"
      v = substr($0, RSTART, RLENGTH); sub(/^[^:]*: */, "", v); return v
    }
    get("length") != "-" && get("depth") == 0 {
      print get("start"), get("length"), (get("data") == "true" ? "data" : "hole"), get("offset")
    }' "$1"
}
# vd_text_extents MAP.txt: the text form (offset length kind depth file_offset) as
# "offset length kind file_offset|- depth|-" in decimal, the order of vd_extents.
vd_text_extents() {
  awk 'function hex(s,   i, v) {
         v = 0; s = tolower(s); sub(/^0x/, "", s)
         for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
         return v
       }
       /^0x/ { printf "%.0f %.0f %s %s %s\n", hex($1), hex($2), $3, ($5 == "-" ? "-" : sprintf("%.0f", hex($5))), $4 }' "$1"
}
# ranges KIND LIMIT < "start length kind offset": the KIND ranges ("data": with offsets;
# "hole": zero/unallocated/hole, no offsets; "guest": data without offsets) cut at LIMIT,
# merged where they continue each other (data: in guest and host offsets).
ranges() {
  awk -v want="$1" -v lim="$2" '
    { k = ($3 == "data") ? "data" : "hole" }
    (want == "guest" ? "data" : want) != k || $1 >= lim { next }
    {
      s = $1; l = $2; o = (want == "data") ? $4 : 0
      if (s + l > lim) l = lim - s
      if (n && s == ps + pl && (want != "data" || o == po + pl)) { pl += l; next }
      if (n) out()
      ps = s; pl = l; po = o; n = 1
    }
    function out() { if (want == "data") printf "%.0f %.0f %.0f\n", ps, pl, po; else printf "%.0f %.0f\n", ps, pl }
    END { if (n) out() }'
}
# tiling VSIZE < vd_extents: nothing when the extents tile [0, VSIZE), else what is wrong.
tiling() {
  awk -v vs="$1" '
    function fail(m) { print "extent " NR " (" $0 "): " m; bad = 1; exit }
    {
      if ($1 != pos) fail("starts at " $1 ", the previous one ends at " pos)
      if ($2 < 1) fail("is empty")
      if ($3 !~ /^(data|zero|unallocated|parent)$/) fail("unknown kind")
      if (($3 == "data") != ($4 != "-")) fail("file_offset on data extents only")
      if ($3 != "parent" && $5 != "0") fail("depth is not 0")
      pos = $1 + $2
    }
    END { if (!bad && pos != vs) printf "the extents end at %.0f, the virtual size is %.0f\n", pos, vs }'
}
# nonzero_ranges RAW GRANULE LIMIT: the granules of RAW (aligned, GRANULE a multiple of
# 512) that hold a non-zero byte, cut at LIMIT, merged.
nonzero_ranges() {
  od -An -v -tx8 -w512 "$1" | { grep -vn '^\( 0\{16\}\)*$' || true; } | cut -d: -f1 |
    awk -v g="$2" -v lim="$3" '
      { s = int((($1 - 1) * 512) / g) * g; if (s >= lim) next
        e = s + g; if (e > lim) e = lim
        if (n && s <= pe) { if (e > pe) pe = e; next }
        if (n) printf "%.0f %.0f\n", ps, pe - ps
        ps = s; pe = e; n = 1 }
      END { if (n) printf "%.0f %.0f\n", ps, pe - ps }'
}
# same LABEL WANT_FILE GOT_FILE
same() {
  if cmp -s "$2" "$3"; then ok "$1"; else
    bad "$1"; { diff "$2" "$3" || true; } | head -8 | sed 's/^/     /'
  fi
}
be64() { od -An -tu1 -j "$2" -N 8 "$1" | awk '{ v = 0; for (i = 1; i <= NF; i++) v = v * 256 + $i; printf "%.0f\n", v }'; }

# ------------------------------------------------------------------------ cases --
# map_case LABEL IMAGE FMT QEMU_MODE ALLOC GRANULE [RAW...]
#   QEMU_MODE: offsets (qemu-img map gives host offsets: check 4) | none (one data range
#   without offsets, asserted); ALLOC: sparse | full | unknown (check 6); GRANULE: the
#   allocation unit for check 6; RAW: more raw files that must equal the guest bytes.
map_case() {
  local label=$1 img=$2 fmt=$3 mode=$4 alloc=$5 gran=$6; shift 6
  local m=$scratch/m.json t=$scratch/m.txt q=$scratch/q.json rc vs qvs lim e
  echo "-- $label"
  rc=0; "$vdcheck" map --json "$img" >"$m" 2>"$scratch/err" || rc=$?
  if [ "$rc" != 0 ]; then bad "$label: map --json exit $rc: $(head -2 "$scratch/err")"; return; fi
  "$tool" "$map_schema" "$m" >"$scratch/schema.out" 2>&1 && ok "$label: JSON valid against the map schema" ||
    { bad "$label: JSON invalid"; head -5 "$scratch/schema.out" | sed 's/^/     /'; }
  vs=$(vd_virtual_size "$m")
  vd_extents "$m" >"$scratch/vd.lst"
  e=$(tiling "$vs" <"$scratch/vd.lst")
  [ -z "$e" ] && ok "$label: $(wc -l <"$scratch/vd.lst") extents tile [0, $vs)" || bad "$label: tiling: $e"

  rc=0; "$vdcheck" map "$img" >"$t" 2>"$scratch/err" || rc=$?
  vd_text_extents "$t" >"$scratch/text.lst"
  if [ "$rc" = 0 ] && [ "$(grep -c '^0x' "$t")" = "$(wc -l <"$scratch/vd.lst")" ]; then
    same "$label: text form lists the same $(wc -l <"$scratch/vd.lst") extents" "$scratch/vd.lst" "$scratch/text.lst"
  else
    bad "$label: text form: exit $rc, $(grep -c '^0x' "$t") extent lines, JSON has $(wc -l <"$scratch/vd.lst")"
  fi

  # virtual size
  qvs=$(qemu-img info --output=json -f "$fmt" "$img" | sed -n 's/.*"virtual-size": \([0-9]*\).*/\1/p')
  lim=$vs
  if [ "$fmt" = vpc ]; then
    local fs cur
    fs=$(stat -c %s "$img"); cur=$(be64 "$img" $((fs - 512 + 48)))
    [ "$vs" = "$cur" ] && ok "$label: virtual_size $vs = the footer's current_size" ||
      bad "$label: virtual_size $vs, footer current_size $cur"
    if [ "$qvs" = "$vs" ]; then ok "$label: qemu virtual-size $qvs agrees"
    elif [ "$qvs" -lt "$vs" ]; then
      ok "$label: qemu virtual-size $qvs (CHS) < current_size $vs: compared below $qvs"; lim=$qvs
    else bad "$label: qemu virtual-size $qvs > current_size $vs"; fi
  else
    [ "$qvs" = "$vs" ] && ok "$label: virtual_size $vs = qemu's" || bad "$label: virtual_size $vs, qemu $qvs"
  fi

  # qemu-img map
  qemu-img map --output=json -f "$fmt" "$img" >"$q"
  qemu_extents "$q" >"$scratch/q.lst"
  if [ "$mode" = offsets ]; then
    if grep -q ' data -$' "$scratch/q.lst"; then
      bad "$label: qemu-img map gave data ranges without offsets"
    else
      ranges data "$lim" <"$scratch/q.lst" >"$scratch/qd"; ranges data "$lim" <"$scratch/vd.lst" >"$scratch/vdd"
      same "$label: data extents and file offsets = qemu-img map's ($(wc -l <"$scratch/vdd") merged)" "$scratch/qd" "$scratch/vdd"
      ranges hole "$lim" <"$scratch/q.lst" >"$scratch/qh"; ranges hole "$lim" <"$scratch/vd.lst" >"$scratch/vdh"
      same "$label: zero+unallocated = qemu's data:false ranges ($(wc -l <"$scratch/vdh") merged)" "$scratch/qh" "$scratch/vdh"
    fi
  else
    [ "$(cat "$scratch/q.lst")" = "0 $qvs data -" ] &&
      ok "$label: qemu-img map: one data range, no offsets (no block status in QEMU's $fmt driver)" ||
      bad "$label: qemu-img map now says more than one offset-less data range: update this test ($(head -3 "$scratch/q.lst" | tr '\n' ';'))"
  fi

  # content, against qemu's raw (and the given raw files)
  local raw=$scratch/q.raw big=$(( 512 * 1024 * 1024 ))
  if [ "$lim" -gt "$big" ]; then
    echo "     (no content check: $lim bytes)"
  else
    qemu-img convert -f "$fmt" -O raw "$img" "$raw"
    local r good=1 s l o
    for r in "$@"; do
      cmp -s -n "$lim" "$r" "$raw" || { good=0; echo "     $r differs from qemu's raw"; }
    done
    while read -r s l o; do
      cmp -s -n "$l" -i "$o:$s" "$img" "$raw" || { good=0; echo "     data extent at $s ($l bytes, file $o) differs"; }
    done < <(ranges data "$lim" <"$scratch/vd.lst")
    while read -r s l; do
      cmp -s -n "$l" -i "$s:0" "$raw" /dev/zero || { good=0; echo "     zero/unallocated extent at $s ($l bytes) is not zero"; }
    done < <(ranges hole "$lim" <"$scratch/vd.lst")
    [ "$good" = 1 ] && ok "$label: data extents hold the guest bytes qemu reads, the others read zero" ||
      bad "$label: content differs"
    case $alloc in
      sparse)
        nonzero_ranges "$raw" "$gran" "$lim" >"$scratch/nz"
        ranges guest "$lim" <"$scratch/vd.lst" >"$scratch/vdg"
        same "$label: data = the ${gran}-byte units holding non-zero bytes" "$scratch/nz" "$scratch/vdg" ;;
      full)
        echo "0 $lim" >"$scratch/nz"
        ranges guest "$lim" <"$scratch/vd.lst" >"$scratch/vdg"
        same "$label: preallocated: all data" "$scratch/nz" "$scratch/vdg" ;;
    esac
    rm -f "$raw"
  fi
}

# block_size IMAGE: image.block_size from vdcheck's report
block_size() { "$vdcheck" --json "$1" | sed -n 's/^    "block_size": \([0-9]*\),\{0,1\}$/\1/p' | head -1; }

# qemu_case FMT "CREATE OPTS" SIZE QEMU_MODE ALLOC
qemu_case() {
  local fmt=$1 opts=$2 size=$3 mode=$4 alloc=$5 img bytes bs
  img=$scratch/$fmt-$(tr -c 'a-zA-Z0-9=' _ <<<"$opts")-$size.img
  # shellcheck disable=SC2086
  qemu-img create -q -f "$fmt" ${opts:+-o $opts} "$img" "$size"
  bytes=$(qemu-img info --output=json -f "$fmt" "$img" | sed -n 's/.*"virtual-size": \([0-9]*\).*/\1/p')
  bs=$(block_size "$img")
  if [ -z "$bs" ]; then # a fixed VHD has no blocks
    [ "$alloc" = full ] || { bad "$fmt $opts $size: no block_size in vdcheck's report"; return; }
    bs=2097152
  fi
  vd_qemu_random_writes "$fmt" "$img" "$bytes" "$bs" "$nwrites"
  map_case "$fmt ${opts:-default} $size ($nwrites writes, block $bs)" "$img" "$fmt" "$mode" "$alloc" "$bs"
  [ "${KEEP:-0}" = 1 ] || rm -f "$img"
}

qemu_case vpc subformat=dynamic 20M offsets sparse
qemu_case vpc subformat=dynamic 70000128 offsets sparse
qemu_case vpc subformat=fixed 9M offsets full
qemu_case vpc subformat=dynamic,force_size=on 6000128 offsets sparse
qemu_case vhdx "" 24M none sparse
qemu_case vhdx block_size=2M 64M none sparse
qemu_case vhdx subformat=dynamic,block_size=1M,block_state_zero=off 10M none sparse
qemu_case vhdx subformat=fixed 12M none sparse
qemu_case vhdx subformat=fixed,block_size=1M 40M none sparse
qemu_case vhdx subformat=fixed,block_state_zero=off 5M none full
qemu_case vdi "" 20M offsets sparse
qemu_case vdi "" 3000064 offsets sparse
qemu_case vdi "" 50000128 offsets sparse
qemu_case vdi static=on 6M offsets full
# Never written: no data at all (VHDX: zero blocks).
for spec in vpc:offsets vhdx:none vdi:offsets; do
  fmt=${spec%:*} img=$scratch/empty.$fmt
  qemu-img create -q -f "$fmt" "$img" 16M
  map_case "$fmt empty 16M" "$img" "$fmt" "${spec#*:}" sparse "$(block_size "$img")"
  rm -f "$img"
done

# Bochs: bximage converts a seeded random raw file with zero holes (as oracle_bochs.sh).
for size in 1048576 3147264; do
  raw=$scratch/bochs-$size.raw img=$scratch/bochs-$size.img
  vd_random_raw "$raw" "$size" map 16
  bximage -func=convert -imgmode=growing -q "$raw" "$img" >/dev/null
  map_case "bochs growing $size (bximage)" "$img" bochs none sparse 512 "$raw"
  [ "${KEEP:-0}" = 1 ] || rm -f "$raw" "$img"
done

# VHDs from other writers whose CHS size is below current_size (QEMU takes the CHS size).
for name in img-1x1-512-gpt.mkimg2015.vhd virtualpc-dynamic.vhd; do
  if [ -r "$shared/vhd/$name" ]; then
    map_case "shared corpus $name" "$shared/vhd/$name" vpc offsets unknown 0
  elif [ "${VDCHECK_NO_SKIP:-0}" = 1 ]; then
    bad "shared corpus image $shared/vhd/$name missing"
  else
    echo "note: $shared/vhd/$name missing: CHS-size case not run"
  fi
done

# ------------------------------------------------------ images that cannot be mapped --
qemu-img create -q -f vdi "$scratch/cut.vdi" 64M
qemu-io -f vdi -c "write -P 7 0 1M" "$scratch/cut.vdi" >/dev/null
head -c 600 "$scratch/cut.vdi" >"$scratch/cut-block-map.vdi" # header 512, block map at 512
for img in "$src/corpus/vhdx/bad-block-size-3M.vhdx" "$src/corpus/vhd/bad-dyn-cookie.vhd" \
           "$scratch/cut-block-map.vdi"; do
  for form in --json ""; do
    rc=0; "$vdcheck" map $form "$img" >"$scratch/out" 2>"$scratch/err" || rc=$?
    if [ "$rc" = 2 ] && [ ! -s "$scratch/out" ] && grep -q 'not mapped' "$scratch/err"; then
      ok "unmappable $(basename "$img") ${form:-text}: exit 2, empty stdout, reason on stderr"
    else
      bad "unmappable $(basename "$img") ${form:-text}: exit $rc, $(wc -c <"$scratch/out") bytes on stdout, stderr: $(head -1 "$scratch/err")"
    fi
  done
done

vd_oracle_end
