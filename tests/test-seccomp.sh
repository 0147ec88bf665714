#!/bin/bash
# sbx's own system call filter: the default policy of profile sandboxes,
# the syscall-* directives, and --seccomp-default for a bubblewrap-style
# command line.  tests/sysprobe tries each refused call and prints
# "NAME ok" or "NAME ERRNO"; every attempt is reported by name.  The same
# probe outside the sandbox (and in a bubblewrap-style sandbox without the
# option) is the control: there the calls this machine allows work, so the
# checks inside can fail.  Run as root and as the unprivileged user.
source "$(dirname "$0")/lib.sh"

: "${SBX_SYSPROBE:?set SBX_SYSPROBE to the tests/sysprobe helper}"

# What the default policy answers.  The rest of the table is EPERM (or the
# profile's syscall-errno).
declare -A WANT=(
  [unshare-user]=EPERM [clone-newuser]=EPERM [clone-newns]=EPERM [clone3]=ENOSYS
  [keyctl]=EPERM [add_key]=EPERM [perf_event_open]=EPERM [userfaultfd]=EPERM
  [io_uring_setup]=EPERM [bpf]=EPERM [mount]=EPERM [pivot_root]=EPERM [chroot]=EPERM
  [ptrace]=EPERM [personality-bsd]=EPERM [socket-packet]=EAFNOSUPPORT
  [socket-packet-high]=EAFNOSUPPORT [socket-bluetooth]=EAFNOSUPPORT [tiocsti]=EPERM
)
# What must keep working.
ALLOWED=(clone-plain personality-query personality-linux socket-unix socket-inet)
# Refused by sbx's filter, not by the kernel: with syscall-errno these
# fail with the chosen errno instead.
BY_ERRNO=(unshare-user clone-newuser clone-newns keyctl add_key perf_event_open userfaultfd
          io_uring_setup bpf mount pivot_root chroot ptrace personality-bsd tiocsti)

probe_dir() { dirname "$SBX_SYSPROBE"; }

