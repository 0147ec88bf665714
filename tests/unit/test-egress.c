/* Unit tests: network private's egress rules (plan/plan.c): the parser of
 * egress-allow and the decision the finisher asks for each of the
 * helper's connections.  Plain data: no sandbox, no network. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "plan/plan.h"
#include "tap.h"
#include "util/util.h"

static void net_clear(struct plan_net *net)
{
  for (size_t i = 0; i < net->n_allow; i++)
    free(net->allow[i].name);
  free(net->allow);
  *net = (struct plan_net){ 0 };
}

static int add(struct plan_net *net, const char *arg)
{
  const char *why = "";
  return plan_egress_parse(arg, &net->allow, &net->n_allow, &net->cap_allow, &why);
}

/* May net reach TEXT (an IPv4 or IPv6 address) port by proto? */
static bool permits(const struct plan_net *net, const char *text, uint16_t port, int proto)
{
  uint8_t a[16] = { 0 };
  int family = inet_pton(AF_INET, text, a) == 1 ? AF_INET : AF_INET6;
  if (family == AF_INET6 && inet_pton(AF_INET6, text, a) != 1)
    bail_out("bad address %s", text);
  return plan_egress_permits(net, family, a, port, proto);
}

static void test_parse(void)
{
  struct plan_net net = { 0 };
  ok(add(&net, "10.1.2.3/8@tcp:443,8000-8080@udp:53") == 0 && net.n_allow == 3, "three rules from one line");
  _cleanup_free_ char *t0 = plan_egress_rule_text(&net.allow[0]);
  _cleanup_free_ char *t1 = plan_egress_rule_text(&net.allow[1]);
  _cleanup_free_ char *t2 = plan_egress_rule_text(&net.allow[2]);
  is_str(t0, "10.0.0.0/8@tcp:443", "host bits dropped");
  is_str(t1, "10.0.0.0/8@tcp:8000-8080", "a range");
  is_str(t2, "10.0.0.0/8@udp:53", "a second protocol");
  ok(add(&net, "example.org") == 0 && net.allow[3].name && net.allow[3].family == 0, "a name, to resolve");
  ok(add(&net, "2001:db8::1/32@tcp:22") == 0 && net.allow[4].family == AF_INET6 && net.allow[4].prefix == 32,
     "IPv6 with a prefix");
  size_t before = net.n_allow;
  static const char *const bad[] = { "", "@tcp:80", "10.0.0.0/33", "::/129", "10.0.0.1@tcp:0", "10.0.0.1@tcp:70000",
                                     "10.0.0.1@tcp:90-80", "10.0.0.1@icmp:1", "10.0.0.1@tcp:", "exa_mple.org",
                                     "10.0.0.1@tcp:80,x", "example.org/8", "1.2.3", "a@", "1.2.3.4@tcp:1@",
                                     "1.2.3.4@@tcp:1", "x.y@tcp:,", "x.y@tcp:80,,443", "x.y@tcp:80,", "@" };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    ok(add(&net, bad[i]) == -EINVAL && net.n_allow == before, "refused: \"%s\"", bad[i]);
  net_clear(&net);
}

static void test_deny_local(void)
{
  struct plan_net net = { .egress = PLAN_EGRESS_DENY_LOCAL };
  static const char *const local[] = { "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.1.1",
                                       "127.0.0.53", "0.0.0.0", "100.64.0.1", "224.0.0.251", "255.255.255.255",
                                       "fc00::1", "fd77::2", "fe80::1", "::1", "::", "ff02::fb",
                                       "::ffff:10.0.0.1", "::ffff:127.0.0.1" };
  for (size_t i = 0; i < sizeof local / sizeof local[0]; i++)
    ok(!permits(&net, local[i], 80, IPPROTO_TCP), "deny-local refuses %s", local[i]);
  static const char *const public[] = { "198.51.100.2", "172.32.0.1", "172.15.255.255", "8.8.8.8",
                                        "100.128.0.1", "2001:db8::1", "::ffff:198.51.100.2" };
  for (size_t i = 0; i < sizeof public / sizeof public[0]; i++)
    ok(permits(&net, public[i], 80, IPPROTO_TCP), "deny-local allows %s", public[i]);
  /* The host's own addresses, as launch lists them. */
  uint32_t host = inet_addr("198.51.100.1");
  net.host_addrs = &host;
  net.n_host_addrs = 1;
  ok(!permits(&net, "198.51.100.1", 80, IPPROTO_TCP), "deny-local refuses the host's own address");
  net.host_addrs = NULL;
  net.n_host_addrs = 0;
  /* Exceptions: by port and protocol, whatever the order. */
  ok(add(&net, "10.77.0.2@tcp:8087") == 0 && add(&net, "192.168.0.0/16") == 0, "rules");
  ok(permits(&net, "10.77.0.2", 8087, IPPROTO_TCP), "the allowed port");
  ok(!permits(&net, "10.77.0.2", 8088, IPPROTO_TCP), "another port of the allowed host");
  ok(!permits(&net, "10.77.0.2", 8087, IPPROTO_UDP), "the allowed port, another protocol");
  ok(!permits(&net, "10.77.0.2", 0, IPPROTO_ICMP), "a ping to a host allowed on one port");
  ok(permits(&net, "192.168.7.7", 5353, IPPROTO_UDP), "a network allowed on every port");
  ok(permits(&net, "192.168.7.7", 0, IPPROTO_ICMP), "...and to ping");
  ok(permits(&net, "::ffff:10.77.0.2", 8087, IPPROTO_TCP), "an exception reached through IPv4-mapped IPv6");
  net_clear(&net);
}

