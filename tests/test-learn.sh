#!/bin/bash
# sbx --learn: a profile learned by watching a small program (learn-probe:
# it reads a file, writes one, runs /bin/true and connects to a unix
# socket), then the program run under that profile.  Root and the
# unprivileged test user each run every check.
source "$(dirname "$0")/lib.sh"

PROBE=${SBX_LEARN_PROBE:-}

# A home with what the probe uses, what it must never see, and a server
# for it to connect to (SERVER_PID).
probe_home() {
  fresh_home
  mkdir -p "$HOME/data" "$HOME/out" "$HOME/sock" "$HOME/.ssh" "$HOME/.config/app"
  echo input >"$HOME/data/in.txt"
  echo untouched >"$HOME/data/untouched.txt"
  echo key >"$HOME/.ssh/id"
  echo a >"$HOME/.config/app/a"; echo b >"$HOME/.config/app/b"; echo c >"$HOME/.config/app/c"
  "$PROBE" --serve "$HOME/sock/s" &
  SERVER_PID=$!
  remember_pid $SERVER_PID
  wait_for test -S "$HOME/sock/s" || fail "the probe's server never listened"
}

probe_args() { echo "$HOME/data/in.txt" "$HOME/out/result.txt" "$HOME/sock/s"; }

# The line of the profile that proposes PATH (spelled as in the profile).
line_for() { grep -E "^(ro|rw|persist) $1  # " "${2:-$T/learned.profile}"; }

t_learn_probe() {
  [[ -x $PROBE ]] || skip_check "no learn-probe (SBX_LEARN_PROBE)"
  probe_home
  # shellcheck disable=SC2046
  run_sbx --learn probe --output "$T/learned.profile" "$PROBE" $(probe_args) "$HOME/.ssh/id"
  [[ $RC == 0 ]] || fail "--learn: exit $RC: $ERR"
  # Under --learn the home is a scratch one: the reads there fail (the
  # attempts are recorded all the same); the run only has to finish.
  expect_contains "$OUT" "exec ok" "the probe ran /bin/true while learning"
  expect_contains "$ERR" "wrote $T/learned.profile" "what --learn says"
  local p; p=$(<"$T/learned.profile")
  diag "$p"
  expect_contains "$p" "include base.inc" "the profile"
  expect_contains "$p" "include secrets.inc" "the profile"
  expect_match "$(line_for '\$\{HOME\}/data/in.txt')" "^ro .*# read by $PROBE: 1 file$" "the file read"
  expect_match "$(line_for '\$\{HOME\}/out')" "^rw .*# written by $PROBE: 1 file$" "the new file's directory"
  expect_match "$(line_for '\$\{HOME\}/sock/s')" "^ro .*# connected to by $PROBE: 1 file$" "the socket"
  expect_match "$(line_for "$PROBE")" "^ro .*# executed by " "the program itself"
  expect_contains "$p" "# programs run: " "the programs run"
  expect_match "$(grep '^# programs run' <<<"$p")" " /bin/true( |$)" "/bin/true among the programs run"
  # Three files below one directory: the directory, its XDG variable.
  expect_not_contains "$p" "untouched" "a file never touched"
  expect_not_contains "$(grep -v '^#' <<<"$p")" ".ssh" "a secret, proposed"
  expect_contains "$p" "# not proposed: $HOME/.ssh/id (read by $PROBE) is hidden by secrets.inc" "the secret's comment"

  # The learned profile passes --check and runs the probe with no failure.
  run_sbx --check "$T/learned.profile"
  [[ $RC == 0 ]] || fail "--check on the learned profile: $RC $ERR"
  rm -f "$HOME/out/result.txt"
  # shellcheck disable=SC2046
  run_sbx --profile "$T/learned.profile" "$PROBE" --strict $(probe_args)
  [[ $RC == 0 ]] || fail "the probe under its learned profile: exit $RC: $OUT $ERR"
  expect_eq "$(cat "$HOME/out/result.txt" 2>&1)" learned "what it wrote, on the host"
  # What it never touched stays invisible: a file beside the one it read,
  # and the secret.
  run_sbx --profile "$T/learned.profile" cat "$HOME/data/untouched.txt"
  [[ $RC != 0 ]] || fail "a file the probe never touched is visible under its profile: $OUT"
  run_sbx --profile "$T/learned.profile" cat "$HOME/.ssh/id"
  [[ $RC != 0 && $OUT != key ]] || fail "the secret is visible under the learned profile"
  kill $SERVER_PID 2>/dev/null
}

