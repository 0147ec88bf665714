/* network private's egress rules as plan data: the parser of egress-allow
 * (policy checks a line with it, compile turns it into rules) and the
 * decision the network finisher asks for each of the helper's calls
 * (launch/net-egress.c).  Plain data in, an answer out: no sockets made,
 * no names resolved, so the unit tests need no network. */
#include "plan/plan.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>

#include "util/util.h"

const char *plan_egress_name(enum plan_egress e)
{
  static const char *const names[] = { "open", "deny-local", "deny-all" };
  return names[e];
}

/* A host name as DNS writes it: letters, digits, '-' and '.', with a
 * letter somewhere (so that a mistyped address is not taken for a name). */
static bool is_host_name(const char *s)
{
  bool letter = false;
  size_t len = strlen(s);
  if (len == 0 || len > 253 || s[0] == '.' || s[0] == '-')
    return false;
  for (const char *c = s; *c; c++) {
    if (isalpha((unsigned char)*c))
      letter = true;
    else if (!isdigit((unsigned char)*c) && *c != '-' && *c != '.')
      return false;
  }
  return letter;
}

/* DEST: ADDRESS[/PREFIX] or a host name, into r. */
static int parse_dest(const char *dest, struct plan_egress_rule *r, const char **why)
{
  char addr[INET6_ADDRSTRLEN + 8];
  if (snprintf(addr, sizeof addr, "%s", dest) >= (int)sizeof addr)
    return *why = "not an address, a network or a host name", -EINVAL;
  char *slash = strchr(addr, '/');
  if (slash)
    *slash = '\0';
  if (inet_pton(AF_INET, addr, r->addr) == 1)
    r->family = AF_INET, r->prefix = 32;
  else if (inet_pton(AF_INET6, addr, r->addr) == 1)
    r->family = AF_INET6, r->prefix = 128;
  else if (!slash && is_host_name(dest)) {
    r->name = xstrdup(dest);
    return 0;
  } else
    return *why = "not an address, a network (ADDRESS/PREFIX) or a host name", -EINVAL;
  if (slash) {
    unsigned long long bits;
    if (parse_uint(slash + 1, &bits) < 0 || bits > r->prefix)
      return *why = "the prefix length is not 0-32 (IPv4) or 0-128 (IPv6)", -EINVAL;
    r->prefix = (unsigned)bits;
    /* 10.1.2.3/8 means 10.0.0.0/8: the host bits are dropped. */
    for (unsigned b = r->prefix; b < (r->family == AF_INET ? 32u : 128u); b++)
      r->addr[b / 8] &= (uint8_t) ~(0x80u >> (b % 8));
  }
  return 0;
}

/* PROTO:PORTS: one rule per range, copies of dest. */
static int parse_ports(const char *word, const struct plan_egress_rule *dest, struct plan_egress_rule **v, size_t *n,
                       size_t *cap, const char **why)
{
  int proto = strncmp(word, "tcp:", 4) == 0 ? IPPROTO_TCP : strncmp(word, "udp:", 4) == 0 ? IPPROTO_UDP : 0;
  if (!proto || !word[4])
    return *why = "ports are tcp:PORTS or udp:PORTS (PORTS like 80,443,8000-8080)", -EINVAL;
  _cleanup_free_ char *copy = xstrdup(word + 4);
  /* strsep, not strtok: an empty field ("80,,443", "80,") is an error,
   * not skipped. */
  for (char *rest = copy, *range; (range = strsep(&rest, ","));) {
    unsigned long long lo, hi;
    char *dash = strchr(range, '-');
    if (dash)
      *dash = '\0';
    if (!range[0] || parse_uint(range, &lo) < 0 || (dash && parse_uint(dash + 1, &hi) < 0))
      return *why = "a port is not a number (PORTS like 80,443,8000-8080)", -EINVAL;
    if (!dash)
      hi = lo;
    if (lo < 1 || hi > 65535 || lo > hi)
      return *why = "ports are 1-65535, ranges low-high", -EINVAL;
    struct plan_egress_rule *r = ARRAY_PUSH(*v, *n, *cap);
    *r = *dest;
    r->name = dest->name ? xstrdup(dest->name) : NULL;
    r->proto = proto;
    r->lo = (uint16_t)lo;
    r->hi = (uint16_t)hi;
  }
  return 0;
}

int plan_egress_parse(const char *arg, struct plan_egress_rule **v, size_t *n, size_t *cap, const char **why)
{
  _cleanup_free_ char *copy = xstrdup(arg);
  char *rest = copy, *dest_word = strsep(&rest, "@");
  struct plan_egress_rule dest = { .lo = 0, .hi = 65535 };
  if (!dest_word[0])
    return *why = "no destination", -EINVAL;
  int r = parse_dest(dest_word, &dest, why);
  size_t before = *n;
  bool ports = false;
  for (char *w; r == 0 && (w = strsep(&rest, "@"));) {
    r = parse_ports(w, &dest, v, n, cap, why);
    ports = true;
  }
  if (r == 0 && !ports) {
    *ARRAY_PUSH(*v, *n, *cap) = dest;
    dest.name = NULL; /* the rule owns it */
  }
  free(dest.name);
  if (r < 0) {
    while (*n > before)
      free((*v)[--*n].name);
  }
  return r;
}

