#!/bin/bash
# tests/test-network.sh -- `network private`: the sandbox's own network
# namespace, connected by a user-mode helper (slirp4netns).
#
# No packet may leave this machine, even if sbx is wrong: as root, the
# whole script re-runs itself in a fresh network namespace (unshare -n)
# where the only interfaces are the ones it makes, and no default route
# exists (checked first).  In it:
#   "remote" test host   a network namespace of its own, 198.51.100.2/24
#                        and 2001:db8:1::2/64 on a veth pair (TEST-NET-2,
#                        the IPv6 documentation prefix), running HTTP
#                        servers (:8080, [..]:8083) and dnsmasq
#                        (remote.sbx-test)
#                        and, standing for the local network (egress
#                        deny-local), 10.77.0.2/24 and fd77::2/64 with
#                        HTTP servers (:8087, [..]:8087), a second remote
#                        port (198.51.100.2:8088) and a UDP sink (:9999 on
#                        both addresses, which writes what it gets to a file)
#   the "host" side      198.51.100.1/24 and 2001:db8:1::1/64 on the other
#                        end, HTTP servers there (:8082, [..]:8085), on
#                        127.0.0.1 (:8081, :8086) and on ::1 (:8084), and
#                        an abstract unix listener named like an X server's
# /etc/resolv.conf (in a private mount namespace) names dnsmasq (its IPv4
# and IPv6 addresses), so the helper's DNS forwarders ask it; /dev/net/tun is a 0666 node, as
# distributions make it (here it is 0600).  Both passes (root, sbxtest)
# run in this namespace; the servers run as root for both.
# Run as non-root: every check skips (the test network needs root).
source "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3
HOST_IP=198.51.100.1
REMOTE_IP=198.51.100.2
HOST_IP6=2001:db8:1::1
REMOTE_IP6=2001:db8:1::2
LOCAL_IP=10.77.0.2
LOCAL_IP6=fd77::2
X11_NAME=/tmp/.X11-unix/X77

# ------------------------------------------------------ the test network

net_fail() {
  echo "not ok 1 - the test network could be set up: $*"
  echo "1..1"
  { kill -KILL "${NET_PIDS[@]}"; wait "${NET_PIDS[@]}"; } 2>/dev/null
  [[ -z ${NET_DIR:-} ]] || rm -rf "$NET_DIR"
  exit 0
}
# other_netns PID: is PID in a network namespace other than ours yet?
other_netns() { [[ $(readlink "/proc/$1/ns/net") != "$(readlink /proc/self/ns/net)" ]]; }

# Everything below runs as root in the fresh namespaces; the servers are
# killed when the script ends (the namespace goes with them).
build_test_network() {
  local d
  d=$(mktemp -d /tmp/sbx-net.XXXXXX) || net_fail mktemp
  chmod 755 "$d"
  NET_PIDS=()
  NET_DIR=$d
  ip link set lo up || net_fail "lo up"
  # The remote host: a namespace held by a sleeping process.
  unshare -n -- sleep 1000000 &
  NET_PIDS+=($!)
  local remote=$!
  wait_for other_netns "$remote" || net_fail "remote netns"
  ip link add sbxh0 type veth peer name sbxr0 || net_fail "veth"
  ip link set sbxr0 netns "$remote" || net_fail "veth into the remote"
  ip addr add "$HOST_IP/24" dev sbxh0 && ip addr add "$HOST_IP6/64" dev sbxh0 nodad &&
    ip addr add 10.77.0.1/24 dev sbxh0 && ip addr add fd77::1/64 dev sbxh0 nodad && ip link set sbxh0 up ||
    net_fail "host side address"
  nsenter -t "$remote" -n sh -c "ip link set lo up && ip addr add $REMOTE_IP/24 dev sbxr0 &&
    ip addr add $REMOTE_IP6/64 dev sbxr0 nodad && ip addr add $LOCAL_IP/24 dev sbxr0 &&
    ip addr add $LOCAL_IP6/64 dev sbxr0 nodad && ip link set sbxr0 up" || net_fail "remote side address"
  mkdir -p "$d/remote" "$d/loop" "$d/hostaddr" "$d/local"
  echo hello-from-remote >"$d/remote/hello.txt"
  echo hello-from-local >"$d/local/hello.txt"
  UDP_LOG=$d/udp.log
  : >"$UDP_LOG"
  chmod 666 "$UDP_LOG"
  nsenter -t "$remote" -n $PY -m http.server 8087 --bind "$LOCAL_IP" --directory "$d/local" >/dev/null 2>&1 &
  NET_PIDS+=($!)
  nsenter -t "$remote" -n $PY -m http.server 8087 --bind "$LOCAL_IP6" --directory "$d/local" >/dev/null 2>&1 &
  NET_PIDS+=($!)
  nsenter -t "$remote" -n $PY -m http.server 8088 --bind "$REMOTE_IP" --directory "$d/remote" >/dev/null 2>&1 &
  NET_PIDS+=($!)
  nsenter -t "$remote" -n $PY -c "$UDP_SINK" "$UDP_LOG" "$LOCAL_IP" "$REMOTE_IP" &
  NET_PIDS+=($!)
  echo hello-from-loopback >"$d/loop/hello.txt"
  echo hello-from-host-address >"$d/hostaddr/hello.txt"
  nsenter -t "$remote" -n $PY -m http.server 8080 --bind "$REMOTE_IP" --directory "$d/remote" >/dev/null 2>&1 &
  NET_PIDS+=($!)
  nsenter -t "$remote" -n dnsmasq --keep-in-foreground --conf-file=/dev/null --no-resolv --no-hosts \
    --listen-address="$REMOTE_IP" --listen-address="$REMOTE_IP6" --bind-interfaces --user=root --pid-file= \
    --host-record=remote.sbx-test,"$REMOTE_IP" --host-record=local.sbx-test,"$LOCAL_IP" >/dev/null 2>&1 &
  NET_PIDS+=($!)
  nsenter -t "$remote" -n $PY -m http.server 8083 --bind "$REMOTE_IP6" --directory "$d/remote" >/dev/null 2>&1 &
  NET_PIDS+=($!)
  $PY -m http.server 8081 --bind 127.0.0.1 --directory "$d/loop" >/dev/null 2>&1 &
  NET_PIDS+=($!)
  $PY -m http.server 8086 --bind 127.0.0.1 --directory "$d/loop" >/dev/null 2>&1 &
  NET_PIDS+=($!)
  $PY -m http.server 8084 --bind ::1 --directory "$d/loop" >/dev/null 2>&1 &
  NET_PIDS+=($!)
  $PY -m http.server 8085 --bind "$HOST_IP6" --directory "$d/hostaddr" >/dev/null 2>&1 &
  NET_PIDS+=($!)
  $PY -m http.server 8082 --bind "$HOST_IP" --directory "$d/hostaddr" >/dev/null 2>&1 &
  NET_PIDS+=($!)
  $PY -c 'import socket, sys
s = socket.socket(socket.AF_UNIX)
s.bind("\0" + sys.argv[1])
s.listen(8)
while True:
    s.accept()[0].close()' "$X11_NAME" &
  NET_PIDS+=($!)
  # The helper's resolver is dnsmasq; tun usable by the test user.
  printf 'nameserver %s\nnameserver %s\n' "$REMOTE_IP" "$REMOTE_IP6" >"$d/resolv.conf"
  mount --bind "$d/resolv.conf" /etc/resolv.conf || net_fail "resolv.conf"
  mknod -m 0666 "$d/tun" c 10 200 && mount --bind "$d/tun" /dev/net/tun || net_fail "tun node"
  wait_for fetch_ok "http://$REMOTE_IP:8080/hello.txt" || net_fail "remote HTTP server"
  wait_for fetch_ok "http://127.0.0.1:8081/hello.txt" || net_fail "loopback HTTP server"
  wait_for fetch_ok "http://$HOST_IP:8082/hello.txt" || net_fail "host-address HTTP server"
  wait_for fetch_ok "http://[$REMOTE_IP6]:8083/hello.txt" || net_fail "remote IPv6 HTTP server"
  wait_for fetch_ok "http://127.0.0.1:8086/hello.txt" || net_fail "second loopback HTTP server"
  wait_for fetch_ok "http://[::1]:8084/hello.txt" || net_fail "IPv6 loopback HTTP server"
  wait_for fetch_ok "http://[$HOST_IP6]:8085/hello.txt" || net_fail "IPv6 host-address HTTP server"
  wait_for abstract_connects "$X11_NAME" || net_fail "abstract listener"
  wait_for resolves_direct || net_fail "dnsmasq"
  wait_for fetch_ok "http://$LOCAL_IP:8087/hello.txt" || net_fail "local-network HTTP server"
  wait_for fetch_ok "http://[$LOCAL_IP6]:8087/hello.txt" || net_fail "local-network IPv6 HTTP server"
  wait_for fetch_ok "http://$REMOTE_IP:8088/hello.txt" || net_fail "second remote HTTP server"
  export SBX_NET_READY=1 UDP_LOG
}

