#!/bin/bash
# Desktop apps in real sandboxes on a real X server: Firefox ESR, xterm and
# zenity started through their shipped profiles on Xvfb, checked by what
# appears on the screen (screenshots, window names read from outside) and,
# with the same profile, by what the sandbox can see.
#
# Unlike the other scripts this runs one pass only, as an unprivileged
# user (`sbxtest` when started as root): desktop apps are run by users,
# and a browser is slow enough that two passes would double the run time.
# Needs Xvfb, xauth, xdpyinfo/xwininfo/xprop (x11-utils), ImageMagick,
# firefox-esr, xterm and zenity; checks whose tools are missing are skipped.
#
# Environment (besides lib.sh's): SBX_SRCDIR, the source tree (for
# profiles/ and tests/data/; default: the parent of this directory).
source "$(dirname "$0")/lib.sh"

SRCDIR=${SBX_SRCDIR:-$(cd "$TESTS_DIR/.." && pwd)}
PROFILES=${SBX_DESKTOP_PROFILES:-$SRCDIR/profiles}
DATA=${SBX_DESKTOP_DATA:-$TESTS_DIR/data}

# ------------------------------------------------------------ helpers

have() { command -v "$1" >/dev/null 2>&1; }
need_tools() {
  local t
  for t in "$@"; do have "$t" || skip_check "$t is not installed"; done
}

# start_xvfb AUTHFILE: start an X server on a free display, accepting
# clients with AUTHFILE's cookie (lib.sh's xvfb_start); sets XNUM.
start_xvfb() {
  if ! xvfb_start "$T/xvfb.log" -screen 0 1024x768x24 -auth "$1" -nolisten tcp; then
    echo "Xvfb did not start:"; tail -n 20 "$T/xvfb.log"
    return 1
  fi
  XNUM=$XVFB_NUM
}

# stop PID: end a sandbox we started (PID is sbx itself, started with
# sbx_exec; SIGTERM reaches the app through it, and its pid 1 dies with it).
stop() {
  local pid=$1 i
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < 100; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  return 0
}

# fraction FILE COLOUR: the share of pixels of exactly COLOUR (0..1).
fraction() {
  convert "$1" -alpha off -fill black +opaque "$2" -fill white -opaque "$2" \
    -colorspace gray -format '%[fx:mean]' info:
}

# at_least A B: is the decimal A >= B?
at_least() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a >= b) }'; }

# window_id NAME: the id of a window whose name starts with NAME, seen from
# outside the sandbox (empty if none).
window_id() {
  xwininfo -root -tree 2>/dev/null | awk -v n="\"$1" 'index($0, n) { print $1; exit }'
}

# wait_window NAME [TRIES]: poll (0.5 s apart) until a window called NAME
# is on the screen; sets WIN.
wait_window() {
  local i tries=${2:-240}
  for ((i = 0; i < tries; i++)); do
    WIN=$(window_id "$1")
    [[ -n $WIN ]] && return 0
    sleep 0.5
  done
  return 1
}

