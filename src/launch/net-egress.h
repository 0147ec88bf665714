/* network private's egress policy (egress, egress-allow): which
 * destinations the app may reach.
 *
 * Everything the app sends beyond its own network namespace leaves through
 * the helper (slirp4netns): each TCP connection, UDP flow or ping the app
 * starts becomes the helper's own connect() or sendto() on the host.  So
 * the policy is enforced on the helper's calls, not the app's: the helper
 * runs under a seccomp filter that turns those calls into notifications
 * (engine/notify.h, "socket calls taken over"), and the finisher, which
 * stays for the sandbox's lifetime, answers them -- it reads the
 * destination once, checks it here, and makes the allowed call itself on a
 * duplicate of the helper's socket.
 *
 * Why there and not on the app's calls: the app can race what it hands a
 * checker (its memory, its fd table), the helper does not (it is not the
 * adversary, and its calls are made on a copy anyway); every way the app
 * can send (connect, sendto, sendmsg, sendmmsg, io_uring, raw packets)
 * ends in one of the helper's few calls; unix sockets, which are not the
 * policy's business, never reach the helper, so the app's Wayland and
 * D-Bus traffic pay nothing; and the helper's sockets are non-blocking, so
 * a slow destination never holds the answering loop.
 *
 * A refused connection: the helper's connect fails with ECONNREFUSED, and
 * slirp4netns answers the app's SYN with a reset, so the app sees
 * "connection refused" at once (a UDP datagram or a ping is dropped, the
 * app gets an ICMP "unreachable").  Each refused destination is said once
 * on sbx's stderr. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "plan/plan.h"

/* Before the helper starts: the addresses of egress-allow's host names
 * (resolved now, on the host; a name that does not resolve allows
 * nothing, with a warning) and, when names work (egress_dns), the host's
 * resolvers on port 53, which the helper's DNS forwarder (10.0.2.3, fd00::3)
 * asks.  Returns 0 (no failure stops the sandbox). */
int net_egress_prepare(struct plan_net *net);

/* Is there a policy to enforce (anything but egress open)? */
bool net_egress_active(const struct plan_net *net);

/* In the starter, just before it becomes the helper: the notifying filter;
 * its listener, or -errno after a message. */
int net_egress_filter(void);

/* The finisher's loop: answer the helper's calls on listener until exit_rd
 * reports EOF or the helper is gone; refusals are said on log_fd. */
_noreturn_ void net_egress_serve(const struct plan_net *net, int listener, int log_fd, int exit_rd);

/* --explain's notes: the policy and its exceptions. */
void net_egress_explain(const struct plan_net *net, struct notes *notes);