setup_profiles() {
  export HOME=$T/home SBX_PROFILE_PATH=$T/profiles
  unset XDG_CONFIG_HOME XDG_DATA_HOME XDG_CACHE_HOME XDG_STATE_HOME DISPLAY WAYLAND_DISPLAY \
        DBUS_SESSION_BUS_ADDRESS PULSE_SERVER SSH_AUTH_SOCK XAUTHORITY XDG_RUNTIME_DIR
  mkdir -p "$HOME" "$T/profiles"
  [[ -e $T/profiles/default.profile ]] || cp "$SBX_PROFILES_DIR"/* "$T/profiles/"
}

# in_profile PROFILE [SBX-OPTIONS...] -- ATTEMPTS...: the probe in a
# profile sandbox; its lines on stdout.
in_profile() {
  local profile=$1; shift
  local opts=()
  while [[ $1 != -- ]]; do opts+=("$1"); shift; done
  shift
  setup_profiles
  sbx --profile "$profile" --ro "$(probe_dir)" "${opts[@]}" -- "$SBX_SYSPROBE" "$@"
}

# answer OUTPUT NAME: what the probe said for NAME.
answer() { sed -n "s/^$2 //p" <<<"$1"; }

t_default_refuses() { # NAME
  local out
  out=$(in_profile default -- "$1")
  expect_eq "$(answer "$out" "$1")" "${WANT[$1]}" "$1 inside sbx --profile default"
}

t_control_outside() {
  local out name worked=0
  out=$("$SBX_SYSPROBE" unshare-user clone3 ptrace personality-bsd)
  diag "outside: $(tr '\n' ' ' <<<"$out")"
  for name in unshare-user clone3 ptrace personality-bsd; do
    [[ $(answer "$out" $name) == ok ]] && worked=$((worked + 1))
  done
  # Unprivileged user namespaces are enabled here (the sandbox itself
  # needs them): at least unshare works outside, so the checks can fail.
  expect_eq "$(answer "$out" unshare-user)" ok "unshare(CLONE_NEWUSER) outside the sandbox"
  expect_eq "$worked" 4 "attempts that work outside the sandbox"
}

t_filter_not_kernel() {
  local out name
  out=$(in_profile default --syscall-errno EDOM -- "${BY_ERRNO[@]}" clone3 socket-packet)
  for name in "${BY_ERRNO[@]}"; do
    expect_eq "$(answer "$out" $name)" EDOM "$name with syscall-errno EDOM"
  done
  expect_eq "$(answer "$out" clone3)" ENOSYS "clone3 keeps ENOSYS"
  expect_eq "$(answer "$out" socket-packet)" EAFNOSUPPORT "socket families keep EAFNOSUPPORT"
}

t_normal_calls_work() {
  local out name
  out=$(in_profile default -- "${ALLOWED[@]}")
  for name in "${ALLOWED[@]}"; do
    expect_eq "$(answer "$out" $name)" ok "$name inside"
  done
  setup_profiles
  expect_eq "$(sbx --profile default -- sh -c 'echo $((6 * 7))')" 42 "sh -c"
  expect_eq "$(sbx --profile default -- python3 -c 'import os, subprocess; print(subprocess.run(["true"]).returncode, os.cpu_count() > 0)')" \
    "0 True" "python3 with a subprocess"
}

t_allowlist() {
  # sysfs(2) works under the default rules (the control) and is left out
  # of the allowlist: ENOSYS there; what the rules refuse keeps their
  # errno, what they allow works.
  local out
  out=$(in_profile default -- sysfs)
  expect_eq "$(answer "$out" sysfs)" ok "control: sysfs under the default rules"
  out=$(in_profile default --syscall-filter allowlist -- sysfs keyctl clone3 socket-packet "${ALLOWED[@]}")
  expect_eq "$(answer "$out" sysfs)" ENOSYS "sysfs, not on the allowlist"
  expect_eq "$(answer "$out" keyctl)" EPERM "keyctl: the rules' errno"
  expect_eq "$(answer "$out" clone3)" ENOSYS "clone3"
  expect_eq "$(answer "$out" socket-packet)" EAFNOSUPPORT "a refused socket family"
  local name
  for name in "${ALLOWED[@]}"; do
    expect_eq "$(answer "$out" $name)" ok "$name with the allowlist"
  done
  out=$(in_profile default --syscall-filter allowlist --syscall-allow sysfs --allow-debugging yes -- sysfs ptrace)
  expect_eq "$(answer "$out" sysfs)" ok "syscall-allow sysfs joins the allowlist"
  expect_eq "$(answer "$out" ptrace)" ok "allow-debugging yes: ptrace is not held back by the allowlist"
  setup_profiles
  expect_eq "$(sbx --profile default --syscall-filter allowlist -- python3 -c \
    'import os, ssl, sqlite3, subprocess, threading; print(subprocess.run(["sh", "-c", "ls /usr >/dev/null"]).returncode)')" \
    0 "python3, its modules and a subprocess with the allowlist"
  out=$(sbx "${RO_ROOT[@]}" --syscall-filter allowlist -- "$SBX_SYSPROBE" sysfs keyctl)
  expect_eq "$(answer "$out" sysfs) $(answer "$out" keyctl)" "ENOSYS EPERM" "bubblewrap-style: --syscall-filter allowlist"
}

t_allowlist_firefox() {
  # A real, demanding app under the allowlist: Firefox (its own sandbox,
  # threads, the GPU process's fallbacks) renders a page to a screenshot,
  # and the screenshot shows the page.
  command -v firefox-esr >/dev/null || skip_check "firefox-esr not installed"
  command -v convert >/dev/null || skip_check "ImageMagick not installed"
  setup_profiles
  export XDG_RUNTIME_DIR=$T/ffrun
  mkdir -p -m 700 "$XDG_RUNTIME_DIR" "$HOME/Downloads"
  printf '<html><body style="background:#00ff00">allowlist</body></html>\n' >"$T/page.html"
  chmod 644 "$T/page.html"
  run_sbx --profile firefox --syscall-filter allowlist --dbus-session none --ro "$T/page.html" -- \
    firefox-esr --headless --screenshot "$HOME/Downloads/shot.png" "file://$T/page.html"
  [[ -s $HOME/Downloads/shot.png ]] || fail "no screenshot (exit $RC): $ERR"
  expect_eq "$(convert "$HOME/Downloads/shot.png" -format '%[pixel:p{100,100}]' info:)" "srgba(0,255,0,1)" \
    "the page's colour in the screenshot"
}

t_allow_debug_group() {
  local out
  out=$(in_profile default --syscall-allow @debug -- ptrace perf_event_open keyctl)
  expect_eq "$(answer "$out" ptrace)" ok "ptrace with syscall-allow @debug"
  expect_eq "$(answer "$out" perf_event_open)" ok "perf_event_open with syscall-allow @debug"
  expect_eq "$(answer "$out" keyctl)" EPERM "keyctl stays refused"
}

t_allow_debugging() {
  local out
  setup_profiles
  printf 'include default.profile\nallow-debugging yes\n' >"$T/profiles/dbg.profile"
  out=$(in_profile dbg -- ptrace unshare-user)
  expect_eq "$(answer "$out" ptrace)" ok "ptrace with allow-debugging yes"
  expect_eq "$(answer "$out" unshare-user)" EPERM "unshare stays refused"
  # A name beats its group: the profile's own syscall-deny ptrace stands.
  out=$(in_profile dbg --syscall-deny ptrace -- ptrace)
  expect_eq "$(answer "$out" ptrace)" EPERM "ptrace with allow-debugging yes and syscall-deny ptrace"
}

t_deny_named_call() {
  local out
  setup_profiles
  printf 'include default.profile\nsyscall-deny socket\nsyscall-errno EACCES\n' >"$T/profiles/nosock.profile"
  out=$(in_profile nosock -- socket-unix socket-inet unshare-user)
  expect_eq "$(answer "$out" socket-unix)" EACCES "socket(AF_UNIX) with syscall-deny socket"
  expect_eq "$(answer "$out" socket-inet)" EACCES "socket(AF_INET) with syscall-deny socket"
  expect_eq "$(answer "$out" unshare-user)" EACCES "the default rules use syscall-errno too"
}

t_allow_call_and_filter_none() {
  local out
  out=$(in_profile default --syscall-allow unshare -- unshare-user keyctl)
  expect_eq "$(answer "$out" unshare-user)" ok "unshare with syscall-allow unshare"
  expect_eq "$(answer "$out" keyctl)" EPERM "keyctl stays refused"
  out=$(in_profile default --syscall-filter none -- unshare-user keyctl tiocsti clone3)
  expect_eq "$(answer "$out" unshare-user)" ok "unshare with syscall-filter none"
  expect_eq "$(answer "$out" clone3)" ok "clone3 with syscall-filter none"
}

t_bad_names() {
  local err
  setup_profiles
  printf 'include default.profile\n\nsyscall-deny no_such_call\n' >"$T/profiles/bad1.profile"
  printf 'include default.profile\nsyscall-allow @nonsense\n' >"$T/profiles/bad2.profile"
  printf 'syscall-errno EWHATEVER\n' >"$T/profiles/bad3.profile"
  printf 'allow-debugging maybe\n' >"$T/profiles/bad4.profile"
  err=$(sbx --profile bad1 -- true 2>&1) && fail "bad1 ran"
  expect_contains "$err" "bad1.profile:3: syscall-deny: \"no_such_call\" is not a system call"
  err=$(sbx --profile bad2 -- true 2>&1) && fail "bad2 ran"
  expect_contains "$err" "bad2.profile:2: syscall-allow: unknown system call group \"@nonsense\" (known: @namespaces,"
  err=$(sbx --profile bad3 -- true 2>&1) && fail "bad3 ran"
  expect_contains "$err" "bad3.profile:1: syscall-errno: \"EWHATEVER\" is not an errno name"
  err=$(sbx --check bad4 2>&1) && fail "bad4 checked ok"
  expect_contains "$err" "bad4.profile:1: allow-debugging: \"maybe\" is not one of yes, no"
}

# A bubblewrap-style command line keeps bubblewrap's behaviour (no filter
# of sbx's) unless --seccomp-default asks for the default policy.
bwrap_style() { sbx --ro-bind / / --dev /dev --proc /proc --unshare-user --unshare-pid "$@"; }

t_bwrap_style_no_filter() {
  local out
  out=$(bwrap_style -- "$SBX_SYSPROBE" unshare-user clone3 ptrace)
  expect_eq "$(answer "$out" unshare-user)" ok "unshare in a bubblewrap-style sandbox"
  expect_eq "$(answer "$out" clone3)" ok "clone3 in a bubblewrap-style sandbox"
  expect_eq "$(answer "$out" ptrace)" ok "ptrace in a bubblewrap-style sandbox"
}

t_bwrap_style_seccomp_default() {
  local out name
  out=$(bwrap_style --seccomp-default -- "$SBX_SYSPROBE" "${!WANT[@]}")
  for name in "${!WANT[@]}"; do
    expect_eq "$(answer "$out" $name)" "${WANT[$name]}" "$name with --seccomp-default"
  done
  out=$(bwrap_style --seccomp-default --syscall-allow @namespaces -- "$SBX_SYSPROBE" unshare-user keyctl)
  expect_eq "$(answer "$out" unshare-user)" ok "unshare with --seccomp-default --syscall-allow @namespaces"
  expect_eq "$(answer "$out" keyctl)" EPERM "keyctl with --seccomp-default"
  # Without --seccomp-default, a syscall-deny alone is the whole filter.
  out=$(bwrap_style --syscall-deny keyctl -- "$SBX_SYSPROBE" keyctl unshare-user)
  expect_eq "$(answer "$out" keyctl)" EPERM "keyctl with --syscall-deny keyctl"
  expect_eq "$(answer "$out" unshare-user)" ok "unshare without the default"
}

t_explain() {
  local out
  setup_profiles
  out=$(sbx --explain --profile default 2>&1)
  expect_contains "$out" "seccomp (sbx): "
  expect_match "$out" "@namespaces +EPERM +unshare, setns, clone\(CLONE_NEWUSER\)"
  expect_match "$out" "@namespaces +ENOSYS +clone3"
  expect_match "$out" "@mount +ENOSYS +open_tree"
  expect_match "$out" "@socket-families +EAFNOSUPPORT +socket\("
  expect_match "$out" "@debug +EPERM +ptrace, process_vm_readv, process_vm_writev, perf_event_open"
  out=$(sbx --explain --profile default --syscall-allow @debug --syscall-errno EACCES 2>&1)
  expect_not_contains "$out" "@debug            EACCES"
  expect_match "$out" "@debug +- +allowed: syscall-allow at command line"
  expect_match "$out" "@keyring +EACCES +keyctl"
  out=$(sbx --explain --json --profile default 2>&1)
  expect_contains "$out" '{"syscall": "clone", "group": "@namespaces", "match": "masked_eq", "arg": 0, "mask": "0x10000000", "value": "0x10000000", "errno": "EPERM", "why": "CLONE_NEWUSER"}'
  expect_contains "$out" '{"syscall": "clone3", "group": "@namespaces", "match": "any", "errno": "ENOSYS"'
  python3 -c 'import json, sys; d = json.load(sys.stdin); assert len(d["syscall_rules"]) > 50' <<<"$out" ||
    fail "--explain --json is not JSON with the rules"
}

# The compat architectures, seen in the filters the kernel holds for a
# sandboxed process (tests/seccomp-dump lists each filter's jeq
# constants): this machine cannot run i386 code (no 32-bit libc, and int
# $0x80 faults under this VM's kernel), so the i386 rules are checked by
# their numbers.  i386 (AUDIT_ARCH 0x40000003): unshare 310 (0x136), keyctl
# 288 (0x120), personality 136 (0x88), and socketcall 102 (0x66) NOT refused
# whole (libseccomp would turn the socket family rules into that; see
# engine/seccomp.c).  x32: unshare 0x40000110.
t_compat_arches() {
  is_root || skip_check "PTRACE_SECCOMP_GET_FILTER needs root"
  [[ -n ${SBX_SECCOMP_DUMP:-} ]] || skip_check "no SBX_SECCOMP_DUMP"
  [[ $(uname -m) == x86_64 ]] || skip_check "the checks know x86_64's numbers only"
  setup_profiles
  local marker=$((7000 + RANDOM)) pid out i386 x32
  sbx_exec --profile default -- sleep "$marker" >/dev/null 2>&1 &
  remember_pid $!
  wait_for pgrep -x -f "sleep $marker" >/dev/null || fail "the sandboxed sleep did not start"
  pid=$(pgrep -x -f "sleep $marker" | tail -1)
  out=$("$SBX_SECCOMP_DUMP" "$pid")
  kill "$pid"
  diag "$out"
  i386=$(grep -E ' jeq: 0x40000003( |$)' <<<"$out") || fail "no filter for i386"
  x32=$(grep -E ' jeq: 0xc000003e 0x4' <<<"$out") || fail "no filter for x32"
  for k in 0x136 0x120 0x88; do
    [[ " $i386 " == *" $k "* ]] || fail "i386 filter lacks $k"
  done
  [[ " $i386 " != *" 0x66 "* ]] || fail "i386 filter refuses socketcall"
  [[ " $x32 " == *" 0x40000110 "* ]] || fail "x32 filter lacks unshare"
}

# ------------------------------------------------------------- BPF cache

# cached_run OUT-NAME [SBX-OPTIONS...]: keyctl probed in a default profile
# sandbox with a runtime dir (the cache's home), under strace to count
# the programs libseccomp generated (one memfd "sbx-seccomp" each).  Sets
# ANSWER (the probe's keyctl answer) and COMPILED (the count).
cached_run() {
  local name=$1; shift
  setup_profiles
  export XDG_RUNTIME_DIR=$T/run
  mkdir -p -m 700 "$XDG_RUNTIME_DIR"
  local out
  out=$(strace -f -o "$T/$name.strace" -e trace=memfd_create \
    "$SBX" --profile default --ro "$(probe_dir)" "$@" -- "$SBX_SYSPROBE" keyctl) || fail "sbx failed: $out"
  ANSWER=$(answer "$out" keyctl)
  COMPILED=$(grep -c '"sbx-seccomp"' "$T/$name.strace" || true)
}

cache_files() { ls "$T/run/sbx/seccomp" | grep -c '\.bpf$' || true; }

t_cache_used() {
  command -v strace >/dev/null || skip_check "strace not installed"
  rm -rf "$T/run"
  cached_run first
  expect_eq "$ANSWER" EPERM "first launch: keyctl refused"
  ((COMPILED >= 1)) || fail "the first launch compiled no program"
  expect_eq "$(cache_files)" 1 "one cache file"
  local f
  f=$(ls "$T/run/sbx/seccomp"/*.bpf)
  expect_eq "$(stat -c %a "$T/run/sbx/seccomp") $(stat -c %a "$f")" "700 600" "cache dir and file modes"
  cached_run second
  expect_eq "$ANSWER" EPERM "second launch: keyctl refused"
  expect_eq "$COMPILED" 0 "second launch: programs from the cache, none compiled"
  # Another policy, another entry; each launch gets its own policy's.
  cached_run allow --syscall-allow keyctl
  [[ $ANSWER != EPERM ]] || fail "syscall-allow keyctl: still refused ($ANSWER)"
  ((COMPILED >= 1)) || fail "a new policy compiled no program"
  expect_eq "$(cache_files)" 2 "a cache file per policy"
  cached_run again
  expect_eq "$ANSWER:$COMPILED" EPERM:0 "the default policy again, from the cache"
}

t_cache_untrusted() {
  # Whatever is at an entry's name that this code did not write exactly
  # is ignored (the launch compiles) and replaced: another policy's
  # programs, garbage, a link, modes open to others.
  command -v strace >/dev/null || skip_check "strace not installed"
  rm -rf "$T/run"
  cached_run allow --syscall-allow keyctl
  local allow_file
  allow_file=$(ls "$T/run/sbx/seccomp"/*.bpf)
  cached_run default
  local f
  f=$(ls "$T/run/sbx/seccomp"/*.bpf | grep -vx "$allow_file")
  cp "$allow_file" "$f"
  cached_run swapped
  expect_eq "$ANSWER" EPERM "another policy's programs under this policy's name: keyctl still refused"
  ((COMPILED >= 1)) || fail "another policy's entry was used"
  head -c 100 /dev/urandom >"$f"
  cached_run garbage
  expect_eq "$ANSWER" EPERM "garbage entry: keyctl refused"
  ((COMPILED >= 1)) || fail "a garbage entry was used"
  cached_run rewritten
  expect_eq "$COMPILED" 0 "the garbage was replaced by a good entry"
  chmod 644 "$f"
  cached_run mode
  ((COMPILED >= 1)) || fail "an entry readable by others was used"
  rm -f "$f"
  ln -s "$allow_file" "$f"
  cached_run link
  expect_eq "$ANSWER" EPERM "a link at the entry's name: keyctl refused"
  ((COMPILED >= 1)) || fail "a link was followed"
  [[ -L $f ]] && fail "the link was left in place"
  chmod 755 "$T/run/sbx/seccomp"
  cached_run opendir
  ((COMPILED >= 1)) || fail "a cache directory open to others was used"
  expect_eq "$ANSWER" EPERM "cache dir open to others: keyctl refused"
}

t_cache_hidden() {
  # A runtime dir elsewhere than /run/user/UID, shown read-write by a
  # rule: its sbx/ (the cache, other instances) stays out of reach.
  rm -rf "$T/run"
  cached_run fill
  local out
  out=$("$SBX" --profile default --rw "$T/run" -- sh -c "echo \"ls:[\$(ls -A '$T/run/sbx')]\"
    touch '$T/run/sbx/seccomp/x' 2>/dev/null && echo wrote || echo refused
    touch '$T/run/other' && echo other-ok") || fail "sbx failed: $out"
  expect_eq "$(tr '\n' ' ' <<<"$out")" "ls:[] refused other-ok " "inside: sbx/ empty and read-only, the rest writable"
  [[ -e $T/run/sbx/seccomp/x ]] && fail "the app wrote into the host's cache"
  expect_eq "$(cache_files)" 1 "the host's cache is intact"
}

run_checks() {
  local name
  check "control: outside the sandbox unshare, clone3, ptrace and personality work" t_control_outside
  for name in unshare-user clone-newuser clone-newns clone3 keyctl add_key perf_event_open userfaultfd \
              io_uring_setup bpf mount pivot_root chroot ptrace personality-bsd socket-packet \
              socket-packet-high socket-bluetooth tiocsti; do
    check "default profile: $name fails with ${WANT[$name]}" t_default_refuses "$name"
  done
  check "default profile: the filter refuses them, not the kernel (syscall-errno)" t_filter_not_kernel
  check "default profile: clone, personality query, unix/inet sockets, sh and python3 work" t_normal_calls_work
  check "syscall-allow @debug: ptrace and perf_event_open work" t_allow_debug_group
  check "syscall-filter allowlist: calls left out fail with ENOSYS, the rest as before" t_allowlist
  check "syscall-filter allowlist: Firefox renders a page (headless screenshot)" t_allowlist_firefox
  check "allow-debugging yes: ptrace works; a syscall-deny of the call still wins" t_allow_debugging
  check "syscall-deny NAME and syscall-errno in a profile" t_deny_named_call
  check "syscall-allow NAME, syscall-filter none" t_allow_call_and_filter_none
  check "unknown call, group, errno, yes/no: errors with file:line" t_bad_names
  check "bubblewrap-style command line: no filter of sbx's" t_bwrap_style_no_filter
  check "bubblewrap-style command line: --seccomp-default, and syscall-* on top" t_bwrap_style_seccomp_default
  check "--explain: the groups with their errno, --json each rule" t_explain
  check "i386 and x32: a filter each, with the rules (socketcall left alone)" t_compat_arches
  check "cache: the second launch loads the programs, one entry per policy" t_cache_used
  check "cache: an entry this code did not write is ignored and replaced" t_cache_untrusted
  check "cache: a rule that shows the runtime dir does not show sbx's state" t_cache_hidden
}

ISOLATE_NET=1 # Firefox's profile starts the network helper
tap_main "$@"
