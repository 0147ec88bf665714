#!/bin/bash
# Startup benchmark: sbx against the system's bwrap, measured in the same
# run with hyperfine on identical argv.
#
#   bench/startup.sh [--quick] [--as USER] [--only LIST]
#
#   SBX=path     sbx binary (default ./build/sbx)
#   SBX_REF=path an older sbx binary measured beside SBX in cases a, e
#                and f, in the same hyperfine run (before/after figures)
#   BWRAP=path   reference binary (default /usr/bin/bwrap)
#   RUNS=N       measured runs per command (default 50; --quick: 10)
#   WARMUP=N     warm-up runs per command (default 5; --quick: 2)
#   --as USER    run the sandboxes as USER (via setpriv), the way desktop
#                users run them; needs root
#   --only LIST  comma-separated subset of a,b,c,d,e,f
#
#   FIREJAIL=path firejail binary for case f (default: firejail on PATH;
#                the case is skipped without it; its profiles come with
#                Debian's firejail-profiles)
#
# Cases:
#   a  --ro-bind / / --dev /dev --proc /proc --unshare-all --die-with-parent
#      true, and the kernel's floor for the same namespaces
#      (unshare -Urmpiufn --mount-proc true)
#   b  a Flatpak-like argv (~40 operations, seccomp, data files) via --args
#   c  --ro-bind / / --tmpfs /tmp plus 0/100/400 --ro-bind /usr/share /tmp/bN
#   d  --ro-bind / / true with 0 and 1000 extra host mounts (root only:
#      the mounts are made inside `unshare -m --propagation private`)
#   e  sbx --profile firefox true with its filtered session bus (a real
#      dbus-daemon from dbus-run-session, xdg-dbus-proxy) against the same
#      with --dbus-session none
#   f  sbx --profile firefox true against firejail --profile=firefox true,
#      both inside one dbus-run-session; also sbx with --network host, the
#      network firejail's profile gives (the shipped profile's is private)
#
# This is a measurement, not a test: it exits 0 whatever the figures are,
# and non-zero only when something could not be run. Results (hyperfine
# JSON and a summary) are kept in bench/out/<timestamp>/.
set -euo pipefail

cmdline="bench/startup.sh $*"
orig_args=("$@")
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)

SBX=${SBX:-$top/build/sbx}
BWRAP=${BWRAP:-/usr/bin/bwrap}
quick=0
as_user=
only=a,b,c,d,e,f
FIREJAIL=${FIREJAIL:-$(command -v firejail || true)}

die() { echo "startup.sh: $*" >&2; exit 1; }
usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit "${1:-0}"; }

while (($#)); do
    case $1 in
        --quick) quick=1 ;;
        --as) as_user=${2:?--as needs a user}; shift ;;
        --only) only=${2:?--only needs a list}; shift ;;
        -h|--help) usage 0 ;;
        *) echo "startup.sh: unknown argument $1" >&2; usage 1 >&2 ;;
    esac
    shift
done
if ((quick)); then RUNS=${RUNS:-10}; WARMUP=${WARMUP:-2}; fi
RUNS=${RUNS:-50}
WARMUP=${WARMUP:-5}

SBX=$(realpath -e "$SBX" 2>/dev/null) || die "sbx binary not found (set SBX=path; default ./build/sbx)"
SBX_REF=${SBX_REF:-}
if [[ -n $SBX_REF ]]; then
    SBX_REF=$(realpath -e "$SBX_REF" 2>/dev/null) || die "SBX_REF binary not found"
fi
BWRAP=$(realpath -e "$BWRAP" 2>/dev/null) || die "bwrap not found (set BWRAP=path)"
command -v hyperfine >/dev/null || die "hyperfine is not installed (apt-get install hyperfine)"
command -v python3 >/dev/null || die "python3 is needed to read hyperfine's JSON"
command -v gcc >/dev/null || die "gcc is needed to build bench/mkbpf.c"

out=$top/bench/out/$(date +%Y%m%d-%H%M%S)
mkdir -p "$out"
work=$(mktemp -d /tmp/sbx-bench.XXXXXX)
cleanup() { rm -rf "$work"; }
trap cleanup EXIT

