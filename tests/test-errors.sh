#!/bin/bash
# Error paths.  Each one must: exit 1, print exactly one message that
# starts with the program name and a colon (and says what is wrong), and
# leave nothing behind -- no processes (found by a unique marker in the
# command line), no change to the caller's mount table, no new files.
source "$(dirname "$0")/lib.sh"

# expect_setup_error REGEX ARGS...
expect_setup_error() {
  local want=$1; shift
  local marker="sbx-err-$$-$RANDOM$RANDOM"
  local mounts_before files_before left
  mounts_before=$(mountpoints)
  files_before=$(tree_listing "$T")
  run_sbx --setenv SBX_TEST_MARKER "$marker" "$@"
  echo "command: $SBX_NAME $*"
  echo "exit status: $RC"
  echo "stderr: $ERR"
  if ! wait_for eval "! pgrep -f $marker >/dev/null"; then
    left=$(pgrep -f "$marker" | tr '\n' ' ')
    ps -o pid,ppid,stat,wchan:20,args -p "$(pgrep -d, -f "$marker")" || true
    for p in $left; do kill -KILL "$p" 2>/dev/null; done
    fail "processes left behind: $left"
  fi
  expect_eq "$RC" 1 "exit status"
  expect_eq "$OUT" "" "stdout"
  local lines
  lines=$(grep -c . <<<"$ERR")
  [[ $lines == 1 ]] || fail "expected exactly one line on stderr, got $lines"
  expect_match "$ERR" "$ERR_PREFIX_RE" "message prefix"
  expect_match "$ERR" "$want" "message"
  expect_eq "$(mountpoints)" "$mounts_before" "mount table of the caller"
  expect_eq "$(tree_listing "$T")" "$files_before" "files under the test dir"
}

t_missing_source() {
  local opt
  for opt in --bind --ro-bind --dev-bind; do
    expect_setup_error "Can't find source path.*$T/nonexistent" \
      "${RO_ROOT[@]}" --tmpfs /mnt "$opt" "$T/nonexistent" /mnt/x true
  done
}

t_missing_relative_source() {
  # bwrap's realpath() error, with the source as given
  mkdir -p "$T/cwd"
  cd "$T/cwd"
  local opt
  for opt in --bind --ro-bind --dev-bind; do
    expect_setup_error "Can't find source path nonexistent: No such file or directory" \
      "${RO_ROOT[@]}" --tmpfs /mnt "$opt" nonexistent /mnt/x true
  done
  supports --overlay || return 0
  mkdir -p "$T/cwd/lower" "$T/cwd/upper" "$T/cwd/work"
  expect_setup_error "Can't find source path nope: No such file or directory" \
    "${RO_ROOT[@]}" --overlay-src nope --tmp-overlay /mnt true
  expect_setup_error "Can't find source path nope: No such file or directory" \
    "${RO_ROOT[@]}" --overlay-src lower --overlay nope work /mnt true
  expect_setup_error "Can't find source path nope: No such file or directory" \
    "${RO_ROOT[@]}" --overlay-src lower --overlay upper nope /mnt true
}

t_bad_info_fd() {
  todo_unless_sbx "bwrap 0.8.0 leaves its child blocked after a bad --info-fd"
  expect_setup_error "([Ii]nvalid fd|[Bb]ad file descriptor)" --info-fd 99 "${RO_ROOT[@]}" true
}

t_bad_json_status_fd() {
  todo_unless_sbx "bwrap 0.8.0 leaves its child blocked after a bad --json-status-fd"
  expect_setup_error "([Ii]nvalid fd|[Bb]ad file descriptor)" --json-status-fd 99 "${RO_ROOT[@]}" true
}

t_bad_args_fd() {
  expect_setup_error "Invalid fd: -1" --args -1 "${RO_ROOT[@]}" true
  expect_setup_error "([Ii]nvalid fd|[Bb]ad file descriptor)" --args 99 "${RO_ROOT[@]}" true
  expect_setup_error "([Ii]nvalid fd|[Bb]ad file descriptor)" --userns 99 "${RO_ROOT[@]}" true
}

