#!/bin/bash
# Namespaces and identity, observed from inside: /proc/self/ns/* inodes
# compared with the outside, id -u/-g, $$, hostname, network interfaces.
source "$(dirname "$0")/lib.sh"

NS_TYPES="cgroup ipc mnt net pid uts user"
NS_SCRIPT='for n in cgroup ipc mnt net pid uts user; do echo "$n $(stat -L -c %i /proc/self/ns/$n)"; done'

# sandbox_ns ARGS...: run NS_SCRIPT in a sandbox built from ARGS; fills
# the associative array IN (namespace -> inode).
declare -A IN OUTSIDE
for n in $NS_TYPES; do OUTSIDE[$n]=$(ns_inode "$n"); done

sandbox_ns() {
  sbx_ok "$@" sh -c "$NS_SCRIPT"
  local n ino
  IN=()
  while read -r n ino; do IN[$n]=$ino; done <<<"$OUT"
  for n in $NS_TYPES; do [[ -n ${IN[$n]:-} ]] || fail "no inode for $n in: $OUT"; done
}

# expect_ns "new" NS... / expect_ns "same" NS...
expect_ns() {
  local want=$1 n; shift
  for n in "$@"; do
    if [[ $want == new ]]; then
      [[ ${IN[$n]} != "${OUTSIDE[$n]}" ]] || fail "$n namespace is the host's (${IN[$n]})"
    else
      [[ ${IN[$n]} == "${OUTSIDE[$n]}" ]] || fail "$n namespace differs from the host's (${IN[$n]} vs ${OUTSIDE[$n]})"
    fi
  done
}

t_default_ns() {
  sandbox_ns "${RO_ROOT[@]}"
  expect_ns new mnt
  expect_ns same ipc net pid uts cgroup
  if is_root; then
    expect_ns same user        # root keeps the host user namespace
  else
    expect_ns new user         # implied --unshare-user for non-root
  fi
}

t_unshare_user() {
  sandbox_ns --unshare-user "${RO_ROOT[@]}"
  expect_ns new user mnt
  expect_ns same net pid ipc uts
  sbx_ok --unshare-user "${RO_ROOT[@]}" sh -c 'echo "$(id -u) $(id -g)"'
  expect_eq "$OUT" "$(id -u) $(id -g)" "uid and gid inside (mapped to themselves)"
}

t_unshare_user_try() {
  sandbox_ns --unshare-user-try "${RO_ROOT[@]}"
  expect_ns new user mnt
}

t_uid_gid() {
  sbx_ok --unshare-user --uid 4321 --gid 8765 "${RO_ROOT[@]}" \
    sh -c 'echo "$(id -u) $(id -g)"; cat /proc/self/uid_map /proc/self/gid_map'
  expect_eq "$(head -n1 <<<"$OUT")" "4321 8765" "id -u, id -g"
  # the ids map to the caller's ids outside
  read -r a b c < <(sed -n 2p <<<"$OUT")
  expect_eq "$a $b $c" "4321 $(id -u) 1" "uid_map"
  read -r a b c < <(sed -n 3p <<<"$OUT")
  expect_eq "$a $b $c" "8765 $(id -g) 1" "gid_map"
}

t_unshare_pid() {
  sandbox_ns --unshare-pid "${RO_ROOT[@]}" --proc /proc
  expect_ns new pid
  expect_ns same net ipc uts
  sbx_ok --unshare-pid "${RO_ROOT[@]}" --proc /proc sh -c 'echo $$; cat /proc/1/comm'
  expect_eq "$(head -n1 <<<"$OUT")" 2 "pid of COMMAND (a reaper is pid 1)"
  expect_ne "$(sed -n 2p <<<"$OUT")" sh "pid 1 must be the reaper, not COMMAND"
}

t_as_pid_1() {
  sbx_ok --unshare-pid --as-pid-1 "${RO_ROOT[@]}" --proc /proc sh -c 'echo $$; ls /proc | grep -cE "^[0-9]+$"'
  expect_eq "$(head -n1 <<<"$OUT")" 1 "pid of COMMAND with --as-pid-1"
  # only COMMAND (pid 1) and ls/grep exist in the new pid namespace
  [[ $(sed -n 2p <<<"$OUT") -le 3 ]] || fail "too many processes: $OUT"
}

t_unshare_one() {
  local opt=$1 ns=$2
  sandbox_ns "$opt" "${RO_ROOT[@]}"
  expect_ns new "$ns" mnt
  for n in ipc net pid uts cgroup; do
    [[ $n == "$ns" ]] || expect_ns same "$n"
  done
}

