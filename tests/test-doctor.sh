#!/bin/bash
# sbx --doctor (issue 11): each line checked against the facts of this
# machine, found here by other means; the restricted and missing cases
# simulated with a seccomp filter around sbx (tests/nouserns refusing
# CLONE_NEWUSER, tests/enosys refusing the mount API, openat2, Landlock)
# and with user.max_user_namespaces=0 in a user namespace of the test's.
# The doctor changes nothing: no mount, process or file is left behind.
source "$(dirname "$0")/lib.sh"

KEYS=(user_namespaces open_tree move_mount mount_setattr fsopen fsconfig fsmount openat2 landlock seccomp
      cgroup2 cgroup_delegation cgroup_controllers systemd_manager xdg_dbus_proxy user_network wayland
      document_portal)
MOUNT_CALLS=(open_tree move_mount mount_setattr fsopen fsconfig fsmount)

need_sbx() { [[ $IS_SBX == 1 ]] || skip_check "--doctor is sbx's own"; }

# doctor_json [WRAPPER...]: run `sbx --doctor --json` (under WRAPPER), which
# must succeed with valid JSON on stdout and nothing on stderr; J holds it.
doctor_json() {
  RC=0
  "$@" "$SBX" --doctor --json >"$T/.out" 2>"$T/.err" || RC=$?
  J=$(<"$T/.out")
  ERR=$(<"$T/.err")
  expect_eq "$RC" 0 "exit status of sbx --doctor --json"
  expect_eq "$ERR" "" "stderr"
  jq -e . >/dev/null <<<"$J" || fail "not JSON: $J"
}

state_of() { jq -r ".checks.$1.state" <<<"$J"; }
detail_of() { jq -r ".checks.$1.detail" <<<"$J"; }

t_json_shape() {
  need_sbx
  doctor_json
  local key keys
  keys=$(jq -r '.checks | keys_unsorted[]' <<<"$J" | tr '\n' ' ')
  expect_eq "$keys" "${KEYS[*]} " "the checks, in order"
  for key in "${KEYS[@]}"; do
    expect_match "$(state_of "$key")" '^(ok|missing|restricted)$' "$key state"
    [[ -n $(detail_of "$key") ]] || fail "$key: no detail"
    # A consequence exactly where something is not ok.
    if [[ $(state_of "$key") == ok ]]; then
      expect_eq "$(jq -r ".checks.$key.consequence" <<<"$J")" null "$key consequence"
    else
      [[ $(jq -r ".checks.$key.consequence" <<<"$J") != null ]] || fail "$key: not ok, and no consequence"
    fi
  done
}

# The table says the same as the JSON, a line per check.
t_text_matches_json() {
  need_sbx
  doctor_json
  local text states_text states_json
  text=$("$SBX" --doctor)
  expect_match "$(head -n 1 <<<"$text")" '^sbx [0-9.]+: what this machine supports' "heading"
  states_text=$(tail -n +2 <<<"$text" | awk '{print $1}' | tr '\n' ' ')
  states_json=$(jq -r '.checks[].state' <<<"$J" | tr '\n' ' ')
  expect_eq "$states_text" "$states_json" "states, text vs JSON"
  expect_contains "$text" "Landlock"
  expect_contains "$text" "mount API: mount_setattr"
}

t_landlock_abi_as_explain() {
  need_sbx
  doctor_json
  local abi
  abi=$("$SBX" --explain --json "${RO_ROOT[@]}" true | jq -r .landlock.abi)
  expect_eq "$(jq -r .checks.landlock.abi <<<"$J")" "$abi" "Landlock ABI, doctor vs --explain"
  if [[ $abi -gt 0 ]]; then
    expect_eq "$(state_of landlock)" ok "Landlock state"
    expect_eq "$(detail_of landlock)" "ABI $abi" "Landlock detail"
  fi
}

t_userns_as_unshare() {
  need_sbx
  doctor_json
  if unshare -U --map-root-user true 2>/dev/null; then
    expect_eq "$(state_of user_namespaces)" ok "user namespaces (unshare -U works here)"
  else
    expect_eq "$(state_of user_namespaces)" restricted "user namespaces (unshare -U fails here)"
  fi
}

# This kernel (6.x) has the whole new mount API; in the doctor's own
# namespaces each call is really made.
t_mount_api_ok() {
  need_sbx
  unshare -U --map-root-user true 2>/dev/null || is_root || skip_check "no namespace to try the calls in"
  doctor_json
  local c
  for c in "${MOUNT_CALLS[@]}"; do
    expect_eq "$(state_of "$c")" ok "$c"
    expect_eq "$(detail_of "$c")" works "$c detail"
  done
  expect_eq "$(state_of openat2)" ok "openat2"
  expect_eq "$(state_of seccomp)" ok "seccomp"
}

