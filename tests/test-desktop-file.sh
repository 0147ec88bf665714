#!/bin/bash
# .desktop integration: sbx --desktop-install / --desktop-remove /
# --desktop-list on a fake app's desktop entry in a temporary XDG_DATA_DIRS.
# The generated entry is checked line by line, and its Exec lines are run
# (field codes dropped, as a launcher would) to show the app really starts
# in a sandbox with the chosen profile.
#
# A DBusActivatable app's D-Bus service file is overridden too: checked
# line by line, then activated on a real session bus (dbus-daemon --session
# with the standard service directories, in the temporary XDG dirs) by a
# method call, which must start the app in its sandbox -- and, before the
# install and after the remove, outside.  Those checks need dbus-daemon,
# gdbus, xdg-dbus-proxy and python3-gi, and are skipped without them.
source "$(dirname "$0")/lib.sh"

# The fake app reports where it runs: its mount namespace, NoNewPrivs, its
# pid, whether the host-only file is visible, and its arguments.
FAKE_APP='#!/bin/sh
echo "mnt $(stat -L -c %i /proc/self/ns/mnt)"
echo "nnp $(awk "/^NoNewPrivs:/ {print \$2}" /proc/self/status)"
echo "pid $$"
if [ -e "$HOME/host-only.txt" ]; then echo "host-file visible"; else echo "host-file hidden"; fi
for a in "$@"; do echo "arg <$a>"; done
'

# A profile of our own, so the test needs nothing from the source tree:
# the system read-only, an empty home but for the app's directory.
FAKE_PROFILE='ro /usr
ro /bin
ro /sbin
ro /lib
ro /lib64
ro /etc
private /tmp
private ${HOME}
ro ${HOME}/bin
network none
'

setup() {
  # A fresh world for every check: W holds the home, the XDG dirs, profiles.
  W=$(mktemp -d "$T/case.XXXXXX")
  export HOME=$W/home
  export XDG_DATA_HOME=$W/data-home XDG_DATA_DIRS=$W/sys1:$W/sys2 XDG_CONFIG_HOME=$W/config
  # No session bus but the ones a check starts (sbx asks the session bus to
  # reload after changing a service file: never the caller's).
  unset DBUS_SESSION_BUS_ADDRESS
  export XDG_RUNTIME_DIR=$W/xrt
  mkdir -m 0700 "$XDG_RUNTIME_DIR"
  export SBX_PROFILE_PATH=$W/profiles
  APPS=$XDG_DATA_HOME/applications
  SYS=$W/sys2/applications
  mkdir -p "$HOME/bin" "$SBX_PROFILE_PATH" "$SYS" "$W/sys1"
  printf '%s' "$FAKE_APP" >"$HOME/bin/fake-app"
  chmod 755 "$HOME/bin/fake-app"
  echo "only on the host" >"$HOME/host-only.txt"
  printf '%s' "$FAKE_PROFILE" >"$SBX_PROFILE_PATH/fake-app.profile"
  printf '%s' "$FAKE_PROFILE" >"$SBX_PROFILE_PATH/default.profile"
  printf '%s' "$FAKE_PROFILE" >"$SBX_PROFILE_PATH/other.profile"
  write_original
  SELF=$(readlink -f "$SBX")
  OUTSIDE_MNT=$(stat -L -c %i /proc/self/ns/mnt)
}

# The entry as an app ships it: actions, D-Bus activation, TryExec, field
# codes, a quoted argument with a space, a localized name, comments.
write_original() {
  cat >"$SYS/fake-app.desktop" <<EOF
# A comment the copy keeps.
[Desktop Entry]
Version=1.5
Type=Application
Name=Fake App
Name[de]=Falsche App
Comment=Reports where it runs
TryExec=$HOME/bin/fake-app
Exec=$HOME/bin/fake-app --open "two words" %U
DBusActivatable=true
MimeType=text/html;x-scheme-handler/fake;
Actions=new-window;private;

[Desktop Action new-window]
Name=New Window
Exec = $HOME/bin/fake-app --new-window %u

[Desktop Action private]
Name=Private Window
Exec=$HOME/bin/fake-app --private %F
EOF
}

# exec_line FILE GROUP: the Exec value of GROUP in FILE.
exec_line() {
  awk -v g="[$2]" '
    /^\[/ { in_group = ($0 == g) ; next }
    in_group && /^Exec[ \t]*=/ { sub(/^Exec[ \t]*=[ \t]*/, ""); print; exit }' "$1"
}

# run_exec VALUE [ARGS...]: run an Exec value as a launcher would: drop the
# field codes, %% is %, split by the spec's quoting rules (shell-compatible
# for what this test writes), and append ARGS.
run_exec() {
  local value=$1 w words=() out=()
  shift
  eval "words=($value)"
  for w in "${words[@]}"; do
    case $w in
      %[fFuUdDnNickvm]) ;;
      *) out+=("${w//%%/%}") ;;
    esac
  done
  RC=0
  "${out[@]}" "$@" >"$T/.out" 2>"$T/.err" || RC=$?
  OUT=$(<"$T/.out")
  ERR=$(<"$T/.err")
}