# app_in_sandbox PID COMM: the processes called COMM that run under PID (a
# sandbox we started) are in a pid namespace of their own -- seen from
# outside, their NSpid line lists more than one pid.
app_in_sandbox() {
  local root=$1 comm=$2 p found=0 levels
  for p in $(ps -e -o pid=,ppid= | awk -v r="$root" '
      { parent[$1] = $2 }
      END { for (p in parent) { q = p; while ((q in parent) && q != r && q > 1) q = parent[q]; if (q == r) print p } }'); do
    [[ $(cat "/proc/$p/comm" 2>/dev/null) == "$comm" ]] || continue
    levels=$(awk '/^NSpid:/ { print NF - 1 }' "/proc/$p/status" 2>/dev/null)
    [[ -z $levels ]] && continue   # gone meanwhile
    ((levels >= 2)) || fail "$comm (pid $p) runs in the host's pid namespace"
    found=1
  done
  ((found)) || fail "no $comm process runs under the sandbox (pid $root)"
}

# ------------------------------------------------------------- setup

# The user's home as a desktop session has it: a key in ~/.ssh, a private
# file, Downloads with the test page and a Firefox profile directory
# (inside Downloads, which the firefox profile persists) whose user.js
# keeps first-run pages away.
setup_home() {
  export HOME=$T/home
  unset XDG_CONFIG_HOME XDG_DATA_HOME XDG_CACHE_HOME XDG_STATE_HOME
  mkdir -p "$HOME/.ssh" "$HOME/Downloads/ffprofile"
  chmod 700 "$HOME/.ssh"
  echo "not a real key" >"$HOME/.ssh/id_ed25519"
  chmod 600 "$HOME/.ssh/id_ed25519"
  echo "private notes" >"$HOME/notes.txt"
  cp "$DATA/page.html" "$HOME/Downloads/page.html"
  cp "$DATA/firefox-user.js" "$HOME/Downloads/ffprofile/user.js"
  # Only the X server below: no host Wayland, session bus or sound server.
  export XDG_RUNTIME_DIR=$T/run
  mkdir -m 700 "$XDG_RUNTIME_DIR"
  unset WAYLAND_DISPLAY DBUS_SESSION_BUS_ADDRESS PULSE_SERVER MOZ_HEADLESS SESSION_MANAGER
  export GDK_BACKEND=x11 MOZ_ENABLE_WAYLAND=0 NO_AT_BRIDGE=1
  export SBX_PROFILE_PATH=$PROFILES
}

# Two X servers with cookies of their own; the client's Xauthority knows
# both, DISPLAY names the first.
setup_displays() {
  have Xvfb && have xauth && have mcookie || return 0
  local c1 c2
  c1=$(mcookie); c2=$(mcookie)
  xauth -q -f "$T/server1.auth" add :0 . "$c1" 2>/dev/null
  xauth -q -f "$T/server2.auth" add :0 . "$c2" 2>/dev/null
  start_xvfb "$T/server1.auth" || return 0
  DPY_N=$XNUM
  start_xvfb "$T/server2.auth" || return 0
  DPY_M=$XNUM
  export XAUTHORITY=$T/xauthority DISPLAY=:$DPY_N
  xauth -q add ":$DPY_N" . "$c1" 2>/dev/null
  xauth -q add ":$DPY_M" . "$c2"
}

need_display() {
  need_tools Xvfb xauth mcookie xdpyinfo
  [[ -n ${DPY_N:-} && -n ${DPY_M:-} ]] || fail "the X servers did not start: $(tail -n 5 "$T/xvfb.log" 2>/dev/null)"
}

# ------------------------------------------------------------- checks

t_display() {
  need_display
  xdpyinfo >/dev/null || fail "xdpyinfo cannot connect to :$DPY_N with the cookie"
  ! XAUTHORITY=/dev/null xdpyinfo >/dev/null 2>&1 || fail ":$DPY_N accepts clients without a cookie"
  [[ -S /tmp/.X11-unix/X$DPY_N && -S /tmp/.X11-unix/X$DPY_M ]] ||
    fail "no sockets for :$DPY_N and :$DPY_M in /tmp/.X11-unix"
}

# screen_has_no_green: the screen holds none of the page's colour yet, so
# what is found afterwards is Firefox's doing.
screen_has_no_green() {
  local shot=$T/before.png green
  import -window root "$shot"
  green=$(fraction "$shot" '#00c000')
  [[ $green == 0 ]] || fail "the screen already has #00c000 pixels ($green) before Firefox starts"
}

# expect_page_shown PID LOG: poll screenshots until the test page's green
# fills at least 30% of the screen (Firefox, started as PID, logging to
# LOG, shows it), then end Firefox.  The window's name, read from outside,
# must carry the page's title.
expect_page_shown() {
  local pid=$1 log=$2 shot=$T/firefox.png green=0 i title windows
  # Up to 150 polls (about 3 minutes): a cold Firefox on a small VM is
  # slow, and a page that never shows costs that time only once.
  for ((i = 0; i < 150; i++)); do
    sleep 1
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "firefox exited early:"; tail -n 30 "$log"; fail "firefox did not stay up"
    fi
    import -window root "$shot" 2>/dev/null || continue
    green=$(fraction "$shot" '#00c000') || continue
    at_least "$green" 0.3 && break
  done
  title=$(window_id "sbx-test-page — Mozilla Firefox")
  windows=$(xwininfo -root -tree | grep -v '(has no name)' | head -n 20)
  local sandboxed=yes
  (app_in_sandbox "$pid" firefox-esr) >"$T/pidns.out" 2>&1 || sandboxed=$(<"$T/pidns.out")
  stop "$pid"
  at_least "$green" 0.3 || {
    echo "firefox log:"; grep -v -e '^$' -e dbus-launch -e 'glib warning' "$log" | tail -n 30
    echo "windows:"; echo "$windows"
    fail "the page's green covers only $green of the screen (want >= 0.3)"
  }
  [[ -n $title ]] || fail "no window named \"sbx-test-page — Mozilla Firefox\""
  [[ $sandboxed == yes ]] || fail "$sandboxed"
}

t_firefox_renders() {
  need_display
  need_tools firefox-esr import convert xwininfo
  [[ -e $PROFILES/firefox.profile ]] || fail "no firefox.profile in $PROFILES"
  screen_has_no_green
  sbx_exec --profile firefox firefox-esr --no-remote --new-instance -profile "$HOME/Downloads/ffprofile" \
    "file://$HOME/Downloads/page.html" >"$T/firefox.log" 2>&1 &
  remember_pid $!
  expect_page_shown $! "$T/firefox.log"
}

# The whole desktop integration with the real thing: Debian's
# firefox-esr.desktop installed with --desktop-install, its Exec line run
# the way a launcher runs it (%u replaced by what is opened).
t_firefox_desktop_entry() {
  need_display
  need_tools firefox-esr import convert xwininfo
  local orig=/usr/share/applications/firefox-esr.desktop
  [[ -f $orig ]] || skip_check "no $orig"
  [[ -e $PROFILES/firefox-esr.profile ]] || fail "no firefox-esr.profile in $PROFILES"
  export XDG_DATA_HOME=$T/data-home XDG_DATA_DIRS=/usr/local/share:/usr/share
  sbx_ok --desktop-install firefox-esr
  local f=$XDG_DATA_HOME/applications/firefox-esr.desktop value profile words=() cmd=() w
  profile=$(readlink -f "$PROFILES/firefox-esr.profile")
  grep -qxF "X-Sbx-Profile=$profile" "$f" || fail "profile: $(grep '^X-Sbx' "$f")"
  grep -qxF "X-Sbx-Original=$orig" "$f" || fail "original: $(grep '^X-Sbx' "$f")"
  # Every Exec line of the original (main entry and actions) is wrapped.
  expect_eq "$(grep -c '^Exec=' "$f")" "$(grep -c '^Exec=' "$orig")" "number of Exec lines"
  expect_eq "$(grep '^Exec=' "$f" | grep -vcF "Exec=$(readlink -f "$SBX") --profile $profile -- ")" 0 \
    "Exec lines not through sbx"
  value=$(grep -m1 '^Exec=' "$f")
  value=${value#Exec=}
  eval "words=($value)"
  for w in "${words[@]}"; do
    if [[ $w == %u ]]; then
      cmd+=(--no-remote --new-instance -profile "$HOME/Downloads/ffprofile" "file://$HOME/Downloads/page.html")
    else
      cmd+=("$w")
    fi
  done
  screen_has_no_green
  "${cmd[@]}" >"$T/firefox-entry.log" 2>&1 &
  remember_pid $!
  expect_page_shown $! "$T/firefox-entry.log"
}

# in_firefox SCRIPT: run SCRIPT with sh in a sandbox of the firefox profile.
in_firefox() { sbx_ok --profile firefox sh -c "$1"; }

t_firefox_ssh() {
  [[ -e $PROFILES/firefox.profile ]] || fail "no firefox.profile in $PROFILES"
  in_firefox 'cat ~/.ssh/id_ed25519 2>/dev/null; ls -A ~/.ssh 2>/dev/null; echo end'
  expect_eq "$OUT" "end" "~/.ssh inside (key contents, then its listing)"
}

t_firefox_downloads() {
  [[ -e $PROFILES/firefox.profile ]] || fail "no firefox.profile in $PROFILES"
  rm -f "$HOME/Downloads/saved.txt"
  in_firefox 'echo "saved inside" >~/Downloads/saved.txt && echo written'
  expect_eq "$OUT" "written" "writing to ~/Downloads inside"
  [[ -f $HOME/Downloads/saved.txt ]] || fail "~/Downloads/saved.txt is not on the host after the sandbox ended"
  expect_eq "$(<"$HOME/Downloads/saved.txt")" "saved inside" "saved file on the host"
}

t_firefox_home() {
  [[ -e $PROFILES/firefox.profile ]] || fail "no firefox.profile in $PROFILES"
  in_firefox 'cat ~/notes.txt 2>/dev/null; ls -A ~; echo "home-written" >~/new.txt && echo wrote'
  expect_not_contains "$OUT" "private notes" "~/notes.txt contents inside"
  expect_not_contains "$OUT" "notes.txt" "listing of ~ inside"
  expect_contains "$OUT" "Downloads" "listing of ~ inside"
  # The rest of the home is a throw-away directory: writes do not reach the host.
  [[ ! -e $HOME/new.txt ]] || fail "a file written to ~ inside appeared on the host"
}

t_firefox_x11() {
  need_display
  [[ -e $PROFILES/firefox.profile ]] || fail "no firefox.profile in $PROFILES"
  in_firefox 'ls -A /tmp/.X11-unix; echo ---; xauth list 2>/dev/null | sed "s/.*:\([0-9]*\) .*/\1/"; echo ---
              xdpyinfo -display :'"$DPY_N"' >/dev/null 2>&1 && echo N-ok
              xdpyinfo -display :'"$DPY_M"' >/dev/null 2>&1 && echo M-ok; echo end'
  local want
  want=$(printf 'X%s\n---\n%s\n---\nN-ok\nend' "$DPY_N" "$DPY_N")
  expect_eq "$OUT" "$want" "X sockets, Xauthority displays and connections inside (host has :$DPY_N and :$DPY_M)"
}

t_xterm() {
  need_display
  need_tools xterm import convert xwininfo xprop
  [[ -e $PROFILES/xterm.profile ]] || fail "no xterm.profile in $PROFILES"
  local pid shot=$T/xterm.png red wmpid
  sbx_exec --profile xterm xterm -T sbx-xterm-test -geometry 60x20+40+40 -bg '#c00000' -fg '#c00000' \
    -e sh -c 'exec sleep 600' >"$T/xterm.log" 2>&1 &
  pid=$!
  remember_pid $pid
  if ! wait_window sbx-xterm-test; then
    cat "$T/xterm.log"; stop $pid; fail "no window named sbx-xterm-test on :$DPY_N"
  fi
  # The window is named before it is mapped and drawn: under load the
  # first screenshot may come too early, so poll until it is red.
  local i
  for ((i = 0; i < 120; i++)); do
    red=0
    import -window "$WIN" "$shot" 2>/dev/null && red=$(fraction "$shot" '#c00000') &&
      at_least "$red" 0.8 && break
    sleep 0.5
  done
  # xterm says who drew the window: a pid of the sandbox's pid namespace,
  # not the host pid of an xterm.
  wmpid=$(xprop -id "$WIN" _NET_WM_PID | awk '{print $NF}')
  local sandboxed=yes
  (app_in_sandbox "$pid" xterm) >"$T/pidns.out" 2>&1 || sandboxed=$(<"$T/pidns.out")
  stop $pid
  at_least "$red" 0.8 || fail "the xterm window is only $red #c00000 (want >= 0.8)"
  [[ $sandboxed == yes ]] || fail "$sandboxed"
  [[ $wmpid =~ ^[0-9]+$ ]] || fail "no _NET_WM_PID on the xterm window"
  [[ $(cat "/proc/$wmpid/comm" 2>/dev/null) != xterm ]] ||
    fail "_NET_WM_PID $wmpid is a host xterm: the window is not drawn from the sandbox"
}

t_zenity() {
  need_display
  need_tools zenity import convert xwininfo
  [[ -e $PROFILES/zenity.profile ]] || fail "no zenity.profile in $PROFILES"
  local pid shot=$T/zenity.png colours
  sbx_exec --profile zenity zenity --info --title sbx-zenity-test --text "hello from the sandbox" \
    >"$T/zenity.log" 2>&1 &
  pid=$!
  remember_pid $pid
  if ! wait_window sbx-zenity-test; then
    cat "$T/zenity.log"; stop $pid; fail "no window named sbx-zenity-test on :$DPY_N"
  fi
  # The dialog maps before GTK has drawn it: wait until it has content.
  local i
  for ((i = 0; i < 120; i++)); do
    import -window "$WIN" "$shot" 2>/dev/null &&
      colours=$(convert "$shot" -format %k info:) && ((colours > 8)) && break
    sleep 0.5
  done
  stop $pid
  ((${colours:-0} > 8)) || fail "the zenity window has only ${colours:-0} colours: nothing drawn"
}

run_checks() {
  setup_home
  setup_displays
  check "Xvfb on :N with a cookie; a second server on :M" t_display
  check "firefox profile: firefox-esr shows a local page (screenshot is the page's green)" t_firefox_renders
  check "--desktop-install firefox-esr: the entry's Exec line starts the sandboxed Firefox" t_firefox_desktop_entry
  check "firefox profile: ~/.ssh is empty inside" t_firefox_ssh
  check "firefox profile: a file saved to ~/Downloads persists on the host" t_firefox_downloads
  check "firefox profile: other home files are invisible, the rest of ~ is throw-away" t_firefox_home
  check "firefox profile: only :N's socket and cookie inside; :N connects, :M does not" t_firefox_x11
  check "xterm profile: xterm's window is on screen, drawn from the sandbox" t_xterm
  check "zenity profile: zenity's dialog is on screen and drawn" t_zenity
}

# ------------------------------------------------------------- passes

tap_inner_or_self SBX_DESKTOP_PROFILES="$PROFILES" SBX_DESKTOP_DATA="$DATA"

# As root: stage what the unprivileged user needs in a world-readable
# directory (the source tree may be where that user cannot enter).
if ! ensure_test_user; then
  echo "not ok 1 - could not create the unprivileged user $TEST_USER"
  echo "1..1"
  exit 0
fi
stage=$(mktemp -d /tmp/sbx-desktop-stage.XXXXXX)
trap 'rm -rf --one-file-system "$stage"' EXIT
mkdir -p "$stage/bin" "$stage/tests/data" "$stage/profiles" "$stage/home" "$stage/tmp"
cp "$SBX" "$stage/bin/$SBX_NAME"
cp "$TESTS_DIR/lib.sh" "$TEST_SCRIPT" "$stage/tests/"
cp "$DATA"/* "$stage/tests/data/"
cp "$PROFILES"/* "$stage/profiles/" 2>/dev/null
chown "$(id -u "$TEST_USER")" "$stage/home" "$stage/tmp"
chmod -R a+rX "$stage"
# Xvfb creates /tmp/.X11-unix when it is missing, but only root can give
# it the usual owner.
[[ -d /tmp/.X11-unix ]] || install -d -m 1777 /tmp/.X11-unix
# Firefox's profile starts the network helper: the pass runs where that
# can't reach past this machine and the test user can use tun (lib.sh).
run_pass "$TEST_USER" unshare -m -n --propagation private -- bash -c "$STAGE_NET"'exec "$@"' _ \
  env SBX="$stage/bin/$SBX_NAME" HOME="$stage/home" USER="$TEST_USER" \
  LOGNAME="$TEST_USER" TMPDIR="$stage/tmp" SBX_DESKTOP_PROFILES="$stage/profiles" \
  SBX_DESKTOP_DATA="$stage/tests/data" \
  setpriv --reuid="$TEST_USER" --regid="$TEST_USER" --clear-groups -- \
  bash "$stage/tests/$(basename "$TEST_SCRIPT")"
echo "1..$T_NUM"
