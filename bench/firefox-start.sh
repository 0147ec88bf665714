#!/bin/bash
# Firefox's time to a shown page, through its shipped profile
# (sbx --profile firefox), with and without a session bus on the host.
#
#   bench/firefox-start.sh [--as USER] [--runs N] [--dbus-launch DIR] [SBX...]
#
#   SBX...             sbx binaries to compare (default ./build/sbx), each
#                      measured in the same run, cases interleaved
#   --runs N           runs per binary and case (default 3)
#   --as USER          run everything (Xvfb, sbx, Firefox) as USER via
#                      setpriv, the way desktop users run them; needs root
#   --dbus-launch DIR  a directory holding dbus-launch (Debian's dbus-x11;
#                      `apt-get download dbus-x11 && dpkg -x dbus-x11_*.deb x`
#                      gives x/usr/bin) to put first on the sandbox's PATH,
#                      for hosts without dbus-x11 installed: it is what an
#                      autolaunch runs
#
# Cases:
#   host-bus  a dbus-daemon --session at $XDG_RUNTIME_DIR/bus (activation
#             from /usr/share/dbus-1/services as on a desktop), reached
#             through the profile's filtering proxy
#   no-bus    no DBUS_SESSION_BUS_ADDRESS and no $XDG_RUNTIME_DIR/bus
#
# One uncounted warm-up run comes first.  Each run starts Firefox on a fresh throw-away Firefox profile (tests/data/
# firefox-user.js keeps first-run pages away) with tests/data/page.html on
# a fresh Xvfb screen, and takes the time from just before sbx is started
# to the first screenshot in which the page's green (#00c000) covers at
# least 30% of the screen.  Screenshots are taken back to back, so the
# figure is good to about the time one takes (~0.3 s here).  After each
# run the script also notes whether a dbus-daemon ran inside the sandbox
# (an autolaunched bus).
#
# A measurement, not a test: it exits 0 whatever the figures, non-zero only
# when something cannot be run.  Needs Xvfb, xauth, mcookie, ImageMagick
# (import, convert) and firefox-esr.
set -euo pipefail

cmdline="bench/firefox-start.sh $*"
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)

die() { echo "firefox-start.sh: $*" >&2; exit 1; }
usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit "${1:-0}"; }

runs=3
as_user=
dbus_launch_dir=
sbxs=()
args=("$@")
while (($#)); do
  case $1 in
    --runs) runs=${2:?--runs needs a number}; shift ;;
    --as) as_user=${2:?--as needs a user}; shift ;;
    --dbus-launch) dbus_launch_dir=$(realpath -e "${2:?--dbus-launch needs a directory}"); shift ;;
    -h|--help) usage 0 ;;
    -*) echo "firefox-start.sh: unknown argument $1" >&2; usage 1 >&2 ;;
    *) sbxs+=("$(realpath -e "$1")") || die "no such binary: $1" ;;
  esac
  shift
