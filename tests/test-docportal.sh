#!/bin/bash
# The document portal: files exported to an app id by the real
# xdg-document-portal (FUSE) reach a sandbox with that app id at
# /run/user/UID/doc/DOCID/NAME (a link to /run/flatpak/doc, as in Flatpak).
#
# Everything is real: a private dbus-daemon, /usr/libexec/xdg-document-portal
# on it with a private $XDG_RUNTIME_DIR (it mounts $XDG_RUNTIME_DIR/doc), and
# documents exported with its D-Bus API (Add with an fd, GrantPermissions)
# from python3-gi.  Checked from inside: the granted document reads, the
# grant's read-only access holds, another app id sees only its own
# documents, a sandbox without an app id gets nothing; and without a
# running portal (nothing there, a plain directory planted at doc/, a portal
# that died) nothing is bound and --explain says why.
#
# Needs xdg-desktop-portal (xdg-document-portal), fuse3, dbus-daemon,
# xdg-dbus-proxy and python3-gi, and a /dev/fuse the user can open:
# fusermount3 opens it as the calling user, so with a root-only /dev/fuse
# (crw------- in some containers) the portal checks of the unprivileged pass
# are skipped, saying so.  sbx-only: bubblewrap has no --app-id.
source "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3
PORTAL=/usr/libexec/xdg-document-portal
BASE=(--noprofile --ro /usr --ro /etc --ro /bin --ro /sbin --ro /lib --ro /lib64)
APP=org.sbx.DocApp
OTHER=org.sbx.DocOther
UID_=$(id -u)
INSIDE=/run/user/$UID_/doc

write_exporter() {
  cat >"$T/export.py" <<'EOF'
# export.py FILE APP...: export FILE through the document portal (Add takes
# an O_PATH fd), grant each APP read access, print the document id.
import os, sys
from gi.repository import Gio, GLib
conn = Gio.bus_get_sync(Gio.BusType.SESSION, None)
PORTAL = ("org.freedesktop.portal.Documents", "/org/freedesktop/portal/documents",
          "org.freedesktop.portal.Documents")
fd = os.open(sys.argv[1], os.O_PATH | os.O_CLOEXEC)
fds = Gio.UnixFDList.new()
idx = fds.append(fd)
os.close(fd)
res, _ = conn.call_with_unix_fd_list_sync(*PORTAL, "Add", GLib.Variant("(hbb)", (idx, False, False)),
                                          GLib.VariantType("(s)"), 0, -1, fds, None)
doc = res.unpack()[0]
for app in sys.argv[2:]:
    conn.call_sync(*PORTAL, "GrantPermissions", GLib.Variant("(ssas)", (doc, app, ["read"])), None, 0, -1, None)
print(doc)
EOF
}

mounted() { awk -v mp="$1" '$5 == mp { found = 1 } END { exit !found }' /proc/self/mountinfo; }

SETUP_ERR=
PORTAL_PID=
BUS_PID=
stop_fixtures() {
  if [[ -n $PORTAL_PID && ! -e $T/.portal-killed ]]; then
    kill -TERM "$PORTAL_PID" 2>/dev/null
    wait_for eval '! kill -0 "$PORTAL_PID" 2>/dev/null' || kill -KILL "$PORTAL_PID" 2>/dev/null
  fi
  # A portal that was killed leaves its mount behind (ENOTCONN).
  if mounted "$T/xrt/doc"; then
    fusermount3 -u "$T/xrt/doc" 2>/dev/null || umount -l "$T/xrt/doc" 2>/dev/null
  fi
  [[ -n $BUS_PID ]] && kill -TERM "$BUS_PID" 2>/dev/null
}

