#!/bin/bash
# network private's egress policy: what a checked connection costs.  Each
# TCP connection the app opens becomes one connect() of the network helper
# (slirp4netns) which, under an egress policy, is a seccomp notification
# answered by sbx's finisher (read the destination, duplicate the socket,
# check, connect the duplicate).  Not a test: it exits 0 whatever the
# figures.
#
#   bench/egress.sh            (as root: it builds a test network)
#
#   SBX=path    sbx binary (default ./build/sbx)
#   CONNECTS=N  connections per round inside one sandbox (default 2000)
#   ROUNDS=N    rounds, the policies interleaved (default 5)
#
# In a fresh network namespace (unshare -n, nothing leaves the machine) a
# test host in a namespace of its own (198.51.100.2, TEST-NET-2) accepts
# on :9000 and closes.  Inside one sandbox per round and policy, a Python
# loop connects and closes CONNECTS times and prints the time per connect;
# the policies:
#   open        no policy: no filter on the helper
#   deny-local  the destination is allowed (a public-looking address):
#               every connect is notified, checked and made by sbx
#   allow-list  egress deny-all with 64 egress-allow rules, the last one
#               the destination (the rules are a linear scan)
#   refused     egress deny-local, a 10.x destination: every connect is
#               refused by sbx (the helper's connect never made)
# Medians of the rounds; the ratio is against open.  The start of a
# sandbox with a policy (the filter, the finisher staying) is timed too,
# as `true` with and without it.  Last, the notification alone, without
# the helper's work around it (bench/egress-notify.c: a UDP connect to
# 127.0.0.1 under sbx's filter, answered by sbx's handler), interleaved.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
SBX=${SBX:-$here/../build/sbx}
CONNECTS=${CONNECTS:-2000}
ROUNDS=${ROUNDS:-5}
die() { echo "bench/egress.sh: $*" >&2; exit 1; }
[[ $(id -u) == 0 ]] || die "run as root (the test network needs it)"
command -v slirp4netns >/dev/null || die "slirp4netns is needed (Debian package slirp4netns)"
[[ -x $SBX ]] || die "no sbx at $SBX (build first, or set SBX)"
out=$here/out/$(date +%Y%m%d-%H%M%S)-egress
mkdir -p "$out"

if [[ -z ${SBX_BENCH_NS:-} ]]; then
  exec unshare -n -m --propagation private -- env SBX_BENCH_NS=1 SBX_BENCH_OUT="$out" bash "$0" "$@"
fi
out=$SBX_BENCH_OUT
gcc -O2 -D_GNU_SOURCE -std=gnu17 -I "$here/../src" -o "$out/egress-notify" "$here/egress-notify.c" \
  "$here/../src/engine/notify.c" "$here/../src/plan/egress.c" "$here/../src/util/util.c" -lseccomp ||
  die "cannot build bench/egress-notify.c (gcc, libseccomp-dev)"
ip link set lo up
unshare -n -- sleep 1000000 &
remote=$!
pids=("$remote")
trap 'kill "${pids[@]}" 2>/dev/null; wait 2>/dev/null' EXIT
for _ in $(seq 50); do
  [[ $(readlink "/proc/$remote/ns/net") != "$(readlink /proc/self/ns/net)" ]] && break
  sleep 0.05
done
ip link add sbxh0 type veth peer name sbxr0
ip link set sbxr0 netns "$remote"
ip addr add 198.51.100.1/24 dev sbxh0
ip addr add 10.77.0.1/24 dev sbxh0
ip link set sbxh0 up
nsenter -t "$remote" -n sh -c "ip link set lo up && ip addr add 198.51.100.2/24 dev sbxr0 &&
  ip addr add 10.77.0.2/24 dev sbxr0 && ip link set sbxr0 up"
nsenter -t "$remote" -n python3 -c 'import socket
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 9000))
s.listen(1024)
while True:
    s.accept()[0].close()' &
pids+=($!)
sleep 0.5

