#!/bin/bash
# .desktop integration: sbx --desktop-install / --desktop-remove /
# --desktop-list on a fake app's desktop entry in a temporary XDG_DATA_DIRS.
# The generated entry is checked line by line, and its Exec lines are run
# (field codes dropped, as a launcher would) to show the app really starts
# in a sandbox with the chosen profile.
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
}

tap_main "$@"
