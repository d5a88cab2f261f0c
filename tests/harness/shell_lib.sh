# Sourced by the shell tests (tests/cli, tests/oracle). A test that cannot run skips with
# exit 77, except under VDCHECK_NO_SKIP=1 (CI), where it fails: nothing may skip there.
vd_skip() {
  if [ "${VDCHECK_NO_SKIP:-0}" = 1 ]; then echo "cannot run: $1"; exit 1; fi
  echo "SKIP: $1"
  exit 77
}

# vd_require TOOL...: every tool must be on PATH.
vd_require() {
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null || vd_skip "$tool not installed"
  done
}
