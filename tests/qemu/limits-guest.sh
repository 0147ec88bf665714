#!/bin/sh
# The guest half of tests/test-limits.sh (busybox sh, as uid 1000, $CG the
# cgroup delegated to it with memory, pids, cpu and io available, and
# /dev/ram0, a 64 MiB RAM disk (brd), readable by it).  Each check
# prints "SBXQ ok NAME" or "SBXQ fail NAME: why", and "SBXQ diag NAME: ..."
# lines the host shows under it.
#
# Every sandbox starts the way a systemd unit with Delegate=yes would run
# it: sbx the only process of a cgroup of its own ($CG/case-NAME), so it
# must move itself into a leaf to give the app a limited cgroup.  This
# shell lives in $CG/ctl meanwhile (moving between the two is allowed: the
# user owns their common parent's cgroup.procs).
R="--ro-bind / / --dev /dev --proc /proc --tmpfs /tmp --unshare-pid"

ok() { echo "SBXQ ok $1"; }
bad() { echo "SBXQ fail $1: $2"; }
diag() { echo "SBXQ diag $1: $2"; }

mkdir $CG/ctl && echo $$ >$CG/ctl/cgroup.procs || { bad setup "can't move the test shell into $CG/ctl"; exit 1; }
# What systemd gives a unit with Delegate=yes: the controllers available in
# its cgroup (case-NAME), enabled in the parent's subtree_control.
echo "+memory +pids +cpu +io" >$CG/cgroup.subtree_control || { bad setup "can't enable the controllers in $CG"; exit 1; }

# key FILE KEY: the value of KEY in a flat-keyed cgroup file (empty if none).
key() { while read -r k v; do [ "$k" = "$2" ] && echo "$v"; done <"$1" 2>/dev/null; }

# in_case NAME ARGS...: run sbx ARGS as the only process of $CG/case-NAME,
# in the background; $! is its pid (a timeout's, in $CG/ctl: 60 s at most).
in_case() {
  c=$CG/case-$1
  shift
  mkdir -p "$c"
  timeout -s KILL 60 sh -c 'echo $$ >"$0/cgroup.procs" && exec sbx "$@"' "$c" "$@" &
}

# leftovers NAME: the cgroups left in $CG/case-NAME but the launcher's
# leaf: sbx moved itself into sbx-launcher-PID (the no-internal-processes
# rule) and can't remove the cgroup it dies in; the next sbx there sweeps
# it, as would the manager of a Delegate=yes unit, and check_clean shows it
# empty.  Anything else (the sandbox's sbx-NAME-PID) is a leftover.
leftovers() {
  for d in $CG/case-$1/*/; do
    d=${d%/}
    [ -d "$d" ] || continue
    case ${d##*/} in sbx-launcher-*) ;; *) echo "${d##*/}" ;; esac
  done
}

# The cgroup of the sandbox's app, seen from inside: the 0:: line.
APP_CG='/sys/fs/cgroup$(sed -n "s/^0:://p" /proc/self/cgroup)'

# ------------------------------------------------------------ pids.max 50

# A fork bomb: each shell forks two more until fork fails; the sandbox's
# first shell then waits 3 s (exec: no fork needed) and ends it.  Its
# pids.events is read from outside while it rages (the cgroup goes with
# the sandbox).
check_pids() {
  in_case pids $R --name bomb --pids-max 50 sh -c 'b() { b | b & }; b 2>/dev/null; exec sleep 3' >/tmp/pids.out 2>&1
  pid=$!
  max=0 cur=0 peak=0
  while kill -0 $pid 2>/dev/null; do
    for d in $CG/case-pids/sbx-bomb-*; do
      [ -d "$d" ] || continue
      m=$(key $d/pids.events max)
      [ -n "$m" ] && [ "$m" -gt "$max" ] && max=$m
      read -r c <$d/pids.current 2>/dev/null && [ "$c" -gt "$peak" ] && peak=$c
    done
    sleep 0.2
  done
  wait $pid
  rc=$?
  diag pids "sbx exit status $rc, pids.events max $max, pids.current at most $peak; $(head -c 300 /tmp/pids.out | tr '\n' ' ')"
  left=$(leftovers pids)
  if [ "$max" -gt 0 ] && [ "$peak" -le 50 ] && [ $rc -ne 137 ] && [ -z "$left" ]; then ok pids; else
    bad pids "max $max (want > 0), at most $peak processes (want <= 50), exit $rc (137: the 60 s timeout), left: ${left:-none}"
  fi
}

# --------------------------------------------------------- memory.max 32M