t_collapse() {
  probe_home
  kill $SERVER_PID 2>/dev/null
  run_sbx --learn app --output "$T/collapse.profile" sh -c \
    "cat $HOME/.config/app/a $HOME/.config/app/b $HOME/.config/app/c; mkdir -p $HOME/.local/share/app/db"
  [[ $RC != 0 ]] || true # cat fails in the scratch home: the app's own status
  local cat; cat=$(readlink -f "$(command -v cat)")
  diag "$(<"$T/collapse.profile")"
  expect_match "$(line_for '\$\{XDG_CONFIG_HOME\}/app' "$T/collapse.profile")" "^ro .*# read by $cat: 3 files$" \
    "three files below one directory, collapsed to it"
  expect_not_contains "$(grep -v "^#" "$T/collapse.profile")" "/app/a" "a collapsed file's own line"
  # mkdir -p made ~/.local/share/app/db: the app's own directory below
  # XDG_DATA_HOME, made on the host by persist; not the directories on the way.
  expect_match "$(line_for '\$\{XDG_DATA_HOME\}/app' "$T/collapse.profile")" "^persist .*# created by " "a directory the app made"
  expect_not_contains "$(<"$T/collapse.profile")" '${HOME}/.local ' "a directory on the way"
  run_sbx --check "$T/collapse.profile"
  [[ $RC == 0 ]] || fail "--check: $RC $ERR"
}

# A path relative to the working directory, and one relative to a
# directory fd: recorded as the absolute paths they name.  (Outside the
# home, which is empty while learning.)
t_relative() {
  [[ -x $PROBE ]] || skip_check "no learn-probe (SBX_LEARN_PROBE)"
  fresh_home
  mkdir -p "$T/rel/sub" "$T/rel/at"
  echo in >"$T/rel/in.txt"
  echo f >"$T/rel/at/f"
  # Two runs: three files in one would be collapsed to their directory.
  run_sbx --learn rel --output "$T/rel.profile" sh -c "cd $T/rel/sub && cat ../in.txt"
  [[ $RC == 0 ]] || fail "--learn: $RC $ERR"
  diag "$(<"$T/rel.profile")"
  local cat; cat=$(readlink -f "$(command -v cat)")
  expect_match "$(line_for "$T/rel/in.txt" "$T/rel.profile")" "# read by $cat: 1 file$" "cat ../in.txt from $T/rel/sub"
  run_sbx --learn at --output "$T/at.profile" "$PROBE" --openat "$T/rel/at" f
  [[ $RC == 0 ]] || fail "--learn: $RC $ERR"
  diag "$(<"$T/at.profile")"
  expect_match "$(line_for "$T/rel/at/f" "$T/at.profile")" "# read by $PROBE: 1 file$" "openat(fd of $T/rel/at, \"f\")"
}

t_refusals() {
  fresh_home
  echo mine >"$T/taken.profile"
  run_sbx --learn taken --output "$T/taken.profile" sh -c 'echo the app ran'
  [[ $RC != 0 ]] || fail "--learn over an existing file: exit 0"
  expect_error_message "exists already"
  expect_not_contains "$OUT" "the app ran" "the app, when the output exists"
  expect_eq "$(<"$T/taken.profile")" mine "the existing file"
  # The default place: ${XDG_CONFIG_HOME}/sbx/profiles/NAME.profile.
  run_sbx --learn deflt true
  [[ $RC == 0 ]] || fail "--learn NAME true: $RC $ERR"
  [[ -f $HOME/.config/sbx/profiles/deflt.profile ]] || fail "no profile in ~/.config/sbx/profiles"
  run_sbx --learn deflt true
  [[ $RC != 0 ]] || fail "--learn NAME over the profile it wrote: exit 0"
  expect_error_message "deflt.profile exists already"
  run_sbx --learn ../x true
  [[ $RC != 0 ]] || fail "--learn ../x: exit 0"
  run_sbx --learn x --profile default true
  [[ $RC != 0 ]] || fail "--learn with --profile: exit 0"
  run_sbx --output "$T/o.profile" true
  [[ $RC != 0 ]] || fail "--output without --learn: exit 0"
}

t_status() {
  fresh_home
  run_sbx --learn st --output "$T/st.profile" sh -c 'exit 7'
  expect_eq "$RC" 7 "--learn's status: the app's"
}

