#!/bin/bash
# network private: what the network helper (slirp4netns) adds to a
# sandbox's start over `network none`, measured with hyperfine in one run
# (ratios and absolute ms; not a test: it exits 0 whatever the figures).
#
#   bench/network.sh [--as USER]
#
#   SBX=path   sbx binary (default ./build/sbx)
#   RUNS=N     measured runs per command (default 40)
#
# Commands, each `true` as the app (the start is all there is to time):
#   bwrap-none     --ro-bind / / --dev /dev --proc /proc --unshare-all true
#   bwrap-private  the same with --network private
#   profile-none   --profile default --network none true
#   profile-private --profile default --network private true
#   bwrap-ports    bwrap-private plus --forward-port tcp:18080:8000 and
#                  --allow-host-port tcp:15432 (an API request to the
#                  helper and a relay's listeners before the app starts)
# hyperfine times the whole run (to sbx's exit, which waits for the
# helper to be gone); a second loop (python, interleaved) times the start:
# from spawning sbx to the app's start (the app prints the time).
# The target (issue 10): private <= none + 20 ms to the app.  The sandboxes send no
# packet; the whole run is in a fresh network namespace anyway (unshare -n,
# loopback only).  --as USER (as root) runs hyperfine as USER, with a 0666
# /dev/net/tun in a private mount namespace as distributions make it.
# Results (hyperfine JSON) are kept in bench/out/<timestamp>-network/.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
SBX=${SBX:-$here/../build/sbx}
RUNS=${RUNS:-40}
user=
if [[ ${1:-} == --as ]]; then
  user=$2
  shift 2
fi
die() { echo "bench/network.sh: $*" >&2; exit 1; }
command -v hyperfine >/dev/null || die "hyperfine is needed (Debian package hyperfine)"
command -v slirp4netns >/dev/null || die "slirp4netns is needed (Debian package slirp4netns)"
[[ -x $SBX ]] || die "no sbx at $SBX (build first, or set SBX)"

out=$here/out/$(date +%Y%m%d-%H%M%S)-network
mkdir -p "$out"
work=$(mktemp -d /tmp/sbx-bench-network.XXXXXX)
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"
cp "$SBX" "$work/sbx"
cp -r "$here/../profiles" "$work/profiles"
mkdir -m 700 "$work/run" "$work/home"
[[ -z $user ]] || chown "$user" "$work" "$work/run" "$work/home"

B="$work/sbx --ro-bind / / --dev /dev --proc /proc --unshare-all"
P="$work/sbx --profile default"
cat >"$work/run.sh" <<EOF
set -e
ip link set lo up 2>/dev/null || true
if [[ -n "$user" ]]; then
  mknod -m 0666 "$work/tun" c 10 200
  mount --bind "$work/tun" /dev/net/tun
  as=(setpriv --reuid="$user" --regid="$user" --init-groups --)
else
  as=()
fi
echo "== network none vs private (load: \$(cut -d' ' -f1-3 /proc/loadavg))"
"\${as[@]}" env HOME="$work/home" XDG_RUNTIME_DIR="$work/run" SBX_PROFILE_PATH="$work/profiles" \\
  hyperfine -N --runs "$RUNS" --warmup 3 --export-json "$work/network.json" \\
  -n bwrap-none "$B true" \\
  -n bwrap-private "$B --network private true" \\
  -n profile-none "$P --network none true" \\
  -n profile-private "$P --network private true" \\
  -n bwrap-ports "$B --network private --forward-port tcp:18080:8000 --allow-host-port tcp:15432 true"
echo "== time to the app's exec (date inside, against the time sbx was started)"
"\${as[@]}" env HOME="$work/home" XDG_RUNTIME_DIR="$work/run" SBX_PROFILE_PATH="$work/profiles" \\
  python3 "$work/to-app.py" "$RUNS" "$work/to-app.json" "$B" "$B --network private" "$P --network none" "$P --network private" \\
  "$B --network private --forward-port tcp:18080:8000 --allow-host-port tcp:15432"
EOF
cat >"$work/to-app.py" <<'PY'
# From spawning sbx to the app's start (the app is `date +%s.%N`, on the
# same clock), and to sbx's exit; the commands interleaved, medians.
import json, statistics, subprocess, sys, time
runs, out, cmds = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
app, end = {c: [] for c in cmds}, {c: [] for c in cmds}
for i in range(runs + 2):
    for c in cmds:
        t0 = time.time()
        r = subprocess.run(c.split() + ["date", "+%s.%N"], capture_output=True, text=True, check=True)
        t1 = time.time()
        if i >= 2:  # two warm-up rounds
            app[c].append((float(r.stdout) - t0) * 1000)
            end[c].append((t1 - t0) * 1000)
json.dump({c: {"to_app_ms": statistics.median(app[c]), "to_exit_ms": statistics.median(end[c])} for c in cmds},
          open(out, "w"), indent=1)
PY
if [[ -n $user ]]; then
  unshare -n -m --propagation private bash "$work/run.sh"
else
  unshare -n bash "$work/run.sh" 2>/dev/null || bash "$work/run.sh"
fi

cp "$work/network.json" "$work/to-app.json" "$out/"
python3 - "$out" <<'PY'
import json, sys
d = sys.argv[1]
m = {r["command"]: r for r in json.load(open(f"{d}/network.json"))["results"]}
for kind in ("bwrap", "profile"):
    none, priv = m[f"{kind}-none"]["median"] * 1000, m[f"{kind}-private"]["median"] * 1000
    print(f"{kind}: none {none:.2f} ms, private {priv:.2f} ms: +{priv - none:.2f} ms, "
          f"{priv / none:.2f}x (the whole run, to sbx's exit)")
t = json.load(open(f"{d}/to-app.json"))
names = list(t)
for kind, (n, p) in (("bwrap", names[0:2]), ("profile", names[2:4])):
    a, b = t[n]["to_app_ms"], t[p]["to_app_ms"]
    print(f"{kind}: to the app's start: none {a:.2f} ms, private {b:.2f} ms: +{b - a:.2f} ms, {b / a:.2f}x "
          f"(target: +20 ms at most); to exit +{t[p]['to_exit_ms'] - t[n]['to_exit_ms']:.2f} ms")
a, b = t[names[1]]["to_app_ms"], t[names[4]]["to_app_ms"]
print(f"bwrap private, with a forwarded and an allowed port: to the app's start {b:.2f} ms, {b - a:+.2f} ms "
      f"over private without; the whole run {m['bwrap-ports']['median'] * 1000:.2f} ms")
PY
echo "results: $out"
