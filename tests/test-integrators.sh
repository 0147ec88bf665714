#!/bin/bash
# Real integrators of bubblewrap, run on the binary under test in its
# place, and checked by what they produce:
#
#  - Flatpak (FLATPAK_BWRAP): a tiny runtime (busybox-static) and app built
#    here, exported into a local repo and installed with `flatpak --user`
#    under a private HOME; the app reports from inside (its app id,
#    /.flatpak-info, /app, the sandbox's pid 1) and writes into its
#    ~/.var/app directory, and `flatpak ps` finds it through the status
#    bubblewrap's --info-fd reported.
#  - WebKitGTK's web-process sandbox (WEBKIT_FORCE_SANDBOX=1: the 4.1 API
#    of WebKitGTK 2.50 leaves it off otherwise): a WebView shows
#    tests/data/page.html on Xvfb, checked by the screen's pixels and by
#    the process tree (the WebKitWebProcess runs under the binary under
#    test, in a pid namespace of its own).
#  - libgnome-desktop's thumbnailer sandbox: GnomeDesktop's
#    DesktopThumbnailFactory makes a thumbnail of a PNG through
#    gdk-pixbuf-thumbnailer, checked by its size and pixels.
#
# WebKitGTK and libgnome-desktop run /usr/bin/bwrap, a fixed path.  Run as
# root, each pass (root, then the unprivileged user `sbxtest`, as lib.sh
# does it) gets a private mount namespace in which root has bind-mounted a
# small wrapper over /usr/bin/bwrap: it logs its arguments and execs the
# binary under test, so a check can tell that the integrator really went
# through it (a /bin/sh script between the integrator and the sandbox: it
# only logs, and execs with the same arguments, environment and fds).  The
# system's /usr/bin/bwrap is never changed.  The unprivileged pass is the
# desktop's case: root mounts the wrapper, then drops to sbxtest.  Run as
# non-root, there is no such mount: those checks are skipped, saying so.
#
# Needs flatpak, busybox-static, python3-gi with gir1.2-webkit2-4.1 and
# gir1.2-gnomedesktop-3.0, libgdk-pixbuf2.0-bin (gdk-pixbuf-thumbnailer),
# Xvfb and ImageMagick; checks whose tools are missing are skipped.
#
# Environment (besides lib.sh's): SBX_BWRAP_LOG, the wrapper's log (set by
# the outer run; unset: /usr/bin/bwrap is not ours).
source "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3
DATA=$TESTS_DIR/data
APP_ID=org.sbx.Hello
RUNTIME_ID=org.sbx.Platform

have() { command -v "$1" >/dev/null 2>&1; }
need_tools() {
  local t
  for t in "$@"; do have "$t" || skip_check "$t is not installed"; done
}
need_gi() {
  "$PY" -c "import gi; gi.require_version('$1', '$2'); from gi.repository import $1" 2>/dev/null ||
    skip_check "python3-gi's $1 $2 is not installed"
}

# need_bwrap_is_sbx: /usr/bin/bwrap is the logging wrapper of this run.
need_bwrap_is_sbx() {
  [[ -n ${SBX_BWRAP_LOG:-} ]] && grep -qF "$SBX" /usr/bin/bwrap 2>/dev/null ||
    skip_check "/usr/bin/bwrap is not $SBX_NAME here (a root run mounts it in place; a non-root run can't)"
}

# bwrap_calls_since N: the wrapper's log lines after the first N.
bwrap_calls_since() { tail -n +"$(($1 + 1))" "$SBX_BWRAP_LOG"; }
log_lines() { wc -l <"$SBX_BWRAP_LOG"; }

# sandbox_init_sees FILE: FILE of /proc/1 in a plain sandbox of the binary
# under test: its own init, as the integrators' sandboxes below have.
# (Not simply $SBX: a bubblewrap may be started through a script, such as
# bwrap12 running its own ld.so.)
sandbox_init_sees() {
  sbx --ro-bind / / --proc /proc --dev /dev --unshare-pid -- sh -c "$1 /proc/1/$2"
}

# same_file A B: A and B (after symlinks) are one inode.
same_file() { [[ $(stat -L -c %d:%i "$1" 2>/dev/null) == "$(stat -L -c %d:%i "$2")" ]]; }

# fraction FILE COLOUR: the share of pixels of exactly COLOUR (0..1).
fraction() {
  convert "$1" -alpha off -fill black +opaque "$2" -fill white -opaque "$2" \
    -colorspace gray -format '%[fx:mean]' info:
}
at_least() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a >= b) }'; }