t_bad_octal() {
  expect_setup_error "--perms" "${RO_ROOT[@]}" --tmpfs /mnt --perms 9999 --dir /mnt/x true
  expect_setup_error "--perms" "${RO_ROOT[@]}" --tmpfs /mnt --perms 0x1ff --dir /mnt/x true
  expect_setup_error "--chmod" "${RO_ROOT[@]}" --tmpfs /mnt --chmod abc /mnt true
  expect_setup_error "--chmod" "${RO_ROOT[@]}" --tmpfs /mnt --chmod 0788 /mnt true
}

t_bad_seccomp_size() {
  head -c 7 /dev/zero >"$T/bad.bpf"
  expect_setup_error "Invalid seccomp data, must be multiple of 8" "${RO_ROOT[@]}" --seccomp 5 true 5<"$T/bad.bpf"
  expect_setup_error "Invalid seccomp data, must be multiple of 8" "${RO_ROOT[@]}" --add-seccomp-fd 5 true 5<"$T/bad.bpf"
}

t_seccomp_mix() {
  head -c 8 /dev/zero >"$T/a.bpf"
  expect_setup_error "cannot be combined" "${RO_ROOT[@]}" --seccomp 5 --add-seccomp-fd 6 true 5<"$T/a.bpf" 6<"$T/a.bpf"
  expect_setup_error "cannot be combined" "${RO_ROOT[@]}" --add-seccomp-fd 5 --seccomp 6 true 5<"$T/a.bpf" 6<"$T/a.bpf"
}

t_conflicts() {
  expect_setup_error "--as-pid-1.*--unshare-pid" "${RO_ROOT[@]}" --as-pid-1 true
  expect_setup_error "--hostname.*--unshare-uts" "${RO_ROOT[@]}" --hostname box true
  expect_setup_error "--userns-block-fd.*--info-fd" --unshare-user --userns-block-fd 0 "${RO_ROOT[@]}" true
  expect_setup_error "--size.*--tmpfs" --size 4096 "${RO_ROOT[@]}" true
  expect_setup_error "--perms" --perms 0700 --perms 0700 "${RO_ROOT[@]}" --tmpfs /mnt true
  expect_setup_error "--as-pid-1.*--lock-file|--lock-file.*--as-pid-1" --unshare-pid --as-pid-1 \
    "${RO_ROOT[@]}" --lock-file /etc/hostname true
  exec 5</proc/self/ns/user
  expect_setup_error "--userns.*--unshare-user" --userns 5 --unshare-user "${RO_ROOT[@]}" true
  exec 5<&-
  expect_setup_error "--disable-userns.*--unshare-user" --disable-userns "${RO_ROOT[@]}" true
}

t_uid_without_userns() {
  is_root || skip_check "root only (without root a user namespace is implied)"
  expect_setup_error "--uid.*(--unshare-user|--userns)" --uid 1000 "${RO_ROOT[@]}" true
  expect_setup_error "--gid.*(--unshare-user|--userns)" --gid 1000 "${RO_ROOT[@]}" true
}

t_unknown_option() {
  expect_setup_error "Unknown option.*--frobnicate" --frobnicate "${RO_ROOT[@]}" true
  expect_setup_error "Unknown option" -x "${RO_ROOT[@]}" true
}

t_missing_argument() {
  expect_setup_error "--bind.*(two arguments|argument)" "${RO_ROOT[@]}" --bind /usr
  expect_setup_error "--chdir.*argument" "${RO_ROOT[@]}" --chdir
}

t_overlay_without_src() {
  need --overlay
  mkdir -p "$T/upper" "$T/work"
  expect_setup_error "--overlay requires at least one --overlay-src" \
    "${RO_ROOT[@]}" --overlay "$T/upper" "$T/work" /mnt true
  expect_setup_error "--tmp-overlay requires at least one --overlay-src" "${RO_ROOT[@]}" --tmp-overlay /mnt true
}

