#!/bin/bash
# sbx under valgrind: a sample of invocations -- bubblewrap-style sandboxes,
# profile sandboxes, --explain, --check, --desktop-install/-list/-remove and
# one error path of each kind (command line, setup, profile, compile) --
# each run under memcheck.  A check fails on any definite or indirect leak,
# invalid read/write/free or use of an uninitialised value in any process
# valgrind follows: the monitor, and the sandbox's own processes until they
# exec the app (they are forked clones of sbx; what they exec is not
# traced).  tests/valgrind.supp lists the false positives of the valgrind
# in Debian 12, each with its reason.
#
# One pass, as the caller: the unprivileged path (user namespace, uid
# maps) is covered by one check that runs a sandbox as $TEST_USER when run
# as root.  The rest of the code under test does not depend on who runs
# it, and every valgrind run costs about a second.
#
# Valgrind 3.19 does not know open_tree, move_mount, fsopen, openat2 or
# mount_setattr (it answers ENOSYS), so under valgrind sbx takes its
# classic mount(2) fallbacks (tested for themselves by fallback.sh).
#
#   SBX=build/sbx bash tests/test-valgrind.sh
source "$(dirname "$0")/lib.sh"

VALGRIND_OPTS=(--leak-check=full --show-leak-kinds=definite,indirect
  --errors-for-leak-kinds=definite,indirect --error-exitcode=99
  --track-fds=no --trace-children=no --suppressions="$TESTS_DIR/valgrind.supp"
  --run-libc-freeres=no)
# (No libc freeres: valgrind would run it at _exit in sbx's forked
# processes, flushing stdio buffers that _exit is there not to flush.)

need_valgrind() {
  command -v valgrind >/dev/null || skip_check "valgrind not installed"
}

need_sbx() {
  [[ $IS_SBX == 1 ]] || skip_check "sbx-only: profiles and sbx's own options"
}

# vg ARGS...: run the binary under valgrind; OUT, ERR and RC as run_sbx.
# Every process valgrind follows writes to one log (a per-process log
# file could not be created once the sandbox has its new root).
vg() {
  VG_LOG=$(mktemp "$T/vg.XXXXXX")
  chmod 666 "$VG_LOG"
  RC=0
  valgrind "${VALGRIND_OPTS[@]}" --log-file="$VG_LOG" "$SBX" "$@" >"$T/.out" 2>"$T/.err" || RC=$?
  OUT=$(<"$T/.out")
  ERR=$(<"$T/.err")
  echo "command: $SBX_NAME $*"
  echo "exit status: $RC"
  echo "stdout: $(head -c 400 <<<"$OUT")"
  echo "stderr: $ERR"
}

# expect_clean: every process in the last vg run ended with no error.
expect_clean() {
  local n_summaries n_bad
  n_summaries=$(grep -c 'ERROR SUMMARY:' "$VG_LOG" || true)
  n_bad=$(grep -c 'ERROR SUMMARY: [1-9]' "$VG_LOG" || true)
  if [[ $n_bad != 0 || $RC == 99 ]]; then
    grep -v -e '^--' "$VG_LOG" | grep -v -E '(HEAP|LEAK) SUMMARY|in use at exit|total heap usage|lost: 0|still reachable|suppressed:|Reachable blocks|rerun with|^==[0-9]+== $' | head -n 80
    fail "valgrind found errors in $n_bad of $n_summaries processes"
  fi
  [[ $n_summaries -ge 1 ]] || fail "no valgrind summary in the log"
}

# vg_ok ARGS...: a run that succeeds and is clean.
vg_ok() {
  vg "$@"
  expect_clean
  expect_eq "$RC" 0 "exit status"
}

# vg_fails STATUS TEXT ARGS...: a run that fails with STATUS and a message
# containing TEXT, and is clean.
vg_fails() {
  local status=$1 text=$2; shift 2
  vg "$@"
  expect_clean
  expect_eq "$RC" "$status" "exit status"
  expect_contains "$ERR" "$text" "message"
}