# expect_sandboxed: OUT is the fake app's report from inside a sandbox.
expect_sandboxed() {
  [[ $RC == 0 ]] || fail "the Exec line failed ($RC): $ERR"
  local mnt
  mnt=$(awk '$1 == "mnt" {print $2}' <<<"$OUT")
  [[ -n $mnt ]] || fail "the fake app did not report: $OUT / $ERR"
  expect_ne "$mnt" "$OUTSIDE_MNT" "the app's mount namespace"
  expect_contains "$OUT" "nnp 1" "NoNewPrivs"
  expect_contains "$OUT" "host-file hidden" "the host-only file"
}

install_ok() {
  run_sbx --desktop-install "$@"
  [[ $RC == 0 ]] || fail "--desktop-install $* failed ($RC): $ERR"
}

# expect_refused TEXT: the last command failed with one error line holding
# TEXT.
expect_refused() {
  [[ $RC != 0 ]] || fail "unexpectedly succeeded: $OUT"
  expect_error_message "$1"
}

# ------------------------------------------------------ the D-Bus app

# A DBusActivatable app: its desktop file ID is its bus name, and it ships
# a D-Bus service file (in $W/sys1, the first of XDG_DATA_DIRS) whose Exec
# runs the program that owns the name.
BUS_APP=org.sbx.FakeBusApp
BUS_PATH=/org/sbx/FakeBusApp

# The program: reports where it runs (as fake-app does, plus the app id of
# its /.flatpak-info) to ~/evidence/report, then owns its name, answers one
# Ping with "pong" and exits.
FAKE_BUS_APP='#!/usr/bin/python3
import os, sys
from gi.repository import Gio, GLib
NAME, PATH = "org.sbx.FakeBusApp", "/org/sbx/FakeBusApp"
def status(key):
    with open("/proc/self/status") as f:
        return next(l.split()[1] for l in f if l.startswith(key + ":"))
home = os.environ["HOME"]
report = ["mnt %d" % os.stat("/proc/self/ns/mnt").st_ino, "nnp " + status("NoNewPrivs"),
          "host-file " + ("visible" if os.path.exists(home + "/host-only.txt") else "hidden")]
try:
    with open("/.flatpak-info") as f:
        report += ["flatpak-info " + l.strip() for l in f if l.startswith("name=")]
except OSError:
    report.append("flatpak-info none")
report += ["arg <%s>" % a for a in sys.argv[1:]]
with open(home + "/evidence/report", "w") as f:
    f.write("\n".join(report) + "\n")
XML = ("<node><interface name=\"org.sbx.FakeBusApp\"><method name=\"Ping\">"
       "<arg type=\"s\" direction=\"out\"/></method></interface></node>")
loop = GLib.MainLoop()
def on_call(conn, sender, path, iface, method, params, invocation):
    invocation.return_value(GLib.Variant("(s)", ("pong",)))
    # Not at once: the reply still has to pass the D-Bus proxy, which ends
    # with the sandbox.
    GLib.timeout_add(300, loop.quit)
conn = Gio.bus_get_sync(Gio.BusType.SESSION, None)
conn.register_object(PATH, Gio.DBusNodeInfo.new_for_xml(XML).interfaces[0], on_call, None, None)
(r,) = conn.call_sync("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "RequestName",
                      GLib.Variant("(su)", (NAME, 4)), GLib.VariantType("(u)"), 0, -1, None).unpack()
if r != 1:
    sys.exit("could not own " + NAME)
GLib.timeout_add_seconds(20, loop.quit)
loop.run()
'

