#!/bin/bash
# sbx's systemd path (launch/cgroup-systemd.c) against a real systemd user
# manager: a transient scope app-sbx-NAME-PID.scope with Delegate=yes,
# asked for over D-Bus, seen from inside the app, from systemctl --user and
# from sbx --list/--stop, and gone afterwards.
#
# The user manager runs on the host, in namespaces, for the test user:
# root delegates a cgroup (as test-cgroup.sh does), then, in a private
# mount namespace and a cgroup namespace rooted there, mounts a pure
# unified cgroup2 at /sys/fs/cgroup, a tmpfs on /run/systemd holding
# system/ (how systemd tells it was booted with systemd) and a tmpfs
# runtime dir, and starts `systemd --user` as the test user -- it brings up
# its own user bus (dbus.socket).  The checks run as that user from a
# root-owned session-1.scope beside the manager's cgroups, the way a login
# shell sits in a session scope that is not delegated to its user: so sbx
# has to ask systemd.  The host's mounts and cgroups are not touched
# (everything is in the private namespaces; the delegated cgroup is
# removed afterwards).  SBX_KEEP_STAGE=1 keeps /tmp/sbx-systemd.*/ (the
# manager's log: systemd.log).  No resource controllers are delegated here (hybrid
# host), so a limit must fail, clearly, and leave no scope behind; that
# each limit reaches systemd as a property of the scope is checked with
# SBX_TEST_UNENFORCED_LIMITS=1 (the app runs, the limits unenforced).
source "$(dirname "$0")/lib.sh"

SYSTEMD=${SBX_SYSTEMD:-/usr/lib/systemd/systemd}

cgroup2_mount() { awk '$0 ~ / - cgroup2 / { print $5; exit }' /proc/self/mountinfo; }

skip_all() { echo "1..0 # SKIP $*"; exit 0; }

# ------------------------------------------------- the session (as root)

# In the private mount and cgroup namespaces: the mounts, the manager, the
# checks as the test user, the manager's end.  $1: the staging directory.
session() {
  local stage=$1 uid gid rt log mpid state i
  uid=$(id -u "$TEST_USER")
  gid=$(id -g "$TEST_USER")
  umount -R /sys/fs/cgroup 2>/dev/null
  mount -t cgroup2 cgroup2 /sys/fs/cgroup || { echo "1..0 # SKIP can't mount cgroup2"; return; }
  # The checks' shell: a root-owned session scope, not delegated.
  mkdir /sys/fs/cgroup/session-1.scope && echo $BASHPID >/sys/fs/cgroup/session-1.scope/cgroup.procs
  if [[ -d /run/systemd ]]; then
    mount -t tmpfs -o mode=0755 sbx-test /run/systemd
  else
    mount -t tmpfs -o mode=0755 sbx-test /run
  fi
  mkdir /run/systemd/system
  rt=$stage/run
  mkdir -p "$rt"
  mount -t tmpfs -o "mode=0700,uid=$uid,gid=$gid" sbx-test "$rt"
  # The manager's log: --log-target=kmsg, /dev/kmsg being a fifo here
  # whose reader appends to the log (console would reopen /dev/console
  # and drop what it can't write; kmsg is rate-limited: info, not debug).
  log=$stage/systemd.log
  mkfifo -m 0622 "$stage/console" && chown "$uid" "$stage/console"
  cat <>"$stage/console" >"$log" &
  local logger=$!
  mount --bind "$stage/console" /dev/kmsg 2>/dev/null || echo "# the manager's log is lost (no /dev/kmsg)"
  local user=(setpriv --reuid="$uid" --regid="$gid" --clear-groups -- env -i HOME="$stage/home"
              USER="$TEST_USER" LOGNAME="$TEST_USER" PATH=/usr/sbin:/usr/bin:/sbin:/bin XDG_RUNTIME_DIR="$rt"
              ${ASAN_OPTIONS+ASAN_OPTIONS="$ASAN_OPTIONS"} ${UBSAN_OPTIONS+UBSAN_OPTIONS="$UBSAN_OPTIONS"})
  # The manager starts in the root of the namespace (delegated to the
  # user), as user@UID.service would be; it moves itself to init.scope.
  "${user[@]}" \
    sh -c 'echo $$ >/sys/fs/cgroup/cgroup.procs && exec "$0" --user --log-target=kmsg --log-level=info' "$SYSTEMD" >>"$log" 2>&1 </dev/null &
  mpid=$!
  # Ready when it says so over its private socket (the user bus itself is
  # started on demand, by dbus.socket: the first check is its first client).
  for ((i = 0; i < 300; i++)); do
    state=$("${user[@]}" systemctl --user is-system-running 2>/dev/null)
    [[ $state == running || $state == degraded ]] && break
    kill -0 $mpid 2>/dev/null || break
    sleep 0.1
  done
  if [[ $state != running && $state != degraded ]]; then
    echo "1..0 # SKIP systemd --user did not start (state: ${state:-none}): $(grep -v '^$' "$log" | tail -n 3 | tr '\n' ' ')"
  else
    run_pass "$TEST_USER" "${user[@]}" SBX_INNER=1 SBX_PASS_LABEL="$TEST_USER" SBX="$stage/bin/sbx" SBX_PROFILES_DIR="$stage/profiles" TMPDIR=/tmp \
      bash "$stage/tests/$(basename "$TEST_SCRIPT")"
    echo "1..$T_NUM"
    "${user[@]}" systemctl --user --failed --no-legend --no-pager | sed 's/^/# failed unit: /'
  fi
  "${user[@]}" systemctl --user exit >/dev/null 2>&1 || kill $mpid 2>/dev/null
  for ((i = 0; i < 100; i++)); do kill -0 $mpid 2>/dev/null || break; sleep 0.1; done
  kill -KILL $mpid 2>/dev/null
  wait $mpid
  # What the manager said of the sandboxes' scopes beyond the routine.
  grep 'app-sbx-' "$log" | grep -iE 'warn|fail|error|invalid|unknown|ignor' | sed 's/^/# systemd: /' | tail -n 20
  kill $logger
  umount "$rt"
}

