#!/bin/bash
# Wayland: the compositor's socket, or -- where the compositor offers
# wp_security_context_v1 -- a socket of the sandbox's own.
#
# Real parts: weston 10 (headless) is a real compositor that does NOT offer
# wp_security_context_v1 (no compositor in Debian 12 does), and wayland-info
# is a real client, run inside the sandbox.  Checked: the client connects
# and lists wl_compositor; the sandbox's runtime dir holds that one socket
# and nothing else of the host's; --explain says the compositor doesn't
# offer the protocol and creates nothing.
#
# The positive path is checked against a SCRIPTED compositor (python, below:
# just enough protocol for sbx's setup and for wayland-info to list
# globals), not a real one: sbx registers a listening socket with
# create_listener, the fake accepts the sandboxed client there and logs the
# tags it got (engine org.sbx, app id, instance id = /.flatpak-info's), and
# sees close_fd hang up when the sandbox ends.  A fake that answers commit
# with wl_display.error shows sbx failing closed: no Wayland socket at all.
# tests/unit/test-wayland.c checks the exact bytes.
#
# Needs weston and wayland-info (wayland-utils), python3; else skipped.
# sbx-only: bubblewrap has no --socket.
source "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3
BASE=(--noprofile --ro /usr --ro /etc --ro /bin --ro /sbin --ro /lib --ro /lib64)
WL=(--socket wayland)
APP=(--app-id org.sbx.Wl)

