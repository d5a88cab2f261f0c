#!/usr/bin/env bash
# docs/vdcheck.1 documents the program as it is: every subcommand `vdcheck --help` lists has
# its entry, every long option a subcommand's --help prints is documented in that
# subcommand's entry (and each option it lists as its own has an option entry there),
# every exit status a subcommand's --help names is documented for it, and the page uses
# plain man(7) macros with escaped option dashes. Then `cmake --install` of the build tree
# installs the binary, the page and the report schemas, and the installed binary runs.
# usage: man_page.sh VDCHECK SOURCE_DIR SCRATCH_DIR
set -uo pipefail
vdcheck=$1 src=$2 scratch=$3
build=$(dirname "$vdcheck")
page=$src/docs/vdcheck.1
rm -rf "$scratch" && mkdir -p "$scratch"
passed=0 failed=0

ok() { passed=$((passed + 1)); echo "ok   $1"; }
bad() { failed=$((failed + 1)); echo "FAIL $1"; }

if [ ! -f "$page" ]; then
  bad "docs/vdcheck.1 exists"
  echo "$passed passed, $failed failed"
  exit 1
fi

# The page as text to search: roff's escaped minus (\-), non-hyphenation (\%), zero-width
# (\&) and font escapes removed; comment lines dropped.
plain() { sed -e '/^\.\\"/d' -e 's/\\-/-/g' -e 's/\\[%&]//g' -e 's/\\f[BIRP]//g'; }

# Lines of section NAME (".SH NAME"), without the .SH line.
section() {
  awk -v want="$1" '/^\.SH / { on = (substr($0, 5) == want || substr($0, 5) == "\"" want "\""); next }
                    on' "$page"
}

# Lines of the subsection of section SH whose .SS title starts with the word WORD.
subsection() { # SH WORD
  section "$1" | awk -v word="$2" '
    /^\.SS / { split(substr($0, 5), w, /[ ,]/); on = (w[1] == word); next }
    on'
}

# The tag lines of the .TP entries in the lines read from stdin.
tags() { awk 'tag { print; tag = 0 } /^\.TP/ { tag = 1 }'; }

has_word() { # TEXT-FILE WORD: WORD appears, not as part of a longer option or word
  grep -qE -- "(^|[^A-Za-z0-9_-])$2([^A-Za-z0-9_-]|\$)" "$1"
}

# --- the page is plain man(7) ---------------------------------------------------------
grep -q '^\.TH VDCHECK 1 ' "$page" && ok ".TH VDCHECK 1" || bad ".TH VDCHECK 1 missing"
for sh in NAME SYNOPSIS DESCRIPTION COMMANDS "EXIT STATUS" FILES EXAMPLES NOTES "SEE ALSO"; do
  grep -qE "^\.SH \"?$sh\"?\$" "$page" && ok "section $sh" || bad "section $sh missing"
done
macros=$(grep -oE '^\.[A-Za-z]+' "$page" | sort -u | tr -d . | tr '\n' ' ')
allowed=" TH SH SS TP PP IP RS RE B I BR BI IB IR RB RI nf fi br "
unknown=$(for m in $macros; do [[ $allowed == *" $m "* ]] || echo "$m"; done)
[ -z "$unknown" ] && ok "only man(7) macros ($macros)" || bad "macros outside man(7): $unknown"
# An option's dashes must be \- (a bare - may be set as a hyphen): no "--" and no " -x"
# outside comments.
raw=$(sed -e '/^\.\\"/d' "$page" | grep -nE -- '(^|[^\\])--|(^|[[ (|])-[a-zA-Z]')
[ -z "$raw" ] && ok "option dashes escaped as \\-" || bad "unescaped option dashes: $raw"