# dd with a 64 MiB buffer fills it from /dev/zero: over the limit, with no
# swap, the OOM killer takes dd; the shell then reads memory.events.
check_memory() {
  in_case mem $R --name hog --memory-max 32M sh -c \
    'dd if=/dev/zero of=/dev/null bs=64M count=1; echo "dd status $?"; cat '"$APP_CG"'/memory.max '"$APP_CG"'/memory.events' \
    >/tmp/mem.out 2>&1
  wait $!
  rc=$?
  diag memory "sbx exit status $rc; $(tr '\n' ' ' </tmp/mem.out | head -c 400)"
  kills=$(key /tmp/mem.out oom_kill)
  left=$(leftovers mem)
  if [ $rc -eq 0 ] && [ "${kills:-0}" -gt 0 ] && grep -qx 33554432 /tmp/mem.out && [ -z "$left" ]; then ok memory; else
    bad memory "oom_kill ${kills:-missing} (want > 0), memory.max 33554432 wanted, exit $rc, left: ${left:-none}"
  fi
}

# ----------------------------------------------------------- cpu.max 0.2

# A busy loop for 2 s at 20 % of a CPU: throttled in most 100 ms periods.
check_cpu() {
  in_case cpu $R --name busy --cpu-max 0.2 sh -c \
    'timeout 2 sh -c "while :; do :; done"; cat '"$APP_CG"'/cpu.max '"$APP_CG"'/cpu.stat' >/tmp/cpu.out 2>&1
  wait $!
  rc=$?
  diag cpu "sbx exit status $rc; $(tr '\n' ' ' </tmp/cpu.out | head -c 400)"
  thr=$(key /tmp/cpu.out nr_throttled)
  left=$(leftovers cpu)
  if [ $rc -eq 0 ] && [ "${thr:-0}" -gt 0 ] && grep -q '^20000 100000$' /tmp/cpu.out && [ -z "$left" ]; then ok cpu; else
    bad cpu "nr_throttled ${thr:-missing} (want > 0), cpu.max '20000 100000' wanted, exit $rc, left: ${left:-none}"
  fi
}

# ------------------------------------------------------ io.max rbps=1M

# Reading 2 MiB of the RAM disk with O_DIRECT (so the page cache can't
# serve it) at 1 MiB/s must take at least ~1.9 s of guest time (the
# throttle lets the first 100 ms slice through at once): the bound asserted
# is 1.5 s, a lower one, which load on the host can only make easier to
# meet -- never an upper bound on time.  io.stat shows the 2 MiB were read
# by the sandbox's cgroup from the disk (1:0).  The same read unlimited is
# shown, not asserted (its speed depends on the host; a few centiseconds
# under TCG here).  elapsed_cs: centiseconds between two /proc/uptime
# readings, taken inside the sandbox.
check_io() {
  if [ ! -b /dev/ram0 ]; then
    bad io "no /dev/ram0: brd.ko missing from the kernel package or insmod failed: $(cat /tmp/brd.err 2>/dev/null)"
    return
  fi
  RD='read -r a _ </proc/uptime; dd if=/dev/ram0 of=/dev/null bs=64K count=32 iflag=direct 2>/dev/null; echo "dd status $?"; read -r b _ </proc/uptime; echo "elapsed_cs $(echo "$a $b" | tr -d . | { read -r x y; echo $((y - x)); })"'
  in_case io0 $R --dev-bind /dev/ram0 /dev/ram0 --name fast sh -c "$RD" >/tmp/io0.out 2>&1
  wait $!
  in_case io $R --dev-bind /dev/ram0 /dev/ram0 --name disk --io-max '/dev/ram0 rbps=1M' sh -c \
    "$RD"'; cat '"$APP_CG"'/io.max '"$APP_CG"'/io.stat' >/tmp/io.out 2>&1
  wait $!
  rc=$?
  diag io "unlimited: $(tr '\n' ' ' </tmp/io0.out | head -c 200); limited: sbx exit status $rc; $(tr '\n' ' ' </tmp/io.out | head -c 400)"
  cs=$(key /tmp/io.out elapsed_cs)
  rb=$(sed -n 's/^1:0 .*rbytes=\([0-9]*\).*/\1/p' /tmp/io.out)
  left="$(leftovers io)$(leftovers io0)"
  if [ $rc -eq 0 ] && grep -q '^dd status 0$' /tmp/io.out && [ "${cs:-0}" -ge 150 ] && [ "${rb:-0}" -ge 2097152 ] &&
     grep -q '^1:0 rbps=1048576 ' /tmp/io.out && [ -z "$left" ]; then ok io; else
    bad io "2 MiB read in ${cs:-?} cs of guest time (want >= 150), io.stat rbytes ${rb:-missing} (want >= 2097152), io.max '1:0 rbps=1048576 ...' wanted, exit $rc, left: ${left:-none}"
  fi
}