# xterm on an X server of the pass's own (no auth file: the server
# accepts local clients), learned, then run under what was learned.
t_xterm() {
  command -v Xvfb >/dev/null && command -v xterm >/dev/null || skip_check "needs Xvfb and xterm"
  fresh_home
  xvfb_start "$T/xvfb.log" -screen 0 800x600x24 -nolisten tcp ||
    fail "Xvfb did not start: $(tail -n 5 "$T/xvfb.log")"
  export DISPLAY=:$XVFB_NUM
  run_sbx --learn xterm --output "$T/xterm.profile" xterm -e true
  [[ $RC == 0 ]] || fail "--learn xterm: $RC $ERR"
  diag "$(<"$T/xterm.profile")"
  expect_match "$(grep '^socket x11' "$T/xterm.profile")" "^socket x11  # connected to .*X11-unix/X${DISPLAY#:} by " \
    "the display, as the socket directive"
  run_sbx --check "$T/xterm.profile"
  [[ $RC == 0 ]] || fail "--check: $RC $ERR"
  run_sbx --profile "$T/xterm.profile" xterm -e true
  [[ $RC == 0 ]] || fail "xterm under its learned profile: $RC $ERR"
  unset DISPLAY
}

# The names the app calls on the session bus, from the learning proxy's
# log: refused while learning (a name outside the desktop's own), proposed
# as dbus-talk, and answering under the learned profile.
t_bus() {
  fresh_home
  start_test_bus
  local ping=(gdbus call --session --dest org.sbx.Test --object-path /org/sbx/Test --method org.sbx.Test.Ping)
  run_sbx --learn bus --output "$T/bus.profile" "${ping[@]}"
  [[ -f $T/bus.profile ]] || fail "--learn: no profile: $RC $ERR"
  diag "$(<"$T/bus.profile")"
  expect_match "$(grep '^dbus-session ' "$T/bus.profile")" "^dbus-session filter  # connected to the session bus by .*gdbus; the names it called follow$" \
    "the bus"
  expect_match "$(grep '^dbus-talk ' "$T/bus.profile")" "^dbus-talk org.sbx.Test  # called: .* at /org/sbx/Test$" \
    "the name called"
  run_sbx --check "$T/bus.profile"
  [[ $RC == 0 ]] || fail "--check: $RC $ERR"
  run_sbx --profile "$T/bus.profile" "${ping[@]}"
  [[ $RC == 0 && $OUT == "('pong',)" ]] || fail "the call under the learned profile: $RC $OUT $ERR"
}

run_checks() {
  [[ $IS_SBX == 1 ]] || { check "sbx only" skip_check "--learn is sbx's own"; return; }
  check "a program learned: read, written, run, connected; the secret commented; run under its profile" t_learn_probe
  check "files below one directory collapse to it, as an XDG variable; a new directory is persisted" t_collapse
  check "paths relative to the working directory and to a directory fd: recorded absolute" t_relative
  check "an existing output is refused before the app runs; the default place; bad names and options" t_refusals
  check "--learn exits with the app's status" t_status
  check "a D-Bus name called: learned from the proxy's log, proposed as dbus-talk, answering under the profile" t_bus
  check "xterm -e true under Xvfb: learned (socket x11), then run under its profile" t_xterm
  run_zenity_checks
}

# ------------------------------------------------------------- zenity
# zenity --info learned, then run under what was learned: the dialog must
# look exactly as on the host (a missing font, icon or theme file would
# show), and a file it never touched must stay invisible.  The test closes
# each dialog itself (xdotool: Return on OK), once it is drawn.

# An Xvfb of the check's own; exports DISPLAY.
zenity_xvfb() {
  xvfb_start "$T/xvfb-zenity.log" -screen 0 800x600x24 -nolisten tcp ||
    fail "Xvfb did not start: $(tail -n 5 "$T/xvfb-zenity.log")"
  export DISPLAY=:$XVFB_NUM
}

# The id of the mapped window titled $1, or nothing.
dialog_id() { xdotool search --onlyvisible --name "^$1\$" 2>/dev/null | head -n 1; }

# dialog_drawn TITLE FILE: the window's screenshot in FILE once it is drawn
# (two in a row alike, more than a few colours: text and an icon).
dialog_drawn() {
  local id colours
  id=$(dialog_id "$1")
  [[ -n $id ]] && import -window "$id" "$2.new.png" 2>/dev/null || return 1
  colours=$(convert "$2.new.png" -format %k info: 2>/dev/null)
  if [[ -f $2 ]] && compare -metric AE "$2" "$2.new.png" null: 2>/dev/null && ((colours > 8)); then
    return 0
  fi
  mv "$2.new.png" "$2"
  return 1
}

