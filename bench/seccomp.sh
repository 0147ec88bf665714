#!/bin/bash
# sbx's system call policy: what it costs, measured in one run each with
# hyperfine (ratios, not a test: it exits 0 whatever the figures are).
#
#   bench/seccomp.sh [--as USER]
#
#   SBX=path   sbx binary (default ./build/sbx)
#   RUNS=N     measured runs per command (default 30)
#   ROUNDS=N   rounds of bench/syscall-loop.c (8 calls each; default 50000)
#
# 1. startup: `sbx --profile default true` with the compiled programs in
#    the cache ($XDG_RUNTIME_DIR/sbx/seccomp) against the same with the
#    cache emptied before every run (libseccomp compiles: the cost the
#    cache saves), and with --syscall-filter none (no filter at all).
# 2. a system-call-heavy loop in `sbx --profile default` under the default
#    filter against the same loop with --syscall-filter none (the
#    issue's target: at most 1.05x).
# Results (hyperfine JSON) are kept in bench/out/<timestamp>-seccomp/.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
SBX=${SBX:-$here/../build/sbx}
RUNS=${RUNS:-30}
ROUNDS=${ROUNDS:-50000}
as=() user=
if [[ ${1:-} == --as ]]; then
  user=$2
  as=(setpriv --reuid="$user" --regid="$user" --init-groups --)
  shift 2
fi
die() { echo "bench/seccomp.sh: $*" >&2; exit 1; }
command -v hyperfine >/dev/null || die "hyperfine is needed (Debian package hyperfine)"
[[ -x $SBX ]] || die "no sbx at $SBX (build first, or set SBX)"

out=$here/out/$(date +%Y%m%d-%H%M%S)-seccomp
mkdir -p "$out"
work=$(mktemp -d /tmp/sbx-bench-seccomp.XXXXXX)
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"
cp "$SBX" "$work/sbx"
cp -r "$here/../profiles" "$work/profiles"
gcc -O2 -o "$work/syscall-loop" "$here/syscall-loop.c" || die "cannot build bench/syscall-loop.c"
mkdir -m 700 "$work/run" "$work/home"
[[ -z $user ]] || chown "$user" "$work" "$work/run" "$work/home"
env_=(env HOME="$work/home" XDG_RUNTIME_DIR="$work/run" SBX_PROFILE_PATH="$work/profiles")
S="$work/sbx --profile default"

echo "== startup (load: $(cut -d' ' -f1-3 /proc/loadavg))"
"${as[@]}" "${env_[@]}" hyperfine -N --runs "$RUNS" --warmup 3 --export-json "$work/startup.json" \
  -n cached "$S true" \
  -n uncached --prepare "rm -rf $work/run/sbx/seccomp" "$S true" \
  -n no-filter "$S --syscall-filter none true"

echo "== system-call loop, $ROUNDS rounds (load: $(cut -d' ' -f1-3 /proc/loadavg))"
"${as[@]}" "${env_[@]}" hyperfine -N --runs "$((RUNS / 3 + 3))" --warmup 1 --export-json "$work/loop.json" \
  -n default-filter "$S --ro $work -- $work/syscall-loop $ROUNDS" \
  -n no-filter "$S --syscall-filter none --ro $work -- $work/syscall-loop $ROUNDS"

cp "$work/startup.json" "$work/loop.json" "$out/"
python3 - "$out" <<'PY'
import json, sys
d = sys.argv[1]
def med(f):
    return {r["command"]: r["median"] * 1000 for r in json.load(open(f"{d}/{f}"))["results"]}
s, l = med("startup.json"), med("loop.json")
print(f"startup: cached {s['cached']:.2f} ms, uncached {s['uncached']:.2f} ms "
      f"(the cache saves {s['uncached'] - s['cached']:.2f} ms), no filter {s['no-filter']:.2f} ms")
r = l["default-filter"] / l["no-filter"]
print(f"loop: default filter {l['default-filter']:.1f} ms, none {l['no-filter']:.1f} ms: {r:.3f}x (target <= 1.05)")
PY
echo "results: $out"
