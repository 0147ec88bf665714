# tests/lib.sh -- shared helpers for the sbx integration tests.
#
# Every test script sources this file, defines run_checks() and ends with
# `tap_main "$@"`.  The binary under test is $SBX; it may be sbx or a
# bubblewrap (e.g. SBX=/usr/bin/bwrap) -- the tests speak bwrap's command
# line and must pass against both.
#
# Root and unprivileged passes
#   Run as root, tap_main runs run_checks twice: once as root and once as
#   the unprivileged user `sbxtest` (created on demand), from a
#   world-readable staging copy of $SBX, the scripts and the C helpers
#   (the source tree may live where sbxtest cannot enter).  Each pass runs
#   in its own private mount namespace, where root first mounts a tmpfs
#   fixture ($SBX_FIXTURE/sub) so the sandbox can be shown a real
#   submount -- that is how "--ro-bind makes submounts read-only too" is
#   tested for both users.  One TAP stream and one plan (printed at the end)
#   cover both passes; every line says which pass it came from.
#   Run as non-root, there is a single pass as that user (no fixture).
#
# Environment
#   SBX              binary under test (required)
#   SBX_SECCOMP_GEN  tests/seccomp-gen helper (cBPF generator)
#   SBX_ENOSYS       tests/enosys helper (blocks the new mount API)
#   SBX_SYSPROBE     tests/sysprobe helper (tries refused system calls)
#   SBX_LEARN_PROBE  tests/learn-probe helper (what test-learn.sh learns)
#   SBX_WRAP=enosys  run every sandbox through $SBX_ENOSYS
#   SBX_ENOSYS_BLOCK with SBX_WRAP=enosys: the calls to block (enosys
#                    --block, e.g. "mount_setattr"); unset: all of them
#   SBX_SUBSET       script-specific subset (test-mounts.sh: "fallback")

set -u
set +e

: "${SBX:?set SBX to the sandbox binary under test (sbx or bwrap)}"
TESTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TEST_SCRIPT=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
SBX_NAME=$(basename "$SBX")
TEST_USER=${SBX_TEST_USER:-sbxtest}

T_NUM=${SBX_TAP_OFFSET:-0}
PASS_LABEL=${SBX_PASS_LABEL:-$(id -un 2>/dev/null || id -u)}

if "$SBX" --version 2>/dev/null | grep -qi '^sbx'; then
  IS_SBX=1
else
  IS_SBX=0
fi
SBX_HELP=$("$SBX" --help 2>&1)

# Error messages start with the program name and a colon, optionally after a
# syslog-level prefix (--level-prefix).
ERR_PREFIX_RE="^(<[0-7]>)?(sbx|bwrap|$SBX_NAME): "

# ---------------------------------------------------------------- features

# supports OPTION: does the binary know OPTION?  sbx must know every option,
# so for sbx this is always true (a missing option then fails the test
# instead of skipping it).  For other binaries, look at --help.
supports() {
  [[ $IS_SBX == 1 ]] && return 0
  grep -qE -- "^ *$1( |$)" <<<"$SBX_HELP"
}

# need OPTION: inside a check, skip it when the binary lacks OPTION.
need() {
  supports "$1" || skip_check "$1 not supported by this binary"
}

is_root() { [[ $(id -u) == 0 ]]; }

# ------------------------------------------------------------------- TAP

_check_state() { echo "$T/.check-$1"; }