setup_fixtures() {
  trap 'stop_fixtures; cleanup_tmp' EXIT
  [[ $IS_SBX == 1 ]] || { SETUP_ERR="bubblewrap has no --app-id"; return; }
  local t
  for t in dbus-daemon xdg-dbus-proxy fusermount3 "$PORTAL"; do
    command -v "$t" >/dev/null || { SETUP_ERR="$t is not installed"; return; }
  done
  "$PY" -c 'from gi.repository import Gio' 2>/dev/null || { SETUP_ERR="python3-gi is not installed"; return; }
  write_exporter
  mkdir -m 0700 "$T/xrt" "$T/data" "$T/host"
  echo "granted to $APP" >"$T/host/note.txt"
  echo "granted to $OTHER" >"$T/host/other.txt"
  export XDG_RUNTIME_DIR=$T/xrt
  export DBUS_SESSION_BUS_ADDRESS=unix:path=$T/bus
  # (Without XDG_RUNTIME_DIR: dbus-daemon would put a dbus-1/ there.)
  env -u XDG_RUNTIME_DIR dbus-daemon --session --nofork --address="$DBUS_SESSION_BUS_ADDRESS" \
    --print-address=1 >"$T/bus.addr" 2>"$T/bus.log" &
  BUS_PID=$!; disown $!
  wait_for grep -qs . "$T/bus.addr" || { SETUP_ERR="dbus-daemon did not start: $(cat "$T/bus.log")"; return; }
  XDG_DATA_HOME=$T/data "$PORTAL" >"$T/portal.log" 2>&1 &
  PORTAL_PID=$!; disown $!
  wait_for eval 'mounted "$T/xrt/doc" || ! kill -0 "$PORTAL_PID" 2>/dev/null'
  if ! mounted "$T/xrt/doc"; then
    SETUP_ERR="xdg-document-portal could not mount its FUSE filesystem as $(id -un)"
    SETUP_ERR+=" (/dev/fuse: $(stat -c '%A %U' /dev/fuse 2>&1)): $(grep -v 'max threads' "$T/portal.log" | head -n 2 | tr '\n' ' ' | sed 's/ *$//')"
    return
  fi
  DOC1=$("$PY" "$T/export.py" "$T/host/note.txt" "$APP" 2>"$T/export.log") &&
    DOC2=$("$PY" "$T/export.py" "$T/host/other.txt" "$OTHER" 2>>"$T/export.log") ||
    { SETUP_ERR="exporting through the portal failed: $(cat "$T/export.log")"; return; }
  [[ -n $DOC1 && -n $DOC2 ]] || SETUP_ERR="the portal returned no document id"
}

ready() { [[ -z $SETUP_ERR ]] || skip_check "$SETUP_ERR"; }

# --------------------------------------------------------------- checks

t_granted_document_reads() {
  ready
  sbx_ok "${BASE[@]}" --app-id "$APP" --dbus-session filter -- sh -c "
    cat $INSIDE/$DOC1/note.txt
    echo link=\$(readlink $INSIDE)
    echo real=\$(readlink -f $INSIDE/$DOC1/note.txt)
    echo list=\$(ls $INSIDE)
    test -e '$T/host/note.txt' && echo HOST-PATH-VISIBLE
    true"
  expect_contains "$OUT" "granted to $APP" "the document's content"
  expect_contains "$OUT" "link=../../flatpak/doc"
  expect_contains "$OUT" "real=/run/flatpak/doc/$DOC1/note.txt"
  expect_contains "$OUT" "list=$DOC1"
  expect_not_contains "$OUT" "$DOC2" "the listing (a document granted to another app)"
  expect_not_contains "$OUT" HOST-PATH-VISIBLE
}

t_read_grant_is_read_only() {
  ready
  sbx_ok "${BASE[@]}" --app-id "$APP" -- sh -c \
    "if echo changed >$INSIDE/$DOC1/note.txt 2>/dev/null; then echo WRITTEN; else echo WRITE-DENIED; fi"
  expect_contains "$OUT" WRITE-DENIED
  expect_eq "$(cat "$T/host/note.txt")" "granted to $APP" "the host file"
}

t_other_app_sees_only_its_own() {
  ready
  sbx_ok "${BASE[@]}" --app-id "$OTHER" -- sh -c "
    echo list=\$(ls $INSIDE)
    cat $INSIDE/$DOC1/note.txt 2>/dev/null && echo DOC1-READ
    cat $INSIDE/$DOC2/other.txt
    true"
  expect_contains "$OUT" "list=$DOC2"
  expect_not_contains "$OUT" "$DOC1" "what $OTHER sees"
  expect_not_contains "$OUT" DOC1-READ
  expect_contains "$OUT" "granted to $OTHER"
}

t_no_app_id_nothing() {
  ready
  sbx_ok "${BASE[@]}" -- sh -c "ls -d /run/flatpak/doc $INSIDE 2>/dev/null; true"
  expect_eq "$OUT" "" "doc paths without an app id"
  run_sbx --explain "${BASE[@]}" -- true
  expect_not_contains "$OUT" "document portal"
}

t_explain_with_portal() {
  ready
  local before after
  before=$(find "$XDG_RUNTIME_DIR" -maxdepth 1 | sort)
  run_sbx --explain "${BASE[@]}" --app-id "$APP" -- true
  after=$(find "$XDG_RUNTIME_DIR" -maxdepth 1 | sort)
  expect_eq "$RC" 0 "exit code"
  expect_contains "$OUT" "document portal: $T/xrt/doc/by-app/$APP -> /run/flatpak/doc"
  expect_match "$OUT" "bind +$T/xrt/doc/by-app/$APP -> /run/flatpak/doc"
  expect_match "$OUT" "symlink +$INSIDE -> ../../flatpak/doc"
  expect_eq "$after" "$before" "\$XDG_RUNTIME_DIR after --explain"
}