# fetch URL: print the body (10 s at most); fails on any error.
FETCH='import sys, urllib.request
print(urllib.request.urlopen(sys.argv[1], timeout=10).read().decode().strip())'
fetch_ok() { $PY -c "$FETCH" "$1" >/dev/null 2>&1; }
# A UDP datagram to [ADDR]:9 (nothing listens there): "refused" when the
# ICMPv6 port-unreachable comes back, i.e. the datagram left and an answer
# returned through the helper.
UDP6='import socket, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.settimeout(5)
s.connect((sys.argv[1], 9))
s.send(b"x")
try:
    s.recv(16)
    print("answered")
except ConnectionRefusedError:
    print("refused")
except socket.timeout:
    print("timeout")'
# The UDP sink on the test host: every datagram to :9999 of the addresses
# given, as "ADDRESS DATA" lines in the file.
UDP_SINK='import select, socket, sys
socks = []
for a in sys.argv[2:]:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((a, 9999))
    socks.append(s)
while True:
    for s in select.select(socks, [], [])[0]:
        data = s.recv(512)
        with open(sys.argv[1], "a") as f:
            f.write("%s %s\n" % (s.getsockname()[0], data.decode(errors="replace")))'
# udp_send ADDR TAG: one unconnected datagram (sendto) and one on a
# connected socket (send), each carrying TAG, to ADDR:9999.
UDP_SEND='import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(sys.argv[2].encode() + b"-sendto", (sys.argv[1], 9999))
c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
c.connect((sys.argv[1], 9999))
try:
    c.send(sys.argv[2].encode() + b"-connected")
except OSError:
    pass'
# The race: one thread rewrites the address a connect() is given, between
# the test host (allowed) and the local one (refused by egress deny-local),
# as fast as it can, while the main thread connects again and again and
# fetches over whatever connected.  Prints how many fetches reached each
# server and how many connects failed.
RACE='import ctypes, socket, struct, sys, threading
libc = ctypes.CDLL(None, use_errno=True)
def sin(ip, port):
    return struct.pack("=H", socket.AF_INET) + struct.pack("!H", port) + socket.inet_aton(ip) + bytes(8)
good, bad = sin(sys.argv[1], 8080), sin(sys.argv[2], 8087)
buf = ctypes.create_string_buffer(good, 16)
stop = False
def flip():
    while not stop:
        ctypes.memmove(buf, bad, 16)
        ctypes.memmove(buf, good, 16)
threading.Thread(target=flip, daemon=True).start()
counts = {"remote": 0, "local": 0, "failed": 0}
for i in range(int(sys.argv[3])):
    s = socket.socket()
    if libc.connect(s.fileno(), buf, 16) != 0:
        counts["failed"] += 1
        s.close()
        continue
    s.settimeout(10)
    s.sendall(b"GET /hello.txt HTTP/1.0\r\n\r\n")
    data = b""
    while True:
        chunk = s.recv(4096)
        if not chunk:
            break
        data += chunk
    s.close()
    counts["local" if b"hello-from-local" in data else "remote" if b"hello-from-remote" in data else "failed"] += 1