# -------------------------------------------------------------- Flatpak

# A private Flatpak world under $T/fp: HOME, XDG dirs, the system
# installation and config all point there, so nothing touches the host's.
flatpak_env() {
  local w=$T/fp
  export HOME=$w/home XDG_DATA_HOME=$w/home/.local/share XDG_CONFIG_HOME=$w/home/.config
  export XDG_CACHE_HOME=$w/home/.cache XDG_RUNTIME_DIR=$w/xrt
  export FLATPAK_SYSTEM_DIR=$w/system FLATPAK_CONFIG_DIR=$w/etc FLATPAK_BWRAP=$SBX
  unset DBUS_SESSION_BUS_ADDRESS
  # flatpak asks the system bus about parental controls before installing
  # as a user (not as root): a private bus without that service is a "no".
  export DBUS_SYSTEM_BUS_ADDRESS=unix:path=$w/system-bus
}

# The runtime: busybox-static as /usr/bin/*, and the host's static
# ldconfig (flatpak runs it in a sandbox of its own to make the app's
# ld.so.cache).  The app: /app/bin/hello, a shell script reporting what it
# sees.  Both exported to a local repo and installed from it (the install
# runs flatpak's triggers through the binary under test too).
build_flatpak() {
  local w=$T/fp r=$T/fp/runtime a=$T/fp/app c
  mkdir -p "$w/home" "$r/files/bin" "$r/files/etc" "$a/files/bin" "$a/export"
  mkdir -m 0700 "$w/xrt"
  dbus-daemon --session --nofork --address="$DBUS_SYSTEM_BUS_ADDRESS" --print-address=1 \
    >"$w/bus.addr" 2>"$w/bus.log" &
  remember_pid $!
  disown $!
  wait_for grep -qs . "$w/bus.addr" || { echo "dbus-daemon did not start: $(cat "$w/bus.log")"; return 1; }
  cp /bin/busybox "$r/files/bin/busybox"
  for c in sh cat ls echo mkdir sleep test; do ln -s busybox "$r/files/bin/$c"; done
  cp /sbin/ldconfig "$r/files/bin/ldconfig"
  printf '[Runtime]\nname=%s\nruntime=%s/x86_64/1\nsdk=%s/x86_64/1\n' \
    "$RUNTIME_ID" "$RUNTIME_ID" "$RUNTIME_ID" >"$r/metadata"
  cat >"$a/files/bin/hello" <<'EOF'
#!/bin/sh
echo "app-id=$FLATPAK_ID"
echo "info-name=$(sed -n 's/^name=//p' /.flatpak-info)"
echo "app-dir=$(ls /app/bin | tr '\n' ' ')"
echo "pid1=$(cat /proc/1/comm)"
echo "host-secret=$(cat "$1" 2>&1)"
echo "written by $FLATPAK_ID" >"$XDG_DATA_HOME/proof.txt" && echo "wrote=$XDG_DATA_HOME/proof.txt"
# Wait (at most ~20 s) for the test to have looked at `flatpak ps`.
i=0
while [ -n "$2" ] && [ ! -e "$2" ] && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done
EOF
  chmod +x "$a/files/bin/hello"
  printf '[Application]\nname=%s\nruntime=%s/x86_64/1\ncommand=hello\n' \
    "$APP_ID" "$RUNTIME_ID" >"$a/metadata"
  flatpak build-export --runtime --files=files "$w/repo" "$r" 1 &&
    flatpak build-export "$w/repo" "$a" stable &&
    flatpak build-update-repo "$w/repo" &&
    flatpak --user remote-add --no-gpg-verify sbxlocal "$w/repo" &&
    flatpak --user install -y --noninteractive sbxlocal "$APP_ID"
}

FP_ERR=
FP_BUILD_FAILED=
setup_flatpak() {
  have flatpak || { FP_ERR="flatpak is not installed"; return; }
  have dbus-daemon || { FP_ERR="dbus-daemon is not installed"; return; }
  # (busybox, unlike busybox-static, is a dynamic binary: the runtime has no libc)
  [[ -x /bin/busybox ]] && ! ldd /bin/busybox >/dev/null 2>&1 || { FP_ERR="busybox-static is not installed"; return; }
  ( flatpak_env; build_flatpak ) >"$T/fp-build.log" 2>&1 ||
    FP_BUILD_FAILED=1
}