if [[ -n ${SBX_SYSD_SESSION:-} ]]; then
  session "$SBX_SYSD_SESSION"
  exit 0
fi

if [[ -z ${SBX_INNER:-} ]]; then
  is_root || skip_all "needs root (to delegate a cgroup and mount one for the user manager)"
  [[ $IS_SBX == 1 ]] || skip_all "$SBX_NAME is not sbx (bubblewrap has no cgroup support)"
  [[ -x $SYSTEMD ]] || skip_all "no $SYSTEMD"
  command -v systemctl >/dev/null || skip_all "no systemctl"
  command -v setpriv >/dev/null || skip_all "no setpriv"
  [[ -e /usr/share/dbus-1/session.conf && -e /usr/lib/systemd/user/dbus.socket ]] ||
    skip_all "no dbus.socket user unit (package dbus-user-session)"
  mnt=$(cgroup2_mount)
  [[ -n $mnt ]] || skip_all "no cgroup2 hierarchy mounted"
  ensure_test_user || skip_all "could not create $TEST_USER"
  stage=$(mktemp -d /tmp/sbx-systemd.XXXXXX)
  chmod 755 "$stage"
  mkdir -p "$stage/bin" "$stage/tests" "$stage/home" "$stage/profiles"
  cp "$SBX" "$stage/bin/sbx"
  cp "$TESTS_DIR"/*.sh "$stage/tests/"
  cp -r "${SBX_PROFILES_DIR:-${SBX_SRCDIR:-$TESTS_DIR/..}/profiles}"/. "$stage/profiles/"
  chown "$TEST_USER" "$stage/home"
  chmod -R a+rX "$stage"
  cg=$mnt/sbx-systemd-$$
  mkdir "$cg" || exit 1
  chown "$TEST_USER" "$cg" "$cg/cgroup.procs" "$cg/cgroup.subtree_control" "$cg/cgroup.threads"
  # Everything started below lives in $cg: killed with it at the end, also
  # when the test itself is (meson's timeout).
  cleanup() {
    echo 1 >"$cg/cgroup.kill"
    for ((i = 0; i < 100; i++)); do grep -q 'populated 0' "$cg/cgroup.events" && break; sleep 0.1; done
    find "$cg" -mindepth 1 -depth -type d | while read -r d; do
      [[ $d == "$cg/init.scope" || $d == "$cg/session-1.scope" ]] || echo "# left behind: ${d#"$cg"}"
      rmdir "$d"
    done
    rmdir "$cg" || echo "# could not remove $cg"
    [[ -n ${SBX_KEEP_STAGE:-} ]] || rm -rf --one-file-system "$stage"
  }
  trap 'cleanup; exit 1' TERM INT
  # The namespace is rooted at the cgroup the unshare runs in.
  (echo $BASHPID >"$cg/cgroup.procs" &&
    exec unshare -m -C --propagation private env SBX_SYSD_SESSION="$stage" bash "$TEST_SCRIPT") &
  wait $!
  rc=$?
  trap - TERM INT
  cleanup
  exit $rc
fi

# ------------------------------------------------ the checks (test user)

# The sbx scopes systemd knows of (any state), one per line.
scopes() { systemctl --user list-units --all --no-legend --plain 'app-sbx-*' 2>/dev/null | awk '{print $1}'; }
no_scopes() { [[ -z $(scopes) ]]; }
no_scope_named() { ! scopes | grep -q "^app-sbx-$1-"; }

t_first_sandbox() {
  # The first client of the session: dbus.socket starts the bus for it,
  # and the manager is on it only a moment later.
  sbx_ok "${RO_ROOT[@]}" --name demo cat /proc/self/cgroup
  expect_match "$(grep '^0::' <<<"$OUT")" '^0::/app\.slice/app-sbx-demo-[0-9]+\.scope/sbx-demo-[0-9]+$' "cgroup inside"
  expect_not_contains "$ERR" "notice" "stderr"
  wait_for no_scopes || fail "scopes left after the sandbox: $(scopes)"
}

t_scope_seen() {
  mkfifo "$T/go"
  sbx_exec "${RO_ROOT[@]}" --proc /proc --unshare-pid --name watch sh -c 'read x <'"$T/go" \
    >"$T/watch.out" 2>"$T/watch.err" </dev/null &
  local pid=$! unit
  remember_pid $pid
  wait_for listed watch || fail "watch never showed in --list: $(cat "$T/watch.err")"
  unit=app-sbx-watch-$pid.scope
  expect_eq "$(scopes)" "$unit" "the scopes systemd lists"
  expect_eq "$(systemctl --user show -P ActiveState "$unit")" active "ActiveState"
  expect_eq "$(systemctl --user show -P Delegate "$unit")" yes "Delegate"
  expect_eq "$(systemctl --user show -P Slice "$unit")" app.slice "Slice"
  expect_eq "$(systemctl --user show -P ControlGroup "$unit")" "/app.slice/$unit" "ControlGroup"
  systemctl --user status --no-pager "$unit" >"$T/status" 2>&1
  expect_contains "$(cat "$T/status")" "$unit" "systemctl --user status"
  # sbx (the monitor) in the scope, the app in sbx-watch-PID below it.
  expect_eq "$(cat "/sys/fs/cgroup/app.slice/$unit/cgroup.procs")" "$pid" "the scope's own processes"
  expect_contains "$("$SBX" --list --json)" "\"cgroup\": \"/sys/fs/cgroup/app.slice/$unit/sbx-watch-$pid\"" "--list --json"
  "$SBX" --stop watch || fail "--stop watch failed"
  wait $pid || true
  listed watch && fail "still listed after --stop"
  wait_for no_scope_named watch || fail "the scope is still there after --stop: $(scopes)"
  test ! -e "/sys/fs/cgroup/app.slice/$unit" || fail "its cgroup is still there"
}

t_no_user_bus() {
  # A user manager without a user bus (no dbus-user-session; here
  # dbus.socket stopped): sbx talks to systemd directly.
  systemctl --user stop dbus.socket dbus.service || fail "can't stop the user bus"
  rm -f "$XDG_RUNTIME_DIR/bus"  # the socket stays unless RemoveOnStop=
  run_sbx "${RO_ROOT[@]}" --name nobus cat /proc/self/cgroup
  systemctl --user start dbus.socket || fail "can't start dbus.socket again"
  [[ $RC == 0 ]] || fail "sbx failed ($RC): $ERR"
  expect_match "$(grep '^0::' <<<"$OUT")" '^0::/app\.slice/app-sbx-nobus-[0-9]+\.scope/sbx-nobus-[0-9]+$' "cgroup inside"
  expect_not_contains "$ERR" "notice" "stderr"
  wait_for no_scopes || fail "scopes left after the sandbox: $(scopes)"
}

t_via_user_bus() {
  # Once the bus runs (busctl starts it through dbus.socket), the manager
  # joins it; then sbx must also get its scope through the bus alone (a
  # runtime dir without systemd/private: as in a container that is given
  # only the bus).
  wait_for busctl --user --quiet status org.freedesktop.systemd1 >/dev/null 2>&1 ||
    fail "the manager never showed on the user bus"
  local bus=unix:path=$XDG_RUNTIME_DIR/bus
  mkdir -m 700 "$T/run"
  XDG_RUNTIME_DIR=$T/run DBUS_SESSION_BUS_ADDRESS=$bus sbx_ok "${RO_ROOT[@]}" --name bus cat /proc/self/cgroup
  expect_match "$(grep '^0::' <<<"$OUT")" '^0::/app\.slice/app-sbx-bus-[0-9]+\.scope/sbx-bus-[0-9]+$' "cgroup inside"
  expect_not_contains "$ERR" "notice" "stderr"
  wait_for no_scopes || fail "scopes left after the sandbox: $(scopes)"
}

t_profile() {
  export SBX_PROFILE_PATH=$SBX_PROFILES_DIR
  sbx_ok --profile default cat /proc/self/cgroup
  expect_eq "$(grep '^0::' <<<"$OUT")" "0::/" "a profile's cgroup namespace"
  sbx_ok --profile default --cgroup-namespace off cat /proc/self/cgroup
  expect_match "$(grep '^0::' <<<"$OUT")" '^0::/app\.slice/app-sbx-default-[0-9]+\.scope/sbx-default-[0-9]+$' "cgroup-namespace off"
  wait_for no_scopes || fail "scopes left: $(scopes)"
}


t_freeze_join() {
  start_bg fz "${RO_ROOT[@]}" --proc /proc --unshare-pid --name fz sleep 1000
  local unit=app-sbx-fz-$BG_PID.scope cg
  cg=$(cgroup_of fz)
  expect_eq "$cg" "/sys/fs/cgroup/app.slice/$unit/sbx-fz-$BG_PID" "the sandbox's cgroup"
  run_sbx --freeze fz
  expect_eq "$OUT" "fz: frozen" "--freeze output"
  expect_contains "$(cat "$cg/cgroup.events")" "frozen 1" "cgroup.events"
  expect_eq "$(systemctl --user show -P ActiveState "$unit")" active "the scope while its sandbox is frozen"
  run_sbx --thaw fz
  expect_eq "$OUT" "fz: thawed" "--thaw output"
  run_sbx --join fz cat /proc/self/cgroup
  [[ $RC == 0 ]] || fail "--join failed ($RC): $ERR"
  expect_eq "$(grep '^0::' <<<"$OUT")" "0::/app.slice/$unit/sbx-fz-$BG_PID" "the joined command's cgroup"
  "$SBX" --stop fz || fail "--stop fz failed"
  wait_for no_scopes || fail "scopes left: $(scopes)"
}

t_monitor_killed() {
  # sbx killed outright: its sandbox (no --die-with-parent) lives on in
  # its cgroup, and so the scope; --stop ends both.
  start_bg orphan "${RO_ROOT[@]}" --proc /proc --unshare-pid --name orphan sleep 1000
  local unit=app-sbx-orphan-$BG_PID.scope cg
  cg=$(cgroup_of orphan)
  wait_for runs_in "$cg" sleep || fail "no sleep in $cg"
  kill -KILL "$BG_PID"
  wait "$BG_PID" 2>/dev/null || true
  listed orphan || fail "the orphan is not listed any more"
  expect_eq "$(systemctl --user show -P ActiveState "$unit")" active "the scope without its sbx"
  "$SBX" --stop orphan || fail "--stop orphan failed"
  wait_for no_scopes || fail "scopes left after --stop: $(scopes)"
  # A profile's sandbox dies with its sbx: systemd removes the scope, the
  # sandbox's cgroup in it with it.
  export SBX_PROFILE_PATH=$SBX_PROFILES_DIR
  start_bg default --profile default sleep 1000
  kill -KILL "$BG_PID"
  wait "$BG_PID" 2>/dev/null || true
  wait_for no_scopes || fail "scopes left: $(scopes)"
  wait_for sh -c "! '$SBX' --list | grep -q '^default '" || fail "the dead sandbox stays listed"
}

t_long_name() {
  # Any length is a valid sandbox name; unit and file names stop at 255.
  local name
  name=$(printf 'n%.0s' {1..250})
  sbx_ok "${RO_ROOT[@]}" --name "$name" cat /proc/self/cgroup
  expect_match "$(grep '^0::' <<<"$OUT")" "^0::/app\\.slice/app-sbx-${name:0:200}-[0-9]+\\.scope/sbx-${name:0:200}-[0-9]+\$" "cgroup inside"
  wait_for no_scopes || fail "scopes left: $(scopes)"
}

t_nested_pidns() {
  # sbx inside a sandbox with a pid namespace of its own: its getpid() is
  # not the pid systemd knows it by.  systemd must place the caller (PIDs
  # [0]: the peer of the connection), not whatever has that number outside.
  local outer=("${RO_ROOT[@]}" --bind /sys/fs/cgroup /sys/fs/cgroup --bind "$XDG_RUNTIME_DIR" "$XDG_RUNTIME_DIR"
               --proc /proc --dev /dev --unshare-user --unshare-pid)
  sbx_ok "${outer[@]}" "$SBX" "${RO_ROOT[@]}" --name inner cat /proc/self/cgroup
  expect_match "$(grep '^0::' <<<"$OUT")" '^0::/app\.slice/app-sbx-inner-[0-9]+\.scope/sbx-inner-[0-9]+$' "cgroup inside"
  expect_not_contains "$ERR" "notice" "stderr"
  wait_for no_scopes || fail "scopes left: $(scopes)"
  # Two of them, same name, same pid inside: the second scope's name must
  # differ (app-sbx-NAME-PID-RANDOM.scope).
  mkfifo "$T/go-nested"
  sbx_exec "${outer[@]}" "$SBX" "${RO_ROOT[@]}" --name inner sh -c 'read x <'"$T/go-nested" >"$T/first.out" 2>&1 </dev/null &
  local first=$!
  remember_pid $first
  wait_for sh -c 'systemctl --user list-units --no-legend --plain "app-sbx-inner-*" | grep -q active' ||
    fail "the first nested sandbox got no scope: $(cat "$T/first.out")"
  # (A registry of its own: the registry's ids are pids too.)
  sbx_ok "${outer[@]}" --tmpfs "$XDG_RUNTIME_DIR/sbx" "$SBX" "${RO_ROOT[@]}" --name inner cat /proc/self/cgroup
  expect_match "$(grep '^0::' <<<"$OUT")" '^0::/app\.slice/app-sbx-inner-[0-9]+-[0-9a-f]{8}\.scope/sbx-inner-[0-9]+$' "the second's cgroup"
  echo go >"$T/go-nested"
  wait $first || fail "the first nested sandbox failed: $(cat "$T/first.out")"
  wait_for no_scopes || fail "scopes left: $(scopes)"
}

t_limit_refused() {
  sbx_fails "${RO_ROOT[@]}" --name lim --memory-max 64M touch "$T/ran"
  test ! -e "$T/ran" || fail "the app ran"
  expect_error_message 'the cgroup controller "memory", which the systemd user manager did not delegate'
  expect_contains "$ERR" "app-sbx-lim-" "the scope named"
  wait_for no_scope_named lim || fail "a scope is left: $(scopes)"
}

t_limit_properties() {
  # Each limit arrives as a property of the scope, with its value, while
  # the app runs.  No controller here: SBX_TEST_UNENFORCED_LIMITS lets the
  # app run with the limits unenforced (a warning each), so that the
  # properties can be seen at all; whether systemd enforces them is the
  # kernel's part, tested for the cgroupfs path in tests/test-limits.sh.
  local unit props
  SBX_TEST_UNENFORCED_LIMITS=1 start_bg lp "${RO_ROOT[@]}" --proc /proc --unshare-pid --name lp \
    --memory-max 64M --memory-high 48M --memory-swap-max 0 --cpu-max 0.5 --cpu-weight 200 --cpus 0-1,3 \
    --pids-max 50 --io-max "/ rbps=1M wiops=300" --io-max "/tmp riops=100 wbps=2M" --io-weight 300 \
    --io-weight "/ 250" sleep 1000
  unit=app-sbx-lp-$BG_PID.scope
  props=$(systemctl --user show -p MemoryMax -p MemoryHigh -p MemorySwapMax -p CPUQuotaPerSecUSec -p CPUWeight \
    -p AllowedCPUs -p TasksMax -p IOReadBandwidthMax -p IOWriteBandwidthMax -p IOReadIOPSMax -p IOWriteIOPSMax \
    -p IOWeight -p IODeviceWeight "$unit" | sort)
  diag "$unit: $(tr "\n" " " <<<"$props")"
  expect_eq "$props" "$(sort <<'EOF'
MemoryMax=67108864
MemoryHigh=50331648
MemorySwapMax=0
CPUQuotaPerSecUSec=500ms
CPUWeight=200
AllowedCPUs=0-1 3
TasksMax=50
IOReadBandwidthMax=/ 1048576
IOWriteBandwidthMax=/tmp 2097152
IOReadIOPSMax=/tmp 100
IOWriteIOPSMax=/ 300
IOWeight=300
IODeviceWeight=/ 250
EOF
)" "the scope's properties"
  # The app in the sandbox's cgroup below the scope.
  expect_eq "$(cgroup_of lp)" "/sys/fs/cgroup/app.slice/$unit/sbx-lp-$BG_PID" "the sandbox's cgroup"
  expect_contains "$(cat "$T/bg-lp.err")" "memory-max 64M is NOT enforced" "the warning"
  "$SBX" --stop lp || fail "--stop lp failed"
  wait_for no_scopes || fail "scopes left: $(scopes)"
}

t_property_refused() {
  # systemd 252 takes CPUs up to 8191 in AllowedCPUs (sbx up to 65535):
  # StartTransientUnit fails, and so sbx, naming the properties.
  sbx_fails "${RO_ROOT[@]}" --name refused --cpus 60000 touch "$T/ran"
  test ! -e "$T/ran" || fail "the app ran"
  expect_error_message "systemd could not start the scope app-sbx-refused-"
  expect_contains "$ERR" "(the limits were its properties: AllowedCPUs=60000)" "the limits named"
  wait_for no_scope_named refused || fail "a scope is left: $(scopes)"
}

t_explain() {
  sbx_ok "${RO_ROOT[@]}" --name ex --explain true
  expect_contains "$OUT" "app-sbx-ex-PID.scope" "--explain"
  expect_not_contains "$OUT" "properties of the scope" "--explain without limits"
  sbx_ok "${RO_ROOT[@]}" --name ex --memory-max 64M --cpus 0-1 --io-max "/ rbps=1M" --explain true
  expect_contains "$OUT" "systemd would carry the limits, as properties of the scope: AllowedCPUs=0-1, IOReadBandwidthMax=/ 1048576, MemoryMax=67108864" "--explain with limits"
}

t_no_leftovers() {
  expect_eq "$(find /sys/fs/cgroup -name 'app-sbx-*' -o -name 'sbx-*')" "" "cgroups left"
  expect_eq "$(scopes)" "" "scopes left"
}

run_checks() {
  check "the first sandbox of a session (its bus not started yet) gets a scope, removed afterwards" t_first_sandbox
  check "systemctl --user sees the scope (Delegate=yes, app.slice); --list, --stop; gone after" t_scope_seen
  check "no user bus, only the manager's private socket: a scope" t_no_user_bus
  check "through the user bus alone (no private socket): a scope too" t_via_user_bus
  check "profiles: the scope, a cgroup namespace at the sandbox's cgroup; cgroup-namespace off" t_profile
  check "--freeze/--thaw and --join in the scope's sandbox" t_freeze_join
  check "sbx killed: the scope lives on with its sandbox until --stop; a profile's goes with it" t_monitor_killed
  check "a 250-character name: the scope's and the cgroup's names carry its first 200" t_long_name
  check "sbx in a pid namespace (nested): systemd places sbx itself, not its pid's namesake" t_nested_pidns
  check "a limit without its controller fails clearly and leaves no scope" t_limit_refused
  check "each limit is a property of the scope, with its value, while the app runs" t_limit_properties
  check "a property systemd refuses fails clearly, before any scope" t_property_refused
  check "--explain names the scope, and the limits as its properties" t_explain
  check "nothing is left: no scope, no cgroup" t_no_leftovers
}

tap_main "$@"
