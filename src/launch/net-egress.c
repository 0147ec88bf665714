/* network private's egress policy: see net-egress.h for where it is
 * enforced and why there. */
#include "launch/net-egress.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "engine/notify.h"
#include "util/util.h"

bool net_egress_active(const struct plan_net *net)
{
  return net && net->egress != PLAN_EGRESS_OPEN;
}

/* ---- before the start: names and resolvers --------------------------- */

/* The rule for one address of a resolved name: a copy of the name's rule. */
static void add_resolved(struct plan_net *net, size_t rule, const struct sockaddr *sa)
{
  struct plan_egress_rule r = net->allow[rule];
  r.name = NULL;
  r.family = sa->sa_family;
  if (sa->sa_family == AF_INET) {
    memcpy(r.addr, &((const struct sockaddr_in *)sa)->sin_addr, 4);
    r.prefix = 32;
  } else {
    memcpy(r.addr, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
    r.prefix = 128;
  }
  for (size_t i = 0; i < net->n_allow; i++) {
    const struct plan_egress_rule *o = &net->allow[i];
    if (!o->name && o->family == r.family && o->prefix == r.prefix && memcmp(o->addr, r.addr, 16) == 0 &&
        o->proto == r.proto && o->lo == r.lo && o->hi == r.hi)
      return; /* already there (a name with an A record twice, or listed as an address too) */
  }
  *ARRAY_PUSH(net->allow, net->n_allow, net->cap_allow) = r;
}

/* egress-allow NAME: its addresses now, as the host resolves them.  The
 * app may later be told other addresses for the name (DNS round robin, a
 * TTL that ran out): those are refused; the man page says so. */
static void resolve_names(struct plan_net *net)
{
  size_t n = net->n_allow;
  for (size_t i = 0; i < n; i++) {
    if (!net->allow[i].name)
      continue;
    bool seen = false;
    for (size_t j = 0; j < i && !seen; j++)
      seen = net->allow[j].name && strcmp(net->allow[j].name, net->allow[i].name) == 0;
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM }, *list = NULL;
    int e = getaddrinfo(net->allow[i].name, NULL, &hints, &list);
    if (e != 0) {
      if (!seen)
        log_warn("egress-allow %s: can't resolve it (%s); it allows nothing", net->allow[i].name, gai_strerror(e));
      continue;
    }
    for (struct addrinfo *ai = list; ai; ai = ai->ai_next)
      if (ai->ai_family == AF_INET || ai->ai_family == AF_INET6)
        add_resolved(net, i, ai->ai_addr);
    freeaddrinfo(list);
  }
}

/* The host's resolvers (/etc/resolv.conf's nameserver lines), which the
 * helper's DNS forwarder asks: port 53, TCP and UDP. */
static void allow_resolvers(struct plan_net *net)
{
  FILE *f = fopen("/etc/resolv.conf", "re");
  if (!f)
    return;
  char line[256];
  while (fgets(line, sizeof line, f)) {
    char addr[INET6_ADDRSTRLEN + 1];
    if (sscanf(line, " nameserver %46s", addr) != 1)
      continue;
    addr[strcspn(addr, "%")] = '\0'; /* fe80::1%eth0 */
    struct plan_egress_rule r = { .proto = IPPROTO_UDP, .lo = 53, .hi = 53 };
    if (inet_pton(AF_INET, addr, r.addr) == 1)
      r.family = AF_INET, r.prefix = 32;
    else if (inet_pton(AF_INET6, addr, r.addr) == 1)
      r.family = AF_INET6, r.prefix = 128;
    else
      continue;
    *ARRAY_PUSH(net->allow, net->n_allow, net->cap_allow) = r;
    r.proto = IPPROTO_TCP;
    *ARRAY_PUSH(net->allow, net->n_allow, net->cap_allow) = r;
  }
  fclose(f);
}

int net_egress_prepare(struct plan_net *net)
{
  if (!net_egress_active(net))
    return 0;
  resolve_names(net);
  if (net->egress_dns)
    allow_resolvers(net);
  return 0;
}

/* ---- the helper's side ----------------------------------------------- */

int net_egress_filter(void)
{
  /* sendto only with an address: without one it is send() on a socket
   * whose destination was decided at its connect (each TCP segment the
   * helper relays), which must not cost a notification.  sendmsg and
   * sendmmsg are libslirp's nowhere; slirp4netns's own sendmsg hands tap0
   * over a unix socket pair (and the starter's hands this listener over,
   * which a notification would deadlock). */
  static const struct notify_call calls[] = { { "connect", -1 }, { "sendto", 4 } };
  return notify_filter_load(calls, sizeof calls / sizeof calls[0]);
}

/* ---- the finisher's side --------------------------------------------- */