# ------------------------------------------- --list, --join, --stop

# A named sandbox with pids.max 20 runs in the background; --list shows it
# (name; pid and cgroup from --json); --join lands a command in its cgroup
# (/proc/self/cgroup the same path, pids.max 20 read from there) and a fork
# bomb started by the joined command is held by the same count (the
# cgroup's pids.events max rises, pids.current never passes 20, read from
# outside); --stop ends the sandbox, bomb included; nothing is left.
check_join() {
  in_case join $R --name svc --pids-max 20 sh -c 'exec sleep 60' >/tmp/svc.out 2>&1
  pid=$!
  i=0
  while [ $i -lt 100 ] && ! sbx --list 2>/dev/null | grep -q '^svc '; do sleep 0.1; i=$((i + 1)); done
  sbx --list >/tmp/list.out 2>&1
  sbx --list --json >/tmp/list.json 2>&1
  diag join "--list: $(tr '\n' ' ' </tmp/list.out | head -c 300); --json: $(tr '\n' ' ' </tmp/list.json | head -c 500)"
  scg=$(sed -n 's/.*"name": "svc".*"cgroup": "\([^"]*\)".*/\1/p' /tmp/list.json)
  spid=$(sed -n 's/.*"name": "svc".*"pid": \([0-9]*\), "monitor".*/\1/p' /tmp/list.json)
  why=
  grep -q '^svc ' /tmp/list.out || why="$why; svc not in --list"
  case $scg in $CG/case-join/sbx-svc-*) ;; *) why="$why; cgroup '$scg' not under $CG/case-join" ;; esac
  [ "${spid:-0}" -gt 0 ] && grep -qx "${spid:-x}" "$scg/cgroup.procs" 2>/dev/null || why="$why; pid '$spid' not in its cgroup"
  timeout -s KILL 30 sbx --join svc sh -c 'cat /proc/self/cgroup; cat '"$APP_CG"'/pids.max; b() { b | b & }; b 2>/dev/null; exec sleep 1' \
    >/tmp/join.out 2>&1 &
  jpid=$!
  max=0 peak=0
  while kill -0 $jpid 2>/dev/null; do
    m=$(key $scg/pids.events max)
    [ -n "$m" ] && [ "$m" -gt "$max" ] && max=$m
    read -r c <$scg/pids.current 2>/dev/null && [ "$c" -gt "$peak" ] && peak=$c
    sleep 0.2
  done
  wait $jpid
  jrc=$?
  diag join "joined: exit $jrc, $(tr '\n' ' ' </tmp/join.out | head -c 300); pids.events max $max, pids.current at most $peak"
  grep -qx "0::${scg#/sys/fs/cgroup}" /tmp/join.out || why="$why; the joined command is not in $scg"
  grep -qx 20 /tmp/join.out || why="$why; pids.max 20 not read from the joined command's cgroup"
  [ "$max" -gt 0 ] && [ "$peak" -le 20 ] || why="$why; the joined fork bomb: pids.events max $max (want > 0), at most $peak processes (want <= 20)"
  sbx --stop svc >/tmp/stop.out 2>&1 || why="$why; --stop failed: $(head -c 200 /tmp/stop.out)"
  wait $pid
  rc=$?
  [ $rc -ne 137 ] || why="$why; the sandbox ran into the 60 s timeout"
  sbx --list 2>/dev/null | grep -q '^svc ' && why="$why; still listed after --stop"
  [ -d "$scg" ] && why="$why; its cgroup $scg is left"
  left=$(leftovers join)
  [ -z "$left" ] || why="$why; left: $left"
  diag join "sbx exit status $rc after --stop"
  if [ -z "$why" ]; then ok join; else bad join "${why#; }"; fi
}

# ------------------------------------------------------------- afterwards

# Once every sbx has exited, no cgroup is left under the delegated one but
# the launchers' leaves, each empty (populated 0) and removable by the user.
check_clean() {
  left=
  for d in $(find $CG -mindepth 2 -type d -name 'sbx-*'); do
    case ${d##*/} in
      sbx-launcher-*) [ "$(key $d/cgroup.events populated)" = 0 ] && rmdir $d || left="$left $d(busy)" ;;
      *) left="$left $d" ;;
    esac
  done
  if [ -z "$left" ]; then ok clean; else bad clean "left:$left"; fi
}

check_pids
check_memory
check_cpu
check_io
check_join
check_clean
echo "SBXQ alive"