# setup_bus_app: the program, its desktop entry, its service file, and its
# profile: fake-app's, plus a writable ~/evidence and a filtered session
# bus on which the app id (its bus name) may be owned.
setup_bus_app() {
  printf '%s' "$FAKE_BUS_APP" >"$HOME/bin/fake-bus-app"
  chmod 755 "$HOME/bin/fake-bus-app"
  mkdir -p "$HOME/evidence" "$W/sys1/applications" "$W/sys1/dbus-1/services"
  SVC_ORIG=$W/sys1/dbus-1/services/$BUS_APP.service
  SVC=$XDG_DATA_HOME/dbus-1/services/$BUS_APP.service
  cat >"$W/sys1/applications/$BUS_APP.desktop" <<EOF
[Desktop Entry]
Type=Application
Name=Fake Bus App
Exec=$HOME/bin/fake-bus-app --window %U
DBusActivatable=true
EOF
  cat >"$SVC_ORIG" <<EOF
# The app's own comment.
[D-BUS Service]
Name=$BUS_APP
Exec=$HOME/bin/fake-bus-app --gapplication-service
SystemdService=fake-bus-app.service
AssumedAppArmorLabel=unconfined
EOF
  { printf '%s' "$FAKE_PROFILE"
    printf '%s\n' 'rw ${HOME}/evidence' 'dbus-session filter' "app-id $BUS_APP"
  } >"$SBX_PROFILE_PATH/fake-bus-app.profile"
}

# start_bus: a real session bus for this check.  dbus-daemon --session reads
# the standard session configuration, whose <standard_session_servicedirs/>
# are $XDG_DATA_HOME/dbus-1/services, then $XDG_DATA_DIRS/dbus-1/services.
# It is killed when the check ends.
start_bus() {
  dbus-daemon --session --nofork --address="unix:path=$W/bus" --print-address=1 \
    >"$W/bus.addr" 2>"$W/bus.log" &
  BUS_PID=$!
  remember_pid "$BUS_PID"
  trap 'kill "$BUS_PID" 2>/dev/null' EXIT
  wait_for grep -qs . "$W/bus.addr" || fail "dbus-daemon did not start: $(cat "$W/bus.log")"
  export DBUS_SESSION_BUS_ADDRESS=unix:path=$W/bus
}

name_free() {
  [[ $(gdbus call --session -d org.freedesktop.DBus -o /org/freedesktop/DBus \
         -m org.freedesktop.DBus.NameHasOwner "$BUS_APP") == "(false,)" ]]
}

# activate: call the app's Ping, so that the bus starts it through the
# service file it finds; REPORT is what the app wrote.
activate() {
  rm -f "$HOME/evidence/report"
  RC=0
  OUT=$(gdbus call --session --timeout 20 -d "$BUS_APP" -o "$BUS_PATH" -m "$BUS_APP.Ping" 2>&1) || RC=$?
  [[ $RC == 0 ]] || fail "activating $BUS_APP failed ($RC): $OUT; bus log: $(cat "$W/bus.log")"
  expect_eq "$OUT" "('pong',)" "the answer of the activated app"
  REPORT=$(cat "$HOME/evidence/report") || fail "the activated app wrote no report"
  # It exits after one call: the next call activates it again.
  wait_for name_free || fail "$BUS_APP is still owned"
}

report_mnt() { awk '$1 == "mnt" {print $2}' <<<"$REPORT"; }

expect_report_sandboxed() {
  expect_ne "$(report_mnt)" "$OUTSIDE_MNT" "the activated app's mount namespace"
  expect_contains "$REPORT" "nnp 1" "NoNewPrivs of the activated app"
  expect_contains "$REPORT" "host-file hidden" "the host-only file"
  expect_contains "$REPORT" "flatpak-info name=$BUS_APP" "the activated app's /.flatpak-info"
  expect_contains "$REPORT" "arg <--gapplication-service>" "the activated app's arguments"
}

expect_report_unsandboxed() {
  expect_eq "$(report_mnt)" "$OUTSIDE_MNT" "the mount namespace of the app the bus started itself"
  expect_contains "$REPORT" "host-file visible" "the host-only file"
  expect_contains "$REPORT" "flatpak-info none" "/.flatpak-info"
}

# ------------------------------------------------------------- checks

