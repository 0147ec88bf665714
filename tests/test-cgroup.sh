#!/bin/bash
# The sandbox's own cgroup (cgroup v2), its limits, seen from inside and
# outside.  Run as root, this script first delegates a cgroup the way
# systemd does for a unit with Delegate=yes -- a directory under the cgroup2
# mount, chowned with its cgroup.procs, cgroup.subtree_control and
# cgroup.threads to the unprivileged test user -- and runs both passes (root
# and that user) from inside it; it is removed afterwards.  The host's
# mounts and the other cgroups are not touched.  (On this machine, hybrid
# mode: the cgroup2 mount at /sys/fs/cgroup/unified has no resource
# controllers, so every limit must fail, clearly, before anything runs.)
source "$(dirname "$0")/lib.sh"

# ------------------------------------------------------------- delegation

# The cgroup2 mount point (mountinfo field 5 of the first cgroup2 mount).
cgroup2_mount() { awk '$0 ~ / - cgroup2 / { print $5; exit }' /proc/self/mountinfo; }

# Our cgroup v2 as a host path.
own_cgroup() { echo "$(cgroup2_mount)$(sed -n 's/^0:://p' /proc/self/cgroup | sed 's|^/$||')"; }

if [[ -z ${SBX_INNER:-} && -z ${SBX_CG_DELEGATED:-} ]] && is_root; then
  mnt=$(cgroup2_mount)
  # The root pass gets a root-owned child of it (a delegated cgroup is its
  # owner's: root's own cgroups are root's); run_checks moves itself there.
  if [[ -z $mnt ]]; then
    echo "1..0 # SKIP no cgroup2 hierarchy mounted"
    exit 0
  fi
  ensure_test_user || { echo "1..1"; echo "not ok 1 - could not create $TEST_USER"; exit 0; }
  home=$(own_cgroup)
  cg=$mnt/sbx-test-$$
  mkdir "$cg" || exit 1
  chown "$TEST_USER" "$cg" "$cg/cgroup.procs" "$cg/cgroup.subtree_control" "$cg/cgroup.threads"
  mkdir "$cg/root-pass"
  echo $$ >"$cg/cgroup.procs"
  SBX_CG_DELEGATED=$cg bash "$TEST_SCRIPT" "$@"
  rc=$?
  echo $$ >"$home/cgroup.procs"
  rmdir "$cg/root-pass" 2>/dev/null
  # Whatever a failed check left running goes (it was reported already).
  left=$(find "$cg" -mindepth 1 -depth -type d)
  for d in $left; do
    echo "# left behind: $d"
    echo 1 >"$d/cgroup.kill"
    for ((i = 0; i < 100; i++)); do grep -q 'populated 0' "$d/cgroup.events" && break; sleep 0.1; done
    rmdir "$d"
  done
  rmdir "$cg" || echo "# could not remove $cg"
  exit $rc
fi

# ------------------------------------------------------------------ helpers

# The caller's cgroup inside the hierarchy (the 0:: line) and on the host.
caller_init() {
  CALLER_REL=$(sed -n 's/^0:://p' /proc/self/cgroup)
  CALLER=$(own_cgroup)
}
caller_init

# Is the caller's cgroup delegated to us (what sbx needs)?
need_delegated() {
  [[ -w $CALLER && -w $CALLER/cgroup.procs ]] || skip_check "$CALLER is not delegated to $(id -un)"
}

# The sandbox cgroups (sbx-*) under the caller's, one per line.
sbx_cgroups() { find "$CALLER" -mindepth 1 -maxdepth 1 -type d -name 'sbx-*' -printf '%f\n' | sort; }
any_sbx_cgroup() { [[ -n $(sbx_cgroups) ]]; }

profile_env() { export SBX_PROFILE_PATH=$SBX_PROFILES_DIR; }

# ------------------------------------------------------------------- checks

t_named_placement() {
  need_delegated
  sbx_ok "${RO_ROOT[@]}" --name demo cat /proc/self/cgroup
  expect_match "$(grep '^0::' <<<"$OUT")" "^0::${CALLER_REL%/}/sbx-demo-[0-9]+$" "cgroup inside"
  expect_eq "$(sbx_cgroups)" "" "cgroups left after the sandbox"
}

