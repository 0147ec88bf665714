#!/usr/bin/env python3
"""Time commands round-robin and print their medians and ratios.

    bench/interleave.py RUNS CMD [CMD...]

hyperfine runs all of one command's runs, then all of the next's; on a
shared machine whose load drifts within a minute that biases a ratio more
than the differences being measured.  This runs the commands in turn (A B C
A B C ...), so drift reaches them alike.  Each command is a single string,
split like a shell would (no redirections, no shell); it runs with stdout on
/dev/null and must exit 0.  Three rounds of warm-up are not counted.  The
ratio is to the LAST command (put the reference there).  The CPU column is
the median of user + system time of each run's whole process tree (what
it reaped): on a machine whose CPUs are busy, extra CPU is extra time, and
only on an idle one can parallel work hide it.  Wrap it in setpriv
or dbus-run-session like any command; see docs/performance.md.
"""
import os
import shlex
import statistics
import sys
import time


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    runs = int(sys.argv[1])
    cmds = [shlex.split(c) for c in sys.argv[2:]]
    devnull = os.open(os.devnull, os.O_WRONLY)
    actions = [(os.POSIX_SPAWN_DUP2, devnull, 1)]

    def run(argv):
        start = time.perf_counter()
        pid = os.posix_spawnp(argv[0], argv, os.environ, file_actions=actions)
        _, status, usage = os.wait4(pid, 0)
        elapsed = time.perf_counter() - start
        if status != 0:
            sys.exit(f"interleave.py: {' '.join(argv)} failed (wait status {status})")
        return elapsed, usage.ru_utime + usage.ru_stime

    for _ in range(3):
        for argv in cmds:
            run(argv)
    times = [[] for _ in cmds]
    cpu = [[] for _ in cmds]
    for _ in range(runs):
        for k, argv in enumerate(cmds):
            elapsed, used = run(argv)
            times[k].append(elapsed)
            cpu[k].append(used)
    ref = statistics.median(times[-1])
    for k, argv in enumerate(cmds):
        m = statistics.median(times[k])
        c = statistics.median(cpu[k])
        print(f"{m * 1000:8.2f} ms  x{m / ref:5.2f}  cpu {c * 1000:6.2f} ms  {' '.join(argv)}")
    with open("/proc/loadavg") as f:
        print("load average:", " ".join(f.read().split()[:3]))


if __name__ == "__main__":
    main()