write_fake() {
  cat >"$T/fake-compositor.py" <<'PYEOF'
# A scripted Wayland compositor: just enough of the protocol for sbx's
# wp_security_context_v1 setup and for wayland-info to list globals.
#   python3 fake.py SOCKET LOG MODE
# MODE: offer (advertise wp_security_context_manager_v1 and honour
# create_listener), error (advertise it, answer commit with
# wl_display.error invalid_metadata), plain (don't advertise it).
# LOG gets one line per event the test looks for.
import os, select, socket, struct, sys

path, logpath, mode = sys.argv[1:4]
log = open(logpath, "a", buffering=1)
handlers = {}
poller = select.poll()


def watch(fd, events, handler):
    handlers[fd] = handler
    poller.register(fd, events)


def unwatch(fd):
    poller.unregister(fd)
    del handlers[fd]


MANAGER = "wp_security_context_manager_v1"


def msg(obj, op, payload=b""):
    return struct.pack("=II", obj, ((8 + len(payload)) << 16) | op) + payload


def wstr(s):
    b = s.encode() + b"\0"
    return struct.pack("=I", len(b)) + b + b"\0" * (-len(b) % 4)


def rstr(data, off):
    (n,) = struct.unpack_from("=I", data, off)
    s = data[off + 4:off + 4 + n - 1].decode()
    return s, off + 4 + (n + 3) // 4 * 4


class Client:
    def __init__(self, sock, sandboxed, tags=None):
        self.sock, self.sandboxed, self.tags = sock, sandboxed, tags
        self.buf, self.fds, self.objs = b"", [], {1: "wl_display"}
        watch(sock.fileno(), select.POLLIN, self)

    def send(self, data):
        self.sock.sendall(data)

    def close(self):
        unwatch(self.sock.fileno())
        self.sock.close()
        for fd in self.fds:
            os.close(fd)

    def ready(self, fd, ev):
        try:
            data, fds, _, _ = socket.recv_fds(self.sock, 4096, 8)
        except OSError:
            data, fds = b"", []
        if not data:
            self.close()
            return
        self.buf += data
        self.fds += fds
        while len(self.buf) >= 8:
            obj, word = struct.unpack_from("=II", self.buf)
            size, op = word >> 16, word & 0xFFFF
            if len(self.buf) < size:
                break
            body, self.buf = self.buf[8:size], self.buf[size:]
            if not self.request(obj, op, body):
                return

    def request(self, obj, op, body):
        iface = self.objs.get(obj)
        if iface == "wl_display" and op == 0:  # sync
            (cb,) = struct.unpack_from("=I", body)
            self.send(msg(cb, 0, struct.pack("=I", 1)) + msg(1, 1, struct.pack("=I", cb)))
        elif iface == "wl_display" and op == 1:  # get_registry
            (reg,) = struct.unpack_from("=I", body)
            self.objs[reg] = "wl_registry"
            out = msg(reg, 0, struct.pack("=I", 1) + wstr("wl_compositor") + struct.pack("=I", 4))
            # No nesting: sandboxed clients never see the manager.
            if mode != "plain" and not self.sandboxed:
                out += msg(reg, 0, struct.pack("=I", 7) + wstr(MANAGER) + struct.pack("=I", 1))
            self.send(out)
        elif iface == "wl_registry" and op == 0:  # bind
            (name,) = struct.unpack_from("=I", body)
            interface, off = rstr(body, 4)
            version, new = struct.unpack_from("=II", body, off)
            self.objs[new] = interface
            if interface == MANAGER:
                log.write("bind %s version %d\n" % (interface, version))
        elif iface == MANAGER and op == 1:  # create_listener
            (new,) = struct.unpack_from("=I", body)
            self.objs[new] = "wp_security_context_v1"
            listen_fd, close_fd = self.fds[:2]
            self.fds = self.fds[2:]
            self.ctx = {"listen": listen_fd, "close": close_fd, "id": new}
            log.write("create_listener\n")
        elif iface == "wp_security_context_v1" and op in (1, 2, 3):
            value, _ = rstr(body, 0)
            key = {1: "engine", 2: "app_id", 3: "instance_id"}[op]
            self.ctx[key] = value
            log.write("%s %s\n" % (key, value))
        elif iface == "wp_security_context_v1" and op == 4:  # commit
            if mode == "error":
                self.send(msg(1, 0, struct.pack("=II", obj, 3) + wstr("fake compositor refuses this metadata")))
                log.write("error sent\n")
                os.close(self.ctx["listen"])
                os.close(self.ctx["close"])
                self.close()
                return False
            Listener(self.ctx)
            log.write("commit\n")
        return True


class Listener:
    def __init__(self, ctx):
        self.ctx = ctx
        self.sock = socket.socket(fileno=ctx["listen"])
        watch(self.sock.fileno(), select.POLLIN, self)
        # events 0: poll reports only POLLERR, which a pipe's write end gets
        # once no read end is left.
        self.closer = ctx["close"]
        watch(self.closer, 0, self)

    def ready(self, fd, ev):
        if fd == self.closer:
            log.write("close_fd hung up: listener closed\n")
            unwatch(self.closer)
            unwatch(self.sock.fileno())
            self.sock.close()
            os.close(self.closer)
            return
        conn, _ = self.sock.accept()
        log.write("sandboxed client connected (engine %s, app_id %s, instance_id %s)\n"
                  % (self.ctx.get("engine"), self.ctx.get("app_id"), self.ctx.get("instance_id")))
        Client(conn, True, self.ctx)


class Server:
    def ready(self, fd, ev):
        conn, _ = srv.accept()
        Client(conn, False)


srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(path)
srv.listen(16)
watch(srv.fileno(), select.POLLIN, Server())
print("ready", flush=True)
while True:
    for fd, ev in poller.poll():
        if fd in handlers:
            handlers[fd].ready(fd, ev)
PYEOF
}