# --- subcommands ----------------------------------------------------------------------
"$vdcheck" --help >"$scratch/main_help" 2>&1
status=$?
[ "$status" = 0 ] && ok "vdcheck --help (exit 0)" || bad "vdcheck --help: exit $status"
commands=$(sed -n 's/^  vdcheck \[\{0,1\}\([a-z][a-z-]*\).*/\1/p' "$scratch/main_help")
[ -n "$commands" ] && ok "commands listed by --help: $(echo $commands)" || bad "no commands in vdcheck --help"
section "SYNOPSIS" | plain >"$scratch/synopsis"
section "COMMANDS" >"$scratch/commands"
section "EXIT STATUS" >"$scratch/exit"
for cmd in $commands; do
  if grep -qE "^\.SS $cmd( |\$)" "$scratch/commands"; then
    ok "COMMANDS has an entry for $cmd"
  else
    bad "COMMANDS has no .SS entry for $cmd"
  fi
  has_word "$scratch/synopsis" "$cmd" && ok "SYNOPSIS shows $cmd" || bad "SYNOPSIS does not show $cmd"
  if grep -qE "^\.SS (.*[ ,])?$cmd([ ,]|\$)" "$scratch/exit"; then
    ok "EXIT STATUS has a subsection for $cmd"
  else
    bad "EXIT STATUS has no subsection for $cmd"
  fi
done

# --- options, per subcommand ----------------------------------------------------------
for cmd in $commands; do
  help=$scratch/help_$cmd
  "$vdcheck" "$cmd" --help >"$help" 2>&1
  status=$?
  [ "$status" = 0 ] && ok "vdcheck $cmd --help (exit 0)" || bad "vdcheck $cmd --help: exit $status"
  subsection "COMMANDS" "$cmd" | plain >"$scratch/entry_$cmd"
  subsection "COMMANDS" "$cmd" | tags | plain >"$scratch/tags_$cmd"
  options=$(grep -o -- '--[a-z][a-z-]*' "$help" | sort -u)
  [ -n "$options" ] || bad "vdcheck $cmd --help names no option"
  for opt in $options --help; do
    has_word "$scratch/entry_$cmd" "$opt" && ok "$cmd: $opt documented in its entry" ||
      bad "$cmd: $opt (from vdcheck $cmd --help) is not in the man page's $cmd entry"
  done
  # What the usage line shows (its first line and the indented "[...]" lines after it) is
  # in the SYNOPSIS too.
  usage=$(awk 'NR == 1 { print; next } /^       +\[/ && !stop { print; next } { stop = 1 }' "$help")
  for opt in $(grep -oE -- '(--[a-z][a-z-]*|(^|[ [])-[a-z]( |\]|$))' <<<"$usage" | grep -oE -- '-+[a-z][a-z-]*' | sort -u); do
    has_word "$scratch/synopsis" "$opt" && ok "$cmd: $opt in the SYNOPSIS" ||
      bad "$cmd: $opt (from its usage line) is not in the SYNOPSIS"
  done
  # Options the help lists as its own (the tags of its two-space indented option lines:
  # "  -o, --output FILE", "  --case ID, --examiner NAME") each have an entry.
  own=$(grep -oE -- '^  ((-[a-z], )?--[a-z][a-z-]*( [A-Z]+)?(, )?)+' "$help" |
    grep -o -- '--[a-z][a-z-]*' | sort -u)
  for opt in $own --help; do
    has_word "$scratch/tags_$cmd" "$opt" && ok "$cmd: $opt has an option entry (.TP)" ||
      bad "$cmd: $opt has no .TP entry in the $cmd section"
  done
  # Short options the help names (-o) are documented next to their long form.
  for short in $(grep -oE -- '(^|[ [])-[a-z]([ ,]|$)' "$help" | grep -oE -- '-[a-z]' | sort -u); do
    has_word "$scratch/tags_$cmd" "$short" && ok "$cmd: $short has an option entry" ||
      bad "$cmd: $short has no .TP entry in the $cmd section"
  done
done

# The options of vdcheck itself: its usage line, "usage: vdcheck [--version] [--help] <command>".
section "GLOBAL OPTIONS" | tags | plain >"$scratch/tags_global"
global=$(head -n 1 "$scratch/main_help" | grep -o -- '--[a-z][a-z-]*' | sort -u)
[ -n "$global" ] || bad "vdcheck --help shows no option of its own"
for opt in $global; do
  has_word "$scratch/tags_global" "$opt" && ok "global: $opt has an entry" ||
    bad "global: $opt (from vdcheck --help) has no entry under GLOBAL OPTIONS"
done

