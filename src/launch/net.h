/* The network helper of `network private`: a user-mode network stack
 * (slirp4netns, or pasta from Debian's passt) that joins the sandbox's
 * network namespace, attaches to its tap0 and relays what the app sends
 * there through ordinary sockets it opens on the host, as any process of
 * the user would.  The host's loopback and the host's own addresses are
 * not reachable through it.
 *
 * It needs the sandbox's namespaces, which exist only once the engine has
 * cloned the sandbox, yet it must not make the start slower: a starter
 * process (a fork of sbx, made by launch before the sandbox) waits on a
 * socket (plan->started_fd) for the sandbox's network namespace, which the
 * sandbox sends as soon as it may be joined (its tap0 is made and
 * configured by then: engine, ns_tap_create), then enters the user
 * namespace that owns it and execs the helper, which attaches to tap0
 * while the sandbox builds itself.
 *
 * The helper says it is ready once it serves tap0, with a byte on the
 * app's ready pipe (plan->net_ready_fd, as for the D-Bus proxy).  With
 * forwarded ports, allowed host ports or an egress policy, the finisher
 * sits between the two, a process the starter forks first (the namespace
 * is handed on to it): it asks the helper (its API socket) for the
 * forwarded ports, opens the sandbox's loopback listeners of
 * allow-host-port, and only then writes the app's ready byte, which the
 * app's exec waits for.  With allowed host ports it stays, as their
 * relay; with an egress policy, as its judge.  Without
 * forwarded or allowed ports the app does not wait for that byte but for
 * tap0's carrier (plan->net_ready_on_carrier): the helper has attached its
 * queue, where what the app sends waits while the helper confines itself
 * (its own sandbox and filter: ~3 ms here) and starts to serve; EOF on the
 * ready pipe before the carrier still means the helper died first, and
 * after it, before the byte, the sandbox's pid 1 stops the app (engine,
 * supervise_net): either way the start fails.
 *
 * Lifetime: the helper and the finisher hold the read end of an "exit"
 * pipe whose only write end is sbx's; they end when that closes
 * (net_tell_stop, or sbx's own death); the helper also dies with the starter's
 * parent (PR_SET_PDEATHSIG).  Their output goes to a memfd, shown when the
 * helper fails. */
#pragma once

#include <stdbool.h>

#include "engine/supervisor.h"
#include "plan/plan.h"

enum net_helper_kind { NET_SLIRP4NETNS, NET_PASTA };

struct net_state {
  char *binary;              /* the helper found */
  enum net_helper_kind kind;
  struct helper proc;        /* the starter, which becomes the helper */
  int exit_wr;               /* its end tells the helper the sandbox ended */
  int log_fd;                /* the helper's stdout and stderr (a memfd) */
  const struct plan_net *cfg; /* the plan's: forwards, allowed host ports */
  char *api_dir;             /* forward-port: a directory of ours holding the
                              * helper's API socket, or NULL */
};

/* How long the app waits for the helper's tap0 (its ready byte); and how
 * long the helper may take to exit once told. */
#define NET_READY_TIMEOUT_MS 30000
#define NET_EXIT_TIMEOUT_MS 2000

void net_state_init(struct net_state *n);

/* The helper to use: $SBX_NET_HELPER (a path, or "slirp4netns"/"pasta"
 * looked up in $PATH) if set, else slirp4netns (ready in ~12 ms here),
 * else pasta (~117 ms), from $PATH then /usr/bin.  Returns 0, or -ENOENT
 * after a message naming the Debian packages. */
int net_find_helper(struct net_state *n);

/* The host's own addresses now, into net->host_addrs (IPv4, not 127/8)
 * and net->host_addrs6 (IPv6, not ::1 nor link-local): the sandbox refuses
 * them (plan_net).  Returns 0 or -errno after a message. */
int net_list_host_addrs(struct plan_net *net);

/* Start the starter (see above) for the plan's network cfg.  *started_wr:
 * for plan->started_fd (its end of the socket); *ready_rd: for
 * plan->net_ready_fd.  Returns 0 or -errno after a message; on failure
 * nothing is left running. */
int net_start(struct net_state *n, const struct plan_net *cfg, int *started_wr, int *ready_rd);

/* --explain: the helper that would run, its command, the forwarded and
 * allowed ports. */
void net_explain(const struct plan_net *cfg, struct notes *notes);

/* After the sandbox: tell the helper to go (close the exit pipe); if it
 * ended on its own before (it died early), say so with its output.  Its
 * exit then overlaps the caller's other cleanup.  Idempotent. */
void net_tell_stop(struct net_state *n);

/* Tell it (if not yet), reap it, and free what net_start made.
 * Idempotent. */
void net_stop(struct net_state *n);