t_bare_no_cgroup() {
  need_delegated
  sbx_ok "${RO_ROOT[@]}" cat /proc/self/cgroup
  expect_eq "$(grep '^0::' <<<"$OUT")" "0::$CALLER_REL" "a bare bubblewrap-style sandbox stays in the caller's cgroup"
}

t_cgroupns_rooted() {
  need_delegated
  # Created by the clone, the namespace would be rooted at the caller's
  # cgroup and show /sbx-ns-ID; sbx unshares it once inside.
  sbx_ok "${RO_ROOT[@]}" --name ns --unshare-cgroup cat /proc/self/cgroup
  expect_eq "$(grep '^0::' <<<"$OUT")" "0::/" "cgroup namespace root"
  # --info-fd reports that namespace (made after the clone), not the caller's.
  sbx_ok "${RO_ROOT[@]}" --name ns --unshare-cgroup --info-fd 3 stat -L -c %i /proc/self/ns/cgroup 3>"$T/info.json"
  expect_contains "$(cat "$T/info.json")" "\"cgroup-namespace\": $OUT" "--info-fd cgroup-namespace"
}

t_profile() {
  need_delegated
  profile_env
  sbx_ok --profile default cat /proc/self/cgroup
  expect_eq "$(grep '^0::' <<<"$OUT")" "0::/" "profile: a cgroup namespace at the sandbox's cgroup"
  sbx_ok --profile default --cgroup-namespace off cat /proc/self/cgroup
  expect_match "$(grep '^0::' <<<"$OUT")" "^0::${CALLER_REL%/}/sbx-default-[0-9]+$" "profile, cgroup-namespace off"
  expect_eq "$(sbx_cgroups)" "" "cgroups left"
}

t_outside_view() {
  need_delegated
  mkfifo "$T/go"
  sbx_exec "${RO_ROOT[@]}" --proc /proc --unshare-pid --name watch sh -c 'read x <'"$T/go" &
  local pid=$! dir
  remember_pid $pid
  wait_for any_sbx_cgroup || fail "no sbx-* cgroup appeared"
  dir=$CALLER/$(sbx_cgroups)
  expect_match "$(basename "$dir")" "^sbx-watch-$pid$" "cgroup name (sbx-NAME-PID of sbx)"
  wait_for grep -q . "$dir/cgroup.procs" || fail "nothing in $dir/cgroup.procs"
  # The sandbox's first process is sbx's child, born in the cgroup.
  local first
  first=$(head -n1 "$dir/cgroup.procs")
  expect_eq "$(awk '{print $4}' "/proc/$first/stat")" "$pid" "parent of the cgroup's first process"
  grep -qx "$pid" "$dir/cgroup.procs" && fail "sbx itself (the monitor) is in the sandbox's cgroup"
  echo go >"$T/go"
  wait $pid || fail "sandbox failed"
  test ! -e "$dir" || fail "$dir still exists"
}

t_clone3_fallback() {
  need_delegated
  [[ -n ${SBX_ENOSYS:-} ]] || skip_check "SBX_ENOSYS not set"
  "$SBX_ENOSYS" --block clone3 "$SBX" "${RO_ROOT[@]}" --name fb cat /proc/self/cgroup >"$T/out" 2>&1 ||
    fail "sbx under enosys --block clone3 failed: $(cat "$T/out")"
  expect_match "$(grep '^0::' "$T/out")" "^0::${CALLER_REL%/}/sbx-fb-[0-9]+$" "cgroup without clone3"
  "$SBX_ENOSYS" --block clone3 "$SBX" "${RO_ROOT[@]}" --name fb --unshare-cgroup cat /proc/self/cgroup >"$T/out" 2>&1 ||
    fail "sbx under enosys --block clone3 failed: $(cat "$T/out")"
  expect_eq "$(grep '^0::' "$T/out")" "0::/" "cgroup namespace without clone3"
  expect_eq "$(sbx_cgroups)" "" "cgroups left"
}

t_leftovers_killed() {
  need_delegated
  # No pid namespace: a background process outlives the app; the cgroup
  # takes it with it.
  sbx_ok "${RO_ROOT[@]}" --name bg sh -c 'sleep 1000 >/dev/null 2>&1 & echo $!'
  local pid=$OUT
  expect_match "$pid" '^[0-9]+$' "background pid"
  remember_pid "$pid"
  wait_for sh -c "! kill -0 $pid 2>/dev/null || grep -q '^State:.*Z' /proc/$pid/status" ||
    fail "the background process $pid survived the sandbox"
  expect_eq "$(sbx_cgroups)" "" "cgroups left"
}