t_host_run_shown() {
  ready
  # A rule showing the host's /run: /run/flatpak can't be made there, so
  # the bind goes straight to /run/user/UID/doc.
  local line
  run_sbx --explain "${BASE[@]}" --ro /run --app-id "$APP" -- true
  line=$(grep -E "^ +bind +$T/xrt/doc/by-app/$APP -> " <<<"$OUT") || fail "no bind of by-app/$APP in: $OUT"
  expect_eq "${line##* -> }" "$INSIDE" "where by-app/$APP is bound"
  expect_not_contains "$OUT" "-> /run/flatpak/doc"
  expect_not_contains "$OUT" "../../flatpak/doc"
  # Same decision for a rule on /run/flatpak itself (absent on the host, so
  # it adds no mount): the document still reads.
  sbx_ok "${BASE[@]}" --ro /run/flatpak --app-id "$APP" -- sh -c \
    "cat $INSIDE/$DOC1/note.txt; test -e /run/flatpak/doc && echo FLATPAK-DOC; true"
  expect_contains "$OUT" "granted to $APP"
  expect_not_contains "$OUT" FLATPAK-DOC
}

# Without a running portal at $1: nothing bound, and --explain says why ($2).
expect_no_portal() {
  XDG_RUNTIME_DIR=$1 run_sbx --explain "${BASE[@]}" --app-id "$APP" -- true
  expect_eq "$RC" 0 "exit code of --explain"
  expect_contains "$OUT" "document portal: not running; files chosen through the portal will not be reachable"
  expect_contains "$OUT" "$2" "the reason"
  expect_not_contains "$OUT" "-> /run/flatpak/doc"
  expect_not_contains "$OUT" "../../flatpak/doc"
  XDG_RUNTIME_DIR=$1 sbx_ok "${BASE[@]}" --app-id "$APP" -- sh -c \
    "ls -d /run/flatpak/doc $INSIDE 2>/dev/null; true"
  expect_eq "$OUT" "" "doc paths inside"
}

t_no_portal_running() {
  [[ $IS_SBX == 1 ]] || skip_check "bubblewrap has no --app-id"
  mkdir -p -m 0700 "$T/xrt-none"
  expect_no_portal "$T/xrt-none" "nothing at $T/xrt-none/doc"
}

t_plain_directory_is_not_a_portal() {
  [[ $IS_SBX == 1 ]] || skip_check "bubblewrap has no --app-id"
  # Planted: a plain directory with the portal's layout.
  mkdir -p -m 0700 "$T/xrt-fake/doc/by-app/$APP/x"
  expect_no_portal "$T/xrt-fake" "$T/xrt-fake/doc is not a FUSE mount"
}

t_dead_portal() {
  ready
  # Last: this ends the portal.  The state meant here is the one a crash
  # leaves: the mount stays behind, answering ENOTCONN.  libfuse's
  # auto_unmount would take it away a moment later (its fusermount3 helper
  # unmounts when the daemon's end of their socket closes), and a check
  # that raced that helper saw either state; end the helper first, so
  # the mount stays until stop_fixtures removes it.  (A mount that has
  # gone is the "plain directory" case above.)
  touch "$T/.portal-killed"   # (checks run in a subshell: tell stop_fixtures)
  local helper
  helper=$(pgrep -P "$PORTAL_PID" -x fusermount3 || true)
  [[ -z $helper ]] || kill -KILL $helper
  kill -KILL "$PORTAL_PID"
  wait_for eval '! kill -0 "$PORTAL_PID" 2>/dev/null'
  mounted "$T/xrt/doc" || fail "the dead portal's mount went away"
  # Which step meets ENOTCONN depends on what the kernel still has cached
  # (a lookup, or the fstat of a cached entry); the reason is the same.
  expect_no_portal "$T/xrt" "Transport endpoint is not connected"
}

run_checks() {
  setup_fixtures
  check "docportal: a document granted to the app id reads inside at /run/user/UID/doc/DOCID/NAME" \
    t_granted_document_reads
  check "docportal: a read grant can't be written through" t_read_grant_is_read_only
  check "docportal: another app id sees only its own documents" t_other_app_sees_only_its_own
  check "docportal: no app id, no document portal" t_no_app_id_nothing
  check "docportal: --explain shows the bind and link, and creates nothing" t_explain_with_portal
  check "docportal: with the host's /run shown, bound at /run/user/UID/doc itself" t_host_run_shown
  check "docportal: no portal: nothing bound, --explain says so" t_no_portal_running
  check "docportal: a plain directory at \$XDG_RUNTIME_DIR/doc is not used" t_plain_directory_is_not_a_portal
  check "docportal: a portal that died: nothing bound, --explain says so" t_dead_portal
}

tap_main "$@"