t_flatpak_app() {
  [[ -z $FP_ERR ]] || skip_check "$FP_ERR"
  [[ -z $FP_BUILD_FAILED ]] || { tail -n 20 "$T/fp-build.log"; fail "building and installing the local flatpak failed"; }
  flatpak_env
  echo "not for apps" >"$T/host-secret"
  local out=$T/fp-run.out pid i ps
  flatpak --user run "$APP_ID" "$T/host-secret" "$T/fp-ps-seen" >"$out" 2>"$T/fp-run.err" &
  pid=$!
  # While it runs: flatpak ps lists it, from the instance's bwrapinfo.json
  # (what the sandbox wrote to --info-fd).
  for ((i = 0; i < 200; i++)); do
    ps=$(flatpak ps --columns=application,child-pid 2>/dev/null | grep "^$APP_ID") && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  touch "$T/fp-ps-seen"
  wait "$pid" || { cat "$out" "$T/fp-run.err"; fail "flatpak run exited with $?"; }
  cat "$out" "$T/fp-run.err"
  OUT=$(<"$out")
  expect_contains "$OUT" "app-id=$APP_ID"
  expect_contains "$OUT" "info-name=$APP_ID" "/.flatpak-info"
  expect_contains "$OUT" "app-dir=hello " "the listing of /app/bin"
  # The sandbox's pid 1 is the binary under test's.
  expect_contains "$OUT" "pid1=$(sandbox_init_sees cat comm)"$'\n' "the sandbox's pid 1"
  expect_contains "$OUT" "host-secret=cat: can't open" "reading a host file"
  expect_eq "$(cat "$HOME/.var/app/$APP_ID/data/proof.txt")" "written by $APP_ID" "~/.var/app/$APP_ID/data/proof.txt"
  expect_match "$ps" "^$APP_ID[[:space:]]+[0-9]+" "flatpak ps"
}

# -------------------------------------------------------------- X server

# start_xvfb: an X server on a free display (lib.sh's xvfb_start); exports
# DISPLAY.
start_xvfb() {
  xvfb_start "$T/xvfb.log" -screen 0 1024x768x24 -nolisten tcp ||
    fail "Xvfb did not start: $(tail -n 5 "$T/xvfb.log")"
  export DISPLAY=:$XVFB_NUM
}

# -------------------------------------------------------------- WebKitGTK

write_view() {
  cat >"$T/view.py" <<'EOF'
# view.py URI: a WebKitGTK view filling a 1024x768 window, loading URI.
import sys, gi
gi.require_version("Gtk", "3.0")
gi.require_version("WebKit2", "4.1")
from gi.repository import Gtk, WebKit2
ctx = WebKit2.WebContext.get_default()
print("sandbox enabled:", ctx.get_sandbox_enabled(), flush=True)
win = Gtk.Window()
win.set_decorated(False)
win.set_default_size(1024, 768)
win.move(0, 0)
view = WebKit2.WebView.new_with_context(ctx)
def changed(view, event):
    if event == WebKit2.LoadEvent.FINISHED:
        print("loaded", flush=True)
def died(view, reason):
    print("web process terminated:", reason.value_nick, flush=True)
    Gtk.main_quit()
view.connect("load-changed", changed)
view.connect("web-process-terminated", died)
win.add(view)
win.connect("destroy", Gtk.main_quit)
win.show_all()
view.load_uri(sys.argv[1])
Gtk.main()
EOF
}

# descendants PID: every process below PID.
descendants() {
  ps -e -o pid=,ppid= | awk -v r="$1" '
    { parent[$1] = $2 }
    END { for (p in parent) { q = p; while ((q in parent) && q != r && q > 1) q = parent[q]; if (q == r && p != r) print p } }'
}

# web_process_under PID: the pid of a WebKitWebProcess below PID, or fail.
web_process_under() {
  local p
  for p in $(descendants "$1"); do
    [[ $(cat "/proc/$p/comm" 2>/dev/null) == WebKitWebProces* ]] && { echo "$p"; return 0; }
  done
  return 1
}