LOOP='import socket, sys, time
n, ok, t0 = int(sys.argv[2]), 0, time.perf_counter()
for _ in range(n):
    s = socket.socket()
    try:
        s.connect((sys.argv[1], 9000))
        ok += 1
    except ConnectionRefusedError:
        pass
    s.close()
print("%.2f %d" % ((time.perf_counter() - t0) / n * 1e6, ok))'
B=("$SBX" --ro-bind / / --dev /dev --proc /proc --network private)
allow=()
for i in $(seq 63); do allow+=(--egress-allow "203.0.113.$i@tcp:443"); done
allow+=(--egress-allow "198.51.100.2@tcp:9000")
declare -A args=(
  [open]="198.51.100.2"
  [deny-local]="--egress deny-local 198.51.100.2"
  [allow-list]="--egress deny-all ALLOW 198.51.100.2"
  [refused]="--egress deny-local 10.77.0.2"
)
order=(open deny-local allow-list refused)
: >"$out/connects.txt"
echo "== $CONNECTS connects per sandbox, $ROUNDS rounds (load: $(cut -d' ' -f1-3 /proc/loadavg))"
for r in $(seq "$ROUNDS"); do
  for name in "${order[@]}"; do
    read -ra words <<<"${args[$name]}"
    dest=${words[-1]}
    unset 'words[-1]'
    cmd=("${B[@]}")
    for w in "${words[@]}"; do
      if [[ $w == ALLOW ]]; then cmd+=("${allow[@]}"); else cmd+=("$w"); fi
    done
    res=$("${cmd[@]}" -- python3 -c "$LOOP" "$dest" "$CONNECTS" 2>/dev/null)
    echo "$name $res" >>"$out/connects.txt"
  done
done
echo "== sandbox start, 20 runs each, interleaved (true as the app)"
: >"$out/start.txt"
for r in $(seq 22); do
  for name in open deny-local; do
    extra=()
    [[ $name == open ]] || extra=(--egress deny-local)
    t0=$(date +%s%N)
    "${B[@]}" "${extra[@]}" -- true
    t1=$(date +%s%N)
    [[ $r -le 2 ]] || echo "$name $(( (t1 - t0) / 1000 ))" >>"$out/start.txt"
  done
done
echo "== the notification alone: 20000 UDP connects, 7 rounds, interleaved"
: >"$out/notify.txt"
for r in $(seq 7); do
  for mode in none allow refuse; do
    echo "$mode $("$out/egress-notify" "$mode" 20000 | cut -d' ' -f1)" >>"$out/notify.txt"
  done
done
python3 - "$out" <<'PY'
import statistics, sys
d = sys.argv[1]
per, ok = {}, {}
for line in open(f"{d}/connects.txt"):
    name, us, n = line.split()
    per.setdefault(name, []).append(float(us))
    ok.setdefault(name, []).append(int(n))
# The median, and the best round (the least disturbed by other load on
# the machine: a shared 2-core box gives rounds twice as slow as others).
base, best = statistics.median(per["open"]), min(per["open"])
for name, v in per.items():
    m, b = statistics.median(v), min(v)
    print(f"{name:11s} median {m:7.1f} us/connect, {m / base:.2f}x open ({m - base:+.1f} us); best round "
          f"{b:7.1f} us, {b / best:.2f}x open ({b - best:+.1f} us); connected {min(ok[name])}-{max(ok[name])}")
st = {}
for line in open(f"{d}/start.txt"):
    name, us = line.split()
    st.setdefault(name, []).append(int(us) / 1000)
a, b = statistics.median(st["open"]), statistics.median(st["deny-local"])
print(f"start to exit: open {a:.2f} ms, deny-local {b:.2f} ms: {b - a:+.2f} ms, {b / a:.2f}x")
nt = {}
for line in open(f"{d}/notify.txt"):
    name, us = line.split()
    nt.setdefault(name, []).append(float(us))
n0 = statistics.median(nt["none"])
for name, v in nt.items():
    m = statistics.median(v)
    print(f"notification alone, {name:6s}: {m:6.2f} us/connect, {m / n0:.2f}x none ({m - n0:+.2f} us)")
PY
echo "results: $out"
