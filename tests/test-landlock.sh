#!/bin/bash
# Landlock: the rules sbx derives from the plan, observed from inside real
# sandboxes.  Each check shows an access that the mounts and file modes
# allow and only Landlock refuses, next to the same access with
# "landlock off" (or without --landlock on a bubblewrap-style command
# line), so a check that passed for another reason would fail its control.
#
# A profile sandbox runs with a fresh home under $T, SBX_PROFILE_PATH
# pointing at a copy of the shipped profiles (world-readable, for the
# unprivileged pass) and a test profile or two of its own.
source "$(dirname "$0")/lib.sh"

# The kernel's ABI as --explain reports it (0: no Landlock).
landlock_abi() {
  sbx --explain --json --noprofile --ro /usr true |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["landlock"]["abi"])'
}
need_abi() {
  local abi; abi=$(landlock_abi)
  ((abi >= $1)) || skip_check "the kernel's Landlock ABI is $abi, this needs $1"
}

# ---------------------------------------------------------------- explain

t_explain() {
  fresh_home
  need_abi 1
  sbx_ok --explain --profile default true
  expect_match "$OUT" "landlock: on, kernel ABI [0-9]+" "text: mode and ABI"
  expect_match "$OUT" "    /usr +execute,read_file,read_dir" "text: /usr is read and execute"
  sbx_ok --explain --json --profile default true
  python3 - "$T/.out" <<'PY' || fail "--json: landlock rules"
import json, sys
ll = json.load(open(sys.argv[1]))["landlock"]
rules = {r["path"]: set(r["rights"].split(",")) for r in ll["rules"]}
assert ll["mode"] == "on", ll
assert rules["/usr"] == {"execute", "read_file", "read_dir"}, rules["/usr"]
assert "write_file" in rules["/tmp"] and "make_reg" in rules["/tmp"], rules["/tmp"]
assert "execute" not in rules["/dev/shm"], rules["/dev/shm"]
assert rules["/etc/passwd"] == {"read_file"}, rules["/etc/passwd"]
assert "/" not in rules, "the root has a rule"
if ll["abi"] >= 6:
    assert ll["scope"] == ["abstract-unix-socket", "signal"], ll["scope"]
PY
  sbx_ok --explain --json --profile default --landlock off true
  expect_contains "$OUT" '"landlock": {"mode": "off"' "--landlock off"
}

t_explain_noprofile() {
  # --noprofile builds a profile-style sandbox from the options: on.
  sbx_ok --explain --noprofile --ro /usr --private /tmp true
  expect_match "$OUT" "landlock: on" "--noprofile"
  expect_match "$OUT" "    /tmp +all" "--noprofile: /tmp"
  sbx_ok --explain --noprofile --ro /usr --landlock off true
  expect_contains "$OUT" "landlock: off" "--noprofile --landlock off"
}

t_explain_bwrap_style() {
  # A bubblewrap-style command line: the first word is the command (as in
  # a run), not a profile name; the rules come from the command line.
  sbx_ok --explain --ro-bind /usr /usr --tmpfs /tmp --landlock on true
  expect_match "$OUT" "Command: true" "the command"
  expect_match "$OUT" "landlock: on" "--landlock on"
  expect_match "$OUT" "    /usr +execute,read_file,read_dir" "/usr from --ro-bind"
  sbx_ok --explain --json --ro-bind /usr /usr sh -c true
  python3 - "$T/.out" <<'PY' || fail "--json of a bubblewrap-style command line"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["argv"] == ["sh", "-c", "true"], d["argv"]
assert d["landlock"]["mode"] == "off", d["landlock"]
assert any(o.get("dest") == "/usr" for o in d["ops"]), d["ops"]
PY
}

# ------------------------------------------------------ from inside: files

t_outside_every_op() {
  # The sandbox's root is sbx's own tmpfs, with the directories setup made
  # for mount points (/sys holds only the binds below it): mode 0755, so
  # the mounts and the modes would let it be listed.  No op shows it.
  fresh_home
  need_abi 1
  local probe='ls / >/dev/null 2>&1 && echo root-listed || echo root-denied
    ls /sys >/dev/null 2>&1 && echo sys-listed || echo sys-denied
    ls /usr >/dev/null && echo usr-listed'
  sbx_ok --profile default -- sh -c "$probe"
  expect_eq "$OUT" "$(printf 'root-denied\nsys-denied\nusr-listed')" "landlock on"
  sbx_ok --profile default --landlock off -- sh -c "$probe"
  expect_eq "$OUT" "$(printf 'root-listed\nsys-listed\nusr-listed')" "control: landlock off"
}

t_denied_is_eacces() {
  fresh_home
  need_abi 1
  run_sbx --profile default -- sh -c 'exec ls /'
  expect_contains "$ERR" "Permission denied" "ls / inside"
}