# dialog_like TITLE REF: the window's screenshot is pixel for pixel REF.
dialog_like() {
  local id
  id=$(dialog_id "$1")
  [[ -n $id ]] && import -window "$id" "$T/zenity-now.png" 2>/dev/null &&
    compare -metric AE "$2" "$T/zenity-now.png" null: 2>/dev/null
}

# Press OK (Return, with the focus on the dialog).
dialog_ok() { xdotool windowfocus --sync "$(dialog_id "$1")" key Return; }

t_zenity() {
  local tool
  for tool in Xvfb zenity xdotool import convert compare; do
    command -v $tool >/dev/null || skip_check "needs Xvfb, zenity, xdotool and ImageMagick (no $tool)"
  done
  fresh_home
  mkdir -p "$HOME/data"
  echo untouched >"$HOME/data/untouched.txt"
  zenity_xvfb
  export NO_AT_BRIDGE=1 # no session bus here for the accessibility bridge to look for
  local title=sbx-zenity-$$ pid rc
  local zen=(zenity --info --title="$title" --text="hello from sbx")

  # The host's rendering, the reference.
  "${zen[@]}" >"$T/zenity-host.out" 2>&1 &
  pid=$!
  remember_pid $pid
  wait_for dialog_drawn "$title" "$T/zenity-host.png" || fail "zenity on the host: no dialog: $(cat "$T/zenity-host.out")"
  dialog_ok "$title"
  rc=0; wait $pid || rc=$?
  expect_eq "$rc" 0 "zenity on the host, OK pressed"

  # Learned.
  sbx_exec --learn zenity --output "$T/zenity.profile" "${zen[@]}" >"$T/zenity-learn.out" 2>"$T/zenity-learn.err" &
  pid=$!
  remember_pid $pid
  if ! wait_for dialog_drawn "$title" "$T/zenity-learn.png"; then
    diag "$(xvfb_diag "$T/xvfb-zenity.log")"
    fail "zenity under --learn: no dialog: $(cat "$T/zenity-learn.err")"
  fi
  dialog_ok "$title"
  rc=0; wait $pid || rc=$?
  [[ $rc == 0 ]] || fail "--learn zenity: exit $rc: $(cat "$T/zenity-learn.err")"
  diag "$(<"$T/zenity.profile")"
  expect_match "$(grep '^socket x11' "$T/zenity.profile")" "^socket x11  # connected to .*X11-unix/X${DISPLAY#:} by " \
    "the display, as the socket directive"
  expect_match "$(grep '^# programs run' "$T/zenity.profile")" " $(readlink -f "$(command -v zenity)")( |\$)" \
    "zenity among the programs run"
  expect_not_contains "$(<"$T/zenity.profile")" "untouched" "a file never touched"
  run_sbx --check "$T/zenity.profile"
  [[ $RC == 0 ]] || fail "--check: $RC $ERR"

  # Run under the learned profile: the same dialog, nothing refused on
  # the way (its stderr stays empty: GTK complains of every file it can't
  # open), OK answered.
  sbx_exec --profile "$T/zenity.profile" "${zen[@]}" >"$T/zenity-run.out" 2>"$T/zenity-run.err" &
  pid=$!
  remember_pid $pid
  if ! wait_for dialog_like "$title" "$T/zenity-host.png"; then
    diag "$(xvfb_diag "$T/xvfb-zenity.log")"
    diag "$("$SBX" --explain --profile "$T/zenity.profile" true 2>&1 | grep -a -i x11)"
    fail "under the learned profile the dialog never looked as on the host: $(cat "$T/zenity-run.err")"
  fi
  dialog_ok "$title"
  rc=0; wait $pid || rc=$?
  [[ $rc == 0 ]] || fail "zenity under its learned profile: exit $rc: $(cat "$T/zenity-run.err")"
  expect_eq "$(<"$T/zenity-run.err")" "" "zenity's stderr under its learned profile"
  # What it never touched stays invisible.
  run_sbx --profile "$T/zenity.profile" cat "$HOME/data/untouched.txt"
  [[ $RC != 0 && $OUT != untouched ]] || fail "a file zenity never touched is visible under its profile"
  unset DISPLAY
}

run_zenity_checks() {
  [[ $IS_SBX == 1 ]] || return 0
  check "zenity --info under Xvfb: learned, then run under its profile, drawn as on the host" t_zenity
}

tap_main "$@"