t_setup_failures() {
  # errors after the sandbox started to be built
  expect_setup_error "(mkdir|create).*nonexistent-$$" "${RO_ROOT[@]}" --tmpfs "/nonexistent-$$/x" true
  expect_setup_error "chmod.*/mnt/missing" "${RO_ROOT[@]}" --tmpfs /mnt --chmod 0755 /mnt/missing true
  expect_setup_error "lock.*/mnt/missing" "${RO_ROOT[@]}" --tmpfs /mnt --lock-file /mnt/missing true
  mkdir -p "$T/src"
  expect_setup_error "/d/l" "${RO_ROOT[@]}" --tmpfs /mnt --bind "$T/src" /mnt/b \
    --dir /mnt/d --symlink one /mnt/d/l --symlink two /mnt/d/l true
}

# run_privileged_copy WHAT CMD...: copy $SBX into a fresh world-readable
# directory, run CMD... on the copy ("{}" stands for its path) to give it
# privileges, then run the copy as $TEST_USER; sets RC, OUT and ERR.  If
# CMD fails, the check is skipped when WHAT names what the filesystem may
# not take, and fails when WHAT is empty.
run_privileged_copy() {
  local what=$1; shift
  local dir copy
  dir=$(mktemp -d /tmp/sbx-priv.XXXXXX)
  chmod 755 "$dir"
  copy="$dir/$SBX_NAME"
  cp "$SBX" "$copy"
  if ! "${@//\{\}/$copy}"; then
    rm -rf "$dir"
    [[ -n $what ]] && skip_check "this filesystem takes no $what"
    fail "could not prepare the copy: $*"
  fi
  RC=0
  OUT=$(cd / && setpriv --reuid="$TEST_USER" --regid="$TEST_USER" --clear-groups -- \
    "$copy" "${RO_ROOT[@]}" id -u 2>"$T/priv.err") || RC=$?
  ERR=$(<"$T/priv.err")
  rm -rf "$dir"
  echo "rc=$RC stdout=$OUT stderr=$ERR"
  expect_eq "$OUT" "" "COMMAND must not run"
}

t_setuid() {
  [[ $IS_SBX == 1 ]] || skip_check "setuid refusal is sbx-only (bwrap supports setuid installs)"
  is_root || skip_check "needs root to make a setuid copy"
  ensure_test_user || fail "no $TEST_USER user"
  run_privileged_copy "" sh -c 'chown root:root "$1" && chmod 4755 "$1"' _ {}
  expect_eq "$RC" 1 "exit status of a setuid install"
  expect_match "$ERR" "$ERR_PREFIX_RE" "message prefix"
  expect_match "$ERR" "[Ss]etuid|set-user-ID|setuid" "message mentions setuid"
}

t_file_caps() {
  is_root || skip_check "needs root to set file capabilities on a copy"
  command -v setcap >/dev/null || skip_check "setcap (libcap2-bin) not installed"
  # bwrap12 is a script that runs bwrap through a loader: file capabilities
  # on a copy of it would never be granted
  [[ $(head -c 4 "$SBX") == $'\x7fELF' ]] || skip_check "$SBX_NAME is not an ELF binary"
  ensure_test_user || fail "no $TEST_USER user"
  # "+p" only: permitted, not effective; bwrap refuses that too
  run_privileged_copy "file capabilities" setcap cap_sys_admin+p {}
  expect_eq "$RC" 1 "exit status with file capabilities"
  expect_error_message "capabilities"
}

run_checks() {
  check "missing source path" t_missing_source
  check "missing relative source path (and overlay dirs)" t_missing_relative_source
  check "--info-fd on a closed fd" t_bad_info_fd
  check "--json-status-fd on a closed fd" t_bad_json_status_fd
  check "--args -1 / closed fds" t_bad_args_fd
  check "bad octal for --perms / --chmod" t_bad_octal
  check "seccomp data not a multiple of 8" t_bad_seccomp_size
  check "--seccomp and --add-seccomp-fd are exclusive" t_seccomp_mix
  check "options that require or exclude others" t_conflicts
  check "--uid/--gid without a user namespace (root)" t_uid_without_userns
  check "unknown option" t_unknown_option
  check "option missing its argument" t_missing_argument
  check "--overlay / --tmp-overlay without --overlay-src" t_overlay_without_src
  check "failures while building the sandbox leave nothing behind" t_setup_failures
  check "a setuid install refuses to run" t_setuid
  check "file capabilities (even permitted only) are refused" t_file_caps
}

tap_main "$@"