# --- exit statuses --------------------------------------------------------------------
section "EXIT STATUS" | tags | plain >"$scratch/exit_tags"
for code in 0 1 2 64; do
  grep -qx "\.B $code" "$scratch/exit_tags" && ok "exit status $code documented" ||
    bad "exit status $code not documented under EXIT STATUS"
done
for cmd in $commands; do
  # The statuses the command's --help names ("exit status: 0 ..., 1 ..."), else 0 and 64.
  codes=$(sed -n '/^exit status:/,$p' "$scratch/help_$cmd" | sed 's/^exit status://' |
    grep -oE '(^|[ ,])(0|1|2|64) [a-z]' | grep -oE '[0-9]+' | sort -un)
  [ -n "$codes" ] || codes="0 64"
  section "EXIT STATUS" | awk -v word="$cmd" '
    /^\.SS / { n = split(substr($0, 5), w, /[ ,]+/); on = 0
               for (i = 1; i <= n; i++) if (w[i] == word) on = 1; next }
    on' | tags | plain >"$scratch/exit_$cmd"
  for code in $codes; do
    grep -qx "\.B $code" "$scratch/exit_$cmd" && ok "$cmd: exit status $code documented" ||
      bad "$cmd: exit status $code (from its --help) not documented for $cmd"
  done
done

# What the page says about usage errors holds.
expect_status() { # want label command...
  local want=$1 label=$2
  shift 2
  "$@" >"$scratch/out" 2>&1
  local got=$?
  [ "$got" = "$want" ] && ok "$label (exit $got)" || bad "$label: exit $got, want $want"
}
expect_status 64 "no argument" "$vdcheck"
expect_status 64 "check without an image" "$vdcheck" check
expect_status 64 "verify without --against" "$vdcheck" verify "$src/corpus/vhd/qemu-dynamic-8M-data.vhd"
expect_status 64 "map with two images" "$vdcheck" map "$src/README.md" "$src/README.md"
expect_status 64 "findings with an argument" "$vdcheck" findings extra
expect_status 0 "--version" "$vdcheck" --version

# --- cmake --install ------------------------------------------------------------------
cmake_cmd=$(sed -n 's/^CMAKE_COMMAND:INTERNAL=//p' "$build/CMakeCache.txt" 2>/dev/null)
[ -x "$cmake_cmd" ] || cmake_cmd=cmake
prefix=$scratch/prefix
if "$cmake_cmd" --install "$build" --prefix "$prefix" >"$scratch/install.log" 2>&1; then
  ok "cmake --install $build --prefix $prefix"
else
  bad "cmake --install failed"
  cat "$scratch/install.log"
fi
for f in bin/vdcheck share/man/man1/vdcheck.1 share/vdcheck/vdcheck.xsd share/vdcheck/dfxml.xsd \
  share/vdcheck/report.schema.json share/vdcheck/triage.schema.json; do
  [ -f "$prefix/$f" ] && ok "installed $f" || bad "not installed: $f"
done
[ -x "$prefix/bin/vdcheck" ] && ok "installed vdcheck is executable" || bad "installed vdcheck not executable"
cmp -s "$page" "$prefix/share/man/man1/vdcheck.1" && ok "installed page is docs/vdcheck.1" ||
  bad "installed page differs from docs/vdcheck.1"
for f in vdcheck.xsd dfxml.xsd report.schema.json triage.schema.json; do
  cmp -s "$src/docs/$f" "$prefix/share/vdcheck/$f" && ok "installed $f is docs/$f" ||
    bad "installed $f differs from docs/$f"
done
version=$("$prefix/bin/vdcheck" --version 2>&1)
status=$?
if [ "$status" = 0 ] && [ "$version" = "$("$vdcheck" --version)" ] && [[ $version == "vdcheck "[0-9]* ]]; then
  ok "installed binary runs: $version"
else
  bad "installed binary --version: exit $status, \"$version\""
fi
# The page names the version it documents.
want=$(sed -n 's/^vdcheck //p' <<<"$version")
grep -q "^\.TH VDCHECK 1 .*\"vdcheck $want\"" "$page" && ok "page is for version $want" ||
  bad "the .TH line does not name vdcheck $want"

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
