/* The network helper's finisher (see net.h): what happens between the
 * helper's "tap0 is up" and the app's start, and the relay of the allowed
 * host ports after it.
 *
 * It runs only when it has work: forwarded ports, allowed host ports or an
 * egress policy (without, the helper writes the app's ready byte itself).
 * It runs (named sbx-net-finish) as a grandchild of the starter (its parent
 * exits at once, so the helper it becomes is not its parent), started
 * before the sandbox exists: the starter hands it the sandbox's network
 * namespace, and it enters the owning user namespace (uid 0 there, with the
 * capabilities over the sandbox's network namespace) but stays in the
 * host's network namespace, where its sockets lead to the host.
 *
 *   0. with allowed host ports, fork the child of step 2 at once (a fork
 *      costs milliseconds here: off the app's way); it enters the
 *      sandbox's network namespace, opens the loopback listeners of
 *      allow-host-port (two a port: IPv4, IPv6) and sends them back
 *   1. wait for the helper's ready byte (helper_ready; EOF: it died).
 *      tap0 itself, its addresses and routes, and its persistence (it
 *      goes with the namespace, not in the helper's slow exit) are the
 *      sandbox's work, done before the helper ran (engine, ns_tap_create)
 *   2. forward-port: one add_hostfwd request per port on the helper's API
 *      socket (slirp4netns's JSON protocol, one request a connection);
 *      then the child's listeners
 *   3. the app's ready byte (app_ready).  Without steps 0 and 2 the app
 *      may have started already, on tap0's carrier (net.h), and even
 *      ended: a byte nobody reads is no failure
 *   4. with listeners: relay each connection to the same port on the host's
 *      loopback until exit_rd reports EOF (the sandbox ended), confined by
 *      Landlock first (no files, TCP connect to those ports only)
 *   5. with an egress policy: answer the helper's connect() and sendto()
 *      (net-egress.h) until then, in a process of its own beside the relay
 *      (whose Landlock rules would refuse the helper's connections)
 *
 * Any failure is written to stderr (the helper's log) and ends the helper
 * (SIGTERM to `helper`), so that sbx reports it with the log; the app then
 * never starts. */
#pragma once

#include <sys/types.h>

#include "plan/plan.h"
#include "util/util.h"

/* What its messages in the helper's log start with. */
#define NET_FINISH_LOG_PREFIX "sbx network finisher: "

struct net_finish_fds {
  int helper_ready; /* the helper's ready byte comes here */
  int app_ready;    /* the app's goes here */
  int exit_rd;      /* EOF: the sandbox ended */
  int netns;        /* the sandbox's network namespace */
  int egress_sock;  /* egress: the helper's listener comes here; or -1 */
  int egress_log;   /* egress: sbx's stderr, for refusals; or -1 */
};
_noreturn_ void net_finish(const struct plan_net *cfg, const char *api, pid_t helper, const struct net_finish_fds *fds);