t_stale_swept() {
  need_delegated
  local dead
  sh -c 'echo $$ >"$1"' _ "$T/deadpid"
  dead=$(<"$T/deadpid")
  kill -0 "$dead" 2>/dev/null && skip_check "pid $dead was reused"
  mkdir "$CALLER/sbx-old-$dead" "$CALLER/sbx-mine-$$"
  sbx_ok "${RO_ROOT[@]}" --name new true
  test ! -e "$CALLER/sbx-old-$dead" || { rmdir "$CALLER/sbx-old-$dead"; fail "the stale cgroup of dead sbx $dead stayed"; }
  test -e "$CALLER/sbx-mine-$$" || fail "the cgroup of a live sbx ($$) was removed"
  rmdir "$CALLER/sbx-mine-$$"
}

# Every limit, on a cgroup without its controller: an error before
# anything runs, naming the controller and Delegate=.
t_limits_refused() {
  need_delegated
  local spec dir ctrl opt arg avail
  avail=$(cat "$CALLER/cgroup.controllers")
  for spec in "memory --memory-max 64M" "memory --memory-high 1G" "memory --memory-swap-max 0" \
              "cpu --cpu-max 0.5" "cpu --cpu-weight 50" "cpuset --cpus 0" "pids --pids-max 10" \
              "io --io-max /:rbps=1M" "io --io-weight 50"; do
    read -r ctrl opt arg <<<"$spec"
    arg=${arg/:/ }
    if [[ " $avail " == *" $ctrl "* ]]; then
      echo "controller $ctrl is available here: not checking $opt"
      continue
    fi
    rm -f "$T/ran"
    for mode in bwrap profile; do
      if [[ $mode == bwrap ]]; then
        run_sbx "${RO_ROOT[@]}" "$opt" "$arg" touch "$T/ran"
      else
        profile_env
        run_sbx --profile default "$opt" "$arg" --rw "$T" touch "$T/ran"
      fi
      [[ $RC == 1 ]] || fail "$mode $opt $arg: exit status $RC (stderr: $ERR)"
      expect_error_message "\"$ctrl\""
      expect_contains "$ERR" "Delegate=$ctrl" "$opt message"
      test ! -e "$T/ran" || fail "$mode $opt $arg: the command ran"
      expect_eq "$(sbx_cgroups)" "" "$mode $opt: cgroups left"
    done
  done
}

t_bad_limits() {
  local spec opt arg
  for spec in "--memory-max 12Q" "--memory-max -1" "--cpu-max 0.001" "--cpu-max 1.2345" "--cpu-weight 0" \
              "--cpus a-b" "--pids-max 0" "--io-max /:wbps" "--io-max relative:rbps=1" "--io-weight 10001"; do
    read -r opt arg <<<"$spec"
    arg=${arg/:/ }
    rm -f "$T/ran"
    run_sbx "${RO_ROOT[@]}" "$opt" "$arg" touch "$T/ran"
    [[ $RC == 2 ]] || fail "$opt '$arg': exit status $RC, expected 2 (stderr: $ERR)"
    expect_error_message "${opt#--}"
    test ! -e "$T/ran" || fail "$opt $arg: the command ran"
    [[ ! -d $CALLER ]] || expect_eq "$(sbx_cgroups)" "" "$opt $arg: cgroups left"
  done
}

t_explain() {
  run_sbx --explain --noprofile --name ex --memory-max 512M --cpu-max 1.5 --pids-max 100 --io-weight 300 \
    --cpus 0 --io-max "/ rbps=1M wiops=max" -- true
  [[ $RC == 0 ]] || fail "explain failed: $ERR"
  expect_contains "$OUT" "memory.max = 536870912" "explain"
  expect_contains "$OUT" "cpu.max = 150000 100000" "explain"
  expect_contains "$OUT" "pids.max = 100" "explain"
  expect_contains "$OUT" "io.weight = default 300" "explain"
  expect_contains "$OUT" "cpuset.cpus = 0" "explain"
  expect_match "$OUT" "io.max = [0-9]+:[0-9]+ rbps=1048576 wiops=max" "explain io.max"
  expect_contains "$OUT" "$CALLER/sbx-ex-PID" "explain: the cgroup's path"
  run_sbx --explain --json --noprofile --name ex --pids-max 100 -- true
  expect_contains "$OUT" '"file": "pids.max", "value": "100"' "explain --json"
  run_sbx --explain --noprofile -- true
  expect_contains "$OUT" "cgroup: " "explain without limits"
}