SETUP_ERR=
setup_fixtures() {
  local t
  [[ $IS_SBX == 1 ]] || { SETUP_ERR="bubblewrap has no --socket"; return; }
  for t in weston wayland-info; do
    command -v $t >/dev/null || { SETUP_ERR="$t is not installed (weston, wayland-utils)"; return; }
  done
  [[ -x $PY ]] || { SETUP_ERR="python3 is not installed"; return; }
  # A private runtime dir: the compositors' sockets, a decoy file the
  # sandbox must not see, and sbx's instance directories.
  mkdir -m 0700 "$T/xrt"
  export XDG_RUNTIME_DIR=$T/xrt
  echo secret >"$XDG_RUNTIME_DIR/decoy"
  # weston 10, headless, no helper clients (kiosk shell), no weston.ini.
  weston --backend=headless-backend.so --socket=wayland-sbx-test --idle-time=0 --shell=kiosk-shell.so \
    --no-config >"$T/weston.log" 2>&1 &
  remember_pid $!; disown $!
  wait_for test -S "$XDG_RUNTIME_DIR/wayland-sbx-test" ||
    { SETUP_ERR="weston did not start: $(tail -n 3 "$T/weston.log")"; return; }
  write_fake
  start_fake wayland-fake offer || return
  start_fake wayland-fake-err error || return
  export WAYLAND_DISPLAY=wayland-sbx-test
}

# start_fake NAME MODE: the scripted compositor at $XDG_RUNTIME_DIR/NAME,
# logging to $T/NAME.log.
start_fake() {
  "$PY" "$T/fake-compositor.py" "$XDG_RUNTIME_DIR/$1" "$T/$1.log" "$2" >"$T/$1.out" 2>&1 &
  remember_pid $!; disown $!
  wait_for grep -qs ready "$T/$1.out" || { SETUP_ERR="the fake compositor $1 did not start: $(cat "$T/$1.out")"; return 1; }
}

ready() { [[ -z $SETUP_ERR ]] || skip_check "$SETUP_ERR"; }

# sbx's instance directories: none may be left after a run.
expect_no_instance() {
  local left
  # (sbx/seccomp: the session's cache of compiled system call policies.)
  left=$(find "$XDG_RUNTIME_DIR" -mindepth 1 \( -path "$XDG_RUNTIME_DIR/sbx/*" -o -path "$XDG_RUNTIME_DIR/.flatpak/*" \) \
           -not -path "$XDG_RUNTIME_DIR/sbx/seccomp" -not -path "$XDG_RUNTIME_DIR/sbx/seccomp/*.bpf" 2>/dev/null)
  [[ -z $left ]] || fail "left behind: $left"
}

# What the sandbox's runtime dir holds, what WAYLAND_DISPLAY says, and
# what a real Wayland client lists.
INSIDE='echo "display=$WAYLAND_DISPLAY"; echo "socket=$WAYLAND_SOCKET"; ls -A "$XDG_RUNTIME_DIR" | sed "s/^/rt: /"
  [ -S "$XDG_RUNTIME_DIR/$WAYLAND_DISPLAY" ] && echo IS-SOCKET
  wayland-info 2>&1 | grep -o "interface: '"'"'[a-z_0-9]*'"'"'" | sed "s/^/wl: /"; echo "info-rc=${PIPESTATUS[0]}"'

# ------------------------------------------------------------- checks

t_weston_client_connects() {
  ready
  sbx_ok "${BASE[@]}" "${WL[@]}" -- bash -c "$INSIDE"
  expect_contains "$OUT" "display=wayland-sbx-test"
  expect_contains "$OUT" IS-SOCKET
  expect_contains "$OUT" "wl: interface: 'wl_compositor'" "wayland-info inside"
  expect_contains "$OUT" "wl: interface: 'xdg_wm_base'" "wayland-info inside"
  expect_contains "$OUT" "info-rc=0"
  expect_no_instance
}

t_weston_only_one_socket() {
  ready
  WAYLAND_SOCKET=3 sbx_ok "${BASE[@]}" "${WL[@]}" -- bash -c "$INSIDE"
  local rt
  rt=$(grep '^rt: ' <<<"$OUT" | sed 's/^rt: //' | tr '\n' ' ')
  expect_eq "$rt" "wayland-sbx-test " "the sandbox's runtime dir"
  expect_contains "$OUT" "socket=" "WAYLAND_SOCKET"
  expect_not_contains "$OUT" "socket=3" "WAYLAND_SOCKET"
  # The bind is of the compositor's own socket (weston offers nothing else).
  run_sbx --explain "${BASE[@]}" "${WL[@]}" -- true
  expect_contains "$OUT" "ro-bind        $XDG_RUNTIME_DIR/wayland-sbx-test -> /run/user/$(id -u)/wayland-sbx-test"
}