t_helpers_as_path() {
  need_sbx
  doctor_json
  local want
  want=missing; command -v xdg-dbus-proxy >/dev/null && want=ok
  expect_eq "$(state_of xdg_dbus_proxy)" "$want" "xdg-dbus-proxy"
  want=missing; { command -v pasta || command -v slirp4netns; } >/dev/null && want=ok
  expect_eq "$(state_of user_network)" "$want" "pasta / slirp4netns"
  want=missing; [[ $(stat -f -c %T /sys/fs/cgroup) == cgroup2fs ]] && want=ok
  expect_eq "$(state_of cgroup2)" "$want" "cgroup v2 at /sys/fs/cgroup"
}

# A session with no compositor and no portal: both missing, said so.
t_desktop_missing() {
  need_sbx
  fresh_home
  doctor_json
  expect_eq "$(state_of wayland)" missing "wayland"
  expect_contains "$(detail_of wayland)" "WAYLAND_DISPLAY"
  expect_eq "$(state_of document_portal)" missing "document portal"
  expect_contains "$(detail_of document_portal)" "$XDG_RUNTIME_DIR/doc"
  # A WAYLAND_DISPLAY nobody listens on.
  WAYLAND_DISPLAY=nobody-here doctor_json
  expect_eq "$(state_of wayland)" missing "wayland, nobody listening"
  expect_contains "$(detail_of wayland)" "$XDG_RUNTIME_DIR/nobody-here"
}

# fake_compositor SOCKET MODE: a scripted compositor that answers one
# client's get_registry + sync with two globals -- wl_compositor and, in
# MODE offer, wp_security_context_manager_v1 -- then hangs up.  Just what
# the doctor asks; tests/test-wayland.sh has the fuller one.
fake_compositor() {
  /usr/bin/python3 - "$1" "$2" <<'PYEOF' &
import os, socket, struct, sys
path, mode = sys.argv[1:3]
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(path)
srv.listen(1)
open(path + ".ready", "w").close()
conn, _ = srv.accept()
def wstr(s):
    b = s.encode() + b"\0"
    return struct.pack("=I", len(b)) + b + b"\0" * (-len(b) % 4)
def send(obj, op, payload):
    conn.sendall(struct.pack("=II", obj, (8 + len(payload)) << 16 | op) + payload)
buf = b""
registry = None
while True:
    data = conn.recv(4096)
    if not data:
        break
    buf += data
    while len(buf) >= 8:
        obj, word = struct.unpack("=II", buf[:8])
        size, op = word >> 16, word & 0xffff
        if len(buf) < size:
            break
        args, buf = buf[8:size], buf[size:]
        if obj == 1 and op == 1:  # get_registry
            registry = struct.unpack("=I", args[:4])[0]
        elif obj == 1 and op == 0:  # sync
            callback = struct.unpack("=I", args[:4])[0]
            send(registry, 0, struct.pack("=I", 1) + wstr("wl_compositor") + struct.pack("=I", 4))
            if mode == "offer":
                send(registry, 0, struct.pack("=I", 2) + wstr("wp_security_context_manager_v1") + struct.pack("=I", 1))
            send(callback, 0, struct.pack("=I", 1))
conn.close()
os.unlink(path)
PYEOF
  remember_pid $!
  wait_for test -e "$1.ready" || fail "the fake compositor did not start"
}

t_wayland_offered() {
  need_sbx
  [[ -x /usr/bin/python3 ]] || skip_check "python3 is not installed"
  fresh_home
  fake_compositor "$XDG_RUNTIME_DIR/wayland-doctor" offer
  WAYLAND_DISPLAY=wayland-doctor doctor_json
  expect_eq "$(state_of wayland)" ok "wayland"
  expect_eq "$(detail_of wayland)" "the compositor offers wp_security_context_v1 (version 1)" "detail"
}

t_wayland_not_offered() {
  need_sbx
  [[ -x /usr/bin/python3 ]] || skip_check "python3 is not installed"
  fresh_home
  fake_compositor "$XDG_RUNTIME_DIR/wayland-doctor" plain
  WAYLAND_DISPLAY=wayland-doctor doctor_json
  expect_eq "$(state_of wayland)" restricted "wayland"
  expect_contains "$(jq -r .checks.wayland.consequence <<<"$J")" "untagged"
}

# weston 10 (Debian 12's), a real compositor without the protocol.
t_wayland_weston() {
  need_sbx
  command -v weston >/dev/null || skip_check "weston is not installed"
  fresh_home
  weston --backend=headless-backend.so --socket=wayland-doctor --idle-time=0 --shell=kiosk-shell.so \
    --no-config >"$T/weston.log" 2>&1 &
  remember_pid $!
  wait_for test -S "$XDG_RUNTIME_DIR/wayland-doctor" || fail "weston did not start: $(tail -n 3 "$T/weston.log")"
  WAYLAND_DISPLAY=wayland-doctor doctor_json
  expect_eq "$(state_of wayland)" restricted "wayland (weston)"
  expect_eq "$(detail_of wayland)" "the compositor does not offer wp_security_context_v1" "detail"
}