# check DESC FUNCTION [ARGS...]
#   Runs FUNCTION in a subshell with `set -e`; exit 0 is ok, 77 (via
#   skip_check) is a skip, anything else fails and the captured output is
#   shown as TAP diagnostics.  todo_unless_sbx marks a known failure of
#   other binaries as TODO.
check() {
  local desc=$1; shift
  local log rc reason
  # SBX_TEST_ONLY=REGEX: run only the checks whose description matches
  # (for work on one check; CI leaves it unset).
  if [[ -n ${SBX_TEST_ONLY:-} && ! $desc =~ $SBX_TEST_ONLY ]]; then
    T_NUM=$((T_NUM + 1))
    echo "ok $T_NUM - [$PASS_LABEL] $desc # SKIP not selected by SBX_TEST_ONLY"
    return 0
  fi
  log=$(_check_state log)
  rm -f "$(_check_state skip)" "$(_check_state todo)"
  ( set -e; "$@" ) >"$log" 2>&1 </dev/null
  rc=$?
  T_NUM=$((T_NUM + 1))
  if [[ $rc == 0 ]]; then
    echo "ok $T_NUM - [$PASS_LABEL] $desc"
  elif [[ $rc == 77 && -e $(_check_state skip) ]]; then
    reason=$(<"$(_check_state skip)")
    echo "ok $T_NUM - [$PASS_LABEL] $desc # SKIP $reason"
  elif [[ -e $(_check_state todo) ]]; then
    reason=$(<"$(_check_state todo)")
    echo "not ok $T_NUM - [$PASS_LABEL] $desc # TODO $reason"
    sed 's/^/#   /' "$log" | head -n 40
  else
    echo "not ok $T_NUM - [$PASS_LABEL] $desc"
    sed 's/^/#   /' "$log" | head -n 60
  fi
  return 0
}

skip_check() { echo "$*" >"$(_check_state skip)"; exit 77; }
todo_unless_sbx() { [[ $IS_SBX == 1 ]] || echo "$*" >"$(_check_state todo)"; }
diag() { printf '%s\n' "$@" | sed 's/^/# /'; }

fail() { echo "FAIL: $*"; exit 1; }
expect_eq() { [[ "$1" == "$2" ]] || fail "${3:-value}: expected '$2', got '$1'"; }
expect_ne() { [[ "$1" != "$2" ]] || fail "${3:-value}: expected something other than '$2'"; }
expect_match() { [[ "$1" =~ $2 ]] || fail "${3:-value}: '$1' does not match /$2/"; }
expect_contains() { [[ "$1" == *"$2"* ]] || fail "${3:-text}: expected to contain '$2', got: $1"; }
expect_not_contains() { [[ "$1" != *"$2"* ]] || fail "${3:-text}: must not contain '$2', got: $1"; }

# ------------------------------------------------------------- sandboxes

# sbx ARGS...: run the binary under test (through the ENOSYS shim when
# SBX_WRAP=enosys).
sbx() {
  if [[ ${SBX_WRAP:-} == enosys ]]; then
    "${SBX_ENOSYS:?SBX_WRAP=enosys needs SBX_ENOSYS}" ${SBX_ENOSYS_BLOCK:+--block "$SBX_ENOSYS_BLOCK"} "$SBX" "$@"
  else
    "$SBX" "$@"
  fi
}

# sbx_exec ARGS...: exec the binary (for `sbx_exec ... &`: a backgrounded
# function runs in a subshell that would otherwise keep the redirected fds
# open for as long as the sandbox runs).
sbx_exec() {
  if [[ ${SBX_WRAP:-} == enosys ]]; then
    exec "$SBX_ENOSYS" ${SBX_ENOSYS_BLOCK:+--block "$SBX_ENOSYS_BLOCK"} "$SBX" "$@"
  else
    exec "$SBX" "$@"
  fi
}

# run_sbx ARGS...: run a sandbox, capture OUT, ERR and RC.
run_sbx() {
  RC=0
  sbx "$@" >"$T/.out" 2>"$T/.err" || RC=$?
  OUT=$(<"$T/.out")
  ERR=$(<"$T/.err")
  return 0
}

# sbx_ok ARGS...: run a sandbox that must succeed; OUT holds its stdout.
sbx_ok() {
  run_sbx "$@"
  if [[ $RC != 0 ]]; then
    echo "command: $SBX_NAME $*"
    echo "stdout: $OUT"
    echo "stderr: $ERR"
    fail "sandbox exited with $RC"
  fi
}