stop = True
print("remote=%d local=%d failed=%d" % (counts["remote"], counts["local"], counts["failed"]))'
# abstract_connects NAME: can we connect to the abstract socket NAME?
ABSTRACT='import socket, sys
socket.socket(socket.AF_UNIX).connect("\0" + sys.argv[1])'
abstract_connects() { $PY -c "$ABSTRACT" "$1" 2>/dev/null; }
# dns_query SERVER: one A query for remote.sbx-test to SERVER (IPv4 or
# IPv6) by hand, not through resolv.conf; prints the answer's address.
DNS_QUERY='import socket, struct, sys
name = b"".join(bytes([len(p)]) + p.encode() for p in "remote.sbx-test".split("."))
q = struct.pack("!HHHHHH", 0x1234, 0x0100, 1, 0, 0, 0) + name + b"\0" + struct.pack("!HH", 1, 1)
s = socket.socket(socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(5)
s.sendto(q, (sys.argv[1], 53))
print(socket.inet_ntoa(s.recv(512)[-4:]))'
# A DNS query for remote.sbx-test to dnsmasq itself, without the helper.
resolves_direct() { getent ahostsv4 remote.sbx-test 2>/dev/null | grep -q "$REMOTE_IP"; }

if is_root && [[ -z ${SBX_INNER:-} && -z ${SBX_NET_NS:-} ]]; then
  exec unshare -n -m --propagation private -- env SBX_NET_NS=1 bash "$TEST_SCRIPT" "$@"
fi
if is_root && [[ -z ${SBX_INNER:-} ]]; then
  build_test_network
  # tap_main sets its own EXIT trap and exits: run it in a subshell, then
  # stop the servers (the namespaces go with the last of them).
  (tap_main "$@")
  { kill -KILL "${NET_PIDS[@]}"; wait "${NET_PIDS[@]}"; } 2>/dev/null
  umount /dev/net/tun /etc/resolv.conf 2>/dev/null
  rm -rf "$NET_DIR"
  exit 0
fi

# ------------------------------------------------------------- checks

need_net() {
  [[ -n ${SBX_NET_READY:-} ]] || skip_check "the test network needs root"
  [[ $IS_SBX == 1 ]] || skip_check "network private is sbx's"
}

# A bubblewrap-style sandbox with the host's root read-only.
PRIVATE=(--ro-bind / / --dev /dev --proc /proc --network private)

# The helper runs under a name of this suite's own, a link to slirp4netns
# made in each pass's $T: other suites (profiles, seccomp, desktop) run
# slirp4netns beside this one, and the checks that count helpers (none
# left, none outliving sbx) must count this suite's only.
HELPER_NAME=slirp4netns-tst
use_named_helper() {
  local real
  real=$(command -v slirp4netns) || return 0
  ln -sf "$real" "$T/$HELPER_NAME"
  export SBX_NET_HELPER=$T/$HELPER_NAME
}

check_confined() {
  need_net
  # The namespace holds only the test's interfaces and no default route:
  # nothing here can be routed off the machine.
  expect_eq "$(ip route show default)" "" "default route"
  local ifs
  ifs=$(ip -o link show | awk -F': ' '{print $2}' | sed 's/@.*//' | sort | tr '\n' ' ')
  expect_eq "$ifs" "lo sbxh0 " "interfaces"
}

check_remote() {
  need_net
  sbx_ok "${PRIVATE[@]}" -- $PY -c "$FETCH" "http://$REMOTE_IP:8080/hello.txt"
  expect_eq "$OUT" hello-from-remote "remote HTTP"
  # Control: without the helper the test host is out of reach.
  sbx_fails --ro-bind / / --dev /dev --proc /proc --unshare-net -- $PY -c "$FETCH" "http://$REMOTE_IP:8080/hello.txt"
}

check_ip_config() {
  need_net
  sbx_ok "${PRIVATE[@]}" -- ip -4 -o addr show dev tap0
  expect_contains "$OUT" "10.0.2.100/24" "tap0"
  sbx_ok "${PRIVATE[@]}" -- ip route show default
  expect_contains "$OUT" "via 10.0.2.2 dev tap0" "default route inside"
  # The sandbox makes tap0 (the helper attaches to it): the MTU is the
  # plan's, and the helper's queue is attached (carrier on) by the time
  # the app runs.
  sbx_ok "${PRIVATE[@]}" -- ip -o link show dev tap0
  expect_contains "$OUT" "mtu 65520" "tap0's MTU"
  expect_contains "$OUT" "LOWER_UP" "the helper attached before the app started"
}

check_no_host_loopback() {
  need_net
  fetch_ok "http://127.0.0.1:8081/hello.txt" || fail "control: the loopback server does not answer outside"
  # 10.0.2.2 would be the host's loopback without --disable-host-loopback.
  sbx_fails "${PRIVATE[@]}" -- $PY -c "$FETCH" "http://10.0.2.2:8081/hello.txt"
  sbx_fails "${PRIVATE[@]}" -- $PY -c "$FETCH" "http://127.0.0.1:8081/hello.txt"
}

check_no_host_address() {
  need_net
  fetch_ok "http://$HOST_IP:8082/hello.txt" || fail "control: the host-address server does not answer outside"
  sbx_fails "${PRIVATE[@]}" -- $PY -c "$FETCH" "http://$HOST_IP:8082/hello.txt"
  expect_contains "$ERR" "No route to host" "refused inside, not timed out"
}

check_ipv6() {
  need_net
  sbx_ok "${PRIVATE[@]}" -- ip -6 -o addr show dev tap0 scope global
  expect_contains "$OUT" "fd00::100/64" "tap0's IPv6 address"
  sbx_ok "${PRIVATE[@]}" -- ip -6 route show default
  expect_contains "$OUT" "via fd00::2 dev tap0" "IPv6 default route inside"
  # Set before the app starts: the first connection works, no waiting for
  # a router advertisement.
  sbx_ok "${PRIVATE[@]}" -- $PY -c "$FETCH" "http://[$REMOTE_IP6]:8083/hello.txt"
  expect_eq "$OUT" hello-from-remote "remote HTTP over IPv6"
  # UDP over IPv6 too: dnsmasq has no IPv6 address here, so a datagram to
  # the remote's echo-less port must at least leave (the helper answers
  # with an ICMPv6 error, which Python sees as a refused connection).
  sbx_ok "${PRIVATE[@]}" -- $PY -c "$UDP6" "$REMOTE_IP6"
  expect_eq "$OUT" refused "UDP over IPv6 reaches the test host"
}

check_no_host_ipv6() {
  need_net
  fetch_ok "http://[::1]:8084/hello.txt" || fail "control: the IPv6 loopback server does not answer outside"
  fetch_ok "http://[$HOST_IP6]:8085/hello.txt" || fail "control: the IPv6 host-address server does not answer outside"
  # fd00::2 would be the host's ::1 without --disable-host-loopback.
  sbx_fails "${PRIVATE[@]}" -- $PY -c "$FETCH" "http://[fd00::2]:8084/hello.txt"
  sbx_fails "${PRIVATE[@]}" -- $PY -c "$FETCH" "http://[::1]:8084/hello.txt"
  sbx_fails "${PRIVATE[@]}" -- $PY -c "$FETCH" "http://[$HOST_IP6]:8085/hello.txt"
  expect_contains "$ERR" "No route to host" "refused inside, not timed out"
}

check_forward_port() {
  need_net
  mkdir -p "$T/www" && echo hello-from-sandbox >"$T/www/hello.txt"
  rm -f "$T/stop"
  # Two servers inside; the host's 9080 leads to the first only.
  (sbx_exec "${PRIVATE[@]}" --bind "$T" "$T" --forward-port tcp:9080:8000 -- sh -c "
    $PY -m http.server 8000 --bind 0.0.0.0 --directory '$T/www' >/dev/null 2>&1 & a=\$!
    $PY -m http.server 8001 --bind 0.0.0.0 --directory '$T/www' >/dev/null 2>&1 & b=\$!
    while [ ! -e '$T/stop' ]; do sleep 0.1; done; kill \$a \$b" >"$T/.bg.out" 2>"$T/.bg.err") &
  local sbx_pid=$!
  remember_pid "$sbx_pid"
  wait_for fetch_ok "http://127.0.0.1:9080/hello.txt" || fail "the forwarded port does not answer: $(<"$T/.bg.err")"
  expect_eq "$($PY -c "$FETCH" "http://127.0.0.1:9080/hello.txt" 2>&1)" hello-from-sandbox "through the forward"
  # Not forwarded: the sandbox's 8001 (nothing on the host listens there),
  # and the forward listens on the host's loopback only.
  fetch_ok "http://127.0.0.1:8001/hello.txt" && fail "an unlisted port of the sandbox is reachable"
  fetch_ok "http://$HOST_IP:9080/hello.txt" && fail "the forward listens beyond 127.0.0.1"
  touch "$T/stop"
  wait "$sbx_pid" || fail "sbx: $(<"$T/.bg.err")"
  # Gone with the sandbox.
  fetch_ok "http://127.0.0.1:9080/hello.txt" && fail "the forward outlived the sandbox"
  [[ -z $(live_helpers) ]] || fail "a slirp4netns is left: $(live_helpers)"
}

check_forward_port_profile() {
  need_net
  fresh_home
  # The directive in a profile compiles to the same forward.
  printf 'include default.profile\nnetwork private\nforward-port tcp:9090:8000\n' >"$T/profiles/fwd.profile"
  sbx_ok --explain --profile fwd -- true
  expect_contains "$OUT" "forward-port: the host's tcp 127.0.0.1:9090 leads to the sandbox's port 8000" "explain"
  expect_contains "$OUT" "--api-socket=" "explain: the helper's API socket"
  sbx_ok --explain --json --profile fwd -- true
  expect_contains "$OUT" '"forward_ports": [{"proto": "tcp", "host_addr": "127.0.0.1", "host_port": 9090, "port": 8000}]' \
    "explain --json"
  sbx_ok --explain --ro-bind / / --network private --forward-port udp:0.0.0.0:5353:53 -- true
  expect_contains "$OUT" "the host's udp 0.0.0.0:5353 leads to the sandbox's port 53" "explain: udp, address"
  run_sbx --ro-bind / / --network private --forward-port tcp:80 -- true
  expect_ne "$RC" 0 "a malformed forward"
  expect_error_message "forward-port: \"tcp:80\" is not PROTO:[ADDRESS:]HOSTPORT:SANDBOXPORT"
  # A host port that is taken (the loopback server's): the app does not
  # start, and the message says why.
  run_sbx "${PRIVATE[@]}" --bind "$T" "$T" --forward-port tcp:8081:8000 -- touch "$T/ran"
  expect_ne "$RC" 0 "a forward from a taken port"
  [[ ! -e $T/ran ]] || fail "the app ran without its forward"
  expect_contains "$ERR" "forward-port tcp:127.0.0.1:8081:8000 refused by the helper" "message"
  run_sbx --ro-bind / / --unshare-net --forward-port tcp:9090:80 -- true
  expect_ne "$RC" 0 "a forward without network private"
  expect_error_message "forward-port needs network private"
}

check_allow_host_port() {
  need_net
  # 8081 allowed, 8086 (another loopback server of the host) not.
  sbx_ok "${PRIVATE[@]}" --allow-host-port tcp:8081 -- $PY -c "$FETCH" "http://127.0.0.1:8081/hello.txt"
  expect_eq "$OUT" hello-from-loopback "allowed port on 127.0.0.1"
  # The host's service listens on 127.0.0.1 only; [::1] inside still gets it.
  sbx_ok "${PRIVATE[@]}" --allow-host-port tcp:8081 -- $PY -c "$FETCH" "http://[::1]:8081/hello.txt"
  expect_eq "$OUT" hello-from-loopback "allowed port on ::1"
  sbx_ok "${PRIVATE[@]}" --allow-host-port tcp:8084 -- $PY -c "$FETCH" "http://127.0.0.1:8084/hello.txt"
  expect_eq "$OUT" hello-from-loopback "an allowed port the host serves on ::1 only"
  sbx_fails "${PRIVATE[@]}" --allow-host-port tcp:8081 -- $PY -c "$FETCH" "http://127.0.0.1:8086/hello.txt"
  sbx_fails "${PRIVATE[@]}" --allow-host-port tcp:8081 -- $PY -c "$FETCH" "http://10.0.2.2:8086/hello.txt"
  sbx_fails "${PRIVATE[@]}" --allow-host-port tcp:8081 -- $PY -c "$FETCH" "http://10.0.2.2:8081/hello.txt"
  sbx_fails "${PRIVATE[@]}" --allow-host-port tcp:8081 -- $PY -c "$FETCH" "http://$HOST_IP:8081/hello.txt"
  sbx_ok --explain "${PRIVATE[@]}" --allow-host-port tcp:8081 -- true
  expect_contains "$OUT" "allow-host-port: the sandbox's 127.0.0.1:8081 and [::1]:8081 are relayed" "explain"
  sbx_ok --explain --json "${PRIVATE[@]}" --allow-host-port tcp:8081 -- true
  expect_contains "$OUT" '"allow_host_ports": [8081]' "explain --json"
  [[ -z $(live_helpers) ]] || fail "a slirp4netns is left: $(live_helpers)"
  # The relay ends with the sandbox (it is nobody's child by then).
  wait_for no_finisher || fail "a relay (sbx-net-finish) is left: $(pgrep -u "$(id -u)" -x sbx-net-finish)"
}

check_dns() {
  need_net
  fresh_home
  # A profile: its /etc/resolv.conf names the helper's forwarder, which
  # asks the host's resolver (dnsmasq, by the test's resolv.conf).
  sbx_ok --profile default --network private -- cat /etc/resolv.conf
  expect_contains "$OUT" "nameserver 10.0.2.3" "resolv.conf inside"
  sbx_ok --profile default --network private -- getent ahostsv4 remote.sbx-test
  expect_contains "$OUT" "$REMOTE_IP" "remote.sbx-test through the helper"
  sbx_ok --profile default --network private -- $PY -c "$FETCH" "http://remote.sbx-test:8080/hello.txt"
  expect_eq "$OUT" hello-from-remote "HTTP by name"
  # The host has an IPv6 resolver (the test's resolv.conf): the helper's
  # IPv6 forwarder is named too, and answers.
  sbx_ok --profile default --network private -- cat /etc/resolv.conf
  expect_contains "$OUT" "nameserver fd00::3" "resolv.conf inside: the IPv6 forwarder"
  sbx_ok --profile default --network private -- $PY -c "$DNS_QUERY" fd00::3
  expect_eq "$OUT" "$REMOTE_IP" "a query to fd00::3"
}

check_no_abstract_x11() {
  need_net
  # Control: a sandbox in the host's network namespace connects.
  sbx_ok --ro-bind / / --dev /dev --proc /proc -- $PY -c "$ABSTRACT" "$X11_NAME"
  sbx_fails "${PRIVATE[@]}" -- $PY -c "$ABSTRACT" "$X11_NAME"
  expect_contains "$ERR" "ConnectionRefusedError" "the abstract socket"
}

check_missing_helper() {
  need_net
  SBX_NET_HELPER=/nonexistent/slirp4netns run_sbx "${PRIVATE[@]}" -- true
  expect_ne "$RC" 0 "exit status"
  expect_error_message "install the Debian/Ubuntu package slirp4netns"
}

check_tun_unusable() {
  need_net
  is_root || skip_check "staged by root (a 0600 tun node in a mount namespace of its own)"
  id "$TEST_USER" >/dev/null 2>&1 || skip_check "no user $TEST_USER"
  setpriv --reuid="$TEST_USER" --regid="$TEST_USER" --clear-groups test -x "$SBX" || skip_check "$TEST_USER can't run $SBX"
  mknod -m 0600 "$T/tun" c 10 200
  RC=0
  unshare -m --propagation private -- sh -c 'mount --bind "$1" /dev/net/tun && shift && exec "$@"' _ "$T/tun" \
    setpriv --reuid="$TEST_USER" --regid="$TEST_USER" --clear-groups -- env HOME=/tmp \
    "$SBX" "${PRIVATE[@]}" -- true >"$T/.out" 2>"$T/.err" || RC=$?
  ERR=$(<"$T/.err")
  expect_ne "$RC" 0 "exit status"
  expect_error_message "/dev/net/tun (mode 0600) is not usable by this user"
}

check_helper_dies_first() {
  need_net
  SBX_NET_HELPER=/bin/false run_sbx "${PRIVATE[@]}" -- touch "$T/ran"
  expect_ne "$RC" 0 "exit status"
  [[ ! -e $T/ran ]] || fail "the app ran without its network"
  expect_contains "$ERR" "the network helper (/bin/false) exited before it was ready" "message"
}

# A helper that attaches to tap0 (slirp4netns, run by a wrapper) and then,
# once the app has made MARK, does THEN with its ready byte: `printf 1
# >&$fd` writes it late, `kill $$` dies without it.  Written to PATH; the
# helper is exec'd with an empty environment, so the paths are in it.  It
# leaves the name of the pipe it was given to write its byte to (as
# /proc/PID/fd shows it: pipe:[INODE]) in PATH.pipe.
make_late_helper() {
  local path=$1 mark=$2 then=$3 real=$SBX_NET_HELPER
  cat >"$path" <<EOF
#!/bin/bash
for a; do [[ \$a != --ready-fd=* ]] || fd=\${a#--ready-fd=}; done
readlink /proc/\$\$/fd/\$fd >"$path.pipe.tmp" && mv "$path.pipe.tmp" "$path.pipe"
exec {late}> >(head -c1 >/dev/null; until [[ -e $mark ]] || ! kill -0 \$$ 2>/dev/null; do sleep 0.05; done; $then)
eval "exec \$fd>&-"
exec "$real" "\${@/#--ready-fd=*/--ready-fd=\$late}"
EOF
  chmod 755 "$path"
}

# With nothing for the finisher to do first, the app starts once the
# helper's queue is on tap0 (its carrier), not at the helper's ready byte:
# what the app sends waits in the queue.  The helper's byte comes only
# after the app has run here; an app that waited for it would never run
# (sbx would give up after its timeout).
check_app_starts_on_carrier() {
  need_net
  local mark=$T/ran-on-carrier.$(id -u)
  rm -f "$mark"
  make_late_helper "$T/late-ready" "$mark" 'printf 1 >&$fd'
  SBX_NET_HELPER=$T/late-ready sbx_ok "${PRIVATE[@]}" --bind "$T" "$T" -- sh -c "touch '$mark'; ip -o link show dev tap0"
  expect_contains "$OUT" "LOWER_UP" "tap0's carrier when the app runs"
  # And it is served: the test host answers.
  rm -f "$mark"
  SBX_NET_HELPER=$T/late-ready sbx_ok "${PRIVATE[@]}" --bind "$T" "$T" -- \
    sh -c 'touch "$1"; shift; exec "$@"' _ "$mark" $PY -c "$FETCH" "http://$REMOTE_IP:8080/hello.txt"
  expect_eq "$OUT" hello-from-remote "remote HTTP through a helper not yet ready at the app's start"
}

# With nothing for the finisher to do (no forwarded or allowed ports, no
# egress policy), there is no finisher: the helper's ready byte goes
# straight into the sandbox.  The pipe the helper is given leads into the
# sandbox (a process in its network namespace holds it), and no
# sbx-net-finish holds it.
# (The helper holds its byte back until the test has looked.)
check_ready_pipe_direct() {
  need_net
  local gate=$T/pipe-gate.$(id -u) up=$T/pipe-up.$(id -u) helper=$T/direct-ready pid pipe
  rm -f "$gate" "$up" "$helper.pipe"
  make_late_helper "$helper" "$gate" 'printf 1 >&$fd'
  (SBX_NET_HELPER=$helper sbx_exec "${PRIVATE[@]}" --bind "$T" "$T" -- \
    sh -c "touch '$up'; while [ ! -e '$gate' ]; do sleep 0.05; done") >"$T/direct.out" 2>&1 &
  pid=$!
  remember_pid "$pid"
  if ! wait_for test -e "$up"; then
    touch "$gate"
    fail "the app did not start: $(cat "$T/direct.out")"
  fi
  pipe=$(<"$helper.pipe")
  # Looked at while the sandbox runs: a finisher among the holders, and one
  # in the sandbox, i.e. in its network namespace (the helper's wrapper,
  # and a finisher, are in ours).
  local p comm holders="" finisher="" in_sandbox=""
  for p in $(fd_holders "$pipe"); do
    # (The helper's wrapper lends the pipe to its short-lived sleeps: a
    # holder gone by now holds nothing.)
    comm=$(cat "/proc/$p/comm" 2>/dev/null) || continue
    holders+="$p $comm; "
    if [[ $comm == sbx-net-finish ]]; then
      finisher=$p
    fi
    if [[ $(readlink "/proc/$p/ns/net" 2>/dev/null) == net:* ]] && other_netns "$p"; then
      in_sandbox=$p
    fi
  done
  touch "$gate"
  wait "$pid" || fail "sbx failed: $(cat "$T/direct.out")"
  [[ $pipe == pipe:* ]] || fail "the helper's ready fd is not a pipe: $pipe"
  [[ -z $finisher ]] || fail "a finisher holds the helper's ready pipe ($pipe): $holders"
  [[ -n $in_sandbox ]] || fail "no process of the sandbox holds the helper's ready pipe ($pipe); its holders: $holders"
}

# ... and a helper that dies after attaching, before its ready byte, stops
# the app that went ahead (pid 1 sees the pipe end without the byte): the
# start fails as it does for a helper that never attaches.
check_helper_dies_after_carrier() {
  need_net
  local mark=$T/ran-before-death.$(id -u) survived=$T/survived.$(id -u)
  rm -f "$mark" "$survived"
  make_late_helper "$T/dying-helper" "$mark" 'kill $$'
  SBX_NET_HELPER=$T/dying-helper run_sbx "${PRIVATE[@]}" --bind "$T" "$T" -- \
    sh -c "touch '$mark'; sleep 20; touch '$survived'"
  expect_ne "$RC" 0 "exit status"
  [[ -e $mark ]] || fail "the app did not start on the carrier"
  [[ ! -e $survived ]] || fail "the app ran on after its helper died"
  expect_contains "$ERR" "exited before it was ready; the app was stopped" "message"
}

# The helper of the sandbox sbx PID started: its only child.
helper_of() { pgrep -P "$1" -x "$HELPER_NAME"; }
# Is PID gone?  A zombie counts as gone: a helper orphaned by a killed sbx
# is reparented to the machine's init, which may be slow to reap it.
gone() { local st; st=$(ps -o stat= -p "$1" 2>/dev/null) || return 0; [[ $st == Z* ]]; }
# Our live helpers.
live_helpers() { ps -u "$(id -u)" -o pid=,stat=,comm= | awk -v name="$HELPER_NAME" '$3 == name && $2 !~ /^Z/ {print $1}'; }

no_live_helpers() { [[ -z $(live_helpers) ]]; }
# What a left helper is, for the failure's message.
describe_helpers() { local p; for p in $(live_helpers); do ps -o pid=,ppid=,stat=,etime=,args= -p "$p"; done; }

# No finisher/relay of ours (launch/net-finish.h) is running.
no_finisher() { ! pgrep -u "$(id -u)" -x sbx-net-finish >/dev/null; }

check_helper_lifetime() {
  need_net
  mkfifo "$T/go"
  # With an egress policy too: the finisher then answers the helper's
  # calls beside the relay (net-finish.h), and both must go.
  (sbx_exec "${PRIVATE[@]}" --allow-host-port tcp:8081 --egress deny-local --bind "$T" "$T" -- sh -c "cat '$T/go' >/dev/null" \
    >"$T/.bg.out" 2>"$T/.bg.err") &
  local sbx_pid=$! helper
  remember_pid "$sbx_pid"
  wait_for helper_of "$sbx_pid" >/dev/null || fail "no helper under sbx"
  helper=$(helper_of "$sbx_pid")
  # Killed outright, sbx takes the helper with it (exit pipe, parent-death
  # signal), and the relay of the allowed port (exit pipe).
  kill -KILL "$sbx_pid"
  wait "$sbx_pid" 2>/dev/null || true
  wait_for gone "$helper" || fail "the helper $helper outlived sbx"
  wait_for no_finisher || fail "the relay outlived sbx: $(pgrep -u "$(id -u)" -x sbx-net-finish)"
  exec 9<>"$T/go"   # release the orphaned sandbox, if any
  exec 9>&-
}

check_helper_dies_reported() {
  need_net
  mkfifo "$T/go2"
  (sbx_exec "${PRIVATE[@]}" --bind "$T" "$T" -- sh -c "cat '$T/go2' >/dev/null" >"$T/.bg.out" 2>"$T/.bg.err") &
  local sbx_pid=$! helper
  remember_pid "$sbx_pid"
  wait_for helper_of "$sbx_pid" >/dev/null || fail "no helper under sbx"
  helper=$(helper_of "$sbx_pid")
  kill -KILL "$helper"
  wait_for gone "$helper" || fail "the helper did not die"
  echo go >"$T/go2"
  wait "$sbx_pid" || true
  expect_contains "$(<"$T/.bg.err")" "the network helper (" "report"
  expect_contains "$(<"$T/.bg.err")" "ended before the sandbox did" "report"
  [[ -z $(helper_of "$sbx_pid") ]] || fail "a helper is left"
}

check_info_fd_eof() {
  need_net
  mkfifo "$T/go3" "$T/info"
  (sbx_exec "${PRIVATE[@]}" --bind "$T" "$T" --info-fd 3 -- sh -c "cat '$T/go3' >/dev/null" 3>"$T/info" \
    >/dev/null 2>&1) &
  local sbx_pid=$! rc=0
  remember_pid "$sbx_pid"
  # The info pipe ends while the sandbox runs: no helper holds a copy.
  timeout 20 cat "$T/info" >"$T/info.json" || rc=$?
  echo go >"$T/go3"
  wait "$sbx_pid" || true
  expect_eq "$rc" 0 "EOF on --info-fd while the sandbox runs"
  expect_contains "$(<"$T/info.json")" child-pid "info"
}

check_nothing_left() {
  need_net
  # The earlier checks' helpers (orphaned on purpose by a killed sbx) may
  # still be dying; sbx itself reaps its own before it returns.
  wait_for no_live_helpers || fail "an earlier check's slirp4netns is left: $(describe_helpers)"
  sbx_ok "${PRIVATE[@]}" -- true
  no_live_helpers || fail "a slirp4netns is left: $(describe_helpers)"
  # With an egress policy the finisher stays as long as the sandbox, not
  # longer.
  sbx_ok "${PRIVATE[@]}" --egress deny-local -- true
  no_live_helpers || fail "a slirp4netns is left: $(describe_helpers)"
  wait_for no_finisher || fail "the egress finisher outlived the sandbox: $(pgrep -u "$(id -u)" -x sbx-net-finish)"
}

# The helper leaves tap0 to the sandbox's network namespace: made
# persistent by the sandbox, it is not unregistered in the helper's exit
# (which sbx waits for) but when the namespace goes.  A
# handle on the namespace, held past the sandbox's end, shows it still
# there with no queue attached (carrier off); the helper is gone.
check_tap_left_to_namespace() {
  need_net
  is_root || skip_check "entering the ended sandbox's namespace needs root"
  mkfifo "$T/go4" "$T/info4"
  (sbx_exec "${PRIVATE[@]}" --bind "$T" "$T" --info-fd 3 -- sh -c "cat '$T/go4' >/dev/null" 3>"$T/info4" \
    >/dev/null 2>&1) &
  local sbx_pid=$! child helper links
  remember_pid "$sbx_pid"
  child=$(timeout 20 cat "$T/info4" | $PY -c 'import json,sys; print(json.load(sys.stdin)["child-pid"])')
  [[ -n $child ]] || fail "no child-pid on --info-fd"
  wait_for helper_of "$sbx_pid" >/dev/null || fail "no helper under sbx"
  helper=$(helper_of "$sbx_pid")
  exec 8<"/proc/$child/ns/net"
  echo go >"$T/go4"
  wait "$sbx_pid" || fail "sbx failed"
  gone "$helper" || fail "the helper $helper outlived sbx"
  links=$(nsenter --net=/proc/self/fd/8 ip -o link show 2>&1)
  exec 8<&-
  expect_contains "$links" "tap0:" "tap0 in the ended sandbox's namespace"
  # Carrier off (LOWER_UP is read from the carrier at once; RUNNING and
  # the NO-CARRIER that ip derives from it follow later, from linkwatch).
  local tap
  tap=$(grep 'tap0:' <<<"$links")
  [[ $tap != *LOWER_UP* ]] || fail "tap0 still has a queue: $tap"
}

# Stress: sandboxes ended at different points of their start (sbx killed
# at once, once its helper runs, once a finisher runs, or left to finish),
# a dozen at a time: the ones left alone succeed, and no helper, finisher or
# finisher's child of any of them stays.  Each app waits for a file, so that
# a stage can be waited for.
check_stress_ends() {
  need_net
  local round i pid pids ok_pids rc
  for ((round = 0; round < 3; round++)); do
    pids=() ok_pids=()
    rm -f "$T/gate"
    for ((i = 0; i < 12; i++)); do
      rm -f "$T/up.$i"
      (sbx_exec "${PRIVATE[@]}" --bind "$T" "$T" -- \
        sh -c "touch '$T/up.$i'; while [ ! -e '$T/gate' ]; do sleep 0.05; done" >/dev/null 2>&1) &
      pid=$!
      remember_pid "$pid"
      case $((i % 4)) in
        0) ;;
        1) wait_for helper_of "$pid" >/dev/null || true ;;
        2) wait_for test -e "$T/up.$i" || true ;;
        3) ok_pids+=("$pid") ;;
      esac
      ((i % 4 == 3)) || kill -KILL "$pid" 2>/dev/null || true
      pids+=("$pid")
    done
    touch "$T/gate"
    for pid in "${ok_pids[@]}"; do
      rc=0
      wait "$pid" || rc=$?
      expect_eq "$rc" 0 "a sandbox left to finish (round $round)"
    done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  done
  wait_for eval '[[ -z $(live_helpers) ]]' || fail "helpers left: $(live_helpers)"
  wait_for no_finisher || fail "finishers left: $(pgrep -u "$(id -u)" -x sbx-net-finish)"
}