need_wrapper() {
  need_sbx
  [[ -x ${!1:-} ]] || skip_check "the $2 helper is not reachable ($1=${!1:-})"
}

t_restricted_by_seccomp() {
  need_wrapper SBX_NOUSERNS nouserns
  doctor_json "$SBX_NOUSERNS"
  expect_eq "$(state_of user_namespaces)" restricted "user namespaces under the filter"
  expect_contains "$(detail_of user_namespaces)" "a seccomp filter around sbx refuses"
  expect_contains "$(detail_of user_namespaces)" "seccomp=unconfined"
  local text
  text=$("$SBX_NOUSERNS" "$SBX" --doctor)
  expect_match "$(grep 'user namespaces' <<<"$text")" '^restricted +user namespaces +a seccomp filter.*Without it: ' "line"
}

t_max_user_namespaces_zero() {
  need_sbx
  unshare -U --map-root-user true 2>/dev/null || skip_check "unshare -U is not allowed here"
  J=$(unshare -U --map-root-user -- bash -c 'echo 0 >/proc/sys/user/max_user_namespaces && exec "$1" --doctor --json' _ "$SBX")
  expect_eq "$(state_of user_namespaces)" restricted "user namespaces"
  expect_contains "$(detail_of user_namespaces)" "user.max_user_namespaces is 0"
  expect_contains "$(detail_of user_namespaces)" "sysctl -w user.max_user_namespaces="
}

t_mount_api_missing() {
  need_wrapper SBX_ENOSYS enosys
  local c
  doctor_json "$SBX_ENOSYS"
  for c in "${MOUNT_CALLS[@]}"; do
    expect_eq "$(state_of "$c")" missing "$c under enosys"
    expect_contains "$(detail_of "$c")" ENOSYS
  done
  expect_eq "$(state_of openat2)" missing "openat2 under enosys"
  # One call alone (a 5.2-5.11 kernel lacks mount_setattr): only that line.
  doctor_json "$SBX_ENOSYS" --block mount_setattr
  for c in "${MOUNT_CALLS[@]}"; do
    if [[ $c == mount_setattr ]]; then
      expect_eq "$(state_of "$c")" missing "$c blocked alone"
    else
      expect_eq "$(state_of "$c")" ok "$c beside a blocked mount_setattr"
    fi
  done
  doctor_json "$SBX_ENOSYS" --block landlock_create_ruleset
  expect_eq "$(state_of landlock)" missing "Landlock blocked"
  expect_eq "$(jq -r .checks.landlock.abi <<<"$J")" 0 "Landlock ABI blocked"
}

# Nothing of the probes outlives them: the caller's mounts, the files
# under the test dir and the children of this shell are as before.
t_nothing_left() {
  need_sbx
  local mounts_before files_before
  mounts_before=$(mountpoints)
  files_before=$(tree_listing "$T")
  "$SBX" --doctor >/dev/null
  "$SBX" --doctor --json >/dev/null
  expect_eq "$(mountpoints)" "$mounts_before" "mount table of the caller"
  expect_eq "$(tree_listing "$T")" "$files_before" "files under the test dir"
  local left
  left=$(pgrep -f -- "$SBX --doctor" || true)
  expect_eq "$left" "" "processes left"
}

run_checks() {
  check "--doctor --json: every check, in order, with state, detail and a consequence when not ok" t_json_shape
  check "the table says what the JSON says, a line per check" t_text_matches_json
  check "the Landlock ABI is the one --explain --json reports" t_landlock_abi_as_explain
  check "user namespaces: ok exactly where unshare -U works" t_userns_as_unshare
  check "the new mount API, openat2 and seccomp: each call works here" t_mount_api_ok
  check "xdg-dbus-proxy, pasta/slirp4netns and cgroup v2 as found by other means" t_helpers_as_path
  check "no compositor and no document portal: missing, saying where it looked" t_desktop_missing
  check "a compositor offering wp_security_context_v1: ok" t_wayland_offered
  check "a compositor without it: restricted, with what that costs" t_wayland_not_offered
  check "weston (real, without it): restricted" t_wayland_weston
  check "a seccomp filter refusing CLONE_NEWUSER: user namespaces restricted, with the remedy" t_restricted_by_seccomp
  check "user.max_user_namespaces=0: user namespaces restricted, with the sysctl" t_max_user_namespaces_zero
  check "the mount API, openat2 and Landlock refused (ENOSYS): missing, call by call" t_mount_api_missing
  check "the probes leave no mount, file or process behind" t_nothing_left
}

tap_main "$@"