done
((${#sbxs[@]})) || sbxs=("$(realpath -e "$top/build/sbx")")

# --as: start again as that user, without --as.
if [[ -n $as_user ]]; then
  [[ $(id -u) == 0 ]] || die "--as needs root"
  uid=$(id -u "$as_user") || die "no such user: $as_user"
  rest=()
  for ((i = 0; i < ${#args[@]}; i++)); do
    if [[ ${args[i]} == --as ]]; then ((i++)) || true; continue; fi
    rest+=("${args[i]}")
  done
  exec setpriv --reuid="$uid" --regid="$(id -g "$as_user")" --init-groups -- \
    env -i PATH=/usr/local/bin:/usr/bin:/bin USER="$as_user" LOGNAME="$as_user" HOME=/nonexistent \
    bash "$0" "${rest[@]}"
fi

for t in Xvfb xauth mcookie import convert firefox-esr dbus-daemon; do
  command -v $t >/dev/null || die "$t is not installed"
done
[[ -z $dbus_launch_dir || -x $dbus_launch_dir/dbus-launch ]] || die "no dbus-launch in $dbus_launch_dir"

work=$(mktemp -d /tmp/sbx-ffbench.XXXXXX)
chmod 755 "$work"
pids=()
cleanup() {
  ((${#pids[@]})) && kill -KILL "${pids[@]}" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

# ------------------------------------------------------------ the display

# One Xvfb for all runs, on a display it picks, with a cookie of its own.
cookie=$(mcookie)
xauth -q -f "$work/server.auth" add :0 . "$cookie" 2>/dev/null
: >"$work/displayfd"
Xvfb -displayfd 3 -screen 0 1024x768x24 -auth "$work/server.auth" -nolisten tcp \
  3>"$work/displayfd" >"$work/xvfb.log" 2>&1 </dev/null &
pids+=($!)
disown $!   # killed at exit without a "Killed" job notice
for ((i = 0; i < 300; i++)); do
  num=$(tr -dc 0-9 <"$work/displayfd")
  [[ -n $num ]] && break
  sleep 0.1
done
[[ -n $num ]] || die "Xvfb did not start: $(tail -n 5 "$work/xvfb.log")"
export DISPLAY=:$num XAUTHORITY=$work/xauthority
xauth -q add "$DISPLAY" . "$cookie" 2>/dev/null

# green_share: the share of the screen in the page's colour (0..1).
green_share() {
  import -window root "$work/shot.png" 2>/dev/null || { echo 0; return; }
  convert "$work/shot.png" -alpha off -fill black +opaque '#00c000' -fill white -opaque '#00c000' \
    -colorspace gray -format '%[fx:mean]' info: 2>/dev/null || echo 0
}
at_least() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a >= b) }'; }

# ------------------------------------------------------------ one run

# A fresh home and runtime dir per run; the environment a desktop session
# gives, minus Wayland, sound and (case no-bus) the bus.
fresh_session() {
  local n=$1
  export HOME=$work/home.$n XDG_RUNTIME_DIR=$work/run.$n
  mkdir -p "$HOME/Downloads/ffprofile"
  mkdir -m 700 "$XDG_RUNTIME_DIR"
  cp "$top/tests/data/page.html" "$HOME/Downloads/page.html"
  cp "$top/tests/data/firefox-user.js" "$HOME/Downloads/ffprofile/user.js"
  unset WAYLAND_DISPLAY DBUS_SESSION_BUS_ADDRESS DBUS_SYSTEM_BUS_ADDRESS PULSE_SERVER MOZ_HEADLESS \
        SESSION_MANAGER XDG_CONFIG_HOME XDG_DATA_HOME XDG_CACHE_HOME XDG_STATE_HOME
  export GDK_BACKEND=x11 MOZ_ENABLE_WAYLAND=0 NO_AT_BRIDGE=1 SBX_PROFILE_PATH=$top/profiles
}

# start_host_bus: a session bus where systemd's user bus would be.
start_host_bus() {
  dbus-daemon --session --nofork --address="unix:path=$XDG_RUNTIME_DIR/bus" --print-address=1 \
    >"$XDG_RUNTIME_DIR/.bus.addr" 2>"$XDG_RUNTIME_DIR/.bus.log" </dev/null &
  BUS_PID=$!
  pids+=($BUS_PID)
  for ((i = 0; i < 100; i++)); do
    [[ -s $XDG_RUNTIME_DIR/.bus.addr ]] && break
    sleep 0.05
  done
  [[ -s $XDG_RUNTIME_DIR/.bus.addr ]] || die "dbus-daemon did not start: $(cat "$XDG_RUNTIME_DIR/.bus.log")"
  export DBUS_SESSION_BUS_ADDRESS=unix:path=$XDG_RUNTIME_DIR/bus
}

# descendants PID: the processes under PID.
descendants() {
  ps -e -o pid=,ppid= | awk -v r="$1" '
    { parent[$1] = $2 }
    END { for (p in parent) { q = p; while ((q in parent) && q != r && q > 1) q = parent[q]; if (q == r && p != r) print p } }'
}

# stop PID: end the sandbox (SIGTERM to sbx reaches Firefox).
stop() {
  kill -TERM "$1" 2>/dev/null || return 0
  for ((i = 0; i < 100; i++)); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

# one_run SBX CASE N: prints "SECONDS AUTOLAUNCHED" (SECONDS "-" if the
# page did not show within 120 s).
one_run() {
  local sbx=$1 case=$2 n=$3 extra=() t0 t1 shown=- autolaunched=no p pid
  fresh_session "$n"
  BUS_PID=
  [[ $case == host-bus ]] && start_host_bus
  [[ $(green_share) == 0 ]] || die "the screen shows green before Firefox starts"
  if [[ -n $dbus_launch_dir ]]; then
    extra=(--ro-bind "$dbus_launch_dir" /run/dbus-x11 --setenv PATH "/run/dbus-x11:$PATH")
  fi
  t0=$(date +%s.%N)
  "$sbx" --profile firefox "${extra[@]}" firefox-esr --no-remote --new-instance \
    -profile "$HOME/Downloads/ffprofile" "file://$HOME/Downloads/page.html" >"$work/firefox.$n.log" 2>&1 &
  pid=$!
  pids+=($pid)
  while :; do
    t1=$(date +%s.%N)
    if at_least "$(green_share)" 0.3; then
      shown=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
      break
    fi
    kill -0 "$pid" 2>/dev/null || break
    awk -v a="$t0" -v b="$t1" 'BEGIN { exit !(b - a > 120) }' && break
  done
  for p in $(descendants "$pid"); do
    [[ $(cat "/proc/$p/comm" 2>/dev/null) == dbus-daemon ]] && autolaunched=yes
  done
  stop "$pid"
  [[ -n $BUS_PID ]] && { kill -TERM "$BUS_PID" 2>/dev/null; wait "$BUS_PID" 2>/dev/null || true; }
  rm -rf "$HOME" "$XDG_RUNTIME_DIR"
  echo "$shown $autolaunched"
}

# ------------------------------------------------------------ the runs

echo "Firefox time to a shown page, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "command: $cmdline"
echo "as uid $(id -u), kernel $(uname -r), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), $(firefox-esr --version 2>/dev/null)"
echo "dbus-launch in the sandbox: ${dbus_launch_dir:-$(command -v dbus-launch || echo none)}"
declare -A times auto
n=0
# One run first, not counted: the first Firefox start reads its files from
# disk, the later ones from the page cache.
read -r secs al < <(one_run "${sbxs[0]}" host-bus 0)
echo "  warm-up  host-bus ${sbxs[0]}  $secs s"
for ((r = 1; r <= runs; r++)); do
  for sbx in "${sbxs[@]}"; do
    for case in host-bus no-bus; do
      n=$((n + 1))
      read -r secs al < <(one_run "$sbx" "$case" "$n")
      times[$sbx,$case]+="$secs "
      [[ $al == yes ]] && auto[$sbx,$case]=yes
      printf '  run %d  %-8s %-40s %6s s  autolaunched bus: %s\n' "$r" "$case" "$sbx" "$secs" "$al"
    done
  done
done
echo
printf '%-40s %-8s  %-8s  %s\n' sbx case median "runs (s)"
for sbx in "${sbxs[@]}"; do
  for case in host-bus no-bus; do
    med=$(printf '%s\n' ${times[$sbx,$case]} | grep -v '^-$' | sort -n |
          awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.1f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
    printf '%-40s %-8s  %-8s  %s%s\n' "$sbx" "$case" "$med" "${times[$sbx,$case]}" \
      "${auto[$sbx,$case]:+ (a dbus-daemon was autolaunched inside)}"
  done
done