t_install_rewrites() {
  setup
  install_ok fake-app
  local f=$APPS/fake-app.desktop
  [[ -f $f ]] || fail "no $f"
  expect_eq "$(stat -c %a "$f")" 644 "mode of the copy"
  expect_contains "$OUT" "$f" "what --desktop-install says"
  # Every Exec line goes through sbx, the original command kept verbatim.
  local prefix="$SELF --profile $SBX_PROFILE_PATH/fake-app.profile --"
  expect_eq "$(exec_line "$f" "Desktop Entry")" "$prefix $HOME/bin/fake-app --open \"two words\" %U" "main Exec"
  expect_eq "$(exec_line "$f" "Desktop Action new-window")" "$prefix $HOME/bin/fake-app --new-window %u" "new-window Exec"
  expect_eq "$(exec_line "$f" "Desktop Action private")" "$prefix $HOME/bin/fake-app --private %F" "private Exec"
  expect_eq "$(grep -c '^Exec' "$f")" 3 "number of Exec lines"
  # D-Bus activation would bypass Exec: gone, with a comment saying why.
  ! grep -q '^DBusActivatable' "$f" || fail "DBusActivatable is still set: $(grep DBusActivatable "$f")"
  grep -q '^# sbx: DBusActivatable=true removed' "$f" || fail "no comment about DBusActivatable"
  # TryExec still names the real program; the markers say what this is.
  grep -qxF "TryExec=$HOME/bin/fake-app" "$f" || fail "TryExec changed: $(grep TryExec "$f")"
  grep -qxF "X-Sbx-Profile=$SBX_PROFILE_PATH/fake-app.profile" "$f" || fail "no X-Sbx-Profile marker"
  grep -qxF "X-Sbx-Original=$SYS/fake-app.desktop" "$f" || fail "no X-Sbx-Original marker"
  # Everything else is the original, line for line.
  diff <(grep -v -e '^Exec' -e '^DBusActivatable' -e '^#' "$SYS/fake-app.desktop") \
       <(grep -v -e '^Exec' -e '^#' -e '^X-Sbx-' "$f") >"$T/diff" ||
    { cat "$T/diff"; fail "the copy differs from the original beyond Exec/DBusActivatable/markers"; }
  # Atomic write: no temporary file is left beside it.
  expect_eq "$(ls -A "$APPS")" "fake-app.desktop" "files in $APPS"
}

t_exec_runs_sandboxed() {
  setup
  install_ok fake-app
  local f=$APPS/fake-app.desktop
  # Outside a sandbox the app sees the host file (the check means something).
  RC=0; OUT=$("$HOME/bin/fake-app") || RC=$?
  expect_contains "$OUT" "host-file visible" "the fake app run directly"
  run_exec "$(exec_line "$f" "Desktop Entry")" "https://example.org/a b"
  expect_sandboxed
  expect_eq "$(grep '^arg' <<<"$OUT")" $'arg <--open>\narg <two words>\narg <https://example.org/a b>' "arguments"
  run_exec "$(exec_line "$f" "Desktop Action private")" "$W/some file.html"
  expect_sandboxed
  expect_eq "$(grep '^arg' <<<"$OUT")" $'arg <--private>\narg <'"$W"'/some file.html>' "action arguments"
}

t_list() {
  setup
  run_sbx --desktop-list
  expect_eq "$RC" 0 "--desktop-list with nothing installed"
  expect_eq "$OUT" "" "--desktop-list with nothing installed"
  install_ok fake-app
  # A file of the user's own is not listed.
  printf '[Desktop Entry]\nType=Application\nName=Mine\nExec=true\n' >"$APPS/mine.desktop"
  run_sbx --desktop-list
  expect_eq "$RC" 0 "--desktop-list exit status"
  # fake-app is no bus name: no D-Bus service override ("-").
  expect_eq "$OUT" "$(printf 'fake-app.desktop\t%s\t%s\t-' "$SBX_PROFILE_PATH/fake-app.profile" "$SYS/fake-app.desktop")" "--desktop-list"
}

t_profile_choice() {
  setup
  # --profile NAME, and the .desktop suffix in the app name.
  install_ok fake-app.desktop --profile other
  local f=$APPS/fake-app.desktop
  grep -qxF "X-Sbx-Profile=$SBX_PROFILE_PATH/other.profile" "$f" || fail "--profile other: $(grep X-Sbx "$f")"
  expect_match "$(exec_line "$f" "Desktop Entry")" "^$SELF --profile $SBX_PROFILE_PATH/other.profile -- " "Exec with --profile other"
  # Reinstalling over our own copy starts again from the original: one
  # sbx prefix, the original's path in X-Sbx-Original.
  install_ok fake-app
  expect_eq "$(grep -c -- "--profile" "$(printf %s "$f")")" 3 "sbx prefixes after a reinstall"
  expect_eq "$(grep -o ' -- ' <<<"$(exec_line "$f" "Desktop Entry")" | wc -l)" 1 "-- separators in the main Exec"
  grep -qxF "X-Sbx-Original=$SYS/fake-app.desktop" "$f" || fail "X-Sbx-Original after a reinstall: $(grep X-Sbx "$f")"
  # No profile named after the program: default.profile.
  rm "$SBX_PROFILE_PATH/fake-app.profile"
  install_ok fake-app
  grep -qxF "X-Sbx-Profile=$SBX_PROFILE_PATH/default.profile" "$f" || fail "fallback to default: $(grep X-Sbx "$f")"
  # A profile a launcher finds by name (no SBX_PROFILE_PATH at the
  # desktop) is written by name.
  mkdir -p "$XDG_CONFIG_HOME/sbx/profiles"
  printf '%s' "$FAKE_PROFILE" >"$XDG_CONFIG_HOME/sbx/profiles/fake-app.profile"
  install_ok fake-app
  grep -qxF "X-Sbx-Profile=fake-app" "$f" || fail "profile by name: $(grep X-Sbx "$f")"
  expect_match "$(exec_line "$f" "Desktop Entry")" "^$SELF --profile fake-app -- " "Exec with a profile found by name"
  run_exec "$(exec_line "$f" "Desktop Entry")"
  expect_sandboxed
}