# A world of our own: a home with a hidden directory and a link the app
# could have planted, profiles, and no desktop sockets.
setup_world() {
  export HOME=$T/home
  unset XDG_CONFIG_HOME XDG_DATA_HOME XDG_CACHE_HOME XDG_STATE_HOME \
        DBUS_SESSION_BUS_ADDRESS DBUS_SYSTEM_BUS_ADDRESS DISPLAY WAYLAND_DISPLAY \
        PULSE_SERVER SSH_AUTH_SOCK XAUTHORITY
  export XDG_RUNTIME_DIR=$T/xrt
  mkdir -p -m 700 "$XDG_RUNTIME_DIR"
  P=$T/profiles
  export SBX_PROFILE_PATH=$P:${SBX_SRCDIR:-$TESTS_DIR/..}/profiles
  mkdir -p "$HOME/.a" "$HOME/.ssh" "$HOME/keep" "$P"
  echo SECRET >"$HOME/.ssh/id"
  echo KEPT >"$HOME/keep/file"
  ln -sfn "$HOME/.ssh" "$HOME/.cfg"
  # hide, private, persist (made on the host), ro, env, caps: most of
  # what the compiler turns into ops.
  printf '%s\n' 'include base.inc' 'hide ~/.a' 'ro ~/keep' 'persist ~/state/app' \
    'private /var/tmp' 'env VG_TEST=yes' 'cap-drop ALL' 'network none' >"$P/vg-rich.profile"
  # Refused when compiled, with a hidden directory and open rule fds
  # already in hand: the error returns of compile_paths and policy_compile.
  printf '%s\n' 'include base.inc' 'hide ~/.a' 'persist ~' 'ro ~/.cfg/id' >"$P/vg-planted.profile"
  printf '%s\n' 'include base.inc' 'dbus-session filter' >"$P/vg-bus.profile"
  printf '%s\n' 'include base.inc' 'no-such-directive x' >"$P/vg-syntax.profile"
  printf '%s\n' 'ro /usr' 'rw /usr' >"$P/vg-conflict.profile"
  printf '%s\n' 'include vg-no-such.inc' >"$P/vg-noinclude.profile"
}

# ---------------------------------------------------------------- checks

t_bwrap_sandbox() {
  need_valgrind
  vg_ok --ro-bind / / --dev /dev --proc /proc --unshare-all --die-with-parent \
    --tmpfs /tmp --dir /tmp/d --symlink d /tmp/l --setenv VG_TEST yes \
    sh -c 'echo "$VG_TEST"; ls -d /tmp/l/; cat /proc/self/uid_map >/dev/null'
  expect_eq "$OUT" "yes
/tmp/l/" "output from inside"
}

t_bwrap_fds() {
  # Ops that own an fd (--file, --ro-bind-data, --bind-fd), --args.
  need_valgrind
  exec 5<<<"from-file" 6<<<"from-data" 7<"$T"
  printf -- '--setenv\0VG_ARGS\0on\0' >"$T/args"
  exec 8<"$T/args"
  mkdir -p "$T/bound"
  echo BOUND >"$T/bound/f"
  exec 9<"$T/bound"
  vg_ok --args 8 "${RO_ROOT[@]}" --tmpfs /tmp --file 5 /tmp/file --ro-bind-data 6 /tmp/data \
    --bind-fd 9 /tmp/bound sh -c 'cat /tmp/file /tmp/data /tmp/bound/f; echo "$VG_ARGS"'
  expect_eq "$OUT" "from-file
from-data
BOUND
on" "output from inside"
}

t_unprivileged_sandbox() {
  need_valgrind
  is_root || skip_check "the caller is already unprivileged (the other checks cover it)"
  id "$TEST_USER" >/dev/null 2>&1 || ensure_test_user || fail "no user $TEST_USER"
  # A copy $TEST_USER can read, and a log it can write.
  local bin=$T/bin
  mkdir -p "$bin"
  cp "$SBX" "$bin/sbx"
  chmod -R a+rX "$bin"
  VG_LOG=$(mktemp "$T/vg.XXXXXX")
  chmod 666 "$VG_LOG"
  RC=0
  OUT=$(cd / && setpriv --reuid="$TEST_USER" --regid="$TEST_USER" --clear-groups -- \
    env HOME=/ valgrind "${VALGRIND_OPTS[@]}" --log-file="$VG_LOG" "$bin/sbx" \
    --ro-bind / / --dev /dev --proc /proc --unshare-all --uid 0 sh -c 'id -u' 2>"$T/.err") || RC=$?
  ERR=$(<"$T/.err")
  echo "stdout: $OUT"; echo "stderr: $ERR"
  expect_clean
  expect_eq "$RC" 0 "exit status"
  expect_eq "$OUT" 0 "uid inside"
}

t_profile_default() {
  need_valgrind; need_sbx
  vg_ok --profile default sh -c 'cat ~/keep/file ~/.ssh/id 2>&1 || true'
  expect_not_contains "$OUT" KEPT "a home file inside"
  expect_not_contains "$OUT" SECRET "secrets inside"
  expect_contains "$OUT" "No such file" "what cat says inside"
}

t_profile_rich() {
  need_valgrind; need_sbx
  vg_ok --profile vg-rich sh -c 'cat ~/keep/file; ls -A ~/.a | wc -l; echo "$VG_TEST"; touch ~/state/app/x'
  expect_eq "$OUT" "KEPT
0
yes" "output from inside"
  [[ -e $HOME/state/app/x ]] || fail "the persist directory did not reach the host"
}