char *plan_egress_rule_text(const struct plan_egress_rule *r)
{
  struct buf b = { 0 };
  char addr[INET6_ADDRSTRLEN];
  if (r->name)
    buf_puts(&b, r->name);
  else {
    inet_ntop(r->family, r->addr, addr, sizeof addr);
    buf_printf(&b, "%s/%u", addr, r->prefix);
  }
  if (r->proto) {
    buf_printf(&b, "@%s:%u", r->proto == IPPROTO_TCP ? "tcp" : "udp", r->lo);
    if (r->hi != r->lo)
      buf_printf(&b, "-%u", r->hi);
  }
  return buf_steal(&b);
}

/* ---- egress: the decision (launch/net-egress.c asks) ------------------- */
/* ---- the decision ---------------------------------------------------- */

static bool prefix_match(const uint8_t *a, const uint8_t *net, unsigned bits)
{
  size_t whole = bits / 8;
  if (memcmp(a, net, whole) != 0)
    return false;
  unsigned rest = bits % 8;
  uint8_t mask = (uint8_t)(0xff00u >> rest);
  return rest == 0 || (a[whole] & mask) == (net[whole] & mask);
}

/* The local network and the host, for deny-local.  IPv4: this network,
 * RFC 1918, the shared address space of carrier NAT (and of VPNs such as
 * Tailscale), loopback, link-local, multicast and broadcast; IPv6: the
 * unspecified address, loopback, ULA, link-local, multicast. */
struct range {
  int family;
  uint8_t addr[16];
  unsigned bits;
};
static const struct range local_ranges[] = {
  { AF_INET, { 0 }, 8 },           { AF_INET, { 10 }, 8 },         { AF_INET, { 100, 64 }, 10 },
  { AF_INET, { 127 }, 8 },         { AF_INET, { 169, 254 }, 16 },  { AF_INET, { 172, 16 }, 12 },
  { AF_INET, { 192, 168 }, 16 },   { AF_INET, { 224 }, 4 },        { AF_INET, { 255, 255, 255, 255 }, 32 },
  { AF_INET6, { 0 }, 128 },        { AF_INET6, { [15] = 1 }, 128 }, { AF_INET6, { 0xfc }, 7 },
  { AF_INET6, { 0xfe, 0x80 }, 10 }, { AF_INET6, { 0xff }, 8 },
};

static bool is_local(const struct plan_net *net, int family, const uint8_t *addr)
{
  for (size_t i = 0; i < sizeof local_ranges / sizeof local_ranges[0]; i++)
    if (local_ranges[i].family == family && prefix_match(addr, local_ranges[i].addr, local_ranges[i].bits))
      return true;
  /* The host's own addresses (launch listed them for the sandbox's routes). */
  for (size_t i = 0; family == AF_INET && i < net->n_host_addrs; i++)
    if (memcmp(&net->host_addrs[i], addr, 4) == 0)
      return true;
  for (size_t i = 0; family == AF_INET6 && i < net->n_host_addrs6; i++)
    if (memcmp(net->host_addrs6[i].a, addr, 16) == 0)
      return true;
  return false;
}

static bool rule_matches(const struct plan_egress_rule *r, int family, const uint8_t *addr, uint16_t port, int proto)
{
  if (r->family != family || !prefix_match(addr, r->addr, r->prefix))
    return false;
  if (r->proto == 0)
    return true;
  return r->proto == proto && port >= r->lo && port <= r->hi;
}

bool plan_egress_permits(const struct plan_net *net, int family, const uint8_t *addr, uint16_t port, int proto)
{
  static const uint8_t v4mapped[12] = { [10] = 0xff, [11] = 0xff };
  if (family == AF_INET6 && memcmp(addr, v4mapped, 12) == 0) {
    family = AF_INET;
    addr += 12;
  }
  for (size_t i = 0; i < net->n_allow; i++)
    if (rule_matches(&net->allow[i], family, addr, port, proto))
      return true;
  switch (net->egress) {
  case PLAN_EGRESS_OPEN: return true;
  case PLAN_EGRESS_DENY_LOCAL: return !is_local(net, family, addr);
  case PLAN_EGRESS_DENY_ALL: return false;
  }
  return false;
}

int plan_egress_check(const struct plan_net *net, bool is_connect, int domain, int protocol,
                      const struct sockaddr_storage *ss, size_t len, struct plan_egress_dest *dest)
{
  /* A unix socket's path would be looked up in the answering process's
   * mount namespace, not the caller's: not ours to connect. */
  if (domain == AF_UNIX)
    return EPERM;
  if (domain != AF_INET && domain != AF_INET6)
    return 0; /* netlink and such: no destination beyond the machine */
  if (ss->ss_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
    const struct sockaddr_in *in = (const struct sockaddr_in *)ss;
    *dest = (struct plan_egress_dest){ AF_INET, (const uint8_t *)&in->sin_addr, ntohs(in->sin_port) };
  } else if (ss->ss_family == AF_INET6 && len >= offsetof(struct sockaddr_in6, sin6_scope_id)) {
    const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)ss;
    *dest = (struct plan_egress_dest){ AF_INET6, (const uint8_t *)&in6->sin6_addr, ntohs(in6->sin6_port) };
  } else if (is_connect && ss->ss_family == AF_UNSPEC) {
    return 0; /* connect(AF_UNSPEC): the socket's association dissolved, no destination */
  } else {
    /* Nothing else is judged, so nothing else is made: an IPv4 socket's
     * sendto() takes an AF_UNSPEC address as an IPv4 one (the kernel's
     * compatibility with old programs), and an address too short for its
     * family has no destination to check. */
    return EAFNOSUPPORT;
  }
  return plan_egress_permits(net, dest->family, dest->addr, dest->port, protocol) ? 0 : ECONNREFUSED;
}