t_remove() {
  setup
  install_ok fake-app
  run_sbx --desktop-remove fake-app
  expect_eq "$RC" 0 "--desktop-remove exit status ($ERR)"
  [[ ! -e $APPS/fake-app.desktop ]] || fail "the copy is still there"
  [[ -e $SYS/fake-app.desktop ]] || fail "the original was removed"
  run_sbx --desktop-remove fake-app
  expect_refused "fake-app.desktop"
}

t_foreign_file() {
  setup
  mkdir -p "$APPS"
  printf '[Desktop Entry]\nType=Application\nName=Mine\nExec=%s\n' "$HOME/bin/fake-app" >"$APPS/fake-app.desktop"
  local before
  before=$(sha256sum "$APPS/fake-app.desktop")
  run_sbx --desktop-install fake-app
  expect_refused "not written by sbx"
  run_sbx --desktop-remove fake-app
  expect_refused "not written by sbx"
  expect_eq "$(sha256sum "$APPS/fake-app.desktop")" "$before" "the user's own file"
  expect_eq "$(ls -A "$APPS")" "fake-app.desktop" "files in $APPS"
  # A symlink there is not ours either, whatever it points to.
  rm "$APPS/fake-app.desktop"
  ln -s "$SYS/fake-app.desktop" "$APPS/fake-app.desktop"
  run_sbx --desktop-install fake-app
  expect_refused "not written by sbx"
  run_sbx --desktop-remove fake-app
  expect_refused "not written by sbx"
  [[ -L $APPS/fake-app.desktop ]] || fail "the symlink was replaced"
}

# fails_cleanly TEXT ARGS...: --desktop-install ARGS fails with one line
# holding TEXT, and XDG_DATA_HOME is as it was.
fails_cleanly() {
  local text=$1 before
  shift
  before=$(tree_listing "$XDG_DATA_HOME")
  run_sbx --desktop-install "$@"
  expect_refused "$text"
  expect_eq "$(tree_listing "$XDG_DATA_HOME")" "$before" "XDG_DATA_HOME after a failed install"
}

t_errors() {
  setup
  fails_cleanly "no nope.desktop" nope
  fails_cleanly 'no profile "nope"' fake-app --profile nope
  fails_cleanly "not a desktop file ID" ../fake-app
  printf '[Desktop Entry]\nType=Link\nName=L\nURL=https://example.org\n' >"$SYS/link.desktop"
  fails_cleanly "Type=Link" link
  printf '[Desktop Entry]\nType=Application\nName=D\nDBusActivatable=true\n' >"$SYS/dbus-only.desktop"
  fails_cleanly "no Exec line" dbus-only
  printf '[Desktop Entry]\nType=Application\nName=Q\nExec=fake-app "unterminated\n' >"$SYS/quote.desktop"
  fails_cleanly "not a valid command line" quote
  printf '[Desktop Entry]\nType=Application\nName=A\nExec=true\n[Desktop Action x]\nExec=fake-app "bad\n' \
    >"$SYS/action.desktop"
  fails_cleanly "not a valid command line" action
  printf 'Name=no group\n' >"$SYS/nogroup.desktop"
  fails_cleanly "not a desktop entry" nogroup
  # A broken profile is caught at install time, not when the entry is clicked.
  printf 'no-such-directive x\n' >"$SBX_PROFILE_PATH/broken.profile"
  run_sbx --desktop-install fake-app --profile broken
  expect_refused 'unknown directive' 
  [[ ! -e $APPS ]] || fail "$APPS was created by a failed install"
  # The applications directory is created (and only then) on success.
  install_ok fake-app
  [[ -f $APPS/fake-app.desktop ]] || fail "no copy after a successful install"
}

t_quoted_sbx_path() {
  setup
  # sbx itself in a directory whose name needs quoting in an Exec line.
  mkdir -p "$W/my bin"
  cp "$SBX" "$W/my bin/sbx"
  RC=0
  "$W/my bin/sbx" --desktop-install fake-app >"$T/.out" 2>"$T/.err" || RC=$?
  [[ $RC == 0 ]] || fail "install from \"$W/my bin/sbx\" failed: $(<"$T/.err")"
  local value
  value=$(exec_line "$APPS/fake-app.desktop" "Desktop Entry")
  expect_match "$value" "^\"$W/my bin/sbx\" --profile " "quoted sbx path"
  run_exec "$value"
  expect_sandboxed
}