t_not_delegated() {
  # Inside a sandbox whose /sys is read-only, nothing is delegated: a
  # notice and no cgroup, or, with a limit, the error.
  local inner=("${RO_ROOT[@]}" --proc /proc --dev /dev --unshare-user --unshare-pid)
  run_sbx "${inner[@]}" "$SBX" "${RO_ROOT[@]}" --name nd cat /proc/self/cgroup
  [[ $RC == 0 ]] || fail "nested sbx failed ($RC): $ERR"
  expect_contains "$ERR" "notice: running without a cgroup" "notice"
  expect_eq "$(grep -c . <<<"$ERR")" 1 "one line of notice"
  # A profile's sandbox without a name: as before, not a word.  (Root
  # only: root, moved into the cgroup delegated to the test user, has no
  # delegated cgroup of its own.  A profile can't be nested in the
  # sandbox above: its proc is not fully visible there.)
  if is_root && [[ -d ${SBX_CG_DELEGATED:-}/root-pass ]]; then
    profile_env
    RC=0
    (echo $BASHPID >"$SBX_CG_DELEGATED/cgroup.procs" && exec "$SBX" --profile default true) >"$T/.out" 2>"$T/.err" || RC=$?
    ERR=$(<"$T/.err")
    [[ $RC == 0 ]] || fail "profile sandbox without a delegated cgroup failed ($RC): $ERR"
    expect_eq "$ERR" "" "stderr of an unnamed profile sandbox without a cgroup"
    expect_eq "$(ls -d "$SBX_CG_DELEGATED"/sbx-* 2>/dev/null)" "" "cgroups made"
  fi
  run_sbx "${inner[@]}" "$SBX" "${RO_ROOT[@]}" --name nd --pids-max 5 true
  [[ $RC == 1 ]] || fail "a limit without a delegated cgroup: exit status $RC"
  expect_contains "$ERR" '"pids"' "error"
  expect_contains "$ERR" "Delegate=pids" "error"
}

t_no_systemd_manager() {
  # A user bus without a systemd user manager on it (this machine has
  # none): the systemd backend finds nobody to ask (NameHasOwner; nothing
  # is activated) and sbx goes on without a cgroup, or fails for a limit.
  command -v dbus-daemon >/dev/null || skip_check "no dbus-daemon"
  local addr pid inner=("${RO_ROOT[@]}" --proc /proc --dev /dev --unshare-user --unshare-pid)
  { read -r addr; read -r pid; } < <(dbus-daemon --session --fork --print-address=1 --print-pid=1)
  remember_pid "$pid"
  DBUS_SESSION_BUS_ADDRESS=$addr run_sbx "${inner[@]}" "$SBX" "${RO_ROOT[@]}" --name nd true
  [[ $RC == 0 ]] || fail "exit status $RC: $ERR"
  expect_contains "$ERR" "is not delegated to uid $(id -u), and there is no systemd user manager on the user bus" "notice"
  DBUS_SESSION_BUS_ADDRESS=$addr run_sbx "${inner[@]}" "$SBX" "${RO_ROOT[@]}" --name nd --memory-max 1G true
  [[ $RC == 1 ]] || fail "a limit: exit status $RC"
  expect_error_message "Delegate=memory"
  kill "$pid"
}

# ---------------------------------------------------- running sandboxes

# A private registry for this check.
registry_env() {
  export XDG_RUNTIME_DIR=$T/run-$BASHPID
  mkdir -m 700 "$XDG_RUNTIME_DIR"
}

cpu_usage() { sed -n 's/^usage_usec //p' "$1/cpu.stat"; }

SPIN='while :; do :; done'

