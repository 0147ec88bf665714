#!/bin/sh
# The guest half of tests/test-limits.sh (busybox sh, as uid 1000, $CG the
# cgroup delegated to it with memory, pids and cpu available).  Each check
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
echo "+memory +pids +cpu" >$CG/cgroup.subtree_control || { bad setup "can't enable the controllers in $CG"; exit 1; }

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
check_clean
echo "SBXQ alive"
