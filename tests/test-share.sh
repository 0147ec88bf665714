#!/bin/bash
# sbx --share / --unshare: a host path mounted into a running sandbox and
# taken out again while its app runs (issue 12).  What the app sees is
# looked at from inside (sbx --join, which runs in the app's namespaces
# under its policy), what lands on the host from outside.  Root and the
# unprivileged test user each run every check.
source "$(dirname "$0")/lib.sh"

# start_named NAME ARGS...: start_bg (lib.sh) of a sandbox called NAME,
# once its app runs too.
start_named() {
  local name=$1; shift
  start_bg "$name" --name "$name" "$@"
  wait_for "$SBX" --join "$name" true 2>/dev/null || fail "$name's app never ran"
}

# inside NAME SCRIPT: run sh -c SCRIPT in the running sandbox NAME.
inside() { run_sbx --join "$1" sh -c "$2"; }

host_dir() {
  SRC=$(mktemp -d "$T/src.XXXXXX")
  echo hello >"$SRC/file"
}

# The shared directory is seen inside, written through to the host, listed,
# and gone (mount and mount point) after --unshare while the app runs on.
share_roundtrip() {
  local name=$1; shift
  fresh_home
  host_dir
  start_named "$name" "$@" sleep 1000
  inside "$name" "cat $SRC/file"
  [[ $RC != 0 ]] || fail "the host directory is visible before it is shared: $OUT"
  run_sbx --share "$name" "$SRC" --as /tmp/shared
  [[ $RC == 0 ]] || fail "--share: $RC $ERR"
  inside "$name" 'cat /tmp/shared/file && echo written >/tmp/shared/new && grep " /tmp/shared " /proc/self/mountinfo'
  [[ $RC == 0 ]] || fail "inside, after --share: $RC $ERR"
  expect_contains "$OUT" hello "the shared file read inside"
  expect_match "$(sed -n 2p <<<"$OUT")" " rw,nosuid,nodev" "its mount: read-write, nosuid, nodev"
  expect_eq "$(cat "$SRC/new" 2>&1)" written "a file written inside, on the host"
  run_sbx --list
  expect_contains "$OUT" "shared: $SRC -> /tmp/shared (read-write)" "--list"
  run_sbx --list --json
  expect_contains "$OUT" "\"shares\": [{\"src\": \"$SRC\", \"dest\": \"/tmp/shared\", \"read_only\": false}]" "--list --json"
  run_sbx --unshare "$name" /tmp/shared
  [[ $RC == 0 ]] || fail "--unshare: $RC $ERR"
  inside "$name" 'ls -a /tmp/shared 2>&1; grep -c " /tmp/shared " /proc/self/mountinfo'
  expect_contains "$OUT" "No such file or directory" "the mount point after --unshare (sbx made it)"
  expect_eq "$(tail -n1 <<<"$OUT")" 0 "mounts at /tmp/shared after --unshare"
  kill -0 "$BG_PID" 2>/dev/null || fail "the sandbox ended with --unshare"
  run_sbx --list
  expect_not_contains "$OUT" "shared:" "--list after --unshare"
  # The default destination is the same path; host files stay as they were.
  run_sbx --share "$name" "$SRC"
  inside "$name" "cat $SRC/new"
  expect_eq "$OUT" written "shared at its own path"
  "$SBX" --stop "$name" || fail "--stop"
  wait "$BG_PID" 2>/dev/null || true
  expect_eq "$(ls "$SRC" | tr '\n' ' ')" "file new " "the host directory after the sandbox ended"
}

t_profile() { share_roundtrip shp --profile default; }

t_bwrap_style() { share_roundtrip shb --ro-bind / / --proc /proc --dev /dev --tmpfs /tmp --unshare-pid; }

t_read_only() {
  fresh_home
  host_dir
  start_named shro --profile default sleep 1000
  run_sbx --share shro "$SRC/file" --ro --as /tmp/f
  [[ $RC == 0 ]] || fail "--share --ro: $RC $ERR"
  inside shro 'cat /tmp/f; if echo changed >/tmp/f; then echo "write: ok"; else echo "write: failed"; fi
                grep " /tmp/f " /proc/self/mountinfo'
  expect_contains "$OUT" hello "the file read inside"
  expect_contains "$OUT" "write: failed" "a write through --ro"
  expect_contains "$ERR" "Read-only file system" "the write's error"
  expect_match "$(tail -n1 <<<"$OUT")" " ro,nosuid,nodev" "its mount: read-only"
  expect_eq "$(cat "$SRC/file")" hello "the host file after the write"
  "$SBX" --stop shro
}

