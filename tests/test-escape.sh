#!/bin/bash
# The escape battery (issue 8): tests/escape/escape tries each escape from
# inside `sbx --profile default` (seccomp and Landlock on), as the
# unprivileged user sbxtest, and every attempt must fail.  Each attempt is
# one TAP line.
#
# The same probe runs in the reference columns, which are the proof that it
# can see an escape: outside any sandbox as sbxtest (and as root for the two
# calls only root gets past: kexec_load and init_module, with arguments the
# kernel rejects right after its privilege check), in sbx with its
# protections off one by one (--syscall-filter none, --landlock off, both),
# and in the system's bubblewrap with an equivalent command line (BWRAP_ARGV
# below; informational: bubblewrap has no system call filter by default).  An
# attempt that works in none of them cannot be provoked on this machine: it
# is skipped with the reason, never passed.
#
# Host-side targets, set up here as root: a host process of sbxtest's
# (escape host: a secret in memory and environment, ptrace allowed, abstract
# sockets @/tmp/.X11-unix/X<n> and @/tmp/dbus-<x>, a loopback TCP port), a
# real dbus-daemon --session whose socket the profile hides, ~/.ssh/id_rsa
# (also leaked to sbx on fd 7), a read-only and a writable bind of dirs
# sbxtest owns, a setuid-root copy of suid-probe, a delegated cgroup whose
# parent's cgroup.procs sbxtest may write, and sbx itself copied into a dir
# sbxtest owns (so /proc/1/exe is writable by the app's uid: CVE-2019-5736).
# Every column runs under script(1), so there is a controlling terminal.
#
#   tests/test-escape.sh [--table FILE]
#     --table FILE: also write the results as the markdown table of
#     docs/security.md (tests/escape/update-doc.sh puts it there).
# Needs root (the setuid binary, the cgroup, the second user).
source "$(dirname "$0")/lib.sh"

: "${SBX_ESCAPE:?set SBX_ESCAPE to the tests/escape/escape probe}"
: "${SBX_SUID_PROBE:?set SBX_SUID_PROBE to tests/escape/suid-probe}"
TABLE_OUT=
[[ ${1:-} == --table ]] && TABLE_OUT=${2:?--table needs a file}
BWRAP=${SBX_ESCAPE_BWRAP:-/usr/bin/bwrap}
BWRAP12=${SBX_ESCAPE_BWRAP12:-/usr/local/bin/bwrap12}
PASS_LABEL=${TEST_USER}