t_list() {
  need_delegated
  registry_env
  profile_env
  start_bg spin "${RO_ROOT[@]}" --proc /proc --unshare-pid --name spin sh -c "$SPIN"
  start_bg default --profile default sleep 1000
  run_sbx --list
  expect_match "$OUT" $'^NAME +ID +PID' "header"
  expect_match "$OUT" "spin +$BG_PID|spin +[0-9]+ +[0-9]+ +- " "spin row"
  expect_match "$(grep '^default ' <<<"$OUT")" "^default +$BG_PID +[0-9]+ +default .* sleep 1000$" "profile row"
  run_sbx --list --json
  expect_contains "$OUT" '"name": "spin"' "json"
  expect_contains "$OUT" "\"cgroup\": \"$CALLER/sbx-default-$BG_PID\"" "json cgroup"
  expect_contains "$OUT" '"command": "sleep 1000"' "json command"
  # The same name twice is refused while the first runs.
  run_sbx "${RO_ROOT[@]}" --name spin true
  [[ $RC == 1 ]] || fail "a second sandbox called spin: exit status $RC"
  expect_contains "$ERR" "a sandbox called spin is running already" "duplicate name"
  "$SBX" --stop spin || fail "--stop spin failed"
  "$SBX" --stop default || fail "--stop default failed"
  run_sbx --list
  expect_eq "$(grep -c . <<<"$OUT")" 1 "--list after --stop (header only)"
  expect_eq "$(ls "$XDG_RUNTIME_DIR/sbx" | grep "\.sandbox")" "" "registry entries left"
  expect_eq "$(sbx_cgroups)" "" "cgroups left"
}

t_freeze_stats() {
  need_delegated
  registry_env
  start_bg spin "${RO_ROOT[@]}" --proc /proc --unshare-pid --name spin sh -c "$SPIN"
  local cg a b
  cg=$(cgroup_of spin)
  [[ -d $cg ]] || fail "no cgroup for spin: '$cg'"
  a=$(cpu_usage "$cg")
  wait_for sh -c "[ \$(sed -n 's/^usage_usec //p' $cg/cpu.stat) -gt $a ]" || fail "cpu.stat does not grow"
  run_sbx --stats spin
  expect_match "$(grep '^spin ' <<<"$OUT")" '^spin +[0-9]+ +[0-9]+ms' "--stats row"
  run_sbx --stats --json
  expect_match "$OUT" '"cpu_usec": [1-9][0-9]*' "--stats --json"
  run_sbx --freeze spin
  [[ $RC == 0 ]] || fail "--freeze: $ERR"
  expect_eq "$OUT" "spin: frozen" "--freeze output"
  expect_contains "$(cat "$cg/cgroup.events")" "frozen 1" "cgroup.events"
  a=$(cpu_usage "$cg")
  b=$(cpu_usage "$cg")
  expect_eq "$b" "$a" "cpu usage while frozen"
  run_sbx --thaw spin
  expect_eq "$OUT" "spin: thawed" "--thaw output"
  expect_contains "$(cat "$cg/cgroup.events")" "frozen 0" "cgroup.events"
  wait_for sh -c "[ \$(sed -n 's/^usage_usec //p' $cg/cpu.stat) -gt $a ]" || fail "cpu.stat does not grow after --thaw"
  "$SBX" --stop spin || fail "--stop failed"
  test ! -e "$cg" || fail "$cg left"
  run_sbx --freeze nosuch
  [[ $RC == 1 ]] || fail "--freeze nosuch: exit status $RC"
  expect_error_message "no running sandbox called nosuch"
}

