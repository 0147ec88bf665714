#!/bin/bash
# Filtered D-Bus through xdg-dbus-proxy, and /.flatpak-info.
#
# Everything here is real: a private dbus-daemon (two, for the "system"
# bus), a test service written with python3-gi on it, xdg-dbus-proxy
# started by sbx, gdbus inside the sandbox.  Checked from inside: what the
# policy allows answers, what it does not is invisible and refused, owning
# follows the rules; from outside: the proxy's own root shows the app's
# /.flatpak-info, it exits with the sandbox, and no runtime file survives a
# run -- a successful one, one whose command does not exist, one whose
# policy is wrong and one whose proxy can't start.
#
# Needs dbus-daemon (dbus-daemon), gdbus (libglib2.0-bin), xdg-dbus-proxy
# and python3 with gi (python3-gi); without them every check is skipped.
# sbx-only: bubblewrap has no D-Bus options.
source "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3
# The sandbox: the system read-only, nothing else of the host.
BASE=(--noprofile --ro /usr --ro /etc --ro /bin --ro /sbin --ro /lib --ro /lib64)
APP=(--app-id org.sbx.App)
FILTER=(--dbus-session filter --dbus-talk org.sbx.Test)
# The proxy's own process (not its sbx wrapper), found by our bus address.
proxy_re() { echo "^[^ ]*xdg-dbus-proxy --fd=[0-9]+ unix:path=$T/bus "; }

# ------------------------------------------------------------ fixtures

write_service() {
  cat >"$T/service.py" <<'EOF'
# A D-Bus service: owns the names given as arguments and answers
# org.sbx.Test.Ping with "pong" on /org/sbx/Test; prints "ready" once the
# names are owned.
import sys
from gi.repository import Gio, GLib
XML = """<node><interface name="org.sbx.Test">
  <method name="Ping"><arg type="s" direction="out"/></method>
</interface></node>"""
iface = Gio.DBusNodeInfo.new_for_xml(XML).interfaces[0]
def on_call(conn, sender, path, iface_name, method, params, invocation):
    invocation.return_value(GLib.Variant("(s)", ("pong",)))
conn = Gio.bus_get_sync(Gio.BusType.SESSION, None)
conn.register_object("/org/sbx/Test", iface, on_call, None, None)
conn.register_object("/org/sbx/Other", iface, on_call, None, None)
for name in sys.argv[1:]:
    (r,) = conn.call_sync("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                          "RequestName", GLib.Variant("(su)", (name, 4)), GLib.VariantType("(u)"),
                          0, -1, None).unpack()
    if r != 1:
        sys.exit("could not own " + name)
print("ready", flush=True)
GLib.MainLoop().run()
EOF
}

# start_bus NAME ADDRESS: a session-type dbus-daemon at ADDRESS with the
# test service (owning org.sbx.Test and org.sbx.Hidden) on it.
start_bus() {
  local name=$1 addr=$2
  # (Without XDG_RUNTIME_DIR: dbus-daemon would put a dbus-1/ there.)
  env -u XDG_RUNTIME_DIR dbus-daemon --session --nofork --address="$addr" --print-address=1 \
    >"$T/$name.addr" 2>"$T/$name.log" &
  remember_pid $!
  FIXTURE_PIDS+=($!); disown $!
  wait_for grep -qs . "$T/$name.addr" || { echo "dbus-daemon $name did not start"; cat "$T/$name.log"; return 1; }
  DBUS_SESSION_BUS_ADDRESS=$addr "$PY" "$T/service.py" org.sbx.Test org.sbx.Hidden >"$T/$name.svc" 2>&1 &
  remember_pid $!
  FIXTURE_PIDS+=($!); disown $!
  wait_for grep -qs ready "$T/$name.svc" || { echo "service on $name did not start"; cat "$T/$name.svc"; return 1; }
}

SETUP_ERR=
FIXTURE_PIDS=()
setup_fixtures() {
  local t
  # The buses go at exit even if $T (and lib.sh's pid list in it) is gone.
  trap 'kill -KILL "${FIXTURE_PIDS[@]}" 2>/dev/null; cleanup_tmp' EXIT
  [[ $IS_SBX == 1 ]] || { SETUP_ERR="bubblewrap has no D-Bus options"; return; }
  for t in dbus-daemon gdbus xdg-dbus-proxy; do
    command -v $t >/dev/null || { SETUP_ERR="$t is not installed"; return; }
  done
  "$PY" -c 'from gi.repository import Gio' 2>/dev/null || { SETUP_ERR="python3-gi is not installed"; return; }
  write_service
  # A private runtime dir, so "nothing left behind" can be checked exactly.
  mkdir -m 0700 "$T/xrt"
  export XDG_RUNTIME_DIR=$T/xrt
  start_bus session "unix:path=$T/bus" || { SETUP_ERR="could not start the session bus"; return; }
  start_bus system "unix:path=$T/sysbus" || { SETUP_ERR="could not start the second bus"; return; }
  export DBUS_SESSION_BUS_ADDRESS=unix:path=$T/bus
  export DBUS_SYSTEM_BUS_ADDRESS=unix:path=$T/sysbus
}