# sbx_fails ARGS...: run a sandbox that must exit non-zero.
sbx_fails() {
  run_sbx "$@"
  if [[ $RC == 0 ]]; then
    echo "command: $SBX_NAME $*"
    echo "stdout: $OUT"
    echo "stderr: $ERR"
    fail "sandbox unexpectedly succeeded"
  fi
}

# expect_error_message TEXT: ERR is exactly one line, prefixed with the
# program name and a colon, and contains TEXT.
expect_error_message() {
  local lines
  lines=$(grep -c . <<<"$ERR")
  [[ $lines == 1 ]] || fail "expected one line of error output, got $lines: $ERR"
  expect_match "$ERR" "$ERR_PREFIX_RE" "error prefix"
  expect_contains "$ERR" "$1" "error message"
}

# A host view of the whole root, read-only: the simplest sandbox in which
# ordinary tools work.
RO_ROOT=(--ro-bind / /)
# A minimal root: only /usr (plus the usr-merge links), so nothing else of
# the host is visible.
MIN_ROOT=(--ro-bind /usr /usr --symlink usr/bin /bin --symlink usr/sbin /sbin
          --symlink usr/lib /lib)
[[ -e /lib64 ]] && MIN_ROOT+=(--symlink usr/lib64 /lib64)

# mount_entry MOUNTINFO_TEXT MOUNTPOINT: print "per-mount-opts fstype
# super-opts" for the topmost (last) mount at MOUNTPOINT.
mount_entry() {
  awk -v mp="$2" '
    $5 == mp {
      for (i = 7; i <= NF; i++) if ($i == "-") break;
      line = $6 " " $(i + 1) " " $(i + 3)
    }
    END { if (line == "") exit 1; print line }' <<<"$1"
}

# has_opt "OPTS" OPT: is OPT in the comma-separated OPTS?
has_opt() { [[ ",$1," == *",$2,"* ]]; }

ns_inode() { stat -L -c %i "/proc/${2:-self}/ns/$1"; }

# wait_for COND...: poll until the command succeeds (at most ~20s).  Used
# to wait for a sandbox to reach a state, never to assert on timing.
wait_for() {
  local i
  for ((i = 0; i < 200; i++)); do
    "$@" && return 0
    sleep 0.1
  done
  return 1
}

# Background processes started by checks; killed by pid at exit.
remember_pid() { echo "$1" >>"$T/.bg-pids"; }

# fd_holders TARGET: the pids of the processes with an fd on TARGET (what
# /proc/PID/fd/N links to: a path, or pipe:[INODE]), among those whose fds
# we may read.
fd_holders() {
  # One find for every fd of every process (a readlink each would take
  # seconds); a process that ends meanwhile is only skipped.
  find /proc/[0-9]*/fd -mindepth 1 -maxdepth 1 -printf '%l\t%h\n' 2>/dev/null |
    TARGET=$1 awk -F '\t' '$1 == ENVIRON["TARGET"] { split($2, d, "/"); if (!seen[d[3]]++) print d[3] }'
}

