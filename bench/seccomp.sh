#!/bin/bash
# sbx's system call policy: what it costs.  Each part runs its commands
# round-robin with bench/interleave.py (load drift reaches them alike) and
# prints medians and the ratio to the last command.  A measurement, not a
# test: it exits 0 whatever the figures are.
#
#   bench/seccomp.sh [--as USER] [RUNS]
#
#   SBX=path   sbx binary (default ./build/sbx)
#   RUNS       startup runs per command (default 60; the loop gets RUNS/4)
#   ROUNDS=N   rounds of bench/syscall-loop.c (8 calls each; default 50000)
#
# 1. startup of `sbx --profile default true`: the compiled programs from
#    the cache ($XDG_RUNTIME_DIR/sbx/seccomp), the cache emptied before each
#    run (libseccomp compiles: what the cache saves), and no filter at all
#    (--syscall-filter none); each through `sh -c` so all pay the same.
# 2. a system-call-heavy loop in `sbx --profile default` under the default
#    filter, under the allowlist too, against --syscall-filter none (the
#    issue's target for the default: at most 1.05x).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
SBX=${SBX:-$here/../build/sbx}
ROUNDS=${ROUNDS:-50000}
as=() user=
if [[ ${1:-} == --as ]]; then
  user=$2
  as=(setpriv --reuid="$user" --regid="$user" --init-groups --)
  shift 2
fi
RUNS=${1:-60}
die() { echo "bench/seccomp.sh: $*" >&2; exit 1; }
[[ -x $SBX ]] || die "no sbx at $SBX (build first, or set SBX)"

work=$(mktemp -d /tmp/sbx-bench-seccomp.XXXXXX)
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"
cp "$SBX" "$work/sbx"
cp -r "$here/../profiles" "$work/profiles"
cp "$here/interleave.py" "$work/"
gcc -O2 -o "$work/syscall-loop" "$here/syscall-loop.c" || die "cannot build bench/syscall-loop.c"
mkdir -m 700 "$work/run" "$work/home"
[[ -z $user ]] || chown "$user" "$work/run" "$work/home"
run() { "${as[@]}" env HOME="$work/home" XDG_RUNTIME_DIR="$work/run" SBX_PROFILE_PATH="$work/profiles" "$@"; }
S="$work/sbx --profile default"

echo "== startup, $RUNS runs each"
run python3 "$work/interleave.py" "$RUNS" \
  "sh -c 'rm -rf $work/run/sbx/seccomp; exec $S true'" \
  "sh -c ': cached; exec $S true'" \
  "sh -c ': no filter; exec $S --syscall-filter none true'"

echo "== system-call loop, $ROUNDS rounds, $((RUNS / 4)) runs each"
run python3 "$work/interleave.py" "$((RUNS / 4))" \
  "$S --syscall-filter allowlist --ro $work -- $work/syscall-loop $ROUNDS" \
  "$S --ro $work -- $work/syscall-loop $ROUNDS" \
  "$S --syscall-filter none --ro $work -- $work/syscall-loop $ROUNDS"