t_weston_explain() {
  ready
  local before after
  before=$(tree_listing "$XDG_RUNTIME_DIR")
  sbx_ok --explain "${BASE[@]}" "${WL[@]}" "${APP[@]}" -- true
  after=$(tree_listing "$XDG_RUNTIME_DIR")
  expect_contains "$OUT" "the compositor's own socket (it does not offer wp_security_context_v1; asked just now, read-only)"
  expect_eq "$after" "$before" "the runtime dir after --explain"
  # --json carries the same note.
  sbx_ok --explain --json "${BASE[@]}" "${WL[@]}" -- true
  expect_contains "$OUT" "it does not offer wp_security_context_v1"
}

t_weston_absolute_display() {
  ready
  WAYLAND_DISPLAY=$XDG_RUNTIME_DIR/wayland-sbx-test sbx_ok "${BASE[@]}" "${WL[@]}" -- bash -c "$INSIDE"
  expect_contains "$OUT" "display=wayland-sbx-test"
  expect_contains "$OUT" "wl: interface: 'wl_compositor'"
}

t_no_socket() {
  ready
  sbx_ok "${BASE[@]}" --no-socket wayland -- bash -c "$INSIDE"
  expect_contains "$OUT" "display="$'\n' "WAYLAND_DISPLAY without Wayland"
  expect_not_contains "$OUT" "rt: wayland" "the runtime dir"
  expect_not_contains "$OUT" "wl: interface" "wayland-info"
  WAYLAND_DISPLAY=wayland-nothing-here sbx_ok --explain "${BASE[@]}" "${WL[@]}" -- true
  expect_contains "$OUT" "wayland: no compositor socket ($XDG_RUNTIME_DIR/wayland-nothing-here); not connected"
}

t_fake_security_context() {
  ready
  local log=$T/wayland-fake.log
  : >"$log"
  WAYLAND_DISPLAY=wayland-fake sbx_ok "${BASE[@]}" "${WL[@]}" "${APP[@]}" -- bash -c \
    "$INSIDE"'; sed -n "s/^instance-id=/instance=/p" /.flatpak-info'
  expect_contains "$OUT" "display=wayland-fake"
  expect_contains "$OUT" IS-SOCKET
  expect_contains "$OUT" "wl: interface: 'wl_compositor'" "a client inside, through our socket"
  expect_not_contains "$OUT" "wp_security_context_manager_v1" "no nesting: the sandboxed client doesn't see the manager"
  local rt
  rt=$(grep '^rt: ' <<<"$OUT" | sed 's/^rt: //' | tr '\n' ' ')
  expect_eq "$rt" "flatpak-info wayland-fake " "the sandbox's runtime dir"
  local inst
  inst=$(sed -n 's/^instance=//p' <<<"$OUT")
  [[ -n $inst ]] || fail "no instance id in /.flatpak-info: $OUT"
  wait_for grep -q "close_fd hung up" "$log" || fail "the compositor was not told the sandbox ended: $(cat "$log")"
  local got
  got=$(cat "$log")
  expect_contains "$got" "bind wp_security_context_manager_v1 version 1"
  expect_contains "$got" $'create_listener\nengine org.sbx\napp_id org.sbx.Wl\ninstance_id '"$inst"$'\ncommit'
  expect_contains "$got" "sandboxed client connected (engine org.sbx, app_id org.sbx.Wl, instance_id $inst)"
  expect_no_instance
}