# Who runs the sandboxes.
runas=()
run_uid=$(id -u)
# The firefox profile (network.inc) has `network private`, whose helper
# needs /dev/net/tun usable by the user running it.  A stock Debian node is
# 0666; where it is not (this machine kind's is 0600), a 0666 node is bound
# over it in a mount namespace of the benchmark's own (root only).
if [[ -n $as_user && -z ${SBX_BENCH_TUN:-} && -c /dev/net/tun && $(stat -c %a /dev/net/tun) != 666 ]]; then
    exec unshare -m --propagation private -- env SBX_BENCH_TUN=1 bash -c '
        d=$(mktemp -d) && mount -t tmpfs -o size=4k sbx-tun "$d" && mknod -m 0666 "$d/tun" c 10 200 &&
        mount --bind "$d/tun" /dev/net/tun && umount -l "$d" && rmdir "$d" && exec "$@"' _ "$0" "${orig_args[@]}"
fi

if [[ -n $as_user ]]; then
    [[ $(id -u) == 0 ]] || die "--as needs root"
    run_uid=$(id -u "$as_user") || die "no such user: $as_user"
    run_gid=$(id -g "$as_user")
    runas=(setpriv --reuid="$run_uid" --regid="$run_gid" --init-groups --
           env HOME="$work/home" USER="$as_user" LOGNAME="$as_user")
fi
mkdir -p "$work/home/.var/app/org.example.Bench"
chmod 755 "$work"
[[ -n $as_user ]] && chown -R "$run_uid:$run_gid" "$work" "$out"
# The binaries must be reachable by that user.
"${runas[@]}" test -x "$SBX" || die "$SBX is not executable by ${as_user:-$USER}"

log=$out/hyperfine.log
summary=$out/summary.txt
results=$out/results.tsv   # case  label  which  median_ms  json
: >"$results"

# bench NAME LABEL MODE CMD_SBX CMD_BWRAP: run both commands in one
# hyperfine invocation (MODE: "N" = no shell, "sh" = through sh -c for
# fd redirections; hyperfine subtracts the shell's own start-up).
bench() {
    bench_named "$1" "$2" "$3" sbx "$4" bwrap "$5"
}