t_unshare_net() {
  sandbox_ns --unshare-net "${RO_ROOT[@]}"
  expect_ns new net
  # Only the loopback interface exists...
  sbx_ok --unshare-net "${RO_ROOT[@]}" sh -c 'tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " "'
  expect_eq "$OUT" "lo" "interfaces in /proc/net/dev"
  # ...and it is up, with 127.0.0.1.
  if command -v ip >/dev/null; then
    sbx_ok --unshare-net "${RO_ROOT[@]}" ip -o link show
    expect_eq "$(wc -l <<<"$OUT")" 1 "number of links"
    expect_match "$OUT" '^1: lo: <[A-Z_,]*[<,]?UP[,>]' "lo flags"
    sbx_ok --unshare-net "${RO_ROOT[@]}" ip -o -4 addr show dev lo
    expect_contains "$OUT" "inet 127.0.0.1/8" "lo address"
  else
    # IFF_UP is bit 0 of the flags; sysfs would show the host's, so use
    # the ioctl-free route: a UDP send to 127.0.0.1 fails unless lo is up.
    sbx_ok --unshare-net "${RO_ROOT[@]}" sh -c 'echo x >/dev/udp/127.0.0.1/9 2>/dev/null || bash -c "echo x >/dev/udp/127.0.0.1/9"'
  fi
}

t_unshare_all() {
  sandbox_ns --unshare-all "${RO_ROOT[@]}" --proc /proc
  expect_ns new user ipc pid uts cgroup net mnt
}

t_share_net() {
  sandbox_ns --unshare-all --share-net "${RO_ROOT[@]}" --proc /proc
  expect_ns new user ipc pid uts cgroup mnt
  expect_ns same net
}

t_hostname() {
  local before
  before=$(hostname)
  sbx_ok --unshare-uts --hostname sbx-test-host "${RO_ROOT[@]}" sh -c 'hostname; cat /proc/sys/kernel/hostname'
  expect_eq "$OUT" $'sbx-test-host\nsbx-test-host' "hostname inside"
  expect_eq "$(hostname)" "$before" "hostname outside"
}

# userns_differs PID INODE: is PID in a user namespace other than INODE?
userns_differs() {
  local ino
  ino=$(stat -L -c %i "/proc/$1/ns/user" 2>/dev/null) || return 1
  [[ $ino != "$2" ]]
}

# start_holder CMD...: start a namespace-holding process, echo its pid
# once it is in its new user namespace.
start_holder() {
  "$@" </dev/null >/dev/null 2>&1 &
  local pid=$!
  remember_pid "$pid"
  wait_for userns_differs "$pid" "${OUTSIDE[user]}" || fail "holder did not start"
  echo "$pid"
}

t_userns_fd() {
  local h
  h=$(start_holder unshare -U -r sleep 1000)
  sbx_ok --userns 5 "${RO_ROOT[@]}" sh -c 'stat -L -c %i /proc/self/ns/user; id -u' 5<"/proc/$h/ns/user"
  expect_eq "$(head -n1 <<<"$OUT")" "$(ns_inode user "$h")" "user namespace inside"
  kill "$h"
}

t_userns2_fd() {
  local h1 h2
  h1=$(start_holder unshare -U -r --fork --kill-child unshare -U -r sleep 1000)
  wait_for pgrep -P "$h1" >/dev/null || fail "nested holder missing"
  h2=$(pgrep -P "$h1") || fail "nested holder missing"
  wait_for userns_differs "$h2" "$(ns_inode user "$h1")" || fail "nested userns not created"
  sbx_ok --userns 5 --userns2 6 "${RO_ROOT[@]}" stat -L -c %i /proc/self/ns/user \
    5<"/proc/$h1/ns/user" 6<"/proc/$h2/ns/user"
  expect_eq "$OUT" "$(ns_inode user "$h2")" "user namespace after --userns2"
  kill "$h1"
}

t_pidns_fd() {
  local h
  h=$(start_holder unshare -U -r -p --fork --kill-child sleep 1000)
  local want
  want=$(stat -L -c %i "/proc/$h/ns/pid_for_children")
  sbx_ok --userns 5 --pidns 6 "${RO_ROOT[@]}" stat -L -c %i /proc/self/ns/pid \
    5<"/proc/$h/ns/user" 6<"/proc/$h/ns/pid_for_children"
  expect_eq "$OUT" "$want" "pid namespace inside"
  # with --unshare-pid too, the given namespace is the parent of a new one
  sbx_ok --userns 5 --pidns 6 --unshare-pid "${RO_ROOT[@]}" stat -L -c %i /proc/self/ns/pid \
    5<"/proc/$h/ns/user" 6<"/proc/$h/ns/pid_for_children"
  expect_ne "$OUT" "$want" "pid namespace with --pidns --unshare-pid"
  kill "$h"
}