check_explain() {
  need_net
  # The helper as sbx finds it on its own (not this suite's link).
  SBX_NET_HELPER= sbx_ok --explain "${PRIVATE[@]}" -- true
  expect_contains "$OUT" "Network: private" "explain"
  expect_contains "$OUT" "network helper: /usr/bin/slirp4netns" "explain names the helper"
  sbx_ok --explain --json "${PRIVATE[@]}" -- true
  expect_contains "$OUT" '"network": "private"' "explain --json"
}

# ------------------------------------------------------------- egress

# udp_got TAG: the lines of the UDP sink's log carrying TAG.
udp_got() { grep -F -- "$1" "$UDP_LOG" || true; }

check_egress_deny_local() {
  need_net
  # Control: without a policy the local-network host answers.
  sbx_ok "${PRIVATE[@]}" -- $PY -c "$FETCH" "http://$LOCAL_IP:8087/hello.txt"
  expect_eq "$OUT" hello-from-local "control: no policy"
  sbx_ok "${PRIVATE[@]}" --egress deny-local -- $PY -c "$FETCH" "http://$REMOTE_IP:8080/hello.txt"
  expect_eq "$OUT" hello-from-remote "a public-looking host under deny-local"
  # Refused at once (not a timeout), and said once though tried twice.
  sbx_fails "${PRIVATE[@]}" --egress deny-local -- sh -c "
    $PY -c '$FETCH' http://$LOCAL_IP:8087/hello.txt; $PY -c '$FETCH' http://$LOCAL_IP:8087/hello.txt"
  expect_contains "$ERR" "Connection refused" "refused inside"
  expect_not_contains "$OUT" hello-from-local "the local host's answer"
  expect_eq "$(grep -c "egress deny-local: refused tcp $LOCAL_IP:8087" <<<"$ERR")" 1 "the refusal, said once"
  # An exception for that host and port.
  sbx_ok "${PRIVATE[@]}" --egress deny-local --egress-allow "$LOCAL_IP@tcp:8087" -- \
    $PY -c "$FETCH" "http://$LOCAL_IP:8087/hello.txt"
  expect_eq "$OUT" hello-from-local "egress-allow ADDRESS tcp:PORT"
  sbx_ok "${PRIVATE[@]}" --egress deny-local --egress-allow 10.77.0.0/16 -- \
    $PY -c "$FETCH" "http://$LOCAL_IP:8087/hello.txt"
  expect_eq "$OUT" hello-from-local "egress-allow NETWORK"
  # An allowed port of the host does not open its other ports.
  sbx_fails "${PRIVATE[@]}" --egress deny-local --egress-allow "$LOCAL_IP@tcp:8080" -- \
    $PY -c "$FETCH" "http://$LOCAL_IP:8087/hello.txt"
  expect_contains "$ERR" "refused tcp $LOCAL_IP:8087" "another port of an allowed host"
}