# xvfb_start LOG XVFB-ARGS...: an X server (Xvfb) on a display of its own,
# reported on -displayfd once it accepts connections; sets XVFB_NUM (the
# display's number) and XVFB_PID (remembered: killed at exit), its output
# appended to LOG.  Returns 1 if it did not start.
#
# The number is picked here, not by Xvfb: with -displayfd alone the server
# takes the first number whose abstract socket is free, and abstract
# sockets belong to a network namespace, so a suite whose pass has a
# network namespace of its own (test-desktop's) and one that has not got
# the same display, the second replacing the first's /tmp/.X11-unix/XN.
# A sandbox (which reaches X by that path) then met the other suite's
# server: "cannot open display :N" on CI.  Here a number is taken only if
# nothing answers on its path (a socket left by a killed server is
# removed), and picks are serialised over every suite and pass by a lock
# file in /tmp, held until the server is up.
#
# -noreset: by default an X server resets when its last client leaves,
# and the reset closes every connection still in its setup.  The checks
# poll the screen with short-lived clients (xdotool, import) while the
# app under test connects, so each poll that ends can reset the server
# under the app: "cannot open display :N" now and then (test-learn's
# zenity check, 2 of 5 CI runs).  Measured: with three xdotool loops,
# 10 of 400 xdpyinfo runs failed so; with -noreset, none.
xvfb_start() {
  local log=$1 numfile lock=/tmp/sbx-tests-xvfb.lock lockfd n sock i
  shift
  numfile=$(mktemp "$T/.displayfd.XXXXXX")
  # Opened read-only (flock needs no more): the file may be another
  # user's, which O_CREAT may not open in sticky /tmp (protected_regular).
  [[ -e $lock ]] || (umask 022 && : >>"$lock") 2>/dev/null || true
  exec {lockfd}<"$lock" || return 1
  flock -x "$lockfd"
  XVFB_NUM= XVFB_PID=
  for ((n = 20; n < 100; n++)); do
    sock=/tmp/.X11-unix/X$n
    if [[ -e $sock || -e /tmp/.X$n-lock ]]; then
      # In use, or another user's leftover we may not remove: next.
      python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).connect(sys.argv[1])' "$sock" 2>/dev/null &&
        continue
      rm -f "$sock" "/tmp/.X$n-lock" 2>/dev/null || continue
    fi
    : >"$numfile"
    Xvfb ":$n" -displayfd 3 -noreset "$@" 3>"$numfile" {lockfd}<&- >>"$log" 2>&1 </dev/null &
    XVFB_PID=$!
    remember_pid "$XVFB_PID"
    disown "$XVFB_PID"   # killed at exit without a "Killed" job notice
    for ((i = 0; i < 300; i++)); do
      XVFB_NUM=$(tr -dc 0-9 <"$numfile")
      [[ -n $XVFB_NUM ]] && break
      kill -0 "$XVFB_PID" 2>/dev/null || break
      sleep 0.1
    done
    [[ -z $XVFB_NUM ]] || break
  done
  exec {lockfd}<&-
  [[ -n $XVFB_NUM ]]
}

# xvfb_diag LOG: what a check that lost its display can say about the
# server xvfb_start started: its socket file, whether it runs, who listens
# on the socket's path, the end of its log.
xvfb_diag() {
  local sock=/tmp/.X11-unix/X${XVFB_NUM:-none} state=gone
  [[ -n ${XVFB_PID:-} ]] && kill -0 "$XVFB_PID" 2>/dev/null && state=alive
  echo "display :${XVFB_NUM:-?} (Xvfb pid ${XVFB_PID:-?}: $state)"
  echo "socket: $(stat -c '%A %U inode %i, changed %z' "$sock" 2>&1)"
  echo "listening on it: $(ss -xlpn 2>/dev/null | grep -F " $sock " | tr -s ' ' | tr '\n' ';')"
  echo "Xvfb log: $(tail -n 5 "$1" 2>/dev/null | tr '\n' ';')"
}

# Running sandboxes (sbx --list, the registry in $XDG_RUNTIME_DIR/sbx).
listed() { "$SBX" --list 2>/dev/null | awk 'NR > 1 { print $1 }' | grep -qx "$1"; }
# The cgroup of the running sandbox NAME (from --list --json).
cgroup_of() { "$SBX" --list --json | sed -n 's/.*"name": "'"$1"'".*"cgroup": "\([^"]*\)".*/\1/p'; }
# pids_in CGROUP COMM: the processes in the cgroup directory CGROUP whose
# command name is COMM, one pid a line.
pids_in() {
  local p
  for p in $(cat "$1/cgroup.procs" 2>/dev/null); do
    [[ $(cat "/proc/$p/comm" 2>/dev/null) == "$2" ]] && echo "$p"
  done
  return 0
}
# runs_in CGROUP COMM: some process in CGROUP runs COMM, i.e. the sandbox
# got as far as its app's exec.  A sandbox is registered before it is
# born, and until that exec it still needs its sbx.
runs_in() { [[ -n $(pids_in "$1" "$2") ]]; }
# start_bg NAME ARGS...: a sandbox in the background, registered; waits
# until --list shows it.  BG_PID: its sbx.
start_bg() {
  local name=$1; shift
  sbx_exec "$@" >"$T/bg-$name.out" 2>"$T/bg-$name.err" </dev/null &
  BG_PID=$!
  remember_pid $BG_PID
  wait_for listed "$name" || fail "$name never showed in --list: $(cat "$T/bg-$name.err")"
}