# What each attempt tries, and what stops it in sbx's default profile.
declare -A WHAT STOP
add() { WHAT[$1]=$2; STOP[$1]=$3; ORDER+=("$1"); }
ORDER=()
add tiocsti "ioctl TIOCSTI: type into the controlling terminal" "seccomp @tty (ioctl TIOCSTI)"
add tioclinux "ioctl TIOCLINUX on the controlling terminal" "seccomp @tty (ioctl TIOCLINUX)"
add ptrace-host "ptrace (PTRACE_SEIZE) a host process of the same uid" "pid namespace; seccomp @debug"
add process-vm-readv "process_vm_readv a host process's memory" "pid namespace; seccomp @debug"
add proc-host-environ "read /proc/HOSTPID/environ" "pid namespace (sandbox's own /proc)"
add proc-host-mem "read /proc/HOSTPID/mem" "pid namespace (sandbox's own /proc)"
add proc-host-root "read ~/.ssh through /proc/HOSTPID/root" "pid namespace (sandbox's own /proc)"
add proc-1-environ "read /proc/1/environ (sbx's pid 1: the caller's environment, with a variable the app was told to unset)" "pid 1 not dumpable"
add signal-host "kill(SIGUSR1) a host process of the same uid" "pid namespace; Landlock signal scope"
add proc-1-exe-write "open /proc/1/exe (sbx, owned by the user) for writing, or keep an O_PATH handle on it to reopen once sbx stops running (CVE-2019-5736)" "pid 1 not dumpable (writing: ETXTBSY while it runs)"
add proc-1-mem-write "open /proc/1/mem (sbx's pid 1) for writing" "pid 1 not dumpable"
add x11-abstract "connect to the host's abstract X11 socket @/tmp/.X11-unix/X<n>" "network namespace; Landlock abstract-socket scope"
add dbus-abstract "connect to a host abstract D-Bus socket @/tmp/dbus-<x>" "network namespace; Landlock abstract-socket scope"
add dbus-session "connect and authenticate to the real session bus (its socket path), bypassing the proxy" "mount layout (the socket is not in the sandbox)"
add tcp-loopback "connect to a host TCP listener on 127.0.0.1 (network none)" "network namespace"
add ssh-direct "read the hidden ~/.ssh/id_rsa" "mount layout (private home, hide)"
add ssh-proc-root "read it through /proc/self/root and /proc/1/root" "mount layout"
add ssh-hardlink "hard-link it to a readable place" "mount layout"
add ssh-leaked-fd "read it from an fd the caller leaked (fd 7)" "sbx closes the caller's fds (profile sandboxes)"
add ro-write "create a file in a read-only bind of a dir the user owns" "read-only mount; Landlock"
add ro-remount "remount that bind read-write (mount, mount_setattr, in a user namespace of its own)" "no capabilities; seccomp @mount, @namespaces; locked mount flags"
add mount "mount anything (mount, fsopen, in namespaces of its own)" "no capabilities; seccomp @mount, @namespaces"
add userns "create a nested user namespace (unshare, clone, clone3)" "seccomp @namespaces"
add chroot "chroot, then walk out of it" "no capabilities; seccomp @mount, @namespaces"
add pivot-root "pivot_root (in namespaces of its own if need be)" "no capabilities; seccomp @mount, @namespaces"
add keyctl "add a key to the uid's user keyring (shared with the host)" "seccomp @keyring"
add bpf "bpf(): load a socket filter or create a map" "seccomp @bpf (and kernel.unprivileged_bpf_disabled)"
add perf-event-open "perf_event_open on itself" "seccomp @debug"
add userfaultfd "userfaultfd (user-mode only), /dev/userfaultfd" "seccomp @userfaultfd; minimal /dev"
add io-uring "io_uring_setup" "seccomp @io-uring"
add kexec-load "kexec_load, kexec_file_load past the privilege check" "seccomp @reboot; no CAP_SYS_BOOT"
add init-module "init_module, finit_module past the privilege check" "seccomp @module; no CAP_SYS_MODULE"
add setuid-binary "run a setuid-root binary visible inside" "no_new_privs; nosuid mounts"
add cgroup-procs "write itself into the parent cgroup's cgroup.procs (delegated to the user)" "mount layout (no cgroupfs); cgroup namespace"
add dev-nodes "open a device not granted (/dev/kmsg, /dev/vda, ...), or mknod one" "minimal /dev; no capabilities; nodev"
add bind-symlink "a bind destination replaced by a symlink to a host dir before setup (setup must not write there)" "setup refuses a mount point reached through a symlink in a directory the app may write"
add fork-bomb "a fork bomb under a pids limit" "--pids-max (pids.max of the sandbox's cgroup): tests/test-limits.sh, in a qemu guest"

# The columns: where the battery runs.
COLUMNS=(outside sbx sbx-noseccomp sbx-nolandlock sbx-open sbx-caps bwrap bwrap12)
declare -A COLTITLE=(
  [outside]="outside (sbxtest)" [sbx]="sbx --profile default" [sbx-noseccomp]="sbx, --syscall-filter none"
  [sbx-nolandlock]="sbx, --landlock off" [sbx-open]="sbx, both off" [sbx-caps]="sbx, both off, --cap-add ALL"
  [bwrap]="bwrap $("$BWRAP" --version 2>/dev/null | awk '{print $2}') (user-owned copy)"
  [bwrap12]="bwrap $("$BWRAP12" --version 2>/dev/null | awk '{print $2}')"
)
declare -A R   # R[column,attempt]="verdict detail"

# ----------------------------------------------------------------- set-up