check_egress_deny_all() {
  need_net
  sbx_ok "${PRIVATE[@]}" --egress deny-all --egress-allow "$REMOTE_IP@tcp:8080" -- \
    $PY -c "$FETCH" "http://$REMOTE_IP:8080/hello.txt"
  expect_eq "$OUT" hello-from-remote "the allowed host and port"
  fetch_ok "http://$REMOTE_IP:8088/hello.txt" || fail "control: the second remote port does not answer outside"
  sbx_fails "${PRIVATE[@]}" --egress deny-all --egress-allow "$REMOTE_IP@tcp:8080" -- \
    $PY -c "$FETCH" "http://$REMOTE_IP:8088/hello.txt"
  expect_contains "$ERR" "egress deny-all: refused tcp $REMOTE_IP:8088" "another port of the allowed host"
  sbx_fails "${PRIVATE[@]}" --egress deny-all -- $PY -c "$FETCH" "http://$REMOTE_IP:8080/hello.txt"
  expect_contains "$ERR" "egress deny-all: refused tcp $REMOTE_IP:8080" "no exception"
}

check_egress_names() {
  need_net
  fresh_home
  # A profile: resolv.conf names the helper's forwarder; a name allowed
  # under deny-all is resolved when the sandbox starts, and DNS works.
  printf 'include default.profile\nnetwork private\negress deny-all\negress-allow remote.sbx-test@tcp:8080\n' \
    >"$T/profiles/egress.profile"
  sbx_ok --profile egress -- $PY -c "$FETCH" "http://remote.sbx-test:8080/hello.txt"
  expect_eq "$OUT" hello-from-remote "HTTP by an allowed name"
  sbx_fails --profile egress -- $PY -c "$FETCH" "http://local.sbx-test:8087/hello.txt"
  expect_contains "$ERR" "refused tcp $LOCAL_IP:8087" "a name not allowed resolves, its host is refused"
  # deny-all naming no host: names do not work (nothing reaches a resolver).
  printf 'include default.profile\nnetwork private\negress deny-all\negress-allow %s@tcp:8080\n' "$REMOTE_IP" \
    >"$T/profiles/egress2.profile"
  sbx_fails --profile egress2 -- getent ahostsv4 remote.sbx-test
  expect_contains "$ERR" "refused udp $REMOTE_IP:53" "DNS refused under deny-all without names"
  sbx_ok --profile egress2 -- $PY -c "$FETCH" "http://$REMOTE_IP:8080/hello.txt"
  # deny-local: names always work, the resolver may be local.
  sbx_ok --profile default --network private --egress deny-local -- getent ahostsv4 remote.sbx-test
  expect_contains "$OUT" "$REMOTE_IP" "DNS under deny-local"
  sbx_ok --profile egress -- $PY -c "$DNS_QUERY" fd00::3
  expect_eq "$OUT" "$REMOTE_IP" "the IPv6 forwarder under deny-all with a name"
}