t_pidns_proc() {
  # a sandbox that joins a pid namespace (no --unshare-pid) gets a fresh
  # proc of that namespace, not the host's /proc with every host process
  local h
  h=$(start_holder unshare -U -r -p --fork --kill-child sleep 1000)
  sbx_ok --userns 5 --pidns 6 "${RO_ROOT[@]}" --proc /proc sh -c \
    'cat /proc/1/comm; ls /proc | grep -E "^[0-9]+$" | tr "\n" " "' \
    5<"/proc/$h/ns/user" 6<"/proc/$h/ns/pid_for_children"
  kill "$h"
  expect_eq "$(head -n1 <<<"$OUT")" sleep "pid 1 in the sandbox's /proc (the namespace's init)"
  local p pids
  pids=$(sed -n 2p <<<"$OUT")
  for p in $pids; do
    [[ $p -lt 50 ]] || fail "pid $p in the sandbox's /proc is not of the joined namespace: $pids"
  done
}

t_disable_userns() {
  # control: a sandbox can normally create a user namespace...
  sbx_ok --unshare-user "${RO_ROOT[@]}" unshare -U true
  # ...but not with --disable-userns
  sbx_ok --unshare-user --disable-userns "${RO_ROOT[@]}" \
    sh -c 'if unshare -U true 2>/dev/null; then echo created; else echo refused; fi'
  expect_eq "$OUT" refused "unshare -U inside with --disable-userns"
}

t_assert_userns_disabled() {
  sbx_ok --unshare-user --disable-userns --assert-userns-disabled "${RO_ROOT[@]}" true
  run_sbx --unshare-user --assert-userns-disabled "${RO_ROOT[@]}" true
  expect_eq "$RC" 1 "--assert-userns-disabled when it is not"
  expect_error_message "not disabled"
}

t_userns_block_fd() {
  mkfifo "$T/info" "$T/blk"
  exec 8<>"$T/blk"
  sbx_exec --unshare-user --info-fd 5 --userns-block-fd 6 "${RO_ROOT[@]}" \
    sh -c 'echo "$(id -u) $(id -g)"' 5>"$T/info" 6<"$T/blk" 8>&- >"$T/ub.out" 2>&1 &
  local b=$! info pid
  remember_pid "$b"
  info=$(cat "$T/info")
  pid=$(jq -r '."child-pid"' <<<"$info")
  [[ $pid =~ ^[0-9]+$ ]] || fail "no child-pid in info: $info"
  # the sandbox is waiting for us: it has not run COMMAND
  expect_eq "$(cat "$T/ub.out")" "" "output before the maps are written"
  echo "4321 $(id -u) 1" >"/proc/$pid/uid_map"
  echo deny >"/proc/$pid/setgroups"
  echo "8765 $(id -g) 1" >"/proc/$pid/gid_map"
  echo x >&8
  local rc=0
  wait "$b" || rc=$?
  expect_eq "$rc" 0 "exit status"
  expect_eq "$(cat "$T/ub.out")" "4321 8765" "ids from the maps we wrote"
}

run_checks() {
  check "no --unshare-*: new mount namespace only (plus userns when not root)" t_default_ns
  check "--unshare-user: new user namespace, ids map to themselves" t_unshare_user
  check "--unshare-user-try" t_unshare_user_try
  check "--uid/--gid set the ids inside, mapped to the caller's" t_uid_gid
  check "--unshare-pid: new pid namespace, COMMAND is pid 2 under a reaper" t_unshare_pid
  check "--as-pid-1: COMMAND is pid 1" t_as_pid_1
  check "--unshare-ipc" t_unshare_one --unshare-ipc ipc
  check "--unshare-uts" t_unshare_one --unshare-uts uts
  check "--unshare-cgroup" t_unshare_one --unshare-cgroup cgroup
  check "--unshare-cgroup-try" t_unshare_one --unshare-cgroup-try cgroup
  check "--unshare-net: only lo, and it is up" t_unshare_net
  check "--unshare-all: every namespace is new" t_unshare_all
  check "--unshare-all --share-net keeps the host network" t_share_net
  check "--hostname with --unshare-uts" t_hostname
  check "--userns FD joins that user namespace" t_userns_fd
  check "--userns2 FD switches to a nested user namespace" t_userns2_fd
  check "--pidns FD joins (or nests under) that pid namespace" t_pidns_fd
  check "--pidns FD --proc: a fresh proc of the joined namespace" t_pidns_proc
  check "--disable-userns: unshare -U fails inside" t_disable_userns
  check "--assert-userns-disabled" t_assert_userns_disabled
  check "--userns-block-fd: waits for maps written from outside" t_userns_block_fd
}

tap_main "$@"