t_fake_lifetime() {
  ready
  local log=$T/wayland-fake.log
  : >"$log"
  WAYLAND_DISPLAY=wayland-fake "$SBX" "${BASE[@]}" "${WL[@]}" -- sleep 600 >"$T/bg.out" 2>&1 &
  local bg=$!
  remember_pid $bg
  wait_for grep -q commit "$log" || { kill $bg; fail "no commit: $(cat "$log" "$T/bg.out")"; }
  local sock
  sock=$(find "$XDG_RUNTIME_DIR/sbx" -name wayland -type s)
  [[ -n $sock ]] || { kill $bg; fail "no listener socket in an instance directory"; }
  # Still accepting while the sandbox runs, also from outside (it is the
  # sandbox's socket, whoever connects is tagged).
  WAYLAND_DISPLAY=$sock wayland-info >"$T/outside.out" 2>&1 || { kill $bg; fail "can't connect: $(cat "$T/outside.out")"; }
  grep -q "close_fd hung up" "$log" && { kill $bg; fail "hung up while the sandbox runs"; }
  kill -TERM $bg
  wait $bg 2>/dev/null || true
  wait_for grep -q "close_fd hung up" "$log" || fail "the compositor was not told the sandbox ended"
  expect_no_instance
}

t_fake_error_fails_closed() {
  ready
  local log=$T/wayland-fake-err.log
  : >"$log"
  WAYLAND_DISPLAY=wayland-fake-err sbx_ok "${BASE[@]}" "${WL[@]}" "${APP[@]}" -- bash -c "$INSIDE"
  expect_contains "$(cat "$log")" "error sent" "the fake"
  expect_contains "$ERR" "wayland: the compositor offers wp_security_context_v1 but sbx can't use it"
  expect_contains "$ERR" "invalid_metadata"
  expect_contains "$ERR" "the app gets no Wayland socket"
  expect_contains "$OUT" "display="$'\n' "WAYLAND_DISPLAY"
  expect_not_contains "$OUT" "rt: wayland" "the runtime dir"
  expect_not_contains "$OUT" "wl: interface" "wayland-info"
  expect_no_instance
}

t_fake_explain() {
  ready
  local before after
  : >"$T/wayland-fake.log"
  before=$(tree_listing "$XDG_RUNTIME_DIR")
  WAYLAND_DISPLAY=wayland-fake sbx_ok --explain "${BASE[@]}" "${WL[@]}" "${APP[@]}" -- true
  after=$(tree_listing "$XDG_RUNTIME_DIR")
  expect_contains "$OUT" "offers wp_security_context_v1 (asked just now, read-only): the sandbox gets a socket of its own"
  expect_contains "$OUT" "tagged sandbox engine org.sbx, app id org.sbx.Wl"
  expect_match "$OUT" "ro-bind +$XDG_RUNTIME_DIR/sbx/[0-9]+/wayland -> /run/user/$(id -u)/wayland-fake"
  expect_eq "$after" "$before" "the runtime dir after --explain"
  expect_not_contains "$(cat "$T/wayland-fake.log")" "create_listener" "the fake's log"
}

t_fake_sync_fd_fails_closed() {
  ready
  WAYLAND_DISPLAY=wayland-fake sbx_ok "${BASE[@]}" "${WL[@]}" --sync-fd 5 -- bash -c "$INSIDE" 5</dev/null
  expect_contains "$ERR" "--sync-fd takes the place of the pipe"
  expect_not_contains "$OUT" "rt: wayland" "the runtime dir"
  expect_no_instance
}

t_dead_compositor() {
  ready
  # A socket file nobody listens on any more.
  "$PY" -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$XDG_RUNTIME_DIR/wayland-dead"
  WAYLAND_DISPLAY=wayland-dead sbx_ok "${BASE[@]}" "${WL[@]}" -- bash -c "$INSIDE"
  expect_contains "$ERR" "can't ask the compositor"
  expect_not_contains "$OUT" "rt: wayland" "the runtime dir"
  rm -f "$XDG_RUNTIME_DIR/wayland-dead"
}