t_service_override() {
  setup
  setup_bus_app
  install_ok "$BUS_APP"
  # sbx from a shell that waits for it (the bus kills sbx's parent once the
  # name is owned), the profile, the original command line.
  local prefix="$SELF --profile $SBX_PROFILE_PATH/fake-bus-app.profile --"
  [[ -f $SVC ]] || fail "no $SVC: $OUT"
  expect_eq "$(stat -c %a "$SVC")" 644 "mode of the service override"
  expect_contains "$OUT" "$SVC: D-Bus activation of $BUS_APP runs it with profile fake-bus-app too (from $SVC_ORIG)" \
    "what --desktop-install says"
  # The original's keys, Exec through sbx, SystemdService dropped with a
  # comment saying why, and the marker lines.
  grep -qxF "# X-Sbx-Profile=$SBX_PROFILE_PATH/fake-bus-app.profile" "$SVC" || fail "no profile marker: $(cat "$SVC")"
  grep -qxF "# X-Sbx-Original=$SVC_ORIG" "$SVC" || fail "no original marker: $(cat "$SVC")"
  expect_eq "$(grep -v '^#' "$SVC")" "[D-BUS Service]
Name=$BUS_APP
Exec=$prefix $HOME/bin/fake-bus-app --gapplication-service
AssumedAppArmorLabel=unconfined" "the keys of the service override"
  grep -q '^# sbx: SystemdService=fake-bus-app.service removed' "$SVC" || fail "no comment about SystemdService"
  grep -qxF "# The app's own comment." "$SVC" || fail "the original's comment was not kept"
  # The desktop entry says where the service went.
  local f=$APPS/$BUS_APP.desktop
  grep -q '^# sbx: DBusActivatable=true removed' "$f" || fail "no comment about DBusActivatable"
  grep -qF "dbus-1/services/$BUS_APP.service" "$f" || fail "the entry's comment does not mention the override"
  # No temporary files, and the original is untouched.
  expect_eq "$(ls -A "$XDG_DATA_HOME/dbus-1/services")" "$BUS_APP.service" "files in the service directory"
  expect_eq "$(stat -c %a "$XDG_DATA_HOME/dbus-1")" 700 "mode of a created data directory"
  grep -q '^SystemdService=' "$SVC_ORIG" || fail "the original service file was changed"
  # With the data home in XDG_DATA_DIRS as well, a reinstall still wraps
  # the original, not our override.
  XDG_DATA_DIRS=$XDG_DATA_HOME:$XDG_DATA_DIRS install_ok "$BUS_APP"
  grep -qxF "# X-Sbx-Original=$SVC_ORIG" "$SVC" || fail "original after a reinstall: $(grep X-Sbx "$SVC")"
  expect_eq "$(grep -c -- "--profile" "$SVC")" 1 "sbx prefixes in the override after a reinstall"
}

t_service_found_by_name_key() {
  setup
  setup_bus_app
  # A service file named otherwise, in the second directory: found by its
  # Name= key.
  mkdir -p "$W/sys2/dbus-1/services"
  mv "$SVC_ORIG" "$W/sys2/dbus-1/services/fake-bus-app.service"
  install_ok "$BUS_APP"
  grep -qxF "# X-Sbx-Original=$W/sys2/dbus-1/services/fake-bus-app.service" "$SVC" ||
    fail "the service declaring Name=$BUS_APP was not used: $(cat "$SVC" 2>&1)"
  # No service file at all: said so, and the entry is installed anyway.
  rm "$W/sys2/dbus-1/services/fake-bus-app.service"
  install_ok "$BUS_APP"
  expect_contains "$OUT" "DBusActivatable=true, but no D-Bus service file for $BUS_APP in $W/sys1/dbus-1/services, $W/sys2/dbus-1/services" \
    "what --desktop-install says without a service file"
  # ... and the override of the earlier install, which no longer overrides
  # anything, is gone.
  expect_contains "$OUT" "removed $SVC" "the stale override"
  [[ ! -e $SVC ]] || fail "the stale override is still there"
  grep -q "^# No D-Bus service file for $BUS_APP was found" "$APPS/$BUS_APP.desktop" ||
    fail "the entry's comment does not say there is no service file"
}