t_root_tmpfs_not_writable() {
  # As root the app may write sbx's root tmpfs as far as mounts and modes
  # go; no op shows it, so Landlock refuses.  (Unprivileged, the mode
  # already refuses it: nothing to show there.)
  is_root || skip_check "the root tmpfs is writable only for root inside"
  fresh_home
  need_abi 1
  local probe='mkdir /planted 2>/dev/null && echo made || echo refused'
  sbx_ok --profile default -- sh -c "$probe"
  expect_eq "$OUT" refused "landlock on"
  sbx_ok --profile default --landlock off -- sh -c "$probe"
  expect_eq "$OUT" made "control: landlock off"
}

t_shm_not_executable() {
  # /dev/shm is writable by the app and not mounted noexec; its rule has
  # every right but execute.
  fresh_home
  need_abi 1
  local probe='cp /usr/bin/true /dev/shm/t && echo copied
    /dev/shm/t 2>/dev/null && echo ran || echo refused
    cp /usr/bin/true /tmp/t && /tmp/t && echo tmp-ran'
  sbx_ok --profile default -- sh -c "$probe"
  expect_eq "$OUT" "$(printf 'copied\nrefused\ntmp-ran')" "landlock on"
  sbx_ok --profile default --landlock off -- sh -c "$probe"
  expect_eq "$OUT" "$(printf 'copied\nran\ntmp-ran')" "control: landlock off"
}

t_profile_still_works() {
  # What programs do in /proc, /dev and their writable places keeps
  # working: oom_score_adj (a shell's ">" truncates), /dev/null,
  # shm_open's directory, the home and /tmp, a rename across directories.
  fresh_home
  need_abi 1
  sbx_ok --profile default -- sh -c '
    echo 500 >/proc/self/oom_score_adj && echo oom
    echo x >/dev/null && echo devnull
    : >/dev/shm/seg && rm /dev/shm/seg && echo shm
    mkdir -p ~/a /tmp/b && echo data >~/a/f && mv ~/a/f ~/f2 && cat ~/f2
    echo y >/tmp/b/g && : >/tmp/b/g && echo truncated
    cat /etc/passwd >/dev/null && echo passwd'
  expect_eq "$OUT" "$(printf 'oom\ndevnull\nshm\ndata\ntruncated\npasswd')"
}

t_hidden_read_only() {
  # A hidden directory is an empty tmpfs made read-only: its rule grants
  # reading only.  Checked through --explain (the mount makes it read-only
  # already, so inside there is nothing more to see).
  fresh_home
  mkdir -p "$HOME/.ssh"
  sbx_ok --explain --json --profile default true
  python3 - "$T/.out" "$HOME/.ssh" <<'PY' || fail "hidden ~/.ssh"
import json, sys
ll = json.load(open(sys.argv[1]))["landlock"]
rules = {r["path"]: r["rights"] for r in ll["rules"]}
if ll["abi"] >= 1:
    assert rules.get(sys.argv[2]) == "read_file,read_dir", rules.get(sys.argv[2])
PY
}

# ------------------------------------------- bubblewrap-style --landlock

t_bwrap_style_landlock() {
  # --landlock on derives its rules from the command line's ops: the
  # binds (a writable one, a read-only one below it) are readable, /usr
  # too, and the root tmpfs the command line never named is not.
  need_abi 1
  local d=$T/bw
  mkdir -p "$d/sub" && echo hi >"$d/sub/f"
  local probe='cat /data/sub/f; ls /usr >/dev/null && echo usr; ls / >/dev/null 2>&1 && echo root-listed || echo root-denied'
  sbx_ok "${MIN_ROOT[@]}" --dev /dev --bind "$d" /data --ro-bind "$d/sub" /data/sub --landlock on -- sh -c "$probe"
  expect_eq "$OUT" "$(printf 'hi\nusr\nroot-denied')" "--landlock on"
  sbx_ok "${MIN_ROOT[@]}" --dev /dev --bind "$d" /data --ro-bind "$d/sub" /data/sub -- sh -c "$probe"
  expect_eq "$OUT" "$(printf 'hi\nusr\nroot-listed')" "control: no --landlock"
}

# ------------------------------------------------------ scope (ABI 6)

# listen_abstract NAME: a listener on @NAME outside any sandbox, answering
# "pong" to each connection; its pid is remembered for the cleanup.
listen_abstract() {
  python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind("\0" + sys.argv[1]); s.listen(8)
print("ready", flush=True)
while True:
    c, _ = s.accept(); c.sendall(b"pong\n"); c.close()
' "$1" >"$T/listener.out" 2>&1 &
  remember_pid $!
  wait_for grep -q ready "$T/listener.out" || fail "the abstract listener did not start"
}