t_stats_watch() {
  need_delegated
  registry_env
  start_bg spin "${RO_ROOT[@]}" --proc /proc --unshare-pid --name spin sh -c "$SPIN"
  # Frames are counted (each begins with the header), not time: two seen,
  # the sandbox is stopped, and --watch NAME then ends by itself (the
  # timeout is only a bound for a failure: 124).
  timeout 120 "$SBX" --stats --watch 0.1 spin >"$T/watch.out" 2>"$T/watch.err" &
  local w=$! rc=0
  remember_pid $w
  wait_for sh -c "[ \$(grep -c '^NAME ' '$T/watch.out') -ge 2 ]" ||
    fail "fewer than two frames: $(cat "$T/watch.out" "$T/watch.err")"
  expect_match "$(grep '^spin ' "$T/watch.out" | head -n1)" '^spin +[0-9]+ +[0-9]+ms' "a row"
  "$SBX" --stop spin || fail "--stop spin failed"
  wait $w || rc=$?
  expect_eq "$rc" 0 "--stats --watch spin's exit status once spin ended"
  expect_eq "$(cat "$T/watch.err")" "" "--watch's stderr"
  # A sandbox that is not running: refused at once, as without --watch.
  run_sbx --stats --watch 0.1 nosuch
  [[ $RC == 1 ]] || fail "--stats --watch nosuch: exit status $RC"
  expect_error_message "no running sandbox called nosuch"
  run_sbx --list --watch
  [[ $RC != 0 ]] || fail "--watch without --stats was accepted"
  expect_error_message "--watch goes with --stats"
}

# The sh in the cgroup directory $1 ignores SIGTERM (signal 15: bit 14 of
# its SigIgn mask).
ignores_term() {
  local p mask
  for p in $(pids_in "$1" sh); do
    mask=$(sed -n 's/^SigIgn:\t//p' "/proc/$p/status" 2>/dev/null)
    [[ -n $mask ]] && (((0x$mask >> 14) & 1)) && return 0
  done
  return 1
}

t_stop_kills() {
  need_delegated
  registry_env
  # An app that ignores SIGTERM: after the grace period, cgroup.kill.
  start_bg stubborn "${RO_ROOT[@]}" --proc /proc --unshare-pid --name stubborn sh -c "trap '' TERM; $SPIN"
  local cg
  cg=$(cgroup_of stubborn)
  wait_for ignores_term "$cg" || fail "the app never set its trap"
  SBX_STOP_GRACE=1 "$SBX" --stop stubborn || fail "--stop failed"
  local rc=0
  wait $BG_PID || rc=$?
  expect_eq "$rc" 137 "sbx's status (the app killed)"
  test ! -e "$cg" || fail "$cg left"
  expect_eq "$(ls "$XDG_RUNTIME_DIR/sbx" | grep "\.sandbox")" "" "registry entries left"
}

t_monitor_killed() {
  need_delegated
  registry_env
  # sbx killed outright: its bubblewrap-style sandbox (no --die-with-parent)
  # lives on in its cgroup, still listed, still stoppable.
  start_bg orphan "${RO_ROOT[@]}" --proc /proc --unshare-pid --name orphan sleep 1000
  local cg monitor=$BG_PID
  cg=$(cgroup_of orphan)
  wait_for runs_in "$cg" sleep || fail "no sleep in $cg"
  kill -KILL "$monitor"
  wait "$monitor" 2>/dev/null || true
  listed orphan || fail "the orphan is not listed any more"
  expect_contains "$("$SBX" --list --json)" '"monitor_alive": false' "json"
  "$SBX" --stop orphan || fail "--stop orphan failed"
  test ! -e "$cg" || fail "$cg left"
  listed orphan && fail "still listed after --stop"
  # A profile sandbox dies with its sbx: the entry and the cgroup are
  # stale, and the next look removes them.
  profile_env
  start_bg default --profile default sleep 1000
  cg=$(cgroup_of default)
  kill -KILL "$BG_PID"
  wait "$BG_PID" 2>/dev/null || true
  wait_for sh -c "! '$SBX' --list | grep -q '^default '" || fail "the dead sandbox stays listed"
  expect_eq "$(ls "$XDG_RUNTIME_DIR/sbx" | grep "\.sandbox")" "" "registry entries left"
  test ! -e "$cg" || fail "$cg left"
}

# The app's pid of the running sandbox NAME: the sandbox's first process,
# or its child when that is sbx's pid 1.
app_of() {
  local first cg child
  first=$("$SBX" --list --json | sed -n 's/.*"name": "'"$1"'".*"pid": \([0-9]*\), "monitor".*/\1/p')
  cg=$(cgroup_of "$1")
  child=$(for p in $(cat "$cg/cgroup.procs"); do
            [[ $(awk '{print $4}' "/proc/$p/stat" 2>/dev/null) == "$first" ]] && echo "$p"
          done | head -n1)
  echo "${child:-$first}"
}