static void test_deny_all_and_open(void)
{
  struct plan_net net = { .egress = PLAN_EGRESS_DENY_ALL };
  ok(!permits(&net, "198.51.100.2", 443, IPPROTO_TCP), "deny-all refuses a public-looking address");
  ok(add(&net, "198.51.100.0/24@tcp:443") == 0 && add(&net, "2001:db8::/32@udp:53") == 0, "rules");
  ok(permits(&net, "198.51.100.200", 443, IPPROTO_TCP), "in the allowed network");
  ok(!permits(&net, "198.51.101.1", 443, IPPROTO_TCP), "next to it");
  ok(permits(&net, "2001:db8:ffff::1", 53, IPPROTO_UDP), "IPv6 network");
  ok(!permits(&net, "2001:db9::1", 53, IPPROTO_UDP), "next to it");
  net.egress = PLAN_EGRESS_OPEN;
  ok(permits(&net, "10.0.0.1", 80, IPPROTO_TCP), "open allows the local network");
  net_clear(&net);
}

static void test_check(void)
{
  struct plan_net net = { .egress = PLAN_EGRESS_DENY_LOCAL };
  struct plan_egress_dest dest;
  struct sockaddr_storage ss = { 0 };
  struct sockaddr_in *in = (struct sockaddr_in *)&ss;
  struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
  *in = (struct sockaddr_in){ .sin_family = AF_INET, .sin_port = htons(80), .sin_addr.s_addr = inet_addr("10.1.2.3") };
  ok(plan_egress_check(&net, true, AF_INET, IPPROTO_TCP, &ss, sizeof *in, &dest) == ECONNREFUSED &&
       dest.family == AF_INET && dest.port == 80 && memcmp(dest.addr, &in->sin_addr, 4) == 0,
     "a local destination: refused, and said which");
  ok(plan_egress_check(&net, true, AF_INET, IPPROTO_TCP, &ss, sizeof *in - 1, &dest) == EAFNOSUPPORT,
     "too short for its family: not judged, not made");
  in->sin_family = AF_UNSPEC;
  ok(plan_egress_check(&net, false, AF_INET, IPPROTO_UDP, &ss, sizeof *in, &dest) == EAFNOSUPPORT,
     "sendto(AF_UNSPEC), which an IPv4 socket takes as IPv4: not made");
  ok(plan_egress_check(&net, true, AF_INET, IPPROTO_UDP, &ss, sizeof *in, &dest) == 0,
     "connect(AF_UNSPEC): dissolves, made");
  in->sin_family = AF_INET;
  in->sin_addr.s_addr = inet_addr("198.51.100.2");
  ok(plan_egress_check(&net, false, AF_INET, IPPROTO_UDP, &ss, sizeof *in, &dest) == 0, "a public-looking one");
  ok(plan_egress_check(&net, true, AF_UNIX, 0, &ss, sizeof *in, &dest) == EPERM, "a unix socket: not ours");
  ok(plan_egress_check(&net, false, AF_NETLINK, 0, &ss, sizeof *in, &dest) == 0, "netlink: no destination");
  *in6 = (struct sockaddr_in6){ .sin6_family = AF_INET6, .sin6_port = htons(53) };
  inet_pton(AF_INET6, "fd77::2", &in6->sin6_addr);
  ok(plan_egress_check(&net, false, AF_INET6, IPPROTO_UDP, &ss, 24, &dest) == ECONNREFUSED && dest.port == 53,
     "IPv6, RFC 2133's shorter length");
  ok(plan_egress_check(&net, false, AF_INET6, IPPROTO_UDP, &ss, 23, &dest) == EAFNOSUPPORT, "IPv6, too short");
  /* An IPv4 address on an IPv6 socket: the kernel sends IPv4; judged as one. */
  *in = (struct sockaddr_in){ .sin_family = AF_INET, .sin_port = htons(80), .sin_addr.s_addr = inet_addr("10.1.2.3") };
  ok(plan_egress_check(&net, false, AF_INET6, IPPROTO_UDP, &ss, sizeof *in, &dest) == ECONNREFUSED,
     "an IPv4 address given to an IPv6 socket");
}

int main(void)
{
  test_check();
  test_parse();
  test_deny_local();
  test_deny_all_and_open();
  return tap_done();
}