check_egress_udp() {
  need_net
  # Control: both datagrams arrive without a policy.
  sbx_ok "${PRIVATE[@]}" -- $PY -c "$UDP_SEND" "$LOCAL_IP" "open-$$"
  wait_for grep -q "open-$$-connected" "$UDP_LOG" || fail "control: no datagram arrived: $(<"$UDP_LOG")"
  expect_contains "$(udp_got "open-$$")" "open-$$-sendto" "control: sendto"
  run_sbx "${PRIVATE[@]}" --egress deny-local -- $PY -c "$UDP_SEND" "$LOCAL_IP" "deny-$$"
  expect_contains "$ERR" "egress deny-local: refused udp $LOCAL_IP:9999" "said"
  # An allowed datagram after the refused ones arrives, so the refused
  # ones had their chance to arrive first (the sink reads in order).
  sbx_ok "${PRIVATE[@]}" --egress deny-local -- $PY -c "$UDP_SEND" "$REMOTE_IP" "after-$$"
  wait_for grep -q "after-$$-connected" "$UDP_LOG" || fail "the allowed datagrams did not arrive: $(<"$UDP_LOG")"
  expect_eq "$(udp_got "deny-$$")" "" "refused datagrams at the local host"
}

check_egress_ipv6() {
  need_net
  sbx_ok "${PRIVATE[@]}" -- $PY -c "$FETCH" "http://[$LOCAL_IP6]:8087/hello.txt"
  expect_eq "$OUT" hello-from-local "control: ULA host without a policy"
  sbx_fails "${PRIVATE[@]}" --egress deny-local -- $PY -c "$FETCH" "http://[$LOCAL_IP6]:8087/hello.txt"
  expect_contains "$ERR" "egress deny-local: refused tcp [$LOCAL_IP6]:8087" "ULA refused"
  sbx_ok "${PRIVATE[@]}" --egress deny-all --egress-allow "$REMOTE_IP6/64@tcp:8083" -- \
    $PY -c "$FETCH" "http://[$REMOTE_IP6]:8083/hello.txt"
  expect_eq "$OUT" hello-from-remote "an allowed IPv6 network"
  # The local IPv4 host through an IPv4-mapped IPv6 address is still it.
  sbx_fails "${PRIVATE[@]}" --egress deny-local -- $PY -c "$FETCH" "http://[::ffff:$LOCAL_IP]:8087/hello.txt"
  expect_not_contains "$OUT" hello-from-local "through ::ffff:$LOCAL_IP"
}

