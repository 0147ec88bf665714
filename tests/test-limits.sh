#!/bin/bash
# Real limits (issue 9): pids.max, memory.max, cpu.max and io.max enforced
# on a sandbox, and --list/--join/--stop inside those limits, which this
# machine's hybrid cgroup hierarchy can't show (no resource controllers in
# its cgroup2).  A Debian cloud kernel boots under qemu
# (tests/qemu/run-guest.sh: software emulation is enough, no network
# device) with busybox, the built sbx and brd.ko (a RAM disk); its /init
# mounts only cgroup2, delegates a cgroup to uid 1000 and runs
# tests/qemu/limits-guest.sh as that user, whose result lines become one
# TAP line each here.  Root only (the kernel is fetched with apt-get
# download, cached beside $SBX); skipped, with the reason, when qemu or the
# kernel can't be had.
source "$(dirname "$0")/lib.sh"

if ! is_root; then
  echo "1..0 # SKIP needs root (apt-get download of the kernel, cached in the build directory)"
  exit 0
fi
setup_tmp
PASS_LABEL="qemu guest, uid 1000"

start=$(date +%s.%N)
bash "$TESTS_DIR/qemu/run-guest.sh" "$SBX" "$TESTS_DIR/qemu/limits-guest.sh" >"$T/guest.out" 2>"$T/guest.err"
rc=$?
end=$(date +%s.%N)
if [[ $rc == 77 ]]; then
  echo "1..0 # SKIP $(tail -n1 "$T/guest.err")"
  exit 0
fi
boot=$(grep -o 'SBXQ boot [0-9.]*' "$T/guest.out" | cut -d' ' -f3)
diag "$(basename "$(cat "$(dirname "$SBX")/qemu-cache/vmlinuz.from" 2>/dev/null)") under qemu" \
     "guest /init reached after ${boot:-?} s of guest uptime; the whole run took $(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }') s of wall time"
diag "$(sed -n 's/^SBXQ diag //p' "$T/guest.out")"

# t_guest NAME: the guest's verdict on NAME, its diagnostics shown.
t_guest() {
  grep "^SBXQ diag $1: " "$T/guest.out" | sed "s/^SBXQ diag $1: //" || true
  grep -q "^SBXQ end" "$T/guest.out" ||
    fail "the guest did not run the checks to their end (qemu exit $rc): $(tail -n 30 "$T/guest.out" "$T/guest.err")"
  grep "^SBXQ fail $1: " "$T/guest.out" && fail "failed in the guest"
  grep -q "^SBXQ ok $1$" "$T/guest.out" || fail "no result for $1 from the guest"
}

t_alive() { grep -q "^SBXQ alive" "$T/guest.out" || fail "the guest script did not reach its end: $(tail -n 30 "$T/guest.out")"; }

check "--pids-max 50 contains a fork bomb (pids.events max > 0, never more than 50, the sandbox ends)" t_guest pids
check "--memory-max 32M: a 64 MiB memory hog is OOM-killed (memory.events oom_kill > 0)" t_guest memory
check "--cpu-max 0.2 throttles a busy loop (cpu.stat nr_throttled > 0)" t_guest cpu
check "--io-max '/dev/ram0 rbps=1M' throttles O_DIRECT reads of a RAM disk (2 MiB take >= 1.5 s of guest time; io.stat)" t_guest io
check "--list shows a named sandbox, --join runs inside its cgroup and pids.max (a joined fork bomb is held), --stop ends it" t_guest join
check "no sandbox cgroup is left; sbx's launcher leaves are empty and removable" t_guest clean
check "the guest survives the fork bomb and the OOM kill (its script runs on to the end)" t_alive
echo "1..$T_NUM"
