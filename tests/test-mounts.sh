#!/bin/bash
# Filesystem setup, observed from inside the sandbox: file contents,
# directory listings, stat modes, write results (EROFS / EACCES) and the
# flags and types in /proc/self/mountinfo; effects on the host are checked
# on the host.
#
# SBX_SUBSET=fallback runs the representative subset used by fallback.sh
# (with SBX_WRAP=enosys, i.e. without the new mount API).
source "$(dirname "$0")/lib.sh"

FALLBACK=0
[[ ${SBX_SUBSET:-} == fallback ]] && FALLBACK=1

# A source tree on the host: $T/src/{hello,dir/inner}
make_src() {
  rm -rf --one-file-system "$T/src"
  mkdir -p "$T/src/dir"
  echo hello-from-host >"$T/src/hello"
  echo inner >"$T/src/dir/inner"
}

MI='cat /proc/self/mountinfo'

t_bind() {
  make_src
  sbx_ok "${RO_ROOT[@]}" --bind "$T/src" /mnt sh -c \
    'cat /mnt/hello; echo written-inside >/mnt/new; echo ---; cat /proc/self/mountinfo'
  expect_eq "$(head -n1 <<<"$OUT")" hello-from-host "host file read inside"
  expect_eq "$(cat "$T/src/new")" written-inside "write through --bind visible on the host"
  local e
  e=$(mount_entry "$OUT" /mnt) || fail "/mnt not in mountinfo"
  read -r opts _ <<<"$e"
  has_opt "$opts" rw || fail "--bind not rw: $opts"
  has_opt "$opts" nosuid || fail "--bind not nosuid: $opts"
  has_opt "$opts" nodev || fail "--bind not nodev: $opts"
}

t_ro_bind() {
  make_src
  sbx_ok "${RO_ROOT[@]}" --ro-bind "$T/src" /mnt sh -c \
    'cat /mnt/hello; echo x 2>&1 >>/mnt/hello; touch /mnt/new 2>&1; echo ---; cat /proc/self/mountinfo'
  expect_eq "$(head -n1 <<<"$OUT")" hello-from-host "host file read inside"
  expect_contains "$(sed -n 2p <<<"$OUT")" "Read-only file system" "appending to a ro-bound file"
  expect_contains "$(sed -n 3p <<<"$OUT")" "Read-only file system" "creating in a ro-bound dir"
  [[ ! -e $T/src/new ]] || fail "file created on the host through --ro-bind"
  expect_eq "$(cat "$T/src/hello")" hello-from-host "host file unchanged"
  read -r opts _ <<<"$(mount_entry "$OUT" /mnt)"
  has_opt "$opts" ro || fail "--ro-bind not ro: $opts"
  has_opt "$opts" nosuid || fail "--ro-bind not nosuid: $opts"
  has_opt "$opts" nodev || fail "--ro-bind not nodev: $opts"
}

need_fixture() {
  [[ -n ${SBX_FIXTURE:-} ]] && mountpoint -q "$SBX_FIXTURE/sub" ||
    skip_check "no submount fixture (needs root to prepare)"
}

t_ro_bind_submount() {
  need_fixture
  # The fixture's sub/ is a rw tmpfs on the host; under --ro-bind it must
  # be read-only too (recursive).
  sbx_ok "${RO_ROOT[@]}" --ro-bind "$SBX_FIXTURE" /mnt sh -c \
    'cat /mnt/sub/file; touch /mnt/sub/new 2>&1; echo x 2>&1 >>/mnt/sub/file; echo ---; cat /proc/self/mountinfo'
  expect_eq "$(head -n1 <<<"$OUT")" sub "submount content"
  expect_contains "$(sed -n 2p <<<"$OUT")" "Read-only file system" "creating in the submount"
  expect_contains "$(sed -n 3p <<<"$OUT")" "Read-only file system" "writing in the submount"
  [[ ! -e $SBX_FIXTURE/sub/new ]] || fail "file appeared in the host submount"
  read -r opts fstype _ <<<"$(mount_entry "$OUT" /mnt/sub)"
  expect_eq "$fstype" tmpfs "submount type"
  has_opt "$opts" ro || fail "submount not ro: $opts"
  has_opt "$opts" nosuid || fail "submount not nosuid: $opts"
  has_opt "$opts" nodev || fail "submount not nodev: $opts"
}

