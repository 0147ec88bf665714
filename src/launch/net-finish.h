/* The network helper's finisher (see net.h): what happens between the
 * helper's "tap0 is up" and the app's start, and the relay of the allowed
 * host ports after it.
 *
 * It runs (named sbx-net-finish) as a grandchild of the starter (its parent
 * exits at once, so the helper it becomes is not its parent), started
 * before the sandbox exists: the starter hands it the sandbox's network
 * namespace, and it enters the owning user namespace (uid 0 there, with the
 * capabilities over the sandbox's network namespace) but stays in the
 * host's network namespace, where its sockets lead to the host.
 *
 *   0. fork the child of step 3 at once (a fork costs milliseconds here:
 *      off the app's way); it enters the sandbox's network namespace and
 *      waits for the go byte
 *   1. wait for the helper's ready byte (helper_ready; EOF: it died), tell
 *      the child to go, and meanwhile make tap0 persistent, so that the
 *      helper's exit does not unregister it (slow: RCU grace periods) but
 *      the namespace's end does
 *   2. forward-port: one add_hostfwd request per port on the helper's API
 *      socket (slirp4netns's JSON protocol, one request a connection)
 *   3. the child, in the sandbox's network namespace: tap0's IPv6
 *      address and default route (static, no router advertisement to wait
 *      for, no duplicate address detection: nobody else is on tap0), and
 *      the loopback listeners of allow-host-port, sent back over a socket
 *   4. the app's ready byte (app_ready)
 *   5. with listeners: relay each connection to the same port on the host's
 *      loopback until exit_rd reports EOF (the sandbox ended), confined by
 *      Landlock first (no files, TCP connect to those ports only)
 *   6. with an egress policy: answer the helper's connect() and sendto()
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