# need_bus: skip the check without dbus-daemon, gdbus, xdg-dbus-proxy or
# python3-gi (a bus, a client, the proxy and a service).
need_bus() {
  local t
  for t in dbus-daemon gdbus xdg-dbus-proxy; do
    command -v $t >/dev/null || skip_check "$t is not installed"
  done
  /usr/bin/python3 -c 'from gi.repository import Gio' 2>/dev/null || skip_check "python3-gi is not installed"
}

# start_test_bus: a session bus of the check's own (DBUS_SESSION_BUS_ADDRESS
# exported), with a service owning org.sbx.Test that answers
# org.sbx.Test.Ping with "pong" on /org/sbx/Test (test-explain.sh,
# test-learn.sh); skips the check without dbus-daemon, gdbus,
# xdg-dbus-proxy or python3-gi.
start_test_bus() {
  need_bus
  cat >"$T/service.py" <<'EOF'
from gi.repository import Gio, GLib
XML = '<node><interface name="org.sbx.Test"><method name="Ping"><arg type="s" direction="out"/></method></interface></node>'
conn = Gio.bus_get_sync(Gio.BusType.SESSION, None)
conn.register_object("/org/sbx/Test", Gio.DBusNodeInfo.new_for_xml(XML).interfaces[0],
                     lambda c, s, p, i, m, a, inv: inv.return_value(GLib.Variant("(s)", ("pong",))), None, None)
conn.call_sync("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "RequestName",
               GLib.Variant("(su)", ("org.sbx.Test", 4)), None, 0, -1, None)
print("ready", flush=True)
GLib.MainLoop().run()
EOF
  env -u XDG_RUNTIME_DIR dbus-daemon --session --nofork --address="unix:path=$T/bus" --print-address=1 \
    >"$T/bus.addr" 2>"$T/bus.log" &
  remember_pid $!
  wait_for grep -qs . "$T/bus.addr" || fail "dbus-daemon did not start: $(<"$T/bus.log")"
  export DBUS_SESSION_BUS_ADDRESS=unix:path=$T/bus
  /usr/bin/python3 "$T/service.py" >"$T/service.out" 2>&1 &
  remember_pid $!
  wait_for grep -qs ready "$T/service.out" || fail "the service did not start: $(<"$T/service.out")"
}

# mountpoints: the sorted list of mount points of the calling process.
mountpoints() { awk '{print $5}' /proc/self/mountinfo | sort; }

# tree_listing DIR: list everything below DIR (for "nothing left behind").
tree_listing() { find "$1" -xdev -not -name '.check-*' -not -name '.out' -not -name '.err' 2>/dev/null | sort; }

# ----------------------------------------------------------- temp dirs

setup_tmp() {
  T=$(mktemp -d "${TMPDIR:-/tmp}/sbx-test.XXXXXX") || exit 1
  chmod 755 "$T"
  trap cleanup_tmp EXIT
}

cleanup_tmp() {
  local pid
  if [[ -e $T/.bg-pids ]]; then
    while read -r pid; do
      kill -KILL "$pid" 2>/dev/null
    done <"$T/.bg-pids"
  fi
  # --one-file-system: never recurse into something left mounted.
  [[ -n ${T:-} && -d $T ]] && rm -rf --one-file-system "$T"
}

