#!/bin/bash
# What learning and explaining cost (sbx --learn and --explain-denials,
# issue 12): an open/close loop under
# --learn, where every open stops in a seccomp user notification until the
# monitor has read and recorded its path, against the same loop in the
# same sandbox without learning (the host read-only, a tmpfs home, user
# and pid namespaces: learn_plan's shape as bubblewrap options), and
# against an empty loop in each (startup alone).  Then --explain-denials:
# the same loop under a profile (base.inc's view), where every open also
# waits while the monitor looks its path up in the sandbox's view, against
# the same profile run without it.  Round-robin through
# bench/interleave.py; the ratio is to the last command.  A measurement,
# not a test: it exits 0 whatever the figures are.
#
#   bench/learn.sh [RUNS]        (default 20)
#
#   SBX=path   sbx binary (default ./build/sbx)
#   N=calls    opens per loop (default 20000)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
SBX=${SBX:-$here/../build/sbx}
N=${N:-20000}
RUNS=${1:-20}
die() { echo "bench/learn.sh: $*" >&2; exit 1; }
[[ -x $SBX ]] || die "no sbx at $SBX (build first, or set SBX)"

work=$(mktemp -d /tmp/sbx-bench-learn.XXXXXX)
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"
gcc -O2 -o "$work/open-loop" "$here/open-loop.c" || die "cannot build bench/open-loop.c"
mkdir -m 700 "$work/home"
export HOME=$work/home SBX_PROFILE_PATH=$here/../profiles
# --learn never writes over a profile: each run removes the last one.
learn="sh -c 'rm -f $work/p.profile; exec $SBX --learn p --output $work/p.profile"
plain="sh -c ': plain; exec $SBX --unshare-user --unshare-pid --ro-bind / / --dev /dev --proc /proc --tmpfs $HOME"

echo "== $N opens and closes, $RUNS runs each"
python3 "$here/interleave.py" "$RUNS" \
  "$learn $work/open-loop $N 2>/dev/null'" \
  "$plain $work/open-loop $N'"
echo "== the same, 0 opens (startup, and writing the profile)"
python3 "$here/interleave.py" "$RUNS" \
  "$learn $work/open-loop 0 2>/dev/null'" \
  "$plain $work/open-loop 0'"

# --explain-denials: the loop's program shown read-only (it lies in the
# private /tmp); the path it opens, /etc/hostname, is in base.inc's view.
explain="$SBX --profile default --ro $work/open-loop --explain-denials $work/open-loop"
normal="$SBX --profile default --ro $work/open-loop $work/open-loop"
echo "== --explain-denials: $N opens and closes under the default profile, $RUNS runs each"
python3 "$here/interleave.py" "$RUNS" "$explain $N" "$normal $N"
echo "== the same, 0 opens (startup)"
python3 "$here/interleave.py" "$RUNS" "$explain 0" "$normal 0"