t_webkit_view() {
  need_tools Xvfb import convert dbus-daemon
  need_gi WebKit2 4.1
  need_bwrap_is_sbx
  export HOME=$T/wk-home XDG_RUNTIME_DIR=$T/wk-xrt
  mkdir -p "$HOME"; mkdir -m 0700 "$XDG_RUNTIME_DIR"
  unset WAYLAND_DISPLAY XDG_CONFIG_HOME XDG_DATA_HOME XDG_CACHE_HOME
  export GDK_BACKEND=x11 WEBKIT_FORCE_SANDBOX=1
  # A session bus, as a desktop has: WebKit then also runs an
  # xdg-dbus-proxy for the web process, in a sandbox of its own.
  export DBUS_SESSION_BUS_ADDRESS=unix:path=$T/wk-bus
  dbus-daemon --session --nofork --address="$DBUS_SESSION_BUS_ADDRESS" --print-address=1 \
    >"$T/wk-bus.addr" 2>&1 &
  remember_pid $!
  disown $!
  wait_for grep -qs . "$T/wk-bus.addr" || fail "dbus-daemon did not start: $(cat "$T/wk-bus.addr")"
  write_view
  cp "$DATA/page.html" "$T/page.html"
  start_xvfb
  import -window root "$T/before.png"
  expect_eq "$(fraction "$T/before.png" '#00c000')" 0 "the page's colour on the screen before the view"
  local calls pid i green=0 wp="" parent="" levels
  calls=$(log_lines)
  "$PY" "$T/view.py" "file://$T/page.html" >"$T/view.log" 2>&1 &
  pid=$!
  remember_pid "$pid"
  for ((i = 0; i < 120; i++)); do
    sleep 0.5
    kill -0 "$pid" 2>/dev/null || break
    if [[ -z $wp ]] && wp=$(web_process_under "$pid"); then
      parent=$(awk '/^PPid:/ { print $2 }' "/proc/$wp/status")
    fi
    grep -q '^loaded' "$T/view.log" || continue
    import -window root "$T/view.png" 2>/dev/null || continue
    green=$(fraction "$T/view.png" '#00c000') || continue
    at_least "$green" 0.9 && break
  done
  # The web process's parent, while it runs: the binary under test.
  local parent_is_sbx=no ns_ok=no
  [[ -n $parent ]] && same_file "/proc/$parent/exe" "$(sandbox_init_sees readlink exe)" && parent_is_sbx=yes
  [[ -n $wp ]] && levels=$(awk '/^NSpid:/ { print NF - 1 }' "/proc/$wp/status" 2>/dev/null) &&
    ((levels >= 2)) && ns_ok=yes
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  cat "$T/view.log"
  echo "bwrap calls:"; bwrap_calls_since "$calls"
  grep -q '^sandbox enabled: True' "$T/view.log" || fail "WebKit's sandbox is off"
  [[ -n $wp ]] || fail "no WebKitWebProcess ran below the view"
  [[ $parent_is_sbx == yes ]] ||
    fail "the WebKitWebProcess's parent (pid $parent: $(readlink "/proc/$parent/exe" 2>&1)) is not $SBX"
  [[ $ns_ok == yes ]] || fail "the WebKitWebProcess runs in the view's pid namespace"
  bwrap_calls_since "$calls" | grep -q WebKitWebProcess || fail "/usr/bin/bwrap did not run the WebKitWebProcess"
  at_least "$green" 0.9 || fail "the page's colour covers only $green of the screen (want >= 0.9)"
}

# ------------------------------------------------------ GNOME thumbnails

write_thumbnailer() {
  cat >"$T/thumb.py" <<'EOF'
# thumb.py IMAGE OUT: GnomeDesktop's thumbnail of IMAGE (its own sandboxed
# thumbnailer run), saved to OUT as PNG.
import sys, gi
gi.require_version("GnomeDesktop", "3.0")
from gi.repository import GnomeDesktop, Gio
image = Gio.File.new_for_path(sys.argv[1])
info = image.query_info("standard::content-type,time::modified", 0, None)
mime = info.get_content_type()
mtime = info.get_modification_date_time().to_unix()
factory = GnomeDesktop.DesktopThumbnailFactory.new(GnomeDesktop.DesktopThumbnailSize.NORMAL)
if not factory.can_thumbnail(image.get_uri(), mime, mtime):
    sys.exit("no thumbnailer for " + mime)
thumb = factory.generate_thumbnail(image.get_uri(), mime, None)
thumb.savev(sys.argv[2], "png", [], [])
print("thumbnail", thumb.get_width(), thumb.get_height(), flush=True)
EOF
}