ready() { [[ -z $SETUP_ERR ]] || skip_check "$SETUP_ERR"; }

# Nothing of ours in the runtime dir, and no proxy on our bus.  (sbx/seccomp
# is the cache of compiled system call policies, kept for the session on
# purpose: one file per policy, not per sandbox.)
expect_nothing_left() {
  local left
  left=$(find "$XDG_RUNTIME_DIR" -mindepth 1 -not -path "$XDG_RUNTIME_DIR/sbx" \
           -not -path "$XDG_RUNTIME_DIR/.flatpak" -not -path "$XDG_RUNTIME_DIR/sbx/seccomp" \
           -not -path "$XDG_RUNTIME_DIR/sbx/seccomp/*.bpf" 2>/dev/null)
  [[ -z $left ]] || fail "left behind in \$XDG_RUNTIME_DIR: $left"
  wait_for no_proxy || fail "an xdg-dbus-proxy for $T/bus is still running: $(pgrep -af "$(proxy_re)")"
}
no_proxy() { ! pgrep -f "$(proxy_re)" >/dev/null; }

# bg_sandbox ARGS...: start a sandbox running `sleep 600` in the background
# (sets BG), then wait until its proxy runs (sets PROXY).
bg_sandbox() {
  # $SBX itself, not lib.sh's sbx function: BG must be sbx's pid.
  "$SBX" "$@" -- sleep 600 >"$T/bg.out" 2>"$T/bg.err" &
  BG=$!
  remember_pid $BG
  wait_for pgrep -f "$(proxy_re)" >/dev/null || fail "no proxy appeared: $(cat "$T/bg.err")"
  PROXY=$(pgrep -f "$(proxy_re)")
  # Wait until the sandbox itself runs (its bwrapinfo.json is written).
  if [[ -n ${XDG_RUNTIME_DIR:-} ]]; then
    wait_for grep -qs child-pid "$XDG_RUNTIME_DIR"/.flatpak/*/bwrapinfo.json || true
  fi
}
end_bg() {
  kill -TERM "$BG"
  wait "$BG" 2>/dev/null || true
}

# ------------------------------------------------------------- checks

t_allowed_name_answers() {
  ready
  sbx_ok "${BASE[@]}" "${FILTER[@]}" "${APP[@]}" -- sh -c \
    'echo "addr=$DBUS_SESSION_BUS_ADDRESS"; gdbus call --session -d org.sbx.Test -o /org/sbx/Test -m org.sbx.Test.Ping'
  expect_contains "$OUT" "addr=unix:path=/run/user/$(id -u)/bus"
  expect_contains "$OUT" "('pong',)"
}

t_other_name_invisible() {
  ready
  # It is there for anyone outside.
  gdbus call --session -d org.sbx.Hidden -o /org/sbx/Test -m org.sbx.Test.Ping | grep -q pong
  sbx_ok "${BASE[@]}" "${FILTER[@]}" "${APP[@]}" -- sh -c '
    gdbus call --session -d org.freedesktop.DBus -o /org/freedesktop/DBus -m org.freedesktop.DBus.ListNames
    if gdbus call --session -d org.sbx.Hidden -o /org/sbx/Test -m org.sbx.Test.Ping 2>&1; then echo CALL-OK; else echo CALL-FAILED; fi'
  expect_contains "$OUT" "'org.sbx.Test'" "ListNames"
  expect_not_contains "$OUT" "org.sbx.Hidden'" "ListNames"
  expect_contains "$OUT" CALL-FAILED
  expect_not_contains "$OUT" pong
}

t_owning() {
  ready
  local req='gdbus call --session -d org.freedesktop.DBus -o /org/freedesktop/DBus -m org.freedesktop.DBus.RequestName'
  sbx_ok "${BASE[@]}" "${FILTER[@]}" "${APP[@]}" --dbus-own org.sbx.Owned -- sh -c "
    for n in org.sbx.App org.sbx.App.Sub org.sbx.Owned org.sbx.Evil org.sbx.Test; do
      if r=\$($req \$n 4 2>&1); then echo \"\$n=\$r\"; else echo \"\$n=DENIED\"; fi
    done"
  expect_contains "$OUT" "org.sbx.App=(uint32 1,)" "the app id"
  expect_contains "$OUT" "org.sbx.App.Sub=(uint32 1,)" "a name below the app id"
  expect_contains "$OUT" "org.sbx.Owned=(uint32 1,)" "--dbus-own"
  expect_contains "$OUT" "org.sbx.Evil=DENIED" "a name nobody allowed"
  expect_contains "$OUT" "org.sbx.Test=DENIED" "a name the app may only talk to"
}

t_call_rule() {
  ready
  sbx_ok "${BASE[@]}" --dbus-session filter --dbus-call 'org.sbx.Test=org.sbx.Test.Ping@/org/sbx/Test' -- sh -c '
    gdbus call --session -d org.sbx.Test -o /org/sbx/Test -m org.sbx.Test.Ping
    if gdbus call --session -d org.sbx.Test -o /org/sbx/Other -m org.sbx.Test.Ping 2>/dev/null; then echo OTHER-OK; else echo OTHER-DENIED; fi'
  expect_contains "$OUT" "('pong',)" "the allowed call"
  expect_contains "$OUT" OTHER-DENIED "a call on another path"
}

t_proxy_sees_flatpak_info() {
  ready
  bg_sandbox "${BASE[@]}" "${FILTER[@]}" "${APP[@]}"
  local info
  info=$(cat "/proc/$PROXY/root/.flatpak-info") || { end_bg; fail "can't read /proc/$PROXY/root/.flatpak-info"; }
  # The proxy is not in our mount namespace, and has the app's file.
  local ours theirs
  ours=$(stat -L -c %i /proc/self/ns/mnt); theirs=$(stat -L -c %i "/proc/$PROXY/ns/mnt")
  local json
  json=$(cat "$XDG_RUNTIME_DIR"/.flatpak/*/bwrapinfo.json 2>&1)
  local inst
  inst=$(cat "$XDG_RUNTIME_DIR"/.flatpak/*/info 2>&1)
  end_bg
  expect_ne "$theirs" "$ours" "the proxy's mount namespace"
  expect_contains "$info" $'[Application]\nname=org.sbx.App'
  expect_contains "$info" "session-bus-proxy=true"
  expect_contains "$inst" "name=org.sbx.App" "\$XDG_RUNTIME_DIR/.flatpak/ID/info"
  expect_match "$json" '"child-pid": [0-9]+' "bwrapinfo.json"
  expect_nothing_left
}

t_proxy_view() {
  ready
  # The proxy sees the system and its bus socket, nothing else of the host:
  # no home, no /tmp beyond the socket, no /proc or /dev of its own.
  mkdir -p "$T/home-probe"; echo secret >"$T/home-probe/file"
  bg_sandbox "${BASE[@]}" "${FILTER[@]}" "${APP[@]}"
  local root=/proc/$PROXY/root top bus tmp
  top=$(ls -A "$root/" | tr '\n' ' ')
  bus=$(stat -c %F "$root$T/bus" 2>&1)
  tmp=$(ls -A "$root$T" | tr '\n' ' ')
  local usr; usr=$(test -x "$root/usr/bin/xdg-dbus-proxy" && echo yes)
  end_bg
  expect_eq "$bus" socket "the bus socket inside the proxy's root"
  [[ " $tmp" == *" bus "* && " $tmp" != *" home-probe "* ]] || fail "the proxy sees in $T: $tmp"
  expect_eq "$usr" yes "/usr/bin/xdg-dbus-proxy inside"
  for d in home root proc dev srv var; do
    [[ " $top" != *" $d "* ]] || fail "the proxy's root has /$d: $top"
  done
  [[ " $top" == *" usr "* && " $top" == *" etc "* ]] || fail "the proxy's root lacks /usr or /etc: $top"
  expect_nothing_left
}

t_proxy_exits_with_sandbox() {
  ready
  bg_sandbox "${BASE[@]}" "${FILTER[@]}" "${APP[@]}"
  kill -0 "$PROXY"
  end_bg
  wait_for no_proxy || fail "the proxy outlived the sandbox"
  expect_nothing_left
}

t_proxy_no_caller_fds() {
  ready
  # An fd the caller leaks (here a directory, fd 7) reaches none of the
  # profile sandbox's processes: not the app, not its pid 1 or monitor, not
  # the proxy or the proxy's own sandbox.
  mkdir -p "$T/leaked-dir"
  bg_sandbox "${BASE[@]}" "${FILTER[@]}" "${APP[@]}" 7<"$T/leaked-dir"
  local pid holders=""
  for pid in $(fd_holders "$T/leaked-dir"); do
    holders+="$pid: $(tr '\0' ' ' </proc/"$pid"/cmdline)"$'\n'
  done
  end_bg
  [[ -z $holders ]] || fail "the leaked fd is held by: $holders"
}

t_proxy_no_plan_fds() {
  ready
  # An fd the caller hands to sbx itself (--info-fd: sbx writes the
  # sandbox's pid there) is sbx's, not the proxy's: the proxy holds only
  # its own pipe.
  bg_sandbox "${BASE[@]}" "${FILTER[@]}" "${APP[@]}" --info-fd 8 8>"$T/info.json"
  local f holders=""
  for f in /proc/"$PROXY"/fd/*; do
    [[ $(readlink "$f" 2>/dev/null) == "$T/info.json" ]] && holders+="$f "
  done
  end_bg
  [[ -z $holders ]] || fail "the proxy holds the --info-fd file: $holders"
  expect_match "$(cat "$T/info.json")" '"child-pid": [0-9]+' "--info-fd"
}

t_killed_sbx() {
  ready
  # sbx killed outright can't clean up: the proxy must still go (it dies
  # with its parent), and the next sbx removes the dead instance's files.
  bg_sandbox "${BASE[@]}" "${FILTER[@]}" "${APP[@]}"
  local dir
  dir=$(tr '\0' '\n' <"/proc/$PROXY/cmdline" | grep "^$XDG_RUNTIME_DIR/sbx/" | head -n1)
  dir=${dir%/*}
  kill -KILL "$BG"
  wait "$BG" 2>/dev/null || true
  wait_for no_proxy || fail "the proxy outlived a killed sbx"
  [[ -d $dir ]] || fail "expected $dir to be left behind by the killed sbx"
  sbx_ok "${BASE[@]}" "${FILTER[@]}" "${APP[@]}" -- true
  [[ ! -e $dir ]] || fail "the next run did not remove the dead instance $dir"
  expect_nothing_left
}

t_concurrent_start() {
  ready
  command -v strace >/dev/null || skip_check "strace not installed"
  # Instance A is held (strace delays its flock calls) just after it made
  # its instance directory and lock file; instance B starts meanwhile and
  # sweeps dead instances.  A is alive: its directory must survive, and A
  # must run.  (If B ran after the delay the check would pass anyway; it
  # can only fail when the sweep meets A's unlocked lock.)
  strace -o /dev/null -e trace=flock -e inject=flock:delay_enter=3000000 \
    "$SBX" "${BASE[@]}" "${FILTER[@]}" "${APP[@]}" -- sleep 600 >"$T/a.out" 2>"$T/a.err" &
  local a=$! dir
  remember_pid $a
  STRACED=$a # (not local: the EXIT trap runs after the function returned)
  trap 'kill -KILL $(pgrep -P $STRACED) $STRACED 2>/dev/null || true' EXIT
  wait_for compgen -G "$XDG_RUNTIME_DIR/sbx/[0-9]*/lock*" >/dev/null || fail "A made no lock file: $(cat "$T/a.err")"
  dir=$(compgen -G "$XDG_RUNTIME_DIR/sbx/[0-9]*/lock*" | head -n1)
  dir=${dir%/*}
  sbx_ok "${BASE[@]}" "${FILTER[@]}" "${APP[@]}" -- true
  [[ -d $dir ]] || fail "B swept the live instance A ($dir)"
  wait_for pgrep -f "$(proxy_re)" >/dev/null || fail "A did not start: $(cat "$T/a.err")"
  [[ -e $dir/lock ]] || fail "A's lock is gone"
  # $a is strace; A itself is its child.
  kill -TERM $(pgrep -P $a) $a 2>/dev/null || true
  wait $a 2>/dev/null || true
  expect_nothing_left
}

t_flatpak_info_inside() {
  ready
  sbx_ok "${BASE[@]}" "${FILTER[@]}" "${APP[@]}" --socket x11 --network host -- sh -c '
    cat /.flatpak-info; echo ---
    (echo x >/.flatpak-info) 2>/dev/null && echo WRITABLE
    rm -f /.flatpak-info 2>/dev/null && echo REMOVABLE
    mv /.flatpak-info /moved 2>/dev/null && echo MOVABLE
    readlink /run/user/$(id -u)/flatpak-info'
  expect_contains "$OUT" $'[Application]\nname=org.sbx.App'
  expect_match "$OUT" $'\ninstance-id=[0-9]+\n'
  expect_contains "$OUT" "session-bus-proxy=true"
  expect_contains "$OUT" "system-bus-proxy=false"
  expect_contains "$OUT" $'[Context]\nshared=network;\nsockets=x11;'
  expect_contains "$OUT" $'[Session Bus Policy]\norg.sbx.Test=talk'
  expect_not_contains "$OUT" WRITABLE
  expect_not_contains "$OUT" REMOVABLE
  expect_not_contains "$OUT" MOVABLE
  expect_contains "$OUT" "../../../.flatpak-info"
}

t_no_app_id_no_flatpak_info() {
  ready
  sbx_ok "${BASE[@]}" "${FILTER[@]}" -- sh -c 'test -e /.flatpak-info && echo PRESENT; gdbus call --session -d org.sbx.Test -o /org/sbx/Test -m org.sbx.Test.Ping'
  expect_not_contains "$OUT" PRESENT
  expect_contains "$OUT" pong
  run_sbx --explain "${BASE[@]}" "${FILTER[@]}" -- true
  expect_contains "$OUT" "/.flatpak-info: none (no app-id)"
  expect_nothing_left
}

t_profile_directives() {
  ready
  mkdir -p "$T/profiles"
  printf '%s\n' 'ro /usr' 'ro /etc' 'ro /bin' 'ro /lib' 'ro /lib64' 'dbus-session filter' \
    'dbus-talk org.sbx.Test' 'app-id org.sbx.Prof' >"$T/profiles/dbustest.profile"
  SBX_PROFILE_PATH=$T/profiles sbx_ok --profile dbustest -- sh -c \
    'grep ^name= /.flatpak-info; gdbus call --session -d org.sbx.Test -o /org/sbx/Test -m org.sbx.Test.Ping'
  expect_contains "$OUT" "name=org.sbx.Prof"
  expect_contains "$OUT" pong
}

t_system_bus() {
  ready
  sbx_ok "${BASE[@]}" --dbus-system filter --dbus-system-talk org.sbx.Hidden "${APP[@]}" -- sh -c '
    echo "addr=$DBUS_SYSTEM_BUS_ADDRESS"
    gdbus call --system -d org.sbx.Hidden -o /org/sbx/Test -m org.sbx.Test.Ping
    gdbus call --system -d org.sbx.Test -o /org/sbx/Test -m org.sbx.Test.Ping 2>/dev/null || echo TEST-DENIED
    test -e "/run/user/$(id -u)/bus" && echo SESSION-PRESENT
    grep -e -bus-proxy= -e "^org.sbx" /.flatpak-info'
  expect_contains "$OUT" "addr=unix:path=/run/dbus/system_bus_socket"
  expect_contains "$OUT" "('pong',)"
  expect_contains "$OUT" TEST-DENIED
  expect_not_contains "$OUT" SESSION-PRESENT
  expect_contains "$OUT" "system-bus-proxy=true"
  expect_contains "$OUT" "org.sbx.Hidden=talk"
}

t_abstract_bus() {
  ready
  # The app has no network namespace of the host, so it can't reach an
  # abstract socket; the proxy (host network namespace) can.
  local addr="unix:abstract=sbx-test-$$-$RANDOM"
  start_bus abstract "$addr" || fail "could not start an abstract-socket bus"
  DBUS_SESSION_BUS_ADDRESS=$addr sbx_ok "${BASE[@]}" "${FILTER[@]}" -- \
    gdbus call --session -d org.sbx.Test -o /org/sbx/Test -m org.sbx.Test.Ping
  expect_contains "$OUT" pong
}

t_abstract_bus_shared_network() {
  ready
  # With the host's network shared and no Landlock scope (landlock-scope
  # off, or a kernel below ABI 6), a host bus on an abstract socket is
  # reachable from inside by its name (listed in /proc/net/unix), whatever
  # the bus policy says: sbx must say so on stderr and in --explain.  The
  # leak itself is shown first, so the warning is known to be true.
  local name="sbx-test-shared-$$-$RANDOM"
  local addr="unix:abstract=$name" mode
  local noscope=(--landlock-scope off)
  start_bus shared "$addr" || fail "could not start an abstract-socket bus"
  for mode in none filter; do
    local policy=(--dbus-session "$mode" "${noscope[@]}")
    [[ $mode == filter ]] && policy=("${FILTER[@]}" "${noscope[@]}")
    DBUS_SESSION_BUS_ADDRESS=$addr run_sbx "${BASE[@]}" --network host "${policy[@]}" -- sh -c \
      "grep -q '@$name' /proc/net/unix && echo listed; gdbus call --address '$addr' -d org.sbx.Hidden -o /org/sbx/Test -m org.sbx.Test.Ping"
    expect_eq "$RC" 0 "dbus-session $mode: exit status (stderr: $ERR)"
    expect_contains "$OUT" listed "dbus-session $mode: the bus in /proc/net/unix inside"
    expect_contains "$OUT" pong "dbus-session $mode: a hidden name called through the abstract socket"
    expect_contains "$ERR" "the session bus's abstract socket (@$name) is reachable from inside" \
      "dbus-session $mode: warning"
    DBUS_SESSION_BUS_ADDRESS=$addr run_sbx --explain "${BASE[@]}" --network host "${policy[@]}" -- true
    expect_contains "$OUT" "WARNING: shared network namespace: the host bus's abstract socket @$name is reachable" \
      "dbus-session $mode: --explain"
  done
  # Landlock's scope (the default, on a kernel with ABI 6): listed, but the
  # connection is refused, and there is nothing to warn about.
  if [[ $(sbx --explain --json "${BASE[@]}" --network host -- true | python3 -c \
        'import json,sys; print(len(json.load(sys.stdin)["landlock"]["scope"]))') == 2 ]]; then
    DBUS_SESSION_BUS_ADDRESS=$addr run_sbx "${BASE[@]}" --network host --dbus-session none -- sh -c \
      "grep -q '@$name' /proc/net/unix && echo listed; gdbus call --address '$addr' -d org.sbx.Hidden -o /org/sbx/Test -m org.sbx.Test.Ping 2>/dev/null || echo refused"
    expect_eq "$OUT" "$(printf 'listed\nrefused')" "Landlock scope: the abstract bus inside"
    expect_not_contains "$ERR" "abstract socket" "Landlock scope: stderr"
    DBUS_SESSION_BUS_ADDRESS=$addr run_sbx --explain "${BASE[@]}" --network host --dbus-session none -- true
    expect_contains "$OUT" "abstract socket @$name is closed to the sandbox (Landlock scope)" "Landlock scope: --explain"
  fi
  # A network namespace of its own (the default): unreachable, no warning.
  DBUS_SESSION_BUS_ADDRESS=$addr run_sbx "${BASE[@]}" --dbus-session none -- sh -c \
    "gdbus call --address '$addr' -d org.sbx.Hidden -o /org/sbx/Test -m org.sbx.Test.Ping 2>/dev/null || echo unreachable"
  expect_eq "$OUT" unreachable "network none: the abstract bus inside"
  expect_not_contains "$ERR" "abstract socket" "network none: stderr"
}

t_explain_starts_nothing() {
  ready
  run_sbx --explain "${BASE[@]}" "${FILTER[@]}" "${APP[@]}" -- true
  expect_eq "$RC" 0 "exit code"
  expect_contains "$OUT" "dbus proxy command: sbx-dbus-proxy"
  expect_contains "$OUT" "filtered by xdg-dbus-proxy: unix:path=$T/bus -> $XDG_RUNTIME_DIR/sbx/"
  expect_contains "$OUT" "/session-bus/bus -> /run/user/$(id -u)/bus (a link to /run/user/$(id -u)/.dbus-proxy/bus"
  expect_contains "$OUT" "--talk=org.sbx.Test"
  expect_contains "$OUT" "--own=org.sbx.App.*"
  expect_nothing_left
}

t_missing_command_leaves_nothing() {
  ready
  sbx_fails "${BASE[@]}" "${FILTER[@]}" "${APP[@]}" -- /nonexistent/command
  expect_nothing_left
}

t_bad_policy_leaves_nothing() {
  ready
  sbx_fails "${BASE[@]}" "${FILTER[@]}" "${APP[@]}" --dbus-talk 'not a bus name' -- true
  expect_eq "$RC" 2 "exit code"
  expect_nothing_left
}

t_proxy_failure_leaves_nothing() {
  ready
  SBX_DBUS_PROXY=/bin/false sbx_fails "${BASE[@]}" "${FILTER[@]}" "${APP[@]}" -- echo APP-RAN
  expect_not_contains "$OUT" APP-RAN
  expect_contains "$ERR" "exited before it was ready"
  expect_nothing_left
}

# proxy_wrapper NAME THEN: a stand-in for xdg-dbus-proxy (SBX_DBUS_PROXY)
# that first waits until the app's sandbox exists (the monitor wrote its
# child-pid to bwrapinfo.json, which it does right after it cloned the
# sandbox's first process), then runs the shell command THEN ("$@" are the
# proxy's arguments).  It gives up after 10 s: an sbx that waits for the
# proxy before it builds the sandbox never gets there.  (It runs in the
# proxy's sandbox, with an empty environment: paths are absolute.)
proxy_wrapper() {
  cat >"$T/$1" <<EOF
#!/bin/sh
i=0
while [ \$i -lt 100 ]; do
  for f in $XDG_RUNTIME_DIR/.flatpak/*/bwrapinfo.json; do
    if /bin/grep -qs child-pid "\$f"; then $2; fi
  done
  i=\$((i + 1))
  /bin/sleep 0.1
done
echo "$1: the app's sandbox did not appear" >&2
exit 1
EOF
  chmod 755 "$T/$1"
}

t_sandbox_built_while_proxy_starts() {
  ready
  # The proxy can only become ready after the sandbox exists: the app's
  # first call must still reach the bus (it waits for the proxy's byte),
  # and it sees the bus socket and nothing else of the instance directory.
  proxy_wrapper late-proxy "exec $(command -v xdg-dbus-proxy) \"\$@\""
  SBX_DBUS_PROXY=$T/late-proxy sbx_ok "${BASE[@]}" "${FILTER[@]}" "${APP[@]}" -- sh -c '
    gdbus call --session -d org.sbx.Test -o /org/sbx/Test -m org.sbx.Test.Ping
    rt=/run/user/$(id -u)
    echo "dir: $(ls -A $rt/.dbus-proxy | tr "\n" " ")"
    echo "link: $(readlink $rt/bus)"
    test -S $rt/bus && echo SOCKET'
  expect_contains "$OUT" "('pong',)" "the first call"
  expect_contains "$OUT" "dir: bus " "the socket's directory inside"
  expect_contains "$OUT" "link: .dbus-proxy/bus" "\$XDG_RUNTIME_DIR/bus"
  expect_contains "$OUT" SOCKET
  expect_nothing_left
}

t_proxy_dies_after_sandbox_built() {
  ready
  # The sandbox is built, then the proxy exits without its byte: the app
  # does not run, the error names the proxy, nothing is left.
  proxy_wrapper dying-proxy "exit 3"
  SBX_DBUS_PROXY=$T/dying-proxy sbx_fails "${BASE[@]}" "${FILTER[@]}" "${APP[@]}" -- echo APP-RAN
  expect_eq "$RC" 1 "exit code"
  expect_not_contains "$OUT" APP-RAN
  expect_contains "$ERR" "the D-Bus proxy ($T/dying-proxy) exited before it was ready"
  expect_nothing_left
}

t_no_runtime_dir() {
  ready
  # Without $XDG_RUNTIME_DIR the sockets go to a private directory in /tmp.
  XDG_RUNTIME_DIR= bg_sandbox "${BASE[@]}" "${FILTER[@]}" "${APP[@]}"
  local dir mode owner
  # The instance directory, where the proxy's socket directories are.
  dir=$(tr '\0' '\n' <"/proc/$PROXY/cmdline" | grep -o '^/tmp/sbx-[^/]*' | head -n1)
  mode=$(stat -c %a "$dir" 2>&1); owner=$(stat -c %u "$dir" 2>&1)
  end_bg
  expect_match "$dir" "^/tmp/sbx-$(id -u)-[0-9]+$" "runtime dir"
  expect_eq "$mode" 700 "its mode"
  expect_eq "$owner" "$(id -u)" "its owner"
  wait_for test ! -e "$dir" || fail "$dir is still there"
  expect_nothing_left
}

t_sbx_intact_after_proxy_start() {
  ready
  # The proxy's first process runs in sbx's memory until its exec
  # (engine/run.c clone_service): what it changed there must not reach sbx.
  # sbx reads $XDG_RUNTIME_DIR after the proxy's start, for the cache of
  # the system call policy; the app's call shows the proxy works.
  rm -rf "$XDG_RUNTIME_DIR/sbx/seccomp"
  sbx_ok "${BASE[@]}" "${FILTER[@]}" "${APP[@]}" --syscall-deny keyctl -- \
    gdbus call --session -d org.sbx.Test -o /org/sbx/Test -m org.sbx.Test.Ping
  expect_contains "$OUT" "('pong',)"
  local n
  n=$(find "$XDG_RUNTIME_DIR/sbx/seccomp" -name '*.bpf' 2>/dev/null | wc -l)
  expect_eq "$n" 1 "policy cache files in \$XDG_RUNTIME_DIR/sbx/seccomp"
  expect_nothing_left
}

t_stale_without_lock() {
  ready
  local rt=$XDG_RUNTIME_DIR/sbx d
  mkdir -p -m 700 "$rt"
  # What an sbx killed after its instance directory's mkdir and before its
  # lock (or after the lock's removal and before the rmdir) leaves behind.
  mkdir "$rt/111" "$rt/222" "$rt/222/session-bus" "$rt/333"
  : >"$rt/333/lock.new"
  # And one killed while it wrote its registry entry.
  : >"$rt/99999.sandbox.new"
  # While some sbx holds sbx/ shared (it makes or removes its directory
  # then), such a directory may be its own: the sweep leaves them alone.
  flock -s "$rt" "$SBX" "${BASE[@]}" "${FILTER[@]}" "${APP[@]}" -- true >"$T/locked.out" 2>&1 ||
    fail "sbx failed beside a shared lock on sbx/: $(cat "$T/locked.out")"
  for d in 111 222 333 99999.sandbox.new; do
    [[ -e $rt/$d ]] || fail "$d was swept while another sbx held sbx/"
  done
  sbx_ok "${BASE[@]}" "${FILTER[@]}" "${APP[@]}" -- true
  for d in 111 222 333 99999.sandbox.new; do
    [[ ! -e $rt/$d ]] || fail "$d (no lock held) is still there"
  done
  expect_nothing_left
}

t_killed_at_random_points_stress() {
  ready
  # sbx killed at random points of its start and its end; the next run
  # sweeps whatever each left.  (The delays only spread the kill points.)
  local i pid
  for i in $(seq 1 40); do
    "$SBX" "${BASE[@]}" "${FILTER[@]}" "${APP[@]}" -- true >/dev/null 2>&1 &
    pid=$!
    sleep "$(printf '0.%03d' $((RANDOM % 25)))"
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  wait_for no_proxy || fail "a killed sbx's proxy is still running"
  sbx_ok "${BASE[@]}" "${FILTER[@]}" "${APP[@]}" -- true
  expect_nothing_left
}

run_checks() {
  setup_fixtures
  check "dbus filter: a name the policy allows answers a call" t_allowed_name_answers
  check "dbus filter: other names are invisible and can't be called" t_other_name_invisible
  check "dbus filter: only the app id, below it and dbus-own names can be owned" t_owning
  check "dbus filter: dbus-call allows only the given method and path" t_call_rule
  check "dbus filter: the proxy's root shows the app's /.flatpak-info; instance files exist" t_proxy_sees_flatpak_info
  check "dbus filter: the proxy sees the system and its bus socket, not the host's files" t_proxy_view
  check "dbus filter: the proxy exits when the sandbox ends" t_proxy_exits_with_sandbox
  check "a caller's leaked fd reaches neither the sandbox nor the proxy" t_proxy_no_caller_fds
  check "an fd sbx was given for itself (--info-fd) does not reach the proxy" t_proxy_no_plan_fds
  check "a killed sbx: the proxy goes too, the next run removes its files" t_killed_sbx
  check "two instances starting at once: the live one's directory survives" t_concurrent_start
  check "/.flatpak-info inside: app id, context, bus policy; read-only" t_flatpak_info_inside
  check "no app-id: no /.flatpak-info, and --explain says so" t_no_app_id_no_flatpak_info
  check "profile directives give the same filtered bus" t_profile_directives
  check "dbus-system filter: proxied at /run/dbus/system_bus_socket" t_system_bus
  check "dbus filter reaches an abstract-socket bus" t_abstract_bus
  check "network host: an abstract-socket host bus is reachable, and sbx warns (stderr, --explain)" t_abstract_bus_shared_network
  check "--explain shows the proxy and starts nothing" t_explain_starts_nothing
  check "a command that does not exist leaves no proxy or runtime files" t_missing_command_leaves_nothing
  check "a bad policy leaves no proxy or runtime files" t_bad_policy_leaves_nothing
  check "a proxy that can't start: the app does not run, nothing left" t_proxy_failure_leaves_nothing
  check "without XDG_RUNTIME_DIR: a private 0700 directory in /tmp, removed" t_no_runtime_dir
  check "the sandbox is built while the proxy starts; the app's first call reaches the bus" t_sandbox_built_while_proxy_starts
  check "a proxy that exits after the sandbox was built: the app does not run, nothing left" t_proxy_dies_after_sandbox_built
  check "after the proxy's start sbx still has its environment (the policy cache is written)" t_sbx_intact_after_proxy_start
  check "instance directories and registry entries without a held lock are swept, unless another sbx holds sbx/" t_stale_without_lock
  check "stress: sbx killed at random points; the next run leaves nothing behind" t_killed_at_random_points_stress
}

tap_main "$@"