t_ro_bind_deep_submount() {
  is_root || skip_check "needs root to mount the submount"
  command -v python3 >/dev/null || skip_check "python3 not installed"
  todo_unless_sbx "bubblewrap cannot remount a path longer than PATH_MAX"
  # A submount whose path is longer than PATH_MAX: without mount_setattr
  # sbx finds submounts in /proc/self/mountinfo, and must still make this
  # one read-only.
  rm -rf --one-file-system "$T/deep"
  python3 - "$T/deep" <<'PY'
import ctypes, os, sys
os.makedirs(sys.argv[1])
os.chdir(sys.argv[1])
for i in range(20):
    os.mkdir("d" * 250)
    os.chdir("d" * 250)
os.mkdir("sub")
libc = ctypes.CDLL(None, use_errno=True)
if libc.mount(b"sbx-deep", b"sub", b"tmpfs", 0, None) != 0:
    sys.exit("mount: " + os.strerror(ctypes.get_errno()))
PY
  trap 'python3 -c "
import ctypes, os, sys
os.chdir(sys.argv[1])
for i in range(20): os.chdir(\"d\" * 250)
ctypes.CDLL(None).umount2(b\"sub\", 2)" "$T/deep"; rm -rf --one-file-system "$T/deep" || true' EXIT
  sbx_ok "${RO_ROOT[@]}" --ro-bind "$T/deep" /mnt sh -c 'cat /proc/self/mountinfo'
  local line
  line=$(awk '$5 ~ /\/sub$/ && $5 ~ /^\/mnt\//' <<<"$OUT")
  [[ -n $line ]] || fail "the deep submount is not in the sandbox's mountinfo"
  read -r _ _ _ _ _ opts _ <<<"$line"
  has_opt "$opts" ro || fail "deep submount not read-only: $opts"
}

# A FUSE filesystem that refuses statfs(2): xdg-document-portal answers it
# with EPERM (a desktop has it mounted at $XDG_RUNTIME_DIR/doc).  Mounted
# at $T/portal-rt/doc, on a private session bus; needs a /dev/fuse the
# user can open.
start_doc_portal() {
  local t
  for t in dbus-daemon fusermount3 /usr/libexec/xdg-document-portal; do
    command -v "$t" >/dev/null || skip_check "$t is not installed"
  done
  mkdir -p -m 0700 "$T/portal-rt" "$T/portal-data"
  dbus-daemon --session --nofork --address="unix:path=$T/portal-bus" --print-address=1 \
    >"$T/portal-bus.addr" 2>&1 &
  remember_pid $!
  disown $!
  wait_for grep -qs . "$T/portal-bus.addr" || fail "dbus-daemon did not start: $(cat "$T/portal-bus.addr")"
  env XDG_RUNTIME_DIR="$T/portal-rt" XDG_DATA_HOME="$T/portal-data" \
    DBUS_SESSION_BUS_ADDRESS="unix:path=$T/portal-bus" \
    /usr/libexec/xdg-document-portal >"$T/portal.log" 2>&1 &
  PORTAL_PID=$!
  remember_pid $PORTAL_PID
  disown $PORTAL_PID
  wait_for eval 'portal_mounted || ! kill -0 $PORTAL_PID 2>/dev/null'
  portal_mounted || skip_check "xdg-document-portal could not mount FUSE as $(id -un):" \
    "$(grep -v 'max threads' "$T/portal.log" | head -n 2 | tr '\n' ' ')"
  trap stop_doc_portal EXIT
}
portal_mounted() { awk -v mp="$T/portal-rt/doc" '$5 == mp { f = 1 } END { exit !f }' /proc/self/mountinfo; }
# (On SIGTERM the portal unmounts; its libfuse helper would too.)
stop_doc_portal() {
  kill -TERM "$PORTAL_PID" 2>/dev/null
  wait_for eval '! portal_mounted' || fusermount3 -u "$T/portal-rt/doc" 2>/dev/null || true
}

t_ro_bind_fuse_statfs_refused() {
  start_doc_portal
  # The fallback's recursive remount asked statvfs(2) for each submount's
  # flags, and failed the sandbox on the portal's EPERM.
  # (Each way: below / and below /mnt, and bound itself over an existing
  # directory.)
  sbx_ok "${RO_ROOT[@]}" --ro-bind "$T/portal-rt" /mnt --ro-bind "$T/portal-rt/doc" "$T/portal-data" \
    cat /proc/self/mountinfo
  local e mp
  for mp in "$T/portal-rt/doc" /mnt/doc "$T/portal-data"; do
    e=$(mount_entry "$OUT" "$mp") || fail "$mp is not in mountinfo: $OUT"
    read -r opts fstype _ <<<"$e"
    expect_eq "$fstype" fuse.portal "the type of $mp"
    has_opt "$opts" ro || fail "$mp is not ro: $opts"
  done
}

t_bind_submount() {
  need_fixture
  local name="w-$$-$RANDOM"
  sbx_ok "${RO_ROOT[@]}" --bind "$SBX_FIXTURE" /mnt sh -c \
    "echo through-sub >/mnt/sub/$name && cat /proc/self/mountinfo"
  expect_eq "$(cat "$SBX_FIXTURE/sub/$name")" through-sub "write through the submount on the host"
  rm -f "$SBX_FIXTURE/sub/$name"
  read -r opts _ <<<"$(mount_entry "$OUT" /mnt/sub)"
  has_opt "$opts" rw || fail "submount under --bind not rw: $opts"
  has_opt "$opts" nodev || fail "submount under --bind not nodev: $opts"
}

t_try_variants() {
  make_src
  local opt
  for opt in --bind-try --ro-bind-try --dev-bind-try; do
    sbx_ok "${MIN_ROOT[@]}" "$opt" "$T/missing" /missing "$opt" "$T/src" /present \
      sh -c 'test -e /missing && echo missing-exists; cat /present/hello'
    expect_eq "$OUT" hello-from-host "$opt: missing source skipped (dest not created), present one bound"
  done
  # non-try variants fail on a missing source
  run_sbx "${MIN_ROOT[@]}" --ro-bind "$T/missing" /missing true
  expect_eq "$RC" 1 "--ro-bind of a missing source"
  expect_error_message "Can't find source path"
}

t_source_links() {
  # Links in sources resolve against the host's root, whichever way sbx
  # looks them up (without openat2, on kernels before 5.6, too).
  make_src
  ln -s "$T/src/hello" "$T/abs-link"
  ln -s src/dir/../hello "$T/rel-link"
  sbx_ok "${RO_ROOT[@]}" --tmpfs /tmp --ro-bind "$T/abs-link" /tmp/a --ro-bind "$T/rel-link" /tmp/b \
    --ro-bind "$T/src/dir/../hello" /tmp/c --ro-bind-try "$T/abs-link" /tmp/d cat /tmp/a /tmp/b /tmp/c /tmp/d
  expect_eq "$OUT" $'hello-from-host\nhello-from-host\nhello-from-host\nhello-from-host' "bound through links"
}

# --- source lookups while the system renames and mounts ---------------
#
# openat2(RESOLVE_IN_ROOT) fails with EAGAIN when a lookup met ".." (in the
# path or in a link's target, like /etc/os-release -> ../usr/lib/os-release)
# while any rename or mount happened anywhere on the system.  A fixed number
# of sandboxes bind such sources while two loops rename a file and mount a
# tmpfs over and over; every run must succeed.  (The count, not timing,
# is the assertion: with the background loops running, a lookup that gives
# up on EAGAIN fails in a good part of the runs.)
RACE_RUNS=60

t_source_dotdot_under_renames() {
  local r=$T/race i fails=0 last=""
  race_loops=() # not local: the EXIT trap runs after the function returned
  rm -rf --one-file-system "$r"
  mkdir -p "$r/usr/lib" "$r/etc" "$r/spin" "$r/mnt"
  echo os-release >"$r/usr/lib/os-release"
  ln -s ../usr/lib/os-release "$r/etc/os-release"
  touch "$r/spin/a"
  trap 'kill "${race_loops[@]}" 2>/dev/null || true; wait 2>/dev/null || true' EXIT
  perl -e '$d = shift; open(F, ">", "$d/started"); close F;
           while (1) { rename("$d/a", "$d/b"); rename("$d/b", "$d/a") }' "$r/spin" &
  race_loops+=($!); remember_pid $!
  local userns=(-r)
  is_root && userns=()
  unshare "${userns[@]}" -m --propagation private sh -c \
    ': >"$1/mounting"; while :; do mount -t tmpfs spin "$1" && umount "$1"; done' _ "$r/mnt" &
  race_loops+=($!); remember_pid $!
  wait_for test -e "$r/spin/started" || fail "rename loop did not start"
  wait_for test -e "$r/mnt/mounting" || fail "mount loop did not start"
  for ((i = 0; i < RACE_RUNS; i++)); do
    run_sbx "${RO_ROOT[@]}" --tmpfs /tmp --ro-bind "$r/etc/os-release" /tmp/a \
      --ro-bind "$r/etc/../usr/lib/os-release" /tmp/b --ro-bind-try "$r/etc/os-release" /tmp/c \
      --ro-bind "$r/etc/os-release" /tmp/d --ro-bind "$r/etc/../etc/os-release" /tmp/e \
      --ro-bind-try "$r/usr/../etc/os-release" /tmp/f sh -c 'cat /tmp/[a-f] | uniq -c'
    if [[ $RC != 0 || $OUT != *"6 os-release" ]]; then
      fails=$((fails + 1))
      last="rc=$RC out=$OUT err=$ERR"
    fi
  done
  ((fails == 0)) || fail "$fails of $RACE_RUNS sandboxes failed; last: $last"
}

t_dev_bind() {
  sbx_ok "${RO_ROOT[@]}" --dev-bind /dev /dev sh -c \
    'echo x >/dev/null && echo null-ok; head -c 3 /dev/zero | wc -c; echo ---; cat /proc/self/mountinfo'
  expect_eq "$(head -n2 <<<"$OUT")" $'null-ok\n3' "devices usable under --dev-bind"
  read -r opts _ <<<"$(mount_entry "$OUT" /dev)"
  has_opt "$opts" nodev && fail "--dev-bind mounted nodev: $opts"
  has_opt "$opts" nosuid || fail "--dev-bind not nosuid: $opts"
  # the same devices under --bind are unusable (nodev)
  sbx_ok "${RO_ROOT[@]}" --bind /dev /mnt sh -c 'echo x 2>&1 >/mnt/null; head -c 1 /mnt/zero 2>&1 | wc -c'
  expect_contains "$(head -n1 <<<"$OUT")" "Permission denied" "writing a device under --bind (nodev)"
}

t_bind_fd() {
  need --bind-fd
  make_src
  local fd
  exec {fd}<"$T/src"
  sbx_ok "${RO_ROOT[@]}" --bind-fd "$fd" /mnt sh -c 'cat /mnt/hello; echo via-fd >/mnt/fdnew; cat /proc/self/mountinfo'
  expect_eq "$(head -n1 <<<"$OUT")" hello-from-host "content through --bind-fd"
  expect_eq "$(cat "$T/src/fdnew")" via-fd "write through --bind-fd visible on host"
  exec {fd}<&-
  # an O_PATH fd works too; --ro-bind-fd is read-only
  exec {fd}<"$T/src"
  sbx_ok "${RO_ROOT[@]}" --ro-bind-fd "$fd" /mnt sh -c 'cat /mnt/hello; touch /mnt/x 2>&1; cat /proc/self/mountinfo'
  exec {fd}<&-
  expect_contains "$(sed -n 2p <<<"$OUT")" "Read-only file system" "write under --ro-bind-fd"
  read -r opts _ <<<"$(mount_entry "$OUT" /mnt)"
  has_opt "$opts" ro || fail "--ro-bind-fd not ro: $opts"
}

t_remount_ro() {
  make_src
  sbx_ok "${RO_ROOT[@]}" --bind "$T/src" /mnt --remount-ro /mnt sh -c 'touch /mnt/x 2>&1; cat /proc/self/mountinfo'
  expect_contains "$(head -n1 <<<"$OUT")" "Read-only file system" "write after --remount-ro"
  read -r opts _ <<<"$(mount_entry "$OUT" /mnt)"
  has_opt "$opts" ro || fail "not ro after --remount-ro: $opts"
}

t_proc() {
  sbx_ok "${MIN_ROOT[@]}" --unshare-pid --proc /proc sh -c \
    'ls /proc | grep -E "^[0-9]+$" | sort -n | tr "\n" " "; echo; cat /proc/self/mountinfo'
  local pids
  pids=$(head -n1 <<<"$OUT")
  # the reaper (1), sh (2) and its pipeline; none of the host's processes
  [[ $pids == "1 2 "* ]] || fail "pids in the new procfs: $pids"
  for p in $pids; do
    [[ $p -lt 20 ]] || fail "unexpected pid $p in the sandbox's /proc: $pids"
  done
  read -r opts fstype _ <<<"$(mount_entry "$OUT" /proc)"
  expect_eq "$fstype" proc "/proc type"
}

t_dev() {
  sbx_ok "${MIN_ROOT[@]}" --proc /proc --dev /dev sh -c '
    ls -A /dev | sort | tr "\n" " "; echo
    echo x >/dev/null && echo null-ok
    head -c 5 /dev/zero | wc -c
    head -c 5 /dev/urandom | wc -c
    dd if=/dev/zero of=/dev/full bs=1 count=1 2>&1 | grep -o "No space left on device"
    readlink /dev/stdin /dev/stdout /dev/stderr /dev/fd /dev/core /dev/ptmx | tr "\n" " "; echo
    test -d /dev/shm && echo shm-dir
    echo ---; cat /proc/self/mountinfo'
  local names
  names=$(head -n1 <<<"$OUT")
  for n in null zero full random urandom tty pts ptmx shm stdin stdout stderr fd core; do
    [[ " $names " == *" $n "* ]] || fail "/dev/$n missing: $names"
  done
  expect_eq "$(sed -n 2p <<<"$OUT")" null-ok "write to /dev/null"
  expect_eq "$(sed -n 3p <<<"$OUT")" 5 "read /dev/zero"
  expect_eq "$(sed -n 4p <<<"$OUT")" 5 "read /dev/urandom"
  expect_contains "$(sed -n 5p <<<"$OUT")" "No space left on device" "write to /dev/full"
  expect_eq "$(sed -n 6p <<<"$OUT")" "/proc/self/fd/0 /proc/self/fd/1 /proc/self/fd/2 /proc/self/fd /proc/kcore pts/ptmx " "links in /dev"
  expect_eq "$(sed -n 7p <<<"$OUT")" shm-dir "/dev/shm"
  read -r opts fstype _ <<<"$(mount_entry "$OUT" /dev)"
  expect_eq "$fstype" tmpfs "/dev type"
  read -r opts fstype _ <<<"$(mount_entry "$OUT" /dev/pts)"
  expect_eq "$fstype" devpts "/dev/pts type"
}

t_dev_nodev() {
  sbx_ok "${MIN_ROOT[@]}" --proc /proc --dev /dev sh -c 'echo x >/dev/null && echo null-ok; cat /proc/self/mountinfo'
  expect_eq "$(head -n1 <<<"$OUT")" null-ok "the bound device nodes still work"
  read -r opts _ <<<"$(mount_entry "$OUT" /dev)"
  has_opt "$opts" nodev || fail "the --dev tmpfs is not nodev: $opts"
  has_opt "$opts" nosuid || fail "the --dev tmpfs is not nosuid: $opts"
  is_root || return 0 # only real root can make a device node that the kernel honours
  # a node made in /dev with CAP_MKNOD must not open (loop0 and null)
  sbx_ok "${MIN_ROOT[@]}" --dev /dev --cap-add CAP_MKNOD sh -c \
    'mknod /dev/blk b 7 0 && mknod /dev/chr c 1 3 && head -c 1 /dev/blk 2>&1 >/dev/null; echo x 2>&1 >/dev/chr; true'
  expect_contains "$(sed -n 1p <<<"$OUT")" "Permission denied" "reading a block device made in /dev"
  expect_contains "$(sed -n 2p <<<"$OUT")" "Permission denied" "writing a char device made in /dev"
}

t_relative_sources() {
  # bwrap realpath()s a relative source in the caller's working directory
  # before anything else; it is never looked up from the host's root
  mkdir -p "$T/rel/etc"
  echo cwd-etc >"$T/rel/etc/marker"
  ln -s etc "$T/rel/lnk"
  cd "$T/rel"
  sbx_ok "${RO_ROOT[@]}" --tmpfs /mnt --ro-bind etc /mnt/ro --bind lnk /mnt/rw --dev-bind ./etc /mnt/dev \
    --ro-bind-try ../rel/etc /mnt/try cat /mnt/ro/marker /mnt/rw/marker /mnt/dev/marker /mnt/try/marker
  expect_eq "$OUT" $'cwd-etc\ncwd-etc\ncwd-etc\ncwd-etc' "relative sources (one through a symlink)"
  supports --overlay || return 0
  make_layers
  cd "$T"
  sbx_ok "${RO_ROOT[@]}" --overlay-src l1 --overlay-src ./l2 --overlay upper work /mnt sh -c \
    'cat /mnt/a /mnt/b; echo new >/mnt/c'
  expect_eq "$OUT" $'from-l1\nfrom-l2' "relative --overlay-src"
  expect_eq "$(cat "$T/upper/c")" new "relative --overlay RWSRC"
}

t_proc_fd_sources() {
  # A source naming one of the caller's fds (/proc/self/fd/N, /dev/fd/N) is
  # the path that fd was opened by, as bwrap's realpath() makes it; the
  # sandbox must show that file and directory
  make_src
  exec {ffd}<"$T/src/hello" {dfd}<"$T/src/dir"
  sbx_ok "${RO_ROOT[@]}" --tmpfs /mnt --ro-bind "/proc/self/fd/$ffd" /mnt/f --ro-bind "/dev/fd/$dfd" /mnt/d \
    sh -c 'cat /mnt/f; ls /mnt/d'
  exec {ffd}<&- {dfd}<&-
  expect_eq "$OUT" $'hello-from-host\ninner' "file and directory bound from /proc/self/fd/N and /dev/fd/N"
}

t_relative_try_missing() {
  # bubblewrap keeps a relative -try source that realpath() cannot find and
  # later looks it up from the host's root: it binds the host's /etc for a
  # missing ./etc.  sbx skips it like any missing -try source.
  todo_unless_sbx "bwrap 0.12 binds the host's /SOURCE for a missing relative -try source"
  mkdir -p "$T/empty"
  cd "$T/empty"
  sbx_ok "${RO_ROOT[@]}" --tmpfs /mnt --ro-bind-try etc /mnt/e --bind-try usr /mnt/u \
    --dev-bind-try etc/hostname /mnt/h ls -A /mnt
  expect_eq "$OUT" "" "missing relative -try sources"
}

t_dev_pty() {
  command -v script >/dev/null || skip_check "script(1) not installed"
  # a new pty can be allocated inside (devpts + ptmx work)...
  sbx_ok "${MIN_ROOT[@]}" --proc /proc --dev /dev script -qec tty /dev/null
  expect_match "$(tr -d '\r' <<<"$OUT")" '^/dev/pts/[0-9]+$' "tty inside a pty made in the sandbox"
  # ...and with a tty on stdout, /dev/console exists.
  OUT=$(script -qec "$(printf '%q ' "$SBX" "${MIN_ROOT[@]}" --proc /proc --dev /dev sh -c 'ls -A /dev | tr "\n" " "; test -e /dev/console && echo console-present')" /dev/null </dev/null) || true
  expect_contains "$OUT" console-present "/dev/console when stdout is a tty"
}

t_tmpfs() {
  sbx_ok "${RO_ROOT[@]}" --tmpfs /mnt sh -c 'stat -c %a /mnt; echo x >/mnt/f && cat /mnt/f; cat /proc/self/mountinfo'
  expect_eq "$(head -n2 <<<"$OUT")" $'755\nx' "tmpfs mode and writability"
  read -r opts fstype _ <<<"$(mount_entry "$OUT" /mnt)"
  expect_eq "$fstype" tmpfs "type"
  has_opt "$opts" nosuid || fail "tmpfs not nosuid: $opts"
  has_opt "$opts" nodev || fail "tmpfs not nodev: $opts"
  sbx_ok "${RO_ROOT[@]}" --perms 1777 --tmpfs /mnt stat -c %a /mnt
  expect_eq "$OUT" 1777 "--perms 1777 --tmpfs"
}

t_tmpfs_perms_size() {
  # --perms and --size both modify the next --tmpfs, in either order
  sbx_ok "${RO_ROOT[@]}" --perms 01777 --size 1048576 --tmpfs /mnt --size 1048576 --perms 0700 --tmpfs /mnt/b \
    sh -c 'stat -c %a /mnt /mnt/b; cat /proc/self/mountinfo'
  expect_eq "$(head -n2 <<<"$OUT")" $'1777\n700' "modes of the two tmpfs"
  local mp super
  for mp in /mnt /mnt/b; do
    read -r _ _ super <<<"$(mount_entry "$OUT" "$mp")"
    has_opt "$super" size=1024k || fail "size not in the mount options of $mp: $super"
  done
}

t_tmpfs_size() {
  sbx_ok "${RO_ROOT[@]}" --size 1048576 --tmpfs /mnt sh -c \
    'yes | head -c 2097152 2>&1 >/mnt/big | grep -o "No space left on device"; cat /proc/self/mountinfo'
  expect_eq "$(head -n1 <<<"$OUT")" "No space left on device" "writing 2MiB to a 1MiB tmpfs"
  read -r _ _ super <<<"$(mount_entry "$OUT" /mnt)"
  has_opt "$super" size=1024k || fail "size not in mount options: $super"
}

t_mqueue() {
  sbx_ok "${RO_ROOT[@]}" --unshare-ipc --tmpfs /mnt --mqueue /mnt/mq cat /proc/self/mountinfo
  read -r _ fstype _ <<<"$(mount_entry "$OUT" /mnt/mq)" || fail "no mount at the --mqueue dest"
  expect_eq "$fstype" mqueue "--mqueue type"
}

t_dir() {
  sbx_ok "${MIN_ROOT[@]}" --dir /a/b/c --perms 0700 --dir /private --perms 0750 --dir /p1/p2 \
    stat -c '%a %n' /a /a/b /a/b/c /private /p1/p2
  expect_eq "$OUT" $'755 /a\n755 /a/b\n755 /a/b/c\n700 /private\n750 /p1/p2' "modes of --dir"
}

t_dir_perms_existing() {
  # --perms is the mode of a directory --dir creates; one that exists keeps
  # its mode, also (above all) the host's, reached through a bind
  mkdir "$T/keep"
  chmod 755 "$T/keep"
  sbx_ok "${RO_ROOT[@]}" --bind "$T" /mnt --perms 0700 --dir /mnt/keep \
    --tmpfs /tmp --dir /tmp/a --perms 0700 --dir /tmp/a --perms 0700 --dir /tmp/b --perms 7777 --dir /tmp/c \
    stat -c '%a %n' /mnt/keep /tmp/a /tmp/b /tmp/c
  # a created directory gets the mode as mkdir(2) gives it: no setuid
  expect_eq "$OUT" $'755 /mnt/keep\n755 /tmp/a\n700 /tmp/b\n1777 /tmp/c' "modes inside"
  expect_eq "$(stat -c %a "$T/keep")" 755 "mode of the directory on the host"
}

t_symlink() {
  sbx_ok "${MIN_ROOT[@]}" --dir /d --symlink ../target/x /d/link --symlink /abs /d/abs \
    readlink /d/link /d/abs
  expect_eq "$OUT" $'../target/x\n/abs' "symlink targets"
}

symlink_idempotent_supported() {
  [[ $IS_SBX == 1 ]] && return 0
  "$SBX" "${MIN_ROOT[@]}" --dir /d --symlink a /d/l --symlink a /d/l true >/dev/null 2>&1
}

t_symlink_idempotent() {
  symlink_idempotent_supported || skip_check "idempotent --symlink not supported by this binary"
  sbx_ok "${MIN_ROOT[@]}" --dir /d --symlink same /d/l --symlink same /d/l readlink /d/l
  expect_eq "$OUT" same "identical link created twice"
  # /bin is already `usr/bin` in MIN_ROOT: again is fine
  sbx_ok "${MIN_ROOT[@]}" --symlink usr/bin /bin true
}

t_symlink_conflict() {
  run_sbx "${MIN_ROOT[@]}" --dir /d --symlink one /d/l --symlink two /d/l readlink /d/l
  expect_eq "$RC" 1 "a conflicting --symlink"
  expect_error_message "/d/l"
}

t_file() {
  printf 'line1\nline2\n' >"$T/content"
  sbx_ok "${MIN_ROOT[@]}" --file 5 /etc/f --perms 0640 --file 6 /etc/g sh -c \
    'cat /etc/f; stat -c "%a" /etc/f /etc/g; echo more >>/etc/f && echo writable' \
    5<"$T/content" 6<"$T/content"
  expect_eq "$OUT" $'line1\nline2\n666\n640\nwritable' "--file content, modes and writability"
}

t_bind_data() {
  printf 'secret\n' >"$T/content"
  sbx_ok "${MIN_ROOT[@]}" --proc /proc --bind-data 5 /etc/rw --ro-bind-data 6 /etc/ro --perms 0644 --ro-bind-data 7 /etc/ro2 sh -c '
    cat /etc/rw /etc/ro; stat -c %a /etc/rw /etc/ro /etc/ro2
    echo more >>/etc/rw && echo rw-writable
    echo more 2>&1 >>/etc/ro
    cat /proc/self/mountinfo' 5<"$T/content" 6<"$T/content" 7<"$T/content"
  expect_eq "$(head -n6 <<<"$OUT")" $'secret\nsecret\n600\n600\n644\nrw-writable' "data, modes, --bind-data writable"
  expect_contains "$(sed -n 7p <<<"$OUT")" "Read-only file system" "--ro-bind-data write"
  read -r opts _ <<<"$(mount_entry "$OUT" /etc/ro)"
  has_opt "$opts" ro || fail "--ro-bind-data mount not ro: $opts"
}

t_chmod() {
  sbx_ok "${MIN_ROOT[@]}" --dir /d --chmod 0710 /d --tmpfs /t --chmod 1777 /t stat -c '%a %n' /d /t
  expect_eq "$OUT" $'710 /d\n1777 /t' "modes after --chmod"
}

make_layers() {
  rm -rf --one-file-system "$T/l1" "$T/l2" "$T/upper" "$T/work"
  mkdir -p "$T/l1" "$T/l2" "$T/upper" "$T/work"
  echo from-l1 >"$T/l1/a"
  echo from-l2 >"$T/l2/b"
  echo l1-below >"$T/l1/both"
  echo l2-on-top >"$T/l2/both"
}

t_overlay() {
  need --overlay
  make_layers
  sbx_ok "${RO_ROOT[@]}" --overlay-src "$T/l1" --overlay-src "$T/l2" --overlay "$T/upper" "$T/work" /mnt sh -c \
    'cat /mnt/a /mnt/b /mnt/both; echo new >/mnt/c; echo changed >/mnt/a; cat /proc/self/mountinfo'
  # bwrap(1): the first --overlay-src is at the bottom of the stack, a path
  # present in several sources is read from the last one given
  expect_eq "$(head -n3 <<<"$OUT")" $'from-l1\nfrom-l2\nl2-on-top' "union of the layers (last --overlay-src on top)"
  read -r _ fstype _ <<<"$(mount_entry "$OUT" /mnt)"
  expect_eq "$fstype" overlay "type"
  expect_eq "$(cat "$T/upper/c")" new "new file in the upper dir on the host"
  expect_eq "$(cat "$T/upper/a")" changed "modified file copied up"
  expect_eq "$(cat "$T/l1/a")" from-l1 "lower layer unchanged"
}

t_tmp_overlay() {
  need --tmp-overlay
  make_layers
  local before
  before=$(tree_listing "$T")
  sbx_ok "${RO_ROOT[@]}" --overlay-src "$T/l1" --tmp-overlay /mnt sh -c \
    'echo new >/mnt/c && cat /mnt/c; echo changed >/mnt/a && cat /mnt/a'
  expect_eq "$OUT" $'new\nchanged' "writes inside a --tmp-overlay"
  expect_eq "$(cat "$T/l1/a")" from-l1 "lower layer unchanged"
  expect_eq "$(tree_listing "$T")" "$before" "nothing written on the host"
}

t_ro_overlay() {
  need --ro-overlay
  make_layers
  sbx_ok "${RO_ROOT[@]}" --overlay-src "$T/l1" --overlay-src "$T/l2" --ro-overlay /mnt sh -c \
    'cat /mnt/a /mnt/b; touch /mnt/c 2>&1; cat /proc/self/mountinfo'
  expect_eq "$(head -n2 <<<"$OUT")" $'from-l1\nfrom-l2' "union"
  expect_contains "$(sed -n 3p <<<"$OUT")" "Read-only file system" "write in --ro-overlay"
  run_sbx "${RO_ROOT[@]}" --overlay-src "$T/l1" --ro-overlay /mnt true
  expect_eq "$RC" 1 "--ro-overlay with one source"
  expect_match "$ERR" "$ERR_PREFIX_RE" "error prefix"
}

t_mountpoint_modes() {
  [[ $IS_SBX == 1 ]] || todo_unless_sbx "bwrap 0.8.0 creates parents of bind destinations 0700"
  # Bind destinations are created as 0755 dirs / 0444 files (parents
  # 0755).  The mount points are only visible once unmounted, which needs
  # CAP_SYS_ADMIN (in the sandbox's user namespace) and uid 0 for umount(8).
  sbx_ok "${MIN_ROOT[@]}" --unshare-user --uid 0 --gid 0 --proc /proc \
    --ro-bind /usr/bin/env /a/b/file --ro-bind /usr/share /a/d/dir --cap-add CAP_SYS_ADMIN \
    sh -c 'umount /a/b/file /a/d/dir && stat -c "%a %n" /a /a/b /a/b/file /a/d /a/d/dir'
  expect_eq "$OUT" $'755 /a\n755 /a/b\n444 /a/b/file\n755 /a/d\n755 /a/d/dir' "modes of created mount points"
}

t_no_oldroot() {
  # Neither as paths nor as mount points (the root field of mountinfo may
  # name the setup tmpfs' directory: that is not a path anyone can open).
  sbx_ok "${MIN_ROOT[@]}" --proc /proc --dir /tmp sh -c \
    'ls -A /tmp; ls -d /oldroot /newroot /tmp/oldroot /tmp/newroot 2>/dev/null; awk "{print \$5}" /proc/self/mountinfo | grep -E "oldroot|newroot"; true'
  expect_eq "$OUT" "" "traces of the setup root"
  sbx_ok "${RO_ROOT[@]}" --tmpfs /tmp sh -c 'ls -A /tmp; awk "{print \$5}" /proc/self/mountinfo | grep -cE "oldroot|newroot" || true'
  expect_eq "$OUT" 0 "traces of the setup root (full root)"
}

t_mountinfo_minimal() {
  make_src
  sbx_ok "${MIN_ROOT[@]}" --proc /proc --dev /dev --tmpfs /tmp --ro-bind "$T/src" /data sh -c \
    'ls -A / | tr "\n" " "; echo; cat /proc/self/mountinfo'
  expect_eq "$(head -n1 <<<"$OUT")" "bin data dev lib $( [[ -e /lib64 ]] && echo 'lib64 ')proc sbin tmp usr " "top-level entries"
  local mp bad=""
  while read -r mp; do
    [[ $mp =~ ^/(usr|proc|dev|tmp|data)?(/|$) ]] || bad+=" $mp"
  done < <(tail -n +2 <<<"$OUT" | awk '{print $5}')
  [[ -z $bad ]] || fail "unexpected mount points inside:$bad"
  # no host path shows up as a mount source root beyond what was bound
  # (virtual file systems -- the sandbox's own tmpfs, proc, devpts -- aside)
  local roots
  roots=$(tail -n +2 <<<"$OUT" | awk '{
      for (i = 7; i <= NF; i++) if ($i == "-") break;
      if ($(i + 1) !~ /^(tmpfs|proc|devpts|mqueue)$/) print $4 }' | sort -u | tr '\n' ' ')
  for r in $roots; do
    case $r in
      / | /usr | "$T/src" | /null | /zero | /full | /random | /urandom | /tty | /pts/*) ;;
      *) fail "mount of host path $r visible inside (roots: $roots)" ;;
    esac
  done
}

# --- symlink attacks on destinations -----------------------------------
#
# $T/bound is writable and bound into the sandbox at /bound.  It contains
# symlinks an app could have planted.  Asking for a destination beneath
# them must either fail or stay inside the sandbox; nothing may appear on
# the host -- neither in /etc nor in $T/target (a host dir not visible in
# the sandbox).

make_attack() {
  rm -rf --one-file-system "$T/bound" "$T/target"
  mkdir -p "$T/bound" "$T/target"
  ATTACK_NAME="sbx-attack-$$-$RANDOM"
  ln -s /etc "$T/bound/evil_abs"
  ln -s ../../../../../../../../../../etc "$T/bound/evil_rel"
  ln -s "$T/target" "$T/bound/evil_host"
  ln -s "/oldroot$T/target" "$T/bound/evil_oldroot"
  ln -s "../../../../../../../../../../oldroot$T/target" "$T/bound/evil_oldroot_rel"
  ln -s "/newroot/../oldroot$T/target" "$T/bound/evil_newroot"
}

check_attack_left_nothing() {
  local leaked=""
  [[ -e /etc/$ATTACK_NAME ]] && leaked+=" /etc/$ATTACK_NAME" && rm -rf "/etc/$ATTACK_NAME"
  [[ -z $(ls -A "$T/target") ]] || leaked+=" $T/target/{$(ls -A "$T/target" | tr '\n' ' ')}"
  rm -rf "${T:?}/target/"* 2>/dev/null
  [[ -z $leaked ]] || fail "setup wrote to the host through a symlink:$leaked"
}

t_attack() {
  todo_unless_sbx "bwrap < 0.12 follows symlinks through /oldroot during setup (CVE-2026-87766)"
  local op leaks=0
  make_attack
  printf 'pwned\n' >"$T/payload"
  make_src
  for op in dir file bind; do
    for link in evil_abs evil_rel evil_host evil_oldroot evil_oldroot_rel evil_newroot; do
      local dest="/bound/$link/$ATTACK_NAME"
      case $op in
        dir)  run_sbx "${MIN_ROOT[@]}" --bind "$T/bound" /bound --dir "$dest" true ;;
        file) run_sbx "${MIN_ROOT[@]}" --bind "$T/bound" /bound --file 5 "$dest" true 5<"$T/payload" ;;
        bind) run_sbx "${MIN_ROOT[@]}" --bind "$T/bound" /bound --bind "$T/src" "$dest" true ;;
      esac
      echo "--$op $dest: rc=$RC ${ERR:+stderr: $ERR}"
      if [[ $RC != 0 ]]; then
        expect_match "$ERR" "$ERR_PREFIX_RE" "error prefix for --$op $dest"
      fi
      ( check_attack_left_nothing ) || leaks=$((leaks + 1))
    done
  done
  ((leaks == 0)) || fail "$leaks setups wrote to the host"
}

t_attack_from_inside() {
  todo_unless_sbx "bwrap < 0.12 follows symlinks through /oldroot during setup (CVE-2026-87766)"
  # The same, with the symlink planted by a first sandbox run (the app)
  # and exploited by the next run's setup.
  make_attack
  rm -f "$T/bound/"evil_*
  sbx_ok "${MIN_ROOT[@]}" --bind "$T/bound" /bound ln -s "/oldroot$T/target" /bound/planted
  run_sbx "${MIN_ROOT[@]}" --bind "$T/bound" /bound --dir "/bound/planted/$ATTACK_NAME" true
  echo "rc=$RC $ERR"
  check_attack_left_nothing
}

t_attack_other_bind() {
  todo_unless_sbx "bubblewrap follows any symlink in a destination, clamped to the sandbox"
  # A directory bound read-only at one place and writable at another: a
  # symlink planted through the writable bind (dl -> a host dir the
  # sandbox can write) must not be followed through the read-only one.
  rm -rf --one-file-system "$T/rw" "$T/home"
  mkdir -p "$T/rw" "$T/home"
  sbx_ok "${RO_ROOT[@]}" --tmpfs /run --bind "$T/rw" /run/mnt ln -s "$T/home" /run/mnt/dl
  [[ -L $T/rw/dl ]] || fail "the app could not plant its link"
  run_sbx "${RO_ROOT[@]}" --bind "$T/home" "$T/home" --tmpfs /run --bind "$T/rw" /run/mnt \
    --ro-bind "$T/rw" /run/view --dir /run/view/dl/x true
  echo "rc=$RC $ERR"
  [[ ! -e $T/home/x ]] || fail "setup created $T/home/x on the host through the planted link"
  expect_eq "$RC" 1 "exit status"
  expect_error_message "symlink"
}

t_readonly_fs_links() {
  is_root || skip_check "needs root to mount a read-only filesystem"
  # A link on a filesystem that is read-only as a whole (not just through
  # one mount) cannot have been planted by the app: it is followed, also
  # through a --bind.  (A tmpfs made read-only stands for a squashfs image.)
  mkdir -p "$T/rofs"
  mount -t tmpfs sbx-rofs "$T/rofs"
  ln -s /run/t "$T/rofs/l"
  mount -o remount,ro "$T/rofs"
  sbx_ok "${RO_ROOT[@]}" --tmpfs /run --dir /run/t --bind "$T/rofs" /run/v --dir /run/v/l/x ls /run/t
  umount "$T/rofs"
  expect_eq "$OUT" x "directory made through the link, inside the sandbox"
}

t_host_view_links() {
  is_root && skip_check "run by root, the app may write any directory (sbx follows only links on its own or read-only filesystems)"
  # For a caller who is not root, links in the host's own directories
  # (which the app cannot write) still lead to mount points: /bin/true
  # through /bin -> usr/bin, a file behind a link of the bound tree.
  [[ -L /bin ]] || skip_check "/bin is not a symlink here"
  make_src
  sbx_ok "${RO_ROOT[@]}" --ro-bind "$T/src/hello" /bin/true cat /bin/true
  expect_eq "$OUT" hello-from-host "bound over a file behind /bin -> usr/bin"
}

run_checks() {
  local full=1
  [[ $FALLBACK == 1 ]] && full=0
  check "--bind: rw, nosuid, nodev; writes reach the host" t_bind
  check "--ro-bind: ro, nosuid, nodev; writes fail with EROFS" t_ro_bind
  check "--ro-bind makes submounts read-only too" t_ro_bind_submount
  check "--bind keeps submounts writable (nodev)" t_bind_submount
  check "--ro-bind makes a submount deeper than PATH_MAX read-only" t_ro_bind_deep_submount
  check "--ro-bind makes a FUSE submount that refuses statfs(2) (the document portal) read-only too" \
    t_ro_bind_fuse_statfs_refused
  ((full)) && check "--bind-try/--ro-bind-try/--dev-bind-try skip missing sources" t_try_variants
  check "sources: absolute and relative links, \"..\"" t_source_links
  ((full)) && check "sources with \"..\" bind while the system renames and mounts" t_source_dotdot_under_renames
  ((full)) && check "--dev-bind allows devices, --bind does not (nodev)" t_dev_bind
  ((full)) && check "--bind-fd / --ro-bind-fd" t_bind_fd
  ((full)) && check "--remount-ro" t_remount_ro
  check "--proc with --unshare-pid shows only the sandbox's processes" t_proc
  check "--dev: device nodes, links, devpts" t_dev
  check "--dev: the tmpfs is nodev, nosuid (a node made inside does not open)" t_dev_nodev
  ((full)) && check "--dev: ptys work inside; /dev/console with a tty" t_dev_pty
  check "--tmpfs (and --perms)" t_tmpfs
  check "--size limits a --tmpfs" t_tmpfs_size
  check "--perms and --size before one --tmpfs, in either order" t_tmpfs_perms_size
  ((full)) && check "--mqueue" t_mqueue
  check "--dir (default 0755, --perms)" t_dir
  ((full)) && check "--perms --dir on an existing directory keeps its mode" t_dir_perms_existing
  ((full)) && check "relative sources are found in the caller's cwd" t_relative_sources
  check "a source naming a caller's fd (/proc/self/fd/N) binds what it was opened by" t_proc_fd_sources
  ((full)) && check "a missing relative -try source is skipped, not taken from /" t_relative_try_missing
  check "--symlink" t_symlink
  ((full)) && check "--symlink is idempotent for an identical link" t_symlink_idempotent
  ((full)) && check "--symlink over a different link is an error" t_symlink_conflict
  check "--file FD DEST (0666, --perms)" t_file
  check "--bind-data / --ro-bind-data (0600, ro)" t_bind_data
  ((full)) && check "--chmod" t_chmod
  check "--overlay-src + --overlay: writes go to the upper dir" t_overlay
  ((full)) && check "--tmp-overlay: writes vanish" t_tmp_overlay
  ((full)) && check "--ro-overlay (needs two sources)" t_ro_overlay
  ((full)) && check "mount points: dirs 0755, files 0444" t_mountpoint_modes
  ((full)) && check "/tmp/oldroot and /tmp/newroot are not visible" t_no_oldroot
  ((full)) && check "mountinfo shows nothing of the host beyond the binds" t_mountinfo_minimal
  check "symlink attack on destinations (--dir/--file/--bind) leaves the host alone" t_attack
  check "symlink planted by the app does not redirect the next setup" t_attack_from_inside
  check "symlink planted through another, writable bind is not followed" t_attack_other_bind
  ((full)) && check "links on a read-only filesystem lead to mount points" t_readonly_fs_links
  ((full)) && check "links in the host's own directories lead to mount points (non-root)" t_host_view_links
}

tap_main "$@"