t_join() {
  need_delegated
  registry_env
  profile_env
  start_bg default --profile default --env JOINED_FROM=profile sleep 1000
  local app cg out
  cg=$(cgroup_of default)
  app=$(app_of default)
  run_sbx --join default sh -c 'readlink /proc/self/ns/mnt /proc/self/ns/pid /proc/self/ns/net /proc/self/ns/user;
    grep "^0::" /proc/self/cgroup; echo "env=$JOINED_FROM"; grep -E "^(NoNewPrivs|CapEff|Seccomp):" /proc/self/status;
    cat /proc/self/stat | cut -d" " -f4; sleep 0.1 & cat "/proc/$!/cgroup" >/dev/null; echo $$ >/dev/null'
  [[ $RC == 0 ]] || fail "--join failed ($RC): $ERR"
  for ns in mnt pid net user; do
    expect_contains "$OUT" "$(readlink "/proc/$app/ns/$ns")" "the app's $ns namespace"
  done
  expect_contains "$OUT" $'0::/\n' "the sandbox's cgroup namespace"
  expect_contains "$OUT" "env=profile" "the app's environment"
  expect_contains "$OUT" $'NoNewPrivs:\t1' "no_new_privs"
  expect_contains "$OUT" "$(grep '^CapEff:' "/proc/$app/status")" "the app's capabilities"
  expect_contains "$OUT" $'Seccomp:\t2' "the sandbox's system call filter"
  # Outside: the joined command ran in the sandbox's cgroup.
  start_bg default2 "${RO_ROOT[@]}" --bind "$T" "$T" --proc /proc --unshare-pid --name default2 sleep 1000
  "$SBX" --join default2 sh -c 'cat /proc/self/cgroup >"$1"; exec sleep 1000' _ "$T/joined" &
  local joiner=$!
  remember_pid $joiner
  wait_for test -s "$T/joined" || fail "the joined command did not run"
  cg=$(cgroup_of default2)
  expect_eq "$(grep '^0::' "$T/joined")" "0::${cg#"$(cgroup2_mount)"}" "joined command's cgroup"
  "$SBX" --stop default2 || fail "--stop default2"
  wait $joiner 2>/dev/null || true
  "$SBX" --stop default || fail "--stop default"
  run_sbx --join nosuch true
  [[ $RC == 1 ]] || fail "--join nosuch: $RC"
  expect_error_message "no running sandbox called nosuch"
}

# The namespace ids the registry recorded for NAME (--list --json), as
# "KIND=ID" lines.
ns_ids_of() {
  "$SBX" --list --json | grep "\"name\": \"$1\"" | sed -n 's/.*"namespaces": {\([^}]*\)}.*/\1/p' |
    tr ',' '\n' | sed -n 's/^ *"\([a-z]*\)": \([0-9]*\)$/\1=\2/p'
}
# The monitor records them after the entry is listed (start_bg's wait):
# once the sandbox's first process is in its namespaces.
ns_recorded() { ns_ids_of "$1" | grep -q '^mnt='; }
# The app of NAME runs (app_of finds a child of its first process).
app_started() { [[ $(app_of "$1") != "$("$SBX" --list --json | sed -n 's/.*"name": "'"$1"'".*"pid": \([0-9]*\), "monitor".*/\1/p')" ]]; }