check_egress_race() {
  need_net
  # Control: without a policy the flipping address reaches both servers
  # (so the race below does happen).
  sbx_ok "${PRIVATE[@]}" -- $PY -c "$RACE" "$REMOTE_IP" "$LOCAL_IP" 300
  diag "no policy: $OUT"
  expect_not_contains "$OUT" " local=0 " "control: the local host is reached without a policy"
  sbx_ok "${PRIVATE[@]}" --egress deny-local -- $PY -c "$RACE" "$REMOTE_IP" "$LOCAL_IP" 300
  diag "deny-local: $OUT"
  expect_contains "$OUT" " local=0 " "no connection reached the refused host"
  expect_not_contains "$OUT" "remote=0 " "some reached the allowed one"
}

check_egress_misplaced() {
  need_net
  run_sbx --ro-bind / / --unshare-net --egress deny-all -- true
  expect_ne "$RC" 0 "egress without network private"
  expect_error_message "egress needs network private"
  run_sbx --ro-bind / / --egress-allow 10.0.0.0/8 -- true
  expect_ne "$RC" 0 "egress-allow with the host's network"
  expect_error_message "egress-allow needs network private"
  sbx_ok --ro-bind / / --egress open -- true
  run_sbx "${PRIVATE[@]}" --egress deny-local --egress-allow 10.0.0.0/33 -- true
  expect_ne "$RC" 0 "a bad prefix"
  expect_error_message "egress-allow: \"10.0.0.0/33\": the prefix length is not 0-32 (IPv4) or 0-128 (IPv6)"
  run_sbx "${PRIVATE[@]}" --egress deny-local --egress-allow "10.0.0.1@tcp:0" -- true
  expect_ne "$RC" 0 "port 0"
  run_sbx "${PRIVATE[@]}" --egress deny-some -- true
  expect_error_message "egress: \"deny-some\" is not one of open, deny-local, deny-all"
}