t_scope_abstract_socket() {
  # network host shares the host's network namespace and with it its
  # abstract sockets: scoping refuses the connection (EPERM).
  fresh_home
  need_abi 6
  local name="sbx-ll-$$-$RANDOM"
  listen_abstract "$name"
  cat >"$T/profiles/net.profile" <<'EOF'
include default.profile
network host
EOF
  local probe="python3 -c '
import socket, errno
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
try:
    s.connect(\"\\0$name\"); print(s.recv(10).decode().strip())
except OSError as e:
    print(errno.errorcode[e.errno])
'"
  sbx_ok --profile net -- sh -c "$probe"
  expect_eq "$OUT" EPERM "scoped"
  sbx_ok --profile net --landlock-scope off -- sh -c "$probe"
  expect_eq "$OUT" pong "control: landlock-scope off"
  sbx_ok --profile net --landlock off -- sh -c "$probe"
  expect_eq "$OUT" pong "control: landlock off"
}

t_scope_signal() {
  # Without a pid namespace (a bubblewrap-style command line) a host
  # process is in sight; the signal scope refuses kill(2) to it.
  need_abi 6
  sleep 600 &
  local pid=$!
  remember_pid $pid
  local probe="kill -0 $pid 2>/dev/null && echo sent || echo refused"
  # (A /dev of its own: the host's, read-only, has no /dev/null to write.)
  sbx_ok "${RO_ROOT[@]}" --dev /dev --landlock on -- sh -c "$probe"
  expect_eq "$OUT" refused "scoped"
  sbx_ok "${RO_ROOT[@]}" --dev /dev --landlock on --landlock-scope off -- sh -c "$probe"
  expect_eq "$OUT" sent "control: --landlock-scope off"
  sbx_ok "${RO_ROOT[@]}" --dev /dev -- sh -c "$probe"
  expect_eq "$OUT" sent "control: no --landlock"
  kill $pid
}

t_signal_inside_works() {
  # pid 1 and the app share one domain: signals inside the sandbox (the
  # app's own children, and pid 1 forwarding SIGTERM to the app) work.
  fresh_home
  need_abi 6
  sbx_ok --profile default -- sh -c 'sleep 60 & kill $! && wait $!; echo "status $?"'
  expect_eq "$OUT" "status 143"
  # SIGTERM to sbx: the monitor forwards it to pid 1, which forwards it to
  # the app (refused if they were in two sibling domains).
  sbx_exec --profile default -- sh -c 'trap "echo got-term; exit 0" TERM; echo ready
    while :; do sleep 0.1; done' >"$T/term.out" 2>&1 &
  local pid=$!
  remember_pid $pid
  wait_for grep -q ready "$T/term.out" || fail "the app did not start: $(<"$T/term.out")"
  kill -TERM $pid
  if ! wait_for grep -q got-term "$T/term.out"; then
    kill -KILL $pid
    fail "SIGTERM sent to sbx did not reach the app: $(<"$T/term.out")"
  fi
  local rc=0
  wait $pid || rc=$?
  expect_eq "$(<"$T/term.out")" "$(printf 'ready\ngot-term')" "the app's output"
  expect_eq "$rc" 0 "sbx's exit status"
}

# ------------------------------------------------ a kernel without Landlock

# ------------------------------------------------------------ TCP ports

# The probe binds every port given on the sandbox's own loopback, then
# connects to each, and prints bindP=ok|ERRNO ... connectP=ok|ERRNO ...
# (network none: the sandbox's network namespace is its own, so nothing
# here reaches the host or leaves the machine).
TCP_PROBE='
import socket, sys, errno
def attempt(f):
    try:
        f(); return "ok"
    except OSError as e:
        return errno.errorcode[e.errno]
out, keep = [], []
for p in map(int, sys.argv[1:]):
    s = socket.socket(); keep.append(s)
    out.append("bind%d=%s" % (p, attempt(lambda: (s.bind(("127.0.0.1", p)), s.listen()))))
for p in map(int, sys.argv[1:]):
    out.append("connect%d=%s" % (p, attempt(lambda: socket.socket().connect(("127.0.0.1", p)))))
print(" ".join(out))'

t_tcp_ports() {
  fresh_home
  need_abi 4
  sbx_ok --profile default --tcp-connect 8080 --tcp-bind 8080,8081 -- python3 -c "$TCP_PROBE" 8080 8081 8082
  expect_eq "$OUT" "bind8080=ok bind8081=ok bind8082=EACCES connect8080=ok connect8081=EACCES connect8082=EACCES" \
    "tcp-connect 8080, tcp-bind 8080,8081"
  sbx_ok --profile default --tcp-bind none -- python3 -c "$TCP_PROBE" 8080
  expect_eq "$OUT" "bind8080=EACCES connect8080=ECONNREFUSED" "tcp-bind none: connect not restricted"
  sbx_ok --profile default -- python3 -c "$TCP_PROBE" 8080 8081 8082
  expect_eq "$OUT" "bind8080=ok bind8081=ok bind8082=ok connect8080=ok connect8081=ok connect8082=ok" \
    "control: no port rules"
  # A profile's rule, and the command line's taking precedence over it.
  cat >"$T/profiles/tcp.profile" <<'EOF'
include default.profile
tcp-connect 8081
EOF
  sbx_ok --profile tcp -- python3 -c "$TCP_PROBE" 8080 8081
  expect_eq "$OUT" "bind8080=ok bind8081=ok connect8080=EACCES connect8081=ok" "the profile's tcp-connect"
  sbx_ok --profile tcp --tcp-connect any -- python3 -c "$TCP_PROBE" 8080 8081
  expect_eq "$OUT" "bind8080=ok bind8081=ok connect8080=ok connect8081=ok" "--tcp-connect any over the profile"
  # Bubblewrap-style, with --landlock on.
  sbx_ok "${RO_ROOT[@]}" --unshare-net --landlock on --tcp-bind 9000 -- python3 -c "$TCP_PROBE" 9000 9001
  expect_eq "$OUT" "bind9000=ok bind9001=EACCES connect9000=ok connect9001=ECONNREFUSED" "bubblewrap-style"
}

t_tcp_ports_refused() {
  # Port rules without Landlock would be dropped silently: an error that
  # says why, and nothing runs.
  fresh_home
  sbx_fails --profile default --landlock off --tcp-connect 443 -- true
  expect_error_message "tcp-connect 443: port rules are Landlock's, and Landlock is off (landlock off at command line:"
  sbx_fails "${RO_ROOT[@]}" --tcp-bind 0 -- true
  expect_error_message "Landlock is off (the default of a bubblewrap-style command line)"
  sbx_fails --profile default --tcp-connect 0 -- true
  expect_error_message 'tcp-connect: "0" is not any, none or a list of ports'
  sbx_fails --profile default --tcp-bind 80,,81 -- true
  expect_error_message 'tcp-bind: "80,,81" is not any, none or a list of ports'
  sbx_fails --profile default --tcp-bind 1-5000 -- true
  expect_error_message "at most 4096 ports"
}

t_no_landlock_kernel() {
  # landlock_create_ruleset refused with ENOSYS (a kernel without it):
  # "on" warns and runs, "required" refuses to run.
  [[ -n ${SBX_ENOSYS:-} ]] || skip_check "no enosys helper"
  fresh_home
  RC=0
  "$SBX_ENOSYS" --block landlock_create_ruleset "$SBX" --profile default -- echo ran >"$T/.out" 2>"$T/.err" || RC=$?
  expect_eq "$RC" 0 "on: exit status ($(<"$T/.err"))"
  expect_eq "$(<"$T/.out")" ran "on: the app ran"
  expect_contains "$(<"$T/.err")" "Landlock is not available" "on: the warning"
  expect_eq "$(grep -c Landlock "$T/.err")" 1 "on: warned once"
  RC=0
  "$SBX_ENOSYS" --block landlock_create_ruleset "$SBX" --profile default --landlock required -- echo ran >"$T/.out" 2>"$T/.err" || RC=$?
  expect_ne "$RC" 0 "required: exit status"
  expect_eq "$(<"$T/.out")" "" "required: the app did not run"
  expect_contains "$(<"$T/.err")" "requires Landlock" "required: the message"
}

run_checks() {
  check "explain: mode, ABI and each path's rights (text and JSON)" t_explain
  check "explain: --noprofile has it too, unless --landlock off" t_explain_noprofile
  check "explain: a bubblewrap-style command line, its first word the command" t_explain_bwrap_style
  check "files: paths outside every op can't be read (landlock off: they can)" t_outside_every_op
  check "files: a refused access is EACCES" t_denied_is_eacces
  check "files: root can't write sbx's root tmpfs (landlock off: it can)" t_root_tmpfs_not_writable
  check "files: nothing runs from /dev/shm (landlock off: it does)" t_shm_not_executable
  check "files: /proc, /dev, home and /tmp keep working" t_profile_still_works
  check "files: a hidden directory's rule is read-only" t_hidden_read_only
  check "bwrap-style: --landlock on derives the rules from the command line" t_bwrap_style_landlock
  check "scope: an abstract socket outside is refused (scope off, landlock off: reached)" t_scope_abstract_socket
  check "scope: kill(2) of a host process is refused (scope off, no --landlock: sent)" t_scope_signal
  check "scope: signals inside the sandbox still work" t_signal_inside_works
  check "tcp: connect and bind only to the ports listed (no rules: any port)" t_tcp_ports
  check "tcp: port rules without Landlock, or malformed, are refused" t_tcp_ports_refused
  check "no Landlock in the kernel: on warns once and runs, required refuses" t_no_landlock_kernel
}

tap_main "$@"