t_activation_sandboxed() {
  need_bus
  setup
  setup_bus_app
  # The bus runs before the user's service directory exists, as it often
  # does: sbx has to ask it to reload.
  start_bus
  # Without sbx, activating the name starts the app outside any sandbox.
  activate
  expect_report_unsandboxed
  install_ok "$BUS_APP"
  [[ -z $ERR ]] || fail "--desktop-install complained: $ERR"
  activate
  expect_report_sandboxed
  # A second activation too (the override is not a one-off).
  activate
  expect_report_sandboxed
  # Removed: the bus starts the original again.
  run_sbx --desktop-remove "$BUS_APP"
  expect_eq "$RC" 0 "--desktop-remove exit status ($ERR)"
  activate
  expect_report_unsandboxed
}

t_activation_quoted_paths() {
  need_bus
  setup
  setup_bus_app
  # sbx and the profile in directories whose names need quoting in the
  # service's Exec line: dbus-daemon must split it as we meant.
  mkdir -p "$W/my bin"
  cp "$SBX" "$W/my bin/sbx"
  mv "$SBX_PROFILE_PATH" "$W/my \"profiles\""
  export SBX_PROFILE_PATH="$W/my \"profiles\""
  start_bus
  RC=0
  "$W/my bin/sbx" --desktop-install "$BUS_APP" >"$T/.out" 2>"$T/.err" || RC=$?
  [[ $RC == 0 ]] || fail "install from \"$W/my bin/sbx\" failed: $(<"$T/.err")"
  grep -qxF "Exec=\"$W/my bin/sbx\" --profile \"$W/my \\\\\"profiles\\\\\"/fake-bus-app.profile\" -- $HOME/bin/fake-bus-app --gapplication-service" "$SVC" ||
    fail "Exec of the override: $(grep ^Exec "$SVC")"
  activate
  expect_report_sandboxed
}

t_service_list_remove() {
  setup
  setup_bus_app
  install_ok "$BUS_APP"
  run_sbx --desktop-list
  expect_eq "$OUT" "$(printf '%s.desktop\t%s\t%s\t%s' "$BUS_APP" "$SBX_PROFILE_PATH/fake-bus-app.profile" \
    "$W/sys1/applications/$BUS_APP.desktop" "$SVC")" "--desktop-list"
  run_sbx --desktop-remove "$BUS_APP"
  expect_eq "$RC" 0 "--desktop-remove exit status ($ERR)"
  expect_eq "$OUT" "removed $SVC
removed $APPS/$BUS_APP.desktop" "what --desktop-remove says"
  [[ ! -e $SVC && ! -e $APPS/$BUS_APP.desktop ]] || fail "left behind: $(tree_listing "$XDG_DATA_HOME")"
  [[ -f $SVC_ORIG ]] || fail "the original service file was removed"
  # An override whose entry was deleted by hand is listed, and removed.
  install_ok "$BUS_APP"
  rm "$APPS/$BUS_APP.desktop"
  run_sbx --desktop-list
  expect_eq "$OUT" "$(printf '%s.service\t%s\t%s\t%s' "$BUS_APP" "$SBX_PROFILE_PATH/fake-bus-app.profile" \
    "$SVC_ORIG" "$SVC")" "--desktop-list with only the override"
  run_sbx --desktop-remove "$BUS_APP"
  expect_eq "$OUT" "removed $SVC" "--desktop-remove of the override alone"
  # A service file of the user's own is kept when the entry goes.
  install_ok "$BUS_APP"
  printf '[D-BUS Service]\nName=%s\nExec=/bin/false\n' "$BUS_APP" >"$SVC"
  run_sbx --desktop-remove "$BUS_APP"
  expect_eq "$RC" 0 "--desktop-remove exit status ($ERR)"
  expect_contains "$OUT" "kept $SVC: not written by sbx"
  [[ -f $SVC && ! -e $APPS/$BUS_APP.desktop ]] || fail "after removal: $(tree_listing "$XDG_DATA_HOME")"
}

# unchanged_after TEXT ARGS...: --desktop-install ARGS fails with one line
# holding TEXT, and XDG_DATA_HOME is as it was, contents included.
unchanged_after() {
  local text=$1 before
  shift
  before=$(tree_listing "$XDG_DATA_HOME"; find "$XDG_DATA_HOME" -type f -exec sha256sum {} + 2>/dev/null | sort)
  run_sbx --desktop-install "$@"
  expect_refused "$text"
  expect_eq "$(tree_listing "$XDG_DATA_HOME"; find "$XDG_DATA_HOME" -type f -exec sha256sum {} + 2>/dev/null | sort)" \
    "$before" "XDG_DATA_HOME after a failed install"
}