t_fake_no_runtime_dir() {
  ready
  local log=$T/wayland-fake.log sock=$XDG_RUNTIME_DIR/wayland-fake
  : >"$log"
  # Without $XDG_RUNTIME_DIR: an absolute WAYLAND_DISPLAY, and our socket
  # in the private /tmp/sbx-UID-ID directory.
  XDG_RUNTIME_DIR= WAYLAND_DISPLAY=$sock sbx_ok "${BASE[@]}" "${WL[@]}" -- bash -c "$INSIDE"
  expect_contains "$OUT" "display=wayland-fake"
  expect_contains "$OUT" "wl: interface: 'wl_compositor'"
  wait_for grep -q "close_fd hung up" "$log" || fail "the compositor was not told the sandbox ended: $(cat "$log")"
  expect_contains "$(cat "$log")" "sandboxed client connected (engine org.sbx"
}

no_proxy_on() { ! pgrep -f "xdg-dbus-proxy --fd=[0-9]+ unix:path=$1 " >/dev/null; }

t_shared_pipe_with_dbus_proxy() {
  ready
  for t in dbus-daemon xdg-dbus-proxy; do
    command -v $t >/dev/null || skip_check "$t is not installed"
  done
  env -u XDG_RUNTIME_DIR dbus-daemon --session --nofork --address="unix:path=$T/bus" --print-address=1 \
    >"$T/bus.addr" 2>"$T/bus.log" &
  local bus=$!
  remember_pid $bus; disown $bus
  wait_for grep -qs . "$T/bus.addr" || fail "dbus-daemon did not start"
  local log=$T/wayland-fake.log
  : >"$log"
  DBUS_SESSION_BUS_ADDRESS=unix:path=$T/bus WAYLAND_DISPLAY=wayland-fake sbx_ok "${BASE[@]}" "${WL[@]}" "${APP[@]}" \
    --dbus-session filter -- bash -c "$INSIDE"'; gdbus call --session -d org.freedesktop.DBus -o /org/freedesktop/DBus -m org.freedesktop.DBus.GetId >/dev/null && echo BUS-OK'
  kill -KILL $bus
  expect_contains "$OUT" "wl: interface: 'wl_compositor'"
  expect_contains "$OUT" BUS-OK
  wait_for grep -q "close_fd hung up" "$log" || fail "the compositor was not told the sandbox ended"
  wait_for no_proxy_on "$T/bus" || fail "the proxy outlived the sandbox"
  expect_no_instance
}

run_checks() {
  setup_fixtures
  check "weston: a Wayland client inside the sandbox connects and lists wl_compositor" t_weston_client_connects
  check "weston: the sandbox's runtime dir holds only the compositor's socket; WAYLAND_SOCKET unset" t_weston_only_one_socket
  check "weston: --explain says the compositor doesn't offer wp_security_context_v1, creates nothing" t_weston_explain
  check "weston: an absolute WAYLAND_DISPLAY" t_weston_absolute_display
  check "no Wayland: no socket, WAYLAND_DISPLAY unset; a missing compositor is noted" t_no_socket
  check "scripted compositor offering wp_security_context_v1: the client inside goes through our tagged socket" t_fake_security_context
  check "scripted compositor: our socket accepts while the sandbox runs, close_fd hangs up when it ends" t_fake_lifetime
  check "scripted compositor refusing (wl_display.error): fail closed, no Wayland, a warning" t_fake_error_fails_closed
  check "scripted compositor: --explain shows our socket, creates and registers nothing" t_fake_explain
  check "scripted compositor with --sync-fd: fail closed with a warning" t_fake_sync_fd_fails_closed
  check "a compositor that doesn't answer: no Wayland, a warning" t_dead_compositor
  check "scripted compositor without XDG_RUNTIME_DIR: our socket in /tmp/sbx-UID-ID" t_fake_no_runtime_dir
  check "one lifetime pipe for the D-Bus proxy and the compositor" t_shared_pipe_with_dbus_proxy
}

tap_main "$@"