# fresh_home: a new empty home for one check, with an environment that
# points nowhere else (no display, bus or agent of the caller's), a runtime
# dir of its own, and SBX_PROFILE_PATH at $T/profiles: a copy of the shipped
# profiles, made on first use, to which a check may add its own.
fresh_home() {
  HOME=$(mktemp -d "$T/home.XXXXXX")
  export HOME
  unset XDG_CONFIG_HOME XDG_DATA_HOME XDG_CACHE_HOME XDG_STATE_HOME \
        DBUS_SESSION_BUS_ADDRESS DBUS_SYSTEM_BUS_ADDRESS DISPLAY WAYLAND_DISPLAY \
        PULSE_SERVER SSH_AUTH_SOCK XAUTHORITY
  export XDG_RUNTIME_DIR=$HOME/.run
  mkdir -m 700 "$XDG_RUNTIME_DIR"
  if [[ ! -d $T/profiles ]]; then
    mkdir -p "$T/profiles"
    cp "$SBX_PROFILES_DIR"/* "$T/profiles/"
  fi
  export SBX_PROFILE_PATH=$T/profiles
}

# ------------------------------------------------------------- passes

ensure_test_user() {
  local i
  for ((i = 0; i < 20; i++)); do
    id "$TEST_USER" >/dev/null 2>&1 && return 0
    useradd --system -M -s /bin/bash "$TEST_USER" >/dev/null 2>&1 && return 0
    sleep 0.5   # another test script may be creating it right now
  done
  id "$TEST_USER" >/dev/null 2>&1
}

# run_pass LABEL COMMAND...: run one pass, relay its TAP lines (numbers
# continue from T_NUM) and account for it in T_NUM.
run_pass() {
  local label=$1; shift
  local line n complete=0 rc
  while IFS= read -r line; do
    case $line in
      "ok "* | "not ok "*)
        n=${line#not }; n=${n#ok }; n=${n%% *}
        [[ $n =~ ^[0-9]+$ ]] && T_NUM=$n
        printf '%s\n' "$line" ;;
      "# pass complete")
        complete=1 ;;
      "#"*) printf '%s\n' "$line" ;;
      *) printf '# %s\n' "$line" ;;
    esac
  done < <(env SBX_INNER=1 SBX_TAP_OFFSET="$T_NUM" SBX_PASS_LABEL="$label" "$@" 2>&1)
  wait $! 2>/dev/null
  rc=$?
  if [[ $complete != 1 ]]; then
    T_NUM=$((T_NUM + 1))
    echo "not ok $T_NUM - [$label] the $label pass ran to completion (rc=$rc)"
  fi
}

# The fixture: a directory with a file and a tmpfs submount, mounted by
# root in the pass's private mount namespace.
FIXTURE_MOUNT='mkdir -p "$1/sub" && echo top >"$1/top" && chown "$2" "$1" "$1/top" &&
  mount -t tmpfs -o mode=1777,size=4m sbx-fixture "$1/sub" && echo sub >"$1/sub/file" &&
  chown "$2" "$1/sub/file" && shift 2 && exec "$@"'

# Suites that run the network profiles (network.inc: `network private`) set
# ISOLATE_NET=1 before tap_main: each pass then runs in a network namespace
# of its own with only a loopback, so nothing an app under test does gets
# past this machine, and /dev/net/tun there is a 0666 node as on a stock
# Debian system, so that the unprivileged pass can start the network helper
# (this machine kind's node is 0600).  Bound in the pass's own mount
# namespace: the host's /dev is untouched.
STAGE_NET='ip link set lo up &&
  if [ -c /dev/net/tun ] && [ "$(stat -c %a /dev/net/tun)" != 666 ]; then
    d=$(mktemp -d) && mount -t tmpfs -o size=4k sbx-tun "$d" && mknod -m 0666 "$d/tun" c 10 200 &&
    mount --bind "$d/tun" /dev/net/tun && umount -l "$d" && rmdir "$d"
  fi && '

# tap_inner_or_self [VAR=VALUE...]: the runs that need no staging: a pass
# itself (SBX_INNER), or a non-root caller's single pass (VARs passed on).
# Returns only as root outside a pass.
tap_inner_or_self() {
  if [[ -n ${SBX_INNER:-} ]]; then
    setup_tmp
    run_checks
    echo "# pass complete"
    exit 0
  fi
  if ! is_root; then
    run_pass "$PASS_LABEL" env "$@" bash "$TEST_SCRIPT"
    echo "1..$T_NUM"
    exit 0
  fi
}

# end_unless_test_user: before the unprivileged pass; without the user
# there is no such pass: one failing line, the plan, and the end.
end_unless_test_user() {
  ensure_test_user && return 0
  T_NUM=$((T_NUM + 1))
  echo "not ok $T_NUM - could not create the unprivileged user $TEST_USER"
  echo "1..$T_NUM"
  exit 0
}

tap_main() {
  # The shipped profiles: the source tree's for root, a world-readable
  # copy in the staging directory for the unprivileged user (the clone may
  # sit where that user cannot enter).
  : "${SBX_PROFILES_DIR:=${SBX_SRCDIR:-$TESTS_DIR/..}/profiles}"
  export SBX_PROFILES_DIR
  tap_inner_or_self

  local stage uid
  stage=$(mktemp -d /tmp/sbx-stage.XXXXXX)
  chmod 755 "$stage"
  trap 'rm -rf --one-file-system "$stage"' EXIT
  mkdir -p "$stage/bin" "$stage/tests" "$stage/fix-root" "$stage/fix-user" "$stage/home" "$stage/profiles"

  # Pass 1: root, in a private mount namespace holding the fixture.
  run_pass root unshare -m ${ISOLATE_NET:+-n} --propagation private -- bash -c "${ISOLATE_NET:+$STAGE_NET}$FIXTURE_MOUNT" _ \
    "$stage/fix-root" root env SBX_FIXTURE="$stage/fix-root" bash "$TEST_SCRIPT"

  # Pass 2: the unprivileged user, from the world-readable staging copy.
  end_unless_test_user
  uid=$(id -u "$TEST_USER")
  cp "$SBX" "$stage/bin/$SBX_NAME"
  cp "$TESTS_DIR"/*.sh "$stage/tests/"
  cp -r "$SBX_PROFILES_DIR"/. "$stage/profiles/"
  local envs=(SBX="$stage/bin/$SBX_NAME" HOME="$stage/home" USER="$TEST_USER"
              LOGNAME="$TEST_USER" TMPDIR=/tmp SBX_FIXTURE="$stage/fix-user"
              SBX_PROFILES_DIR="$stage/profiles")
  if [[ -n ${SBX_SECCOMP_GEN:-} ]]; then
    cp "$SBX_SECCOMP_GEN" "$stage/bin/"; envs+=(SBX_SECCOMP_GEN="$stage/bin/$(basename "$SBX_SECCOMP_GEN")")
  fi
  if [[ -n ${SBX_ENOSYS:-} ]]; then
    cp "$SBX_ENOSYS" "$stage/bin/"; envs+=(SBX_ENOSYS="$stage/bin/$(basename "$SBX_ENOSYS")")
  fi
  if [[ -n ${SBX_LEARN_PROBE:-} ]]; then
    cp "$SBX_LEARN_PROBE" "$stage/bin/"; envs+=(SBX_LEARN_PROBE="$stage/bin/$(basename "$SBX_LEARN_PROBE")")
  fi
  if [[ -n ${SBX_SYSPROBE:-} ]]; then
    cp "$SBX_SYSPROBE" "$stage/bin/"; envs+=(SBX_SYSPROBE="$stage/bin/$(basename "$SBX_SYSPROBE")")
  fi
  chown "$uid" "$stage/home"
  chmod -R a+rX "$stage"
  run_pass "$TEST_USER" unshare -m ${ISOLATE_NET:+-n} --propagation private -- bash -c "${ISOLATE_NET:+$STAGE_NET}$FIXTURE_MOUNT" _ \
    "$stage/fix-user" "$uid" env "${envs[@]}" \
    setpriv --reuid="$TEST_USER" --regid="$TEST_USER" --clear-groups -- \
    bash "$stage/tests/$(basename "$TEST_SCRIPT")"
  echo "1..$T_NUM"
  exit 0
}