# bench_named NAME LABEL MODE [--wrap CMD... --] N1 CMD1 N2 CMD2 [N3 CMD3]:
# the same for commands with names of their own.  The --wrap command
# (e.g. dbus-run-session --) runs hyperfine itself, so that every command
# measured shares what it sets up.
bench_named() {
    local name=$1 label=$2 mode=$3 json=$out/$1.json
    shift 3
    local wrap=() shellopt=(-N) cmds=()
    if [[ ${1:-} == --wrap ]]; then
        shift
        while [[ $1 != -- ]]; do wrap+=("$1"); shift; done
        shift
    fi
    [[ $mode == sh ]] && shellopt=()
    while (($#)); do cmds+=(-n "$1" "$2"); shift 2; done
    printf '  %-28s ' "$label" >&2
    if ! "${runas[@]}" "${wrap[@]}" hyperfine "${shellopt[@]}" --style basic \
            --warmup "$WARMUP" --runs "$RUNS" --export-json "$json" \
            "${cmds[@]}" >>"$log" 2>&1; then
        echo "failed" >&2
        tail -n 20 "$log" >&2
        die "hyperfine failed for case $name; see $log"
    fi
    python3 - "$json" "$name" "$label" >>"$results" <<'EOF'
import json, sys
path, name, label = sys.argv[1:]
for r in json.load(open(path))["results"]:
    print(f"{name}\t{label}\t{r['command']}\t{r['median'] * 1000:.3f}\t{path}")
EOF
    awk -F'\t' -v n="$name" '$1 == n { printf "%s %.2f ms  ", $3, $4 }' "$results" >&2
    echo >&2
}

# Sanity: both binaries must be able to run a trivial sandbox as that user.
for b in "$SBX" "$BWRAP"; do
    if ! err=$("${runas[@]}" "$b" --ro-bind / / true 2>&1); then
        die "$b cannot start a sandbox here: $err"
    fi
done

{
    echo "sbx startup benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "command: $cmdline"
    echo "sbx:   $SBX ($("$SBX" --version 2>&1 | head -n1))"
    [[ -n $SBX_REF ]] && echo "ref:   $SBX_REF ($("$SBX_REF" --version 2>&1 | head -n1))"
    echo "bwrap: $BWRAP ($("$BWRAP" --version 2>&1 | head -n1))"
    echo "kernel $(uname -r), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), runs as uid $run_uid, hyperfine $(hyperfine --version | cut -d' ' -f2), warmup $WARMUP, runs $RUNS"
} | tee "$summary" >&2

want() { [[ ,$only, == *,$1,* ]]; }

# ---- (a) -------------------------------------------------------------------
if want a; then
    echo "(a) minimal sandbox" >&2
    args="--ro-bind / / --dev /dev --proc /proc --unshare-all --die-with-parent true"
    # The kernel's own floor: the same namespaces, a fresh proc, nothing else.
    floor="unshare -Urmpiufn --mount-proc true"
    ref=()
    [[ -n $SBX_REF ]] && ref=(ref "$SBX_REF $args")
    bench_named a "a: ro / + dev + proc" N sbx "$SBX $args" bwrap "$BWRAP $args" "${ref[@]}" floor "$floor"
fi

# ---- (b) -------------------------------------------------------------------
if want b; then
    echo "(b) Flatpak-like argv via --args" >&2
    gcc -O2 -o "$work/mkbpf" "$here/mkbpf.c" -lseccomp || die "cannot build bench/mkbpf.c (libseccomp-dev installed?)"
    "$work/mkbpf" >"$work/filter.bpf"
    getent passwd "$run_uid" >"$work/passwd" || echo "bench:x:$run_uid:$run_uid::/home/bench:/bin/sh" >"$work/passwd"
    getent group "$(id -g "${as_user:-$(id -un)}")" >"$work/group" || echo "bench:x:$run_uid:" >"$work/group"
    printf 'module: p11-kit-trust.so\n' >"$work/pkcs11.conf"

    # --disable-userns only if both binaries accept it here.
    userns=(--unshare-user)
    if "${runas[@]}" "$SBX" --unshare-user --disable-userns --ro-bind / / true 2>/dev/null &&
       "${runas[@]}" "$BWRAP" --unshare-user --disable-userns --ro-bind / / true 2>/dev/null; then
        userns+=(--disable-userns)
    fi
    app=/home/bench/.var/app/org.example.Bench
    # Modelled on flatpak_run_setup_base_argv() (docs: reference bubblewrap.md §7).
    flatpak=(
        "${userns[@]}" --proc /proc --unshare-pid
        --dir /tmp --dir /var/tmp --dir /run/host
        --perms 0700 --dir "/run/user/$run_uid"
        --setenv XDG_RUNTIME_DIR "/run/user/$run_uid"
        --symlink ../run /var/run
        --ro-bind-try /proc/self/ns/user /run/.userns
        --ro-bind /sys/block /sys/block --ro-bind /sys/bus /sys/bus
        --ro-bind /sys/class /sys/class --ro-bind /sys/dev /sys/dev
        --ro-bind /sys/devices /sys/devices
        --die-with-parent
        --ro-bind-data 6 /etc/passwd --ro-bind-data 7 /etc/group
        --ro-bind-data 8 /etc/pkcs11/pkcs11.conf
        --dev /dev
        --ro-bind /usr /usr
        --symlink usr/lib /lib --symlink usr/lib64 /lib64
        --symlink usr/bin /bin --symlink usr/sbin /sbin
        --ro-bind-try /etc/ld.so.cache /etc/ld.so.cache
        --ro-bind-try /etc/resolv.conf /etc/resolv.conf
        --ro-bind-try /etc/localtime /etc/localtime
        --ro-bind-try /etc/machine-id /etc/machine-id
        --bind "$work/home/.var/app/org.example.Bench" "$app"
        --setenv HOME /home/bench --setenv FLATPAK_ID org.example.Bench
        --setenv PATH /app/bin:/usr/bin --setenv XDG_DATA_DIRS /usr/share
        --seccomp 4 --info-fd 5 --chdir /
    )
    printf '%s\0' "${flatpak[@]}" >"$work/flatpak.args"
    [[ -n $as_user ]] && chown -R "$run_uid:$run_gid" "$work"
    echo "  ${#flatpak[@]} words in the args file${userns[1]:+ (with --disable-userns)}" >&2
    # hyperfine runs these through sh (dash), which only knows fds 0-9.
    redir="3< $work/flatpak.args 4< $work/filter.bpf 5> /dev/null 6< $work/passwd 7< $work/group 8< $work/pkcs11.conf"
    bench b "b: flatpak-like --args" sh "$SBX --args 3 true $redir" "$BWRAP --args 3 true $redir"
fi

# ---- (c) -------------------------------------------------------------------
if want c; then
    echo "(c) many --ro-bind" >&2
    for n in 0 100 400; do
        binds=""
        for ((i = 0; i < n; i++)); do binds+=" --ro-bind /usr/share /tmp/b$i"; done
        args="--ro-bind / / --tmpfs /tmp$binds true"
        bench "c$n" "c: $n binds" N "$SBX $args" "$BWRAP $args"
    done
fi

# ---- (d) -------------------------------------------------------------------
if want d; then
    echo "(d) host mount count" >&2
    if [[ $(id -u) != 0 ]]; then
        echo "  skipped: needs root (run as root, optionally with --as USER)" >&2
    else
        mkdir -p "$work/mnt"
        # The kernel's own cost of copying the mount table into a new mount
        # namespace (and tearing it down) grows with the mount count too;
        # measure it so the sbx figure can be judged against that floor.
        floor="unshare --mount true"
        [[ $run_uid != 0 ]] && floor="unshare --user --map-root-user --mount true"
        for m in 0 1000; do
            json=$out/d$m.json
            # The namespace keeps the 1000 tmpfs mounts away from the host;
            # both binaries are measured inside the same namespace.
            cmd="--ro-bind / / true"
            printf '  %-28s ' "d: $m host mounts" >&2
            if ! unshare -m --propagation private bash -c '
                    set -e
                    m=$1 dir=$2; shift 2
                    for ((i = 0; i < m; i++)); do
                        mkdir -p "$dir/m$i"
                        mount -t tmpfs -o size=16k "bench$i" "$dir/m$i"
                    done
                    exec "$@"' _ "$m" "$work/mnt" \
                    "${runas[@]}" hyperfine -N --style basic --warmup "$WARMUP" --runs "$RUNS" \
                    --export-json "$json" -n sbx "$SBX $cmd" -n bwrap "$BWRAP $cmd" \
                    -n floor "$floor" >>"$log" 2>&1; then
                echo "failed" >&2
                tail -n 20 "$log" >&2
                die "case d ($m mounts) failed; see $log"
            fi
            python3 - "$json" "d$m" "d: $m host mounts" >>"$results" <<'EOF'
import json, sys
path, name, label = sys.argv[1:]
for r in json.load(open(path))["results"]:
    print(f"{name}\t{label}\t{r['command']}\t{r['median'] * 1000:.3f}\t{path}")
EOF
            awk -F'\t' -v n="d$m" '$1 == n { printf "%s %.2f ms  ", $3, $4 }' "$results" >&2
            echo >&2
        done
    fi
fi

# ---- (e) (f) ---------------------------------------------------------------
# A profile sandbox as a desktop runs it: a session bus (dbus-run-session),
# the shipped firefox profile, a fresh home.
if want e || want f; then
    command -v dbus-run-session >/dev/null || die "dbus-run-session (dbus-daemon) is needed for cases e and f"
    mkdir -p "$work/run" && chmod 700 "$work/run"
    [[ -n $as_user ]] && chown "$run_uid:$run_gid" "$work/run"
    profenv=(env SBX_PROFILE_PATH="$top/profiles" XDG_RUNTIME_DIR="$work/run" HOME="$work/home")
fi
if want e; then
    echo "(e) profile with a filtered session bus" >&2
    bench_named e "e: firefox profile, bus" N --wrap "${profenv[@]}" dbus-run-session -- \
        bus "$SBX --profile firefox true" nobus "$SBX --profile firefox --dbus-session none true" \
        ${SBX_REF:+ref-bus "$SBX_REF --profile firefox true" ref-nobus "$SBX_REF --profile firefox --dbus-session none true"}
fi
if want f; then
    echo "(f) sbx against firejail, firefox profile" >&2
    if [[ -z $FIREJAIL ]]; then
        echo "  skipped: firejail is not installed (apt-get install firejail)" >&2
    else
        bench_named f "f: firefox profile" N --wrap "${profenv[@]}" dbus-run-session -- \
            sbx "$SBX --profile firefox true" \
            sbx-hostnet "$SBX --profile firefox --network host true" \
            firejail "$FIREJAIL --quiet --profile=firefox true" \
            ${SBX_REF:+ref "$SBX_REF --profile firefox true"}
    fi
fi

# ---- summary ---------------------------------------------------------------
python3 - "$results" <<'EOF' | tee -a "$summary"
import sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
med = {(c, w): float(m) for c, _, w, m, _ in rows}
label = {c: l for c, l, *_ in rows}
def have(*keys): return all((k, w) in med for k in keys for w in ("sbx", "bwrap"))

print()
print(f"{'case':<28} {'sbx ms':>9} {'bwrap ms':>9} {'sbx/bwrap':>10}  target")
targets = {"a": "<= 0.90", "b": "<= 0.90", "c400": "<= 0.25"}
for c in ["a", "b", "c0", "c100", "c400", "d0", "d1000"]:
    if not have(c):
        continue
    s, b = med[(c, "sbx")], med[(c, "bwrap")]
    t = targets.get(c, "")
    verdict = ""
    if t:
        verdict = "  met" if s / b <= float(t.split()[1]) else "  NOT met"
    print(f"{label[c]:<28} {s:9.2f} {b:9.2f} {s / b:10.2f}  {t}{verdict}")

if ("a", "floor") in med and ("a", "sbx") in med:
    f = med[("a", "floor")]
    print()
    print(f"bare start (a) against the kernel's floor (unshare -Urmpiufn --mount-proc true, {f:.2f} ms):")
    for w in ("sbx", "bwrap", "ref"):
        if ("a", w) not in med:
            continue
        r = med[("a", w)] / f
        print(f"  {w:<6} {r:5.2f}x floor" + ("   (target <= 1.3: " + ("met)" if r <= 1.3 else "NOT met)") if w == "sbx" else ""))

if ("e", "bus") in med and ("e", "nobus") in med:
    b, n = med[("e", "bus")], med[("e", "nobus")]
    r = b / n
    print()
    print(f"filtered bus (e): {b:.2f} ms with, {n:.2f} ms without: {r:.2f}x   (target <= 1.3: " + ("met)" if r <= 1.3 else "NOT met)"))
    if ("e", "ref-bus") in med and ("e", "ref-nobus") in med:
        rb, rn = med[("e", "ref-bus")], med[("e", "ref-nobus")]
        print(f"  ref (SBX_REF): {rb:.2f} ms with, {rn:.2f} ms without: {rb / rn:.2f}x")

if ("f", "sbx") in med and ("f", "firejail") in med:
    s_, j = med[("f", "sbx")], med[("f", "firejail")]
    r = s_ / j
    print()
    print(f"firejail (f): sbx {s_:.2f} ms, firejail {j:.2f} ms: {r:.3f}x   (target <= 0.1: " + ("met)" if r <= 0.1 else "NOT met)"))
    if ("f", "sbx-hostnet") in med:
        h = med[("f", "sbx-hostnet")]
        print(f"  sbx with --network host (firejail's profile's network): {h:.2f} ms: {h / j:.3f}x")
    if ("f", "ref") in med:
        print(f"  ref (SBX_REF): {med[('f', 'ref')]:.2f} ms: {med[('f', 'ref')] / j:.3f}x")

if have("c0", "c100", "c400"):
    print()
    print("binds (c): per-bind cost and linearity, (t400-t0) / (4*(t100-t0)); ~1 is linear")
    for w in ("sbx", "bwrap"):
        t0, t1, t4 = (med[(c, w)] for c in ("c0", "c100", "c400"))
        d1, d4 = t1 - t0, t4 - t0
        per100 = d1 / 100 * 1000
        per400 = d4 / 400 * 1000
        lin = d4 / (4 * d1) if d1 > 0 else float("nan")
        looks = "linear" if d1 > 0 and lin <= 1.3 else ("superlinear" if d1 > 0 else "too small to tell")
        print(f"  {w:<6} {per100:6.1f} us/bind over 100, {per400:6.1f} us/bind over 400, ratio {lin:4.2f} ({looks})")
    print("  target: sbx at 400 binds <= 0.25x bwrap, and linear")

if have("d0", "d1000"):
    print()
    print("host mounts (d): time with 1000 extra host mounts / time with none")
    if ("d0", "floor") in med:
        f0, f1 = med[("d0", "floor")], med[("d1000", "floor")]
        print(f"  floor  {f1 / f0:5.2f}   (bare unshare of a mount namespace: {f0:.2f} -> {f1:.2f} ms;"
              f" the kernel copies and frees every mount)")
    for w in ("sbx", "bwrap"):
        r = med[("d1000", w)] / med[("d0", w)]
        print(f"  {w:<6} {r:5.2f}" + ("   (target <= 1.2: " + ("met)" if r <= 1.2 else "NOT met)") if w == "sbx" else ""))
EOF
echo >&2
echo "raw data: $out" >&2