t_ns_ids() {
  need_delegated
  registry_env
  profile_env
  # A bubblewrap-style sandbox: its first process (sbx's pid 1) can be
  # looked at from outside, all seven of its namespaces.
  start_bg plain "${RO_ROOT[@]}" --proc /proc --unshare-pid --unshare-net --unshare-ipc --name plain sleep 1000
  wait_for ns_recorded plain || fail "plain: no namespace ids recorded: $("$SBX" --list --json)"
  local ids first k app
  ids=$(ns_ids_of plain)
  first=$("$SBX" --list --json | sed -n 's/.*"name": "plain".*"pid": \([0-9]*\), "monitor".*/\1/p')
  for k in user mnt pid net ipc uts cgroup; do
    expect_eq "$(sed -n "s/^$k=//p" <<<"$ids")" "$(stat -L -c %i "/proc/$first/ns/$k")" "plain: the $k namespace recorded"
  done
  expect_eq "$(sed -n 's/^net=//p' <<<"$ids")" "$(stat -L -c %i "/proc/$first/ns/net")" "net"
  [[ $(sed -n 's/^net=//p' <<<"$ids") != $(stat -L -c %i /proc/self/ns/net) ]] || fail "plain: the recorded net namespace is ours"
  # A profile sandbox: pid 1 is not dumpable (nothing outside can look at
  # it) and makes its cgroup namespace late; what was recorded is the
  # app's, cgroup namespace included.
  start_bg default --profile default sleep 1000
  wait_for ns_recorded default || fail "default: no namespace ids recorded: $("$SBX" --list --json)"
  wait_for app_started default || fail "default: the app did not start"
  ids=$(ns_ids_of default)
  app=$(app_of default)
  for k in mnt pid net ipc uts cgroup; do
    expect_eq "$(sed -n "s/^$k=//p" <<<"$ids")" "$(stat -L -c %i "/proc/$app/ns/$k")" "default: the $k namespace recorded"
  done
  [[ $(sed -n 's/^cgroup=//p' <<<"$ids") != $(stat -L -c %i /proc/self/ns/cgroup) ]] || fail "default: the recorded cgroup namespace is ours"
  # --join checks the process it enters against them: an entry whose ids
  # no longer match (as for a pid reused by another process) is refused.
  run_sbx --join plain true
  [[ $RC == 0 ]] || fail "--join plain: $RC: $ERR"
  local id f
  id=$("$SBX" --list --json | sed -n 's/.*"name": "plain", "id": "\([0-9]*\)".*/\1/p')
  f=$XDG_RUNTIME_DIR/sbx/$id.sandbox
  [[ -f $f ]] || fail "no registry entry $f"
  sed 's/^ns\.mnt=.*/ns.mnt=1/' "$f" >"$T/entry" && cat "$T/entry" >"$f" # in place: the monitor's lock stays
  run_sbx --join plain true
  [[ $RC == 1 ]] || fail "--join with a wrong mnt namespace id: exit status $RC"
  expect_error_message "is not plain's any more: its mnt namespace is"
  "$SBX" --stop plain || fail "--stop plain"
  "$SBX" --stop default || fail "--stop default"
}

run_checks() {
  if is_root && [[ -d ${SBX_CG_DELEGATED:-}/root-pass ]]; then
    echo $BASHPID >"$SBX_CG_DELEGATED/root-pass/cgroup.procs"
    caller_init
  fi
  check "--name: the sandbox runs in CALLER/sbx-NAME-PID, removed afterwards" t_named_placement
  check "a bare bubblewrap-style command line leaves the cgroup alone" t_bare_no_cgroup
  check "--unshare-cgroup with a cgroup: the namespace is rooted at the sandbox's cgroup" t_cgroupns_rooted
  check "profiles: a cgroup and a cgroup namespace by default; cgroup-namespace off" t_profile
  check "outside: the cgroup holds the sandbox (not sbx) while it runs, gone after" t_outside_view
  check "clone3 refused (seccomp): the sandbox moves itself into its cgroup" t_clone3_fallback
  check "what the app left running is killed with the cgroup" t_leftovers_killed
  check "a stale sbx-* cgroup of a dead sbx is swept, a live one kept" t_stale_swept
  check "every limit without its controller fails before anything runs" t_limits_refused
  check "bad limit arguments: exit 2, nothing runs, nothing left" t_bad_limits
  check "--explain shows the cgroup path and each limit's file and value" t_explain
  check "no delegated cgroup: a one-line notice when named, none for a profile; a limit fails" t_not_delegated
  check "a user bus without systemd: no scope to ask for; notice, or a limit fails" t_no_systemd_manager
  check "--list [--json] shows running sandboxes; a running name is refused; --stop" t_list
  check "--stats, --freeze/--thaw (cgroup.events, cpu.stat)" t_freeze_stats
  check "--stats --watch SECONDS NAME: a frame each interval, until the sandbox ends" t_stats_watch
  check "--stop: SIGTERM ignored, cgroup.kill after the grace period" t_stop_kills
  check "sbx killed: its sandbox stays stoppable; a dead one's entry is swept" t_monitor_killed
  check "--join: the app's namespaces, cgroup, environment, no caps, its filter" t_join
  check "the registry records the sandbox's namespace ids (--list --json); --join checks them" t_ns_ids
}

tap_main "$@"