t_service_foreign() {
  setup
  setup_bus_app
  mkdir -p "$XDG_DATA_HOME/dbus-1/services"
  # A service file of the user's own at our path: neither overwritten nor
  # removed, and no entry is installed without its override.
  printf '[D-BUS Service]\nName=%s\nExec=/bin/false\n' "$BUS_APP" >"$SVC"
  unchanged_after "not written by sbx" "$BUS_APP"
  [[ ! -e $APPS ]] || fail "$APPS was created by a refused install"
  run_sbx --desktop-remove "$BUS_APP"
  expect_refused "sbx has not installed"
  # A symlink is not ours either.
  rm "$SVC"
  ln -s "$SVC_ORIG" "$SVC"
  unchanged_after "not written by sbx" "$BUS_APP"
  [[ -L $SVC ]] || fail "the symlink was replaced"
  rm "$SVC"
  # Another file of the user's claiming the same name: the bus would pick
  # one of the two, so that is refused too.
  printf '[D-BUS Service]\nName=%s\nExec=/bin/false\n' "$BUS_APP" >"$XDG_DATA_HOME/dbus-1/services/mine.service"
  unchanged_after "declares Name=$BUS_APP too" "$BUS_APP"
  rm "$XDG_DATA_HOME/dbus-1/services/mine.service"
  # Installed, then a file of the user's put in place of our override: a
  # reinstall changes neither file.
  install_ok "$BUS_APP"
  printf '[D-BUS Service]\nName=%s\nExec=/bin/false\n' "$BUS_APP" >"$SVC"
  unchanged_after "not written by sbx" "$BUS_APP" --profile other
}

t_service_errors() {
  setup
  setup_bus_app
  # The service directory can't be made: no entry either.
  printf 'not a directory\n' >"$W/dbus-1-file"
  mkdir -p "$XDG_DATA_HOME"
  ln -s "$W/dbus-1-file" "$XDG_DATA_HOME/dbus-1"
  unchanged_after "Not a directory" "$BUS_APP"
  rm "$XDG_DATA_HOME/dbus-1"
  # The applications directory can't be made: no override either (and the
  # directories made for it are gone again).
  printf 'not a directory\n' >"$APPS"
  unchanged_after "not a directory" "$BUS_APP"
  rm "$APPS"
  # A service sbx can't run: no Exec (only SystemdService), a broken Exec.
  sed -i '/^Exec=/d' "$SVC_ORIG"
  unchanged_after "no Exec line" "$BUS_APP"
  printf 'Exec=%s "unterminated\n' "$HOME/bin/fake-bus-app" >>"$SVC_ORIG"
  unchanged_after "not a valid command line" "$BUS_APP"
  # An sbx path that can't be written in an Exec line.
  setup_bus_app
  mkdir -p "$W/100%"
  cp "$SBX" "$W/100%/sbx"
  local before
  before=$(tree_listing "$XDG_DATA_HOME")
  RC=0
  "$W/100%/sbx" --desktop-install "$BUS_APP" >"$T/.out" 2>"$T/.err" || RC=$?
  ERR=$(<"$T/.err")
  expect_refused "contains '%'"
  expect_eq "$(tree_listing "$XDG_DATA_HOME")" "$before" "XDG_DATA_HOME after a failed install"
  # And a good install after all that works.
  install_ok "$BUS_APP"
  [[ -f $SVC && -f $APPS/$BUS_APP.desktop ]] || fail "no files after a good install"
}

run_checks() {
  if [[ $IS_SBX != 1 ]]; then
    check "desktop integration is an sbx feature" skip_check "not sbx"
    return
  fi
  check "--desktop-install: Exec lines through sbx, DBusActivatable dropped, TryExec kept, markers, mode 0644" t_install_rewrites
  check "the rewritten Exec lines start the app in a sandbox with its arguments" t_exec_runs_sandboxed
  check "--desktop-list lists sbx-written copies with their profiles" t_list
  check "profile choice: --profile, NAME.profile, default, by name when a launcher finds it" t_profile_choice
  check "--desktop-remove removes only the copy" t_remove
  check "a file sbx did not write is neither overwritten nor removed" t_foreign_file
  check "errors: one message, nothing left behind" t_errors
  check "an sbx path that needs quoting is quoted per the spec" t_quoted_sbx_path
  check "DBusActivatable: the D-Bus service is overridden (Exec through sbx, no SystemdService, markers)" t_service_override
  check "the service is also found by its Name= key; none found is said; a stale override goes" t_service_found_by_name_key
  check "activating the bus name on a real dbus-daemon runs the app sandboxed; after remove, the original" t_activation_sandboxed
  check "dbus-daemon splits a quoted sbx and profile path in the override as meant" t_activation_quoted_paths
  check "--desktop-list shows the override; --desktop-remove removes only sbx-written files" t_service_list_remove
  check "a service file sbx did not write is neither overwritten nor removed; nothing changes" t_service_foreign
  check "errors on either file: one message, neither file written" t_service_errors
}

tap_main "$@"