check_egress_explain() {
  need_net
  sbx_ok --explain "${PRIVATE[@]}" --egress deny-local --egress-allow "10.1.2.3/8@tcp:443,8000-8080@udp:53" \
    --egress-allow example.org -- true
  expect_contains "$OUT" "egress: deny-local, with egress-allow" "the network section"
  expect_contains "$OUT" "network: egress deny-local: refused: the local network" "the policy"
  expect_contains "$OUT" "network: egress-allow 10.0.0.0/8@tcp:443" "a rule, host bits dropped"
  expect_contains "$OUT" "network: egress-allow 10.0.0.0/8@tcp:8000-8080" "a range"
  expect_contains "$OUT" "network: egress-allow 10.0.0.0/8@udp:53" "a second protocol"
  expect_contains "$OUT" "network: egress-allow example.org (resolved when the sandbox starts)" "a name"
  sbx_ok --explain --json "${PRIVATE[@]}" --egress deny-all --egress-allow "198.51.100.0/24@udp:53" -- true
  expect_contains "$OUT" '"egress": "deny-all"' "json: the policy"
  expect_contains "$OUT" '"egress_allow": ["198.51.100.0/24@udp:53"]' "json: the rules"
  expect_contains "$OUT" "does not work: egress deny-all and no egress-allow names a host" "DNS under deny-all"
}

run_checks() {
  use_named_helper
  check "the test network is confined to this machine" check_confined
  check "network private: tap0 10.0.2.100/24, MTU 65520, default route via the helper, attached" check_ip_config
  check "network private reaches the test host through the helper" check_remote
  check "network private: the host's loopback is not reachable" check_no_host_loopback
  check "network private: the host's own address is not reachable" check_no_host_address
  check "network private: IPv6 address and route set before the app, TCP and UDP to the test host" check_ipv6
  check "network private: the host's ::1 and its own IPv6 address are not reachable" check_no_host_ipv6
  check "network private: forward-port reaches a server inside from the host, an unlisted port does not" check_forward_port
  check "network private: forward-port in a profile and --explain; malformed and misplaced forwards fail" check_forward_port_profile
  check "network private: allow-host-port reaches the listed host loopback port, not another" check_allow_host_port
  check "network private: DNS through the helper, resolv.conf names it" check_dns
  check "network private: the host's abstract X11-like socket can't be connected" check_no_abstract_x11
  check "network private: a missing helper is one clear error naming the package" check_missing_helper
  check "network private: a /dev/net/tun the user can't open is one clear error" check_tun_unusable
  check "network private: a helper that exits first stops the app" check_helper_dies_first
  check "network private: the app starts on tap0's carrier, not waiting for the helper's ready byte" check_app_starts_on_carrier
  check "network private: a helper that dies after attaching, before its ready byte, stops the app" check_helper_dies_after_carrier
  check "network private: without ports or egress, the helper's ready byte goes straight into the sandbox" check_ready_pipe_direct
  check "network private: the helper does not outlive a killed sbx" check_helper_lifetime
  check "network private: a helper that dies while the sandbox runs is reported" check_helper_dies_reported
  check "network private: --info-fd ends while the sandbox runs (the helper holds no copy)" check_info_fd_eof
  check "network private: nothing left behind" check_nothing_left
  check "network private: tap0 goes with the namespace, not in the helper's exit" check_tap_left_to_namespace
  check "network private: sandboxes ended at every point of their start leave nothing (stress)" check_stress_ends
  check "network private in --explain, with the helper" check_explain
  check "egress deny-local: the local-network host is refused and said, egress-allow opens it, port by port" check_egress_deny_local
  check "egress deny-all: only the allowed host and port; another port of it is refused" check_egress_deny_all
  check "egress: allowed names resolve at start, DNS works unless deny-all names no host" check_egress_names
  check "egress: UDP datagrams (sendto, connected) to a refused host never arrive" check_egress_udp
  check "egress: IPv6 (ULA refused, an allowed network) and IPv4-mapped addresses" check_egress_ipv6
  check "egress: a thread rewriting connect()'s address never reaches the refused host" check_egress_race
  check "egress: directives without network private, malformed rules" check_egress_misplaced
  check "egress in --explain (text and JSON)" check_egress_explain
}

tap_main "$@"