# Links on either path are refused; nothing is mounted or made.
t_symlinks_refused() {
  fresh_home
  host_dir
  ln -s "$HOME/.ssh" "$SRC/link"
  mkdir -m 700 "$HOME/.ssh" && echo key >"$HOME/.ssh/id"
  start_named shl --profile default sleep 1000
  run_sbx --share shl "$SRC/link" --as /tmp/keys
  [[ $RC == 1 ]] || fail "a symlinked source: exit $RC"
  expect_error_message "a symbolic link is on the way"
  # Inside, the app plants a link where the destination's parent would be.
  inside shl 'mkdir -p /tmp/real && ln -s /tmp/real /tmp/trap'
  run_sbx --share shl "$SRC" --as /tmp/trap/x
  [[ $RC == 1 ]] || fail "a destination through the app's symlink: exit $RC"
  expect_error_message "a symbolic link is on the way"
  inside shl 'ls -A /tmp/real; ls -A /tmp/keys 2>&1; grep -c -e " /tmp/real" -e " /tmp/keys" /proc/self/mountinfo'
  expect_eq "$(head -n1 <<<"$OUT")" "ls: cannot access '/tmp/keys': No such file or directory" "nothing made"
  expect_eq "$(tail -n1 <<<"$OUT")" 0 "mounts made"
  run_sbx --list
  expect_not_contains "$OUT" "shared:" "--list"
  "$SBX" --stop shl
}

# One clear line and a non-zero exit for each kind of bad request.
t_refusals() {
  fresh_home
  host_dir
  run_sbx --share nosuch "$SRC"
  [[ $RC == 1 ]] || fail "no such sandbox: exit $RC"
  expect_error_message "no running sandbox called nosuch"
  start_named shr --profile default sleep 1000
  run_sbx --share shr "$T/missing"
  [[ $RC == 1 ]] || fail "a missing source: exit $RC"
  expect_error_message "Can't share $T/missing"
  run_sbx --share shr "$SRC" --as /tmp/a
  run_sbx --share shr "$SRC" --as /tmp/a
  [[ $RC == 1 ]] || fail "the same destination twice: exit $RC"
  expect_error_message "already shared into shr at /tmp/a"
  run_sbx --unshare shr /tmp/nothing
  [[ $RC == 1 ]] || fail "--unshare of nothing: exit $RC"
  expect_error_message "nothing is shared into shr at /tmp/nothing"
  run_sbx --share shr "$SRC" --as relative
  [[ $RC == 1 ]] || fail "a relative --as: exit $RC"
  expect_error_message "must be an absolute path"
  run_sbx --as /x --list
  [[ $RC == 1 ]] || fail "--as without --share: exit $RC"
  expect_error_message "--as goes with --share"
  run_sbx --share shr "$SRC" true
  [[ $RC == 1 ]] || fail "--share with a command: exit $RC"
  expect_error_message "takes NAME and PATH, and no command"
  "$SBX" --stop shr
  wait "$BG_PID" 2>/dev/null || true
  # A stopped sandbox is no longer there to share into.
  run_sbx --share shr "$SRC"
  [[ $RC == 1 ]] || fail "a stopped sandbox: exit $RC"
  expect_error_message "no running sandbox called shr"
}

# Another user's sandbox: an entry forged in our own registry that names a
# process of someone else (pid 1) is refused by the owner check; root's
# registry is not ours to read.
t_other_user() {
  fresh_home
  host_dir
  if is_root; then
    # root: the test user's registry (a directory root does not own).
    local dir
    dir=$(mktemp -d /tmp/sbx-share-other.XXXXXX)
    mkdir -m 700 "$dir/sbx"
    chown -R "$TEST_USER" "$dir" && chmod 700 "$dir"
    XDG_RUNTIME_DIR=$dir run_sbx --share anyone "$SRC"
    rm -rf "$dir"
    [[ $RC == 1 ]] || fail "another user's registry: exit $RC"
    expect_error_message "refusing to use it"
    return 0
  fi
  mkdir -p -m 700 "$XDG_RUNTIME_DIR/sbx"
  local entry=$XDG_RUNTIME_DIR/sbx/4242.sandbox
  printf 'id=4242\nname=forged\nmonitor=%d\nstarted=1\npid=1\n' $$ >"$entry"
  # The entry is alive while its lock is held (as a monitor would).
  RC=0
  flock "$entry" "$SBX" --share forged "$SRC" >"$T/.out" 2>"$T/.err" || RC=$?
  ERR=$(<"$T/.err")
  [[ $RC == 1 ]] || fail "a forged entry naming a root process: exit $RC"
  expect_error_message ": refused"
  # Naming one of our own processes does not help: no namespaces recorded.
  sleep 1000 &
  remember_pid $!
  printf 'id=4243\nname=forged2\nmonitor=%d\nstarted=1\npid=%d\n' $$ $! >"$XDG_RUNTIME_DIR/sbx/4243.sandbox"
  RC=0
  flock "$XDG_RUNTIME_DIR/sbx/4243.sandbox" "$SBX" --share forged2 "$SRC" >"$T/.out" 2>"$T/.err" || RC=$?
  ERR=$(<"$T/.err")
  [[ $RC == 1 ]] || fail "a forged entry naming our own process: exit $RC"
  expect_error_message "records no namespaces"
}

run_checks() {
  check "a profile sandbox: shared, seen and written inside, listed, taken out while it runs" t_profile
  check "a bubblewrap-style sandbox: the same" t_bwrap_style
  check "--ro: read-only inside, the host file unchanged" t_read_only
  check "a symlink on the source or the destination path is refused; nothing is made" t_symlinks_refused
  check "no such or a stopped sandbox, a missing source, twice, bad options: one line each" t_refusals
  check "another user's sandbox is refused" t_other_user
}

tap_main "$@"