struct egress_ctx {
  const struct plan_net *net;
  int log_fd;
  struct strv said; /* destinations refused and said so */
};

static const char *proto_name(int proto)
{
  return proto == IPPROTO_TCP ? "tcp" : proto == IPPROTO_UDP ? "udp" : proto == IPPROTO_ICMP ? "icmp"
                                        : proto == IPPROTO_ICMPV6 ? "icmpv6" : "ip";
}

/* "tcp 10.1.2.3:80", "udp [fd00::1]:53" */
static char *dest_text(int family, const uint8_t *addr, uint16_t port, int proto)
{
  char a[INET6_ADDRSTRLEN];
  inet_ntop(family, addr, a, sizeof a);
  return family == AF_INET6 ? xasprintf("%s [%s]:%u", proto_name(proto), a, port)
                            : xasprintf("%s %s:%u", proto_name(proto), a, port);
}

/* Said once per destination, and for the first EGRESS_SAID_MAX of them:
 * an app that scans the local network must not fill the terminal (nor
 * our memory). */
#define EGRESS_SAID_MAX 256

static void say_refused(struct egress_ctx *c, char *what)
{
  for (size_t i = 0; i < c->said.n; i++)
    if (strcmp(c->said.v[i], what) == 0) {
      free(what);
      return;
    }
  if (c->said.n > EGRESS_SAID_MAX) {
    free(what);
    return;
  }
  if (c->log_fd >= 0 && c->said.n == EGRESS_SAID_MAX)
    dprintf(c->log_fd, "%s: egress %s: more destinations refused, not shown\n", log_prog(),
            plan_egress_name(c->net->egress));
  else if (c->log_fd >= 0)
    dprintf(c->log_fd, "%s: egress %s: refused %s\n", log_prog(), plan_egress_name(c->net->egress), what);
  strv_push(&c->said, what);
}

static int decide(void *ctx, const struct notify_dest *d)
{
  struct egress_ctx *c = ctx;
  struct plan_egress_dest dest;
  int e = plan_egress_check(c->net, d->nr == __NR_connect, d->domain, d->protocol, &d->addr, d->addr_len, &dest);
  if (e == ECONNREFUSED)
    say_refused(c, dest_text(dest.family, dest.addr, dest.port, d->protocol));
  return e;
}

void net_egress_serve(const struct plan_net *net, int listener, int log_fd, int exit_rd)
{
  struct egress_ctx c = { .net = net, .log_fd = log_fd };
  struct notify_bufs *b = notify_bufs_new();
  if (!b)
    _exit(1);
  struct pollfd pfd[2] = { { .fd = listener, .events = POLLIN }, { .fd = exit_rd, .events = POLLIN } };
  for (;;) {
    if (RETRY(poll(pfd, 2, -1)) < 0 || pfd[1].revents)
      break;
    if (pfd[0].revents & POLLIN) {
      int r = notify_handle_socket_call(listener, b, decide, &c);
      if (r < 0)
        dprintf(STDERR_FILENO, "sbx network finisher: egress: %s\n", strerror(-r));
    } else if (pfd[0].revents) {
      break; /* the helper is gone */
    }
  }
  _exit(0);
}

void net_egress_explain(const struct plan_net *net, struct notes *notes)
{
  if (!net || (net->egress == PLAN_EGRESS_OPEN && net->n_allow == 0))
    return;
  static const char *const what[] = {
    [PLAN_EGRESS_OPEN] = "nothing is refused (egress-allow has nothing to make an exception to)",
    [PLAN_EGRESS_DENY_LOCAL] = "refused: the local network (0/8, 10/8, 100.64/10, 127/8, 169.254/16, 172.16/12, "
                               "192.168/16, multicast, broadcast; ::, ::1, fc00::/7, fe80::/10, ff00::/8) and the "
                               "host's own addresses, except egress-allow",
    [PLAN_EGRESS_DENY_ALL] = "refused: every destination, except egress-allow",
  };
  notes_add(notes, "network: egress %s: %s; enforced on the network helper's connect() and sendto() (seccomp user "
                   "notification, answered by sbx-net-finish); a refused TCP connection is refused at once, and "
                   "each refused destination is said once on stderr",
            plan_egress_name(net->egress), what[net->egress]);
  for (size_t i = 0; i < net->n_allow; i++) {
    _cleanup_free_ char *text = plan_egress_rule_text(&net->allow[i]);
    notes_add(notes, "network: egress-allow %s%s", text,
              net->allow[i].name ? " (resolved when the sandbox starts)" : "");
  }
  if (net->egress != PLAN_EGRESS_OPEN)
    notes_add(notes, "network: egress: DNS through the helper (%s) %s", PLAN_NET_DNS,
              net->egress_dns ? "works: the host's resolvers are allowed on port 53"
                              : "does not work: egress deny-all and no egress-allow names a host");
}