make_stage() {
  local uid=$1 gid=$2
  mkdir -p "$T"/{bin,ubin,home/.ssh,ro,rw,run,hs,profiles,share,victim,src}
  install -m 755 "$SBX_ESCAPE" "$T/bin/escape"
  install -m 4755 -o root -g root "$SBX_SUID_PROBE" "$T/bin/suid-probe"
  install -m 755 -o "$uid" -g "$gid" "$SBX" "$T/ubin/sbx"
  # bubblewrap the same way: the reference for /proc/1/exe (a user-owned pid 1).
  [[ -x $BWRAP ]] && install -m 755 -o "$uid" -g "$gid" "$BWRAP" "$T/ubin/bwrap"
  cp "$SBX_PROFILES_DIR"/*.profile "$SBX_PROFILES_DIR"/*.inc "$T/profiles/"
  KEY_SECRET="sbx-escape-key-$RANDOM$RANDOM"
  echo "$KEY_SECRET" >"$T/home/.ssh/id_rsa"
  chmod 600 "$T/home/.ssh/id_rsa"
  echo marker >"$T/host-marker"
  echo src >"$T/src/file"
  chmod -R a+rX "$T/bin" "$T/profiles" "$T/src"
  chown -R "$uid:$gid" "$T"/{ubin,home,ro,rw,run,hs,share,victim}
  chmod 700 "$T/home" "$T/home/.ssh" "$T/run"
}

# A cgroup of our own below the (v2) root, with a leaf delegated to sbxtest:
# the leaf's cgroup.procs (to move in) and the parent's (the escape: moving
# back up is what the kernel asks write access to the common ancestor for).
make_cgroup() {
  local root
  for root in /sys/fs/cgroup/unified /sys/fs/cgroup; do
    [[ $(stat -f -c %T "$root" 2>/dev/null) == cgroup2fs ]] && break
    root=
  done
  [[ -n $root ]] || return 0
  CG_PARENT=$root/sbx-escape-$$
  mkdir "$CG_PARENT" "$CG_PARENT/leaf" 2>/dev/null || { CG_PARENT=; return 0; }
  chown "$1" "$CG_PARENT/cgroup.procs" "$CG_PARENT/leaf" "$CG_PARENT/leaf/cgroup.procs"
}

remove_cgroup() {
  [[ -n ${CG_PARENT:-} ]] || return 0
  local pid
  for pid in $(cat "$CG_PARENT/leaf/cgroup.procs" "$CG_PARENT/cgroup.procs" 2>/dev/null); do
    kill -KILL "$pid" 2>/dev/null
  done
  wait_for rmdir "$CG_PARENT/leaf" 2>/dev/null
  rmdir "$CG_PARENT" 2>/dev/null
}

# start_targets: the host process and the real session bus, as sbxtest.
start_targets() {
  local n=$((500 + RANDOM % 400))
  X11_NAME=/tmp/.X11-unix/X$n
  DBUS_ABS_NAME=/tmp/dbus-sbxescape$RANDOM
  ESC_SECRET="sbx-escape-secret-$RANDOM$RANDOM"
  as_user env ESC_SECRET="$ESC_SECRET" "$T/bin/escape" host "$T/hs/state" "$X11_NAME" "$DBUS_ABS_NAME" \
    >"$T/hs/log" 2>&1 &
  remember_pid $!
  disown
  wait_for test -s "$T/hs/state" || { cat "$T/hs/log"; return 1; }
  read -r HOST_PID HOST_ADDR HOST_PORT <"$T/hs/state"
  remember_pid "$HOST_PID"
  DBUS_PATH=$T/run/bus
  as_user dbus-daemon --session --nofork --nopidfile --address="unix:path=$DBUS_PATH" >"$T/hs/dbus.log" 2>&1 &
  remember_pid $!
  disown
  wait_for test -S "$DBUS_PATH" || { cat "$T/hs/dbus.log"; return 1; }
}

# as_user CMD...: run CMD as sbxtest with a clean environment (the ESC_*
# targets included), in the delegated cgroup's leaf.
as_user() {
  local envs=(PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$T/home" USER="$TEST_USER" LOGNAME="$TEST_USER"
              TERM=xterm LANG=C.UTF-8 XDG_RUNTIME_DIR="$T/run" SBX_PROFILE_PATH="$T/profiles"
              SBXESC_CALLER=1 ESC_CALLER_VAR=SBXESC_CALLER
              ESC_PID="${HOST_PID:-}" ESC_ADDR="${HOST_ADDR:-}" ESC_SECRET="${ESC_SECRET:-}"
              ESC_X11="${X11_NAME:-}" ESC_DBUS_ABS="${DBUS_ABS_NAME:-}" ESC_DBUS_PATH="${DBUS_PATH:-}"
              ESC_PORT="${HOST_PORT:-}" ESC_KEY="$T/home/.ssh/id_rsa" ESC_KEY_SECRET="$KEY_SECRET" ESC_FD=7
              ESC_RO="$T/ro" ESC_RW="$T/rw" ESC_SUID="$T/bin/suid-probe" ESC_MARKER="$T/host-marker"
              ESC_CGROUP="${CG_PARENT:-}")
  [[ -n ${DBUS_PATH:-} ]] && envs+=(DBUS_SESSION_BUS_ADDRESS="unix:path=$DBUS_PATH")
  # A sanitizer build's settings (tests/meson.build: LeakSanitizer off).
  [[ -n ${ASAN_OPTIONS:-} ]] && envs+=(ASAN_OPTIONS="$ASAN_OPTIONS")
  [[ -n ${UBSAN_OPTIONS:-} ]] && envs+=(UBSAN_OPTIONS="$UBSAN_OPTIONS")
  local cg=${CG_PARENT:+$CG_PARENT/leaf/cgroup.procs}
  bash -c '[[ -z $1 ]] || echo $$ >"$1" || exit 1; shift; exec "$@"' _ "$cg" \
    setpriv --reuid="$TEST_USER" --regid="$TEST_USER" --clear-groups -- env -i "${envs[@]}" "$@"
}

# The equivalent bubblewrap command line: the read-only system, the same
# probe and binds, a private /tmp and home, every namespace, and
# --new-session as Flatpak passes it (the terminal attack's defence there).
bwrap_argv() {
  BWRAP_ARGV=(--ro-bind /usr /usr --ro-bind /etc /etc --symlink usr/bin /bin --symlink usr/sbin /sbin
              --symlink usr/lib /lib)
  [[ -e /lib64 ]] && BWRAP_ARGV+=(--symlink usr/lib64 /lib64)
  BWRAP_ARGV+=(--proc /proc --dev /dev --tmpfs /tmp --tmpfs "$T/home" --ro-bind "$T/bin" "$T/bin"
               --ro-bind "$T/ro" "$T/ro" --bind "$T/rw" "$T/rw" --unsetenv SBXESC_CALLER
               --unshare-all --die-with-parent --new-session)
}

SBX_ARGV=()
sbx_argv() { SBX_ARGV=(--profile default --ro "$T/bin" --ro "$T/ro" --rw "$T/rw" --unsetenv SBXESC_CALLER "$@"); }

# column_cmd COLUMN: the command that runs the probe there.
column_cmd() {
  case $1 in
    outside) CMD=("$T/bin/escape") ;;
    sbx) sbx_argv; CMD=("$T/ubin/sbx" "${SBX_ARGV[@]}" -- "$T/bin/escape") ;;
    sbx-noseccomp) sbx_argv --syscall-filter none; CMD=("$T/ubin/sbx" "${SBX_ARGV[@]}" -- "$T/bin/escape") ;;
    sbx-nolandlock) sbx_argv --landlock off; CMD=("$T/ubin/sbx" "${SBX_ARGV[@]}" -- "$T/bin/escape") ;;
    sbx-open) sbx_argv --syscall-filter none --landlock off; CMD=("$T/ubin/sbx" "${SBX_ARGV[@]}" -- "$T/bin/escape") ;;
    sbx-caps) sbx_argv --syscall-filter none --landlock off --cap-add ALL; CMD=("$T/ubin/sbx" "${SBX_ARGV[@]}" -- "$T/bin/escape") ;;
    bwrap) bwrap_argv; CMD=("$T/ubin/bwrap" "${BWRAP_ARGV[@]}" -- "$T/bin/escape") ;;
    bwrap12) bwrap_argv; CMD=("$BWRAP12" "${BWRAP_ARGV[@]}" -- "$T/bin/escape") ;;
  esac
}

# run_column COLUMN: the whole battery there, under script(1) for a
# controlling terminal, with the key leaked on fd 7; fills R.
run_column() {
  local col=$1 line name verdict detail cmdline
  column_cmd "$col"
  if [[ ! -x ${CMD[0]} ]]; then
    for name in "${ORDER[@]}"; do R[$col,$name]="n/a ${CMD[0]} is not installed"; done
    return 0
  fi
  printf -v cmdline '%q ' "${CMD[@]}" all
  as_user script -qec "$cmdline" /dev/null 7<"$T/home/.ssh/id_rsa" </dev/null >"$T/out.$col" 2>&1
  while IFS= read -r line; do
    line=${line%$'\r'}
    read -r name verdict detail <<<"$line"
    [[ -n ${WHAT[$name]:-} && $verdict =~ ^(escaped|blocked|n/a)$ ]] || continue
    R[$col,$name]="$verdict $detail"
  done <"$T/out.$col"
  for name in "${ORDER[@]}"; do
    [[ -n ${R[$col,$name]:-} ]] || R[$col,$name]="n/a no answer"
  done
}

# The two calls only root's capabilities get past, tried by root outside
# with arguments the kernel refuses after the check: the probe's control.
run_root_control() {
  local line name verdict detail
  while IFS= read -r line; do
    read -r name verdict detail <<<"$line"
    R[outside-root,$name]="$verdict $detail"
  done < <("$T/bin/escape" kexec-load init-module)
}

# bind-symlink in one column: $T/share is bound writable, and the profile
# (or command line) binds $T/src on $T/share/sub/newdir, where the app (in
# an earlier run, say) made $T/share/sub a symlink to the host dir
# $T/victim.  Creating the mount point by following the link would write
# $T/victim/newdir on the host.
run_bind_symlink() {
  local col=$1 before after rc
  rm -rf "$T/share/sub" "$T/victim"/*
  ln -s "$T/victim" "$T/share/sub"
  chown -h "$(id -u "$TEST_USER")" "$T/share/sub"
  before=$(ls -A "$T/victim")
  case $col in
    outside)
      # What a naive setup does: mkdir -p through the link.
      as_user mkdir -p "$T/share/sub/newdir" >"$T/bs.$col" 2>&1; rc=$? ;;
    sbx*|bwrap*)
      column_cmd "$col"
      if [[ ! -x ${CMD[0]} ]]; then R[$col,bind-symlink]="n/a ${CMD[0]} is not installed"; return 0; fi
      local extra=(--bind "$T/share" "$T/share" --ro-bind "$T/src" "$T/share/sub/newdir")
      # insert before the "--" that ends the options
      local n=$((${#CMD[@]} - 2))
      as_user "${CMD[@]:0:n}" "${extra[@]}" -- true >"$T/bs.$col" 2>&1; rc=$? ;;
  esac
  after=$(ls -A "$T/victim")
  if [[ $before != "$after" ]]; then
    R[$col,bind-symlink]="escaped setup wrote $T/victim/$after on the host (exit $rc)"
  else
    R[$col,bind-symlink]="blocked nothing written on the host (exit $rc: $(head -c 240 "$T/bs.$col" | tr '\n' ' '))"
  fi
  rm -rf "$T/share/sub" "$T/victim"/*
}

# ------------------------------------------------------------------ checks

verdict() { local v=${R[$1,$2]:-}; echo "${v%% *}"; }
detail() { local v=${R[$1,$2]:-}; [[ $v == *" "* ]] && echo "${v#* }"; }

# t_attempt NAME: blocked in sbx --profile default; and a reference column
# shows the probe can see the escape (else a skip with the reason).
t_attempt() {
  local name=$1 col controls=()
  for col in "${COLUMNS[@]}" outside-root; do
    [[ -n ${R[$col,$name]:-} ]] && echo "$col: ${R[$col,$name]}"
  done
  [[ $(verdict sbx "$name") == blocked ]] || fail "sbx --profile default: ${R[sbx,$name]:-no answer}"
  for col in outside outside-root sbx-noseccomp sbx-nolandlock sbx-open sbx-caps bwrap bwrap12; do
    [[ $(verdict "$col" "$name") == escaped ]] && controls+=("$col")
  done
  [[ ${#controls[@]} -gt 0 ]] ||
    skip_check "cannot be provoked even unprotected here (outside: $(detail outside "$name"))"
  echo "escapes in: ${controls[*]}"
}

t_fork_bomb() { skip_check "run by tests/test-limits.sh in a qemu guest (no pids controller in this host's cgroup2)"; }

# The abstract sockets once more with the host's network (a profile that
# shares it, e.g. a browser's): only Landlock's scope stands in the way.
t_abstract_host_net() {
  local out cmdline
  sbx_argv --network host
  printf -v cmdline '%q ' "$T/ubin/sbx" "${SBX_ARGV[@]}" -- "$T/bin/escape" x11-abstract dbus-abstract tcp-loopback
  out=$(as_user bash -c "$cmdline" 2>&1) || true
  echo "$out"
  expect_match "$out" "x11-abstract blocked" "@X11 with the host's network"
  expect_match "$out" "dbus-abstract blocked" "@dbus with the host's network"
  # The control: the TCP listener is reachable there (network host), so
  # the sandbox did share the network namespace.
  expect_match "$out" "tcp-loopback escaped" "tcp with the host's network (control)"
  sbx_argv --network host --landlock-scope off
  printf -v cmdline '%q ' "$T/ubin/sbx" "${SBX_ARGV[@]}" -- "$T/bin/escape" x11-abstract
  out=$(as_user bash -c "$cmdline" 2>&1) || true
  echo "control, landlock-scope off: $out"
  expect_match "$out" "x11-abstract escaped" "@X11 with the host's network and no scope (control)"
}

# pid 1 stops being dumpable only after the monitor has read its namespaces
# for --info-fd and --json-status-fd (it reads /proc/PID/ns/ as another
# process of the uid, which the flag forbids): both still report them.
t_info_fd_with_undumpable_pid1() {
  local cmdline out
  sbx_argv --info-fd 3 --json-status-fd 4
  printf -v cmdline '%q ' "$T/ubin/sbx" "${SBX_ARGV[@]}" -- "$T/bin/escape" proc-1-environ
  out=$(as_user bash -c "$cmdline 3>$T/rw/info.json 4>$T/rw/status.json" 2>&1) || true
  echo "$out"; cat "$T/rw/info.json" "$T/rw/status.json"
  expect_match "$out" "proc-1-environ blocked" "/proc/1/environ"
  expect_match "$(<"$T/rw/info.json")" '"mnt-namespace": [0-9]+' "--info-fd"
  expect_match "$(<"$T/rw/status.json")" '"pid-namespace": [0-9]+.*'$'\n''\{ "exit-code": 0 \}' "--json-status-fd"
}

t_explain_pid1() {
  local out
  out=$(SBX_PROFILE_PATH=$SBX_PROFILES_DIR "$SBX" --explain --json --profile default true) || fail "--explain failed"
  expect_contains "$out" '"pid1_dumpable": false' "--explain --json of a profile"
  out=$("$SBX" --explain --ro-bind / / true) || fail "--explain failed"
  expect_contains "$out" "pid 1 (sbx): dumpable, as under bubblewrap" "--explain of a bubblewrap-style command line"
}

# ------------------------------------------------------------------- table

TABLE_COLUMNS=(sbx bwrap bwrap12 outside sbx-noseccomp sbx-nolandlock sbx-open sbx-caps)

# cell COLUMN NAME: the verdict as the table shows it.
cell() {
  local v
  v=$(verdict "$1" "$2")
  [[ $2 == fork-bomb ]] && v="not run"
  [[ $1 == outside && $v != escaped && $(verdict outside-root "$2") == escaped ]] && v="$v (root: escaped)"
  [[ $v == escaped ]] && v="**escaped**"
  echo "${v:-not run}"
}

# test_result NAME: what the attempt's TAP line says, in a word.
test_result() {
  local col
  [[ $1 == fork-bomb ]] && { echo skip; return; }
  [[ $(verdict sbx "$1") == blocked ]] || { echo "**FAIL**"; return; }
  for col in outside outside-root sbx-noseccomp sbx-nolandlock sbx-open sbx-caps bwrap bwrap12; do
    [[ $(verdict "$col" "$1") == escaped ]] && { echo ok; return; }
  done
  echo "skip (cannot be provoked here)"
}

write_table() {
  local f=$1 name col head="| attempt | test | what it tries |" rule="|---|---|---|" cells
  for col in "${TABLE_COLUMNS[@]}"; do head+=" ${COLTITLE[$col]} |"; rule+="---|"; done
  {
    echo "$head what stops it in sbx |"
    echo "$rule---|"
    for name in "${ORDER[@]}"; do
      cells=
      for col in "${TABLE_COLUMNS[@]}"; do cells+=" $(cell "$col" "$name") |"; done
      echo "| $name | $(test_result "$name") | ${WHAT[$name]//|/\\|} |$cells ${STOP[$name]} |"
    done
    echo
    echo "What each attempt saw in \`sbx --profile default\`, and in bubblewrap ${COLTITLE[bwrap]#bwrap }:"
    echo
    echo "| attempt | sbx --profile default | ${COLTITLE[bwrap]} |"
    echo "|---|---|---|"
    for name in "${ORDER[@]}"; do
      [[ $name == fork-bomb ]] && continue
      echo "| $name | $(detail sbx "$name" | sed 's/|/\\|/g') | $(detail bwrap "$name" | sed 's/|/\\|/g') |"
    done
  } | sed -e "s|$T|\$T|g" -e "s|$X11_NAME|/tmp/.X11-unix/X<n>|g" -e "s|$DBUS_ABS_NAME|/tmp/dbus-<x>|g" \
          -e "s|/proc/$HOST_PID/|/proc/HOSTPID/|g" -e "s| $HOST_PID:| HOSTPID:|g" -e "s|:$HOST_PORT:|:PORT:|g" >"$f"
}

# --------------------------------------------------------------------- main

if ! is_root; then
  echo "1..0 # SKIP the escape battery needs root (a setuid binary, a cgroup, the user $TEST_USER)"
  exit 0
fi
ensure_test_user || { echo "not ok 1 - could not create the unprivileged user $TEST_USER"; echo "1..1"; exit 0; }
: "${SBX_PROFILES_DIR:=${SBX_SRCDIR:-$TESTS_DIR/..}/profiles}"
setup_tmp
trap 'cleanup_tmp; remove_cgroup' EXIT
uid=$(id -u "$TEST_USER")
gid=$(id -g "$TEST_USER")
make_stage "$uid" "$gid"
make_cgroup "$uid"
if ! start_targets; then
  echo "not ok 1 - the host-side targets started"; echo "1..1"; exit 0
fi
diag "host target pid $HOST_PID, @$X11_NAME, @$DBUS_ABS_NAME, tcp 127.0.0.1:$HOST_PORT, bus $DBUS_PATH," \
     "cgroup ${CG_PARENT:-none}"
for col in "${COLUMNS[@]}"; do
  run_column "$col"
  run_bind_symlink "$col"
done
run_root_control
bwrap_argv
diag "bwrap argv: $(printf '%q ' "${BWRAP_ARGV[@]}")-- ESCAPE all"
sbx_argv
diag "sbx argv: $(printf '%q ' "${SBX_ARGV[@]}")-- ESCAPE all"

for name in "${ORDER[@]}"; do
  if [[ $name == fork-bomb ]]; then
    check "$name: ${WHAT[$name]}" t_fork_bomb
  else
    check "$name: ${WHAT[$name]} -- fails in sbx --profile default" t_attempt "$name"
  fi
done
check "x11-abstract, dbus-abstract with the host's network: Landlock's scope refuses them" t_abstract_host_net
check "--info-fd, --json-status-fd report the namespaces of a profile sandbox whose pid 1 is not dumpable" \
  t_info_fd_with_undumpable_pid1
check "--explain says whether pid 1 is dumpable" t_explain_pid1
[[ -n $TABLE_OUT ]] && write_table "$TABLE_OUT"
echo "1..$T_NUM"