t_thumbnail() {
  need_tools convert gdk-pixbuf-thumbnailer
  need_gi GnomeDesktop 3.0
  need_bwrap_is_sbx
  export HOME=$T/th-home XDG_CACHE_HOME=$T/th-home/.cache
  mkdir -p "$HOME"
  unset XDG_DATA_HOME XDG_CONFIG_HOME
  write_thumbnailer
  convert -size 400x300 xc:'#2050e0' "$T/image.png"
  local calls out
  calls=$(log_lines)
  out=$("$PY" "$T/thumb.py" "$T/image.png" "$T/thumb.png" 2>&1) || { echo "$out"; fail "no thumbnail"; }
  echo "$out"
  echo "bwrap calls:"; bwrap_calls_since "$calls"
  bwrap_calls_since "$calls" | grep -q gdk-pixbuf-thumbnailer ||
    fail "/usr/bin/bwrap did not run gdk-pixbuf-thumbnailer"
  expect_eq "$(identify -format '%w %h' "$T/thumb.png")" "128 96" "the thumbnail's size"
  local blue
  blue=$(fraction "$T/thumb.png" '#2050e0')
  at_least "$blue" 0.99 || fail "the image's colour covers only $blue of the thumbnail"
}

run_checks() {
  setup_flatpak
  check "integrators: a Flatpak app runs with FLATPAK_BWRAP=$SBX_NAME (app id, /app, ~/.var/app, flatpak ps)" \
    t_flatpak_app
  check "integrators: a WebKitGTK view shows its page, its web process sandboxed by /usr/bin/bwrap" \
    t_webkit_view
  check "integrators: GnomeDesktop makes a thumbnail through its /usr/bin/bwrap sandbox" t_thumbnail
}

# ----------------------------------------------------------------- main

# BWRAP_MOUNT STAGE COMMAND...: (run by root in a private mount namespace)
# put STAGE/bwrap, the logging wrapper, over /usr/bin/bwrap, then run
# COMMAND (which may drop to the unprivileged user: the mount stays).
BWRAP_MOUNT='mount --bind "$1/bwrap" /usr/bin/bwrap && shift && exec "$@"'

integrators_main() {
  tap_inner_or_self

  local stage uid
  stage=$(mktemp -d /tmp/sbx-stage.XXXXXX)
  chmod 755 "$stage"
  trap 'rm -rf --one-file-system "$stage"' EXIT
  mkdir -p "$stage/bin" "$stage/tests/data" "$stage/log" "$stage/home"
  # A copy of the binary: the wrapper can't exec /usr/bin/bwrap when that
  # is the binary under test (it is the wrapper there).
  cp "$SBX" "$stage/bin/$SBX_NAME"
  cp "$TESTS_DIR"/*.sh "$stage/tests/"
  cp "$DATA"/* "$stage/tests/data/"
  printf '#!/bin/sh\n# /usr/bin/bwrap for tests/test-integrators.sh: log, then run %s.\necho "$*" >>"%s"\nexec "%s" "$@"\n' \
    "$SBX_NAME" "$stage/log/bwrap.log" "$stage/bin/$SBX_NAME" >"$stage/bwrap"
  : >"$stage/log/bwrap.log"
  chmod -R a+rX "$stage"
  chmod 755 "$stage/bwrap"

  # Pass 1: root.
  run_pass root unshare -m --propagation private -- bash -c "$BWRAP_MOUNT" _ "$stage" \
    env SBX="$stage/bin/$SBX_NAME" SBX_BWRAP_LOG="$stage/log/bwrap.log" bash "$TEST_SCRIPT"

  # Pass 2: the unprivileged user (a desktop user's case).
  end_unless_test_user
  uid=$(id -u "$TEST_USER")
  : >"$stage/log/bwrap.log"
  chown "$uid" "$stage/home" "$stage/log/bwrap.log"
  run_pass "$TEST_USER" unshare -m --propagation private -- bash -c "$BWRAP_MOUNT" _ "$stage" \
    env SBX="$stage/bin/$SBX_NAME" SBX_BWRAP_LOG="$stage/log/bwrap.log" HOME="$stage/home" \
    USER="$TEST_USER" LOGNAME="$TEST_USER" TMPDIR=/tmp \
    setpriv --reuid="$TEST_USER" --regid="$TEST_USER" --clear-groups -- \
    bash "$stage/tests/$(basename "$TEST_SCRIPT")"
  echo "1..$T_NUM"
  exit 0
}

integrators_main "$@"