t_explain() {
  need_valgrind; need_sbx
  vg_ok --explain --json firefox
  expect_contains "$OUT" '"ops"' "JSON plan"
  vg_ok --explain vg-rich
  expect_contains "$OUT" "$HOME/.a" "the hidden directory in the text plan"
}

t_check() {
  need_valgrind; need_sbx
  vg_ok --check firefox
  expect_contains "$OUT" ": ok (" "--check says"
  vg_fails 2 "unknown directive" --check vg-syntax
}

t_cli_errors() {
  need_valgrind
  vg_fails 1 "Unknown option" --no-such-option true
  vg_fails 1 "takes 2 arguments" "${RO_ROOT[@]}" --bind /tmp
  vg_fails 1 "Can't find source path" "${RO_ROOT[@]}" --ro-bind "$T/nonexistent" /mnt true
}

t_profile_errors() {
  need_valgrind; need_sbx
  vg_fails 2 "no profile" --profile vg-none true
  vg_fails 2 "unknown directive" --profile vg-syntax true
  vg_fails 2 "conflicts with" --profile vg-conflict true
  vg_fails 2 "can't find" --profile vg-noinclude true
  vg_fails 2 "can't be used with a bubblewrap-style command line" "${RO_ROOT[@]}" --persist /x true
}

t_compile_error() {
  need_valgrind; need_sbx
  vg_fails 2 "$HOME/.cfg is a symlink" --profile vg-planted true
}

t_dbus_filter() {
  # A filtered session bus: the proxy's spec, compiled for --explain with
  # an address no daemon needs to answer.  (A real run is not possible
  # under valgrind: the proxy's sandbox is sbx itself, re-executed through
  # /proc/self/exe, which under valgrind is valgrind's own tool binary.)
  need_valgrind; need_sbx
  DBUS_SESSION_BUS_ADDRESS=unix:abstract=/sbx-vg-test-$$ vg_ok --explain vg-bus
  expect_contains "$OUT" "filtered by xdg-dbus-proxy: unix:abstract=/sbx-vg-test-$$" "the proxy note"
  # Launch refuses it (no proxy binary) after compile recorded the spec:
  # launch_start's error path and launch_stop.
  DBUS_SESSION_BUS_ADDRESS=unix:abstract=/sbx-vg-test-$$ SBX_DBUS_PROXY=$T/no-such-proxy \
    vg_fails 1 "needs xdg-dbus-proxy" --profile vg-bus true
}

t_desktop_install() {
  need_valgrind; need_sbx
  export XDG_DATA_HOME=$T/data-home XDG_DATA_DIRS=$T/sys XDG_CONFIG_HOME=$T/config
  mkdir -p "$T/sys/applications"
  printf '%s\n' '[Desktop Entry]' 'Type=Application' 'Name=VG App' 'Exec=/usr/bin/true %U' \
    'Actions=new;' '' '[Desktop Action new]' 'Name=New' 'Exec=/usr/bin/true --new' \
    >"$T/sys/applications/vg-app.desktop"
  printf '%s\n' 'include base.inc' >"$P/vg-app.profile"
  vg_ok --desktop-install vg-app
  grep -q "^Exec=.*--profile" "$XDG_DATA_HOME/applications/vg-app.desktop" || fail "no sbx Exec line"
  vg_ok --desktop-list
  expect_contains "$OUT" vg-app.desktop "--desktop-list"
  vg_ok --desktop-remove vg-app
  [[ ! -e $XDG_DATA_HOME/applications/vg-app.desktop ]] || fail "the entry is still there"
  vg_fails 1 "" --desktop-install vg-no-such-app
}

run_checks() {
  setup_world
  check "valgrind: a bubblewrap-style sandbox" t_bwrap_sandbox
  check "valgrind: ops that own fds (--file, --ro-bind-data, --bind-fd, --args)" t_bwrap_fds
  check "valgrind: a sandbox run by an unprivileged user" t_unprivileged_sandbox
  check "valgrind: --profile default" t_profile_default
  check "valgrind: a profile with hide, persist, private, env, caps" t_profile_rich
  check "valgrind: --explain (text and --json)" t_explain
  check "valgrind: --check, of a good and a bad profile" t_check
  check "valgrind: command-line and setup errors" t_cli_errors
  check "valgrind: profile errors" t_profile_errors
  check "valgrind: a profile refused when compiled (planted symlink)" t_compile_error
  check "valgrind: a filtered session bus (--explain; a launch that fails)" t_dbus_filter
  check "valgrind: --desktop-install, --desktop-list, --desktop-remove" t_desktop_install
}

# One pass (see the top); as root, t_unprivileged_sandbox is the
# unprivileged user's run.
if [[ -z ${SBX_INNER:-} ]]; then
  run_pass "$PASS_LABEL" env bash "$TEST_SCRIPT"
  echo "1..$T_NUM"
  exit 0
fi
setup_tmp
run_checks
echo "# pass complete"
