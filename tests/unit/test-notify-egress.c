/* Unit tests: socket calls taken over (engine/notify.c) with the egress
 * decision (plan/plan.c), as sbx's network finisher runs them for the
 * network helper, here on a child of the test: a process under the
 * notifying filter connects and sends UDP datagrams on the loopback to an
 * allowed and a refused receiver.
 *
 * The race is the point of the last checks: a second thread of the
 * notified process rewrites the address while connect() and sendto() are
 * being checked.  The handler reads the address once and makes the call
 * itself on a duplicate of the socket, so every datagram must reach the
 * allowed receiver or none, never the refused one, however the race
 * falls.  (How often the rewrite lands mid-check is printed, not
 * asserted: tests do not depend on timing.) */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/notify.h"
#include "engine/supervisor.h"
#include "plan/plan.h"
#include "tap.h"
#include "util/util.h"

/* notify.c's learning loop uses these; it does not run here. */
bool supervise_reap(pid_t target, int *code) { (void)target, (void)code; return true; }
int supervise_signal(pid_t target, int signal_fd) { (void)target, (void)signal_fd; return 0; }

#define ROUNDS 3000

static struct plan_net net = { .egress = PLAN_EGRESS_DENY_ALL };

/* As the network finisher decides (launch/net-egress.c), less its log. */
static int decide(void *ctx, const struct notify_dest *d)
{
  (void)ctx;
  struct plan_egress_dest dest;
  return plan_egress_check(&net, d->nr == __NR_connect, d->domain, d->protocol, &d->addr, d->addr_len, &dest);
}

/* A UDP receiver on 127.0.0.1, its port in *port. */
static int receiver(uint16_t *port)
{
  int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
  socklen_t len = sizeof a;
  int big = 8 << 20;
  setsockopt(s, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
  if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof a) < 0 || getsockname(s, (struct sockaddr *)&a, &len) < 0)
    bail_out("receiver: %s", strerror(errno));
  *port = ntohs(a.sin_port);
  return s;
}

/* Datagrams waiting on s (drained). */
static long drain(int s)
{
  char buf[64];
  long n = 0;
  while (recv(s, buf, sizeof buf, 0) >= 0)
    n++;
  return n;
}

/* The child's results, sent back over a pipe. */
struct results {
  int plain_connect, refused_connect, unspec_sendto, unspec_connect, unix_connect;
  long race_connected, race_refused, race_sent, race_sendto_refused;
};

static struct sockaddr_in good, bad;
static struct sockaddr_in target; /* rewritten by the flipper */
static atomic_bool stop;

static void *flip(void *arg)
{
  (void)arg;
  /* The barriers keep the compiler from dropping the first store as dead:
   * the other thread's call must be able to see either address. */
  while (!atomic_load(&stop)) {
    memcpy(&target, &bad, sizeof bad);
    __asm__ volatile("" ::: "memory");
    memcpy(&target, &good, sizeof good);
    __asm__ volatile("" ::: "memory");
  }
  return NULL;
}

static int udp(void)
{
  return socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
}

static void child(int sock, int result_fd)
{
  static const struct notify_call calls[] = { { "connect", -1 }, { "sendto", 4 } };
  int listener = notify_filter_load(calls, 2);
  if (listener < 0 || fd_send(sock, 'e', listener) < 0)
    _exit(1);
  close(listener);
  close(sock);
  struct results r = { 0 };
  int s = udp();
  r.plain_connect = connect(s, (struct sockaddr *)&good, sizeof good) == 0 ? 0 : errno;
  close(s);
  s = udp();
  r.refused_connect = connect(s, (struct sockaddr *)&bad, sizeof bad) == 0 ? 0 : errno;
  close(s);
  /* sendto(AF_UNSPEC) on an IPv4 socket: the kernel would take it as IPv4. */
  struct sockaddr_in unspec = bad;
  unspec.sin_family = AF_UNSPEC;
  s = udp();
  r.unspec_sendto = sendto(s, "u", 1, 0, (struct sockaddr *)&unspec, sizeof unspec) == 1 ? 0 : errno;
  r.unspec_connect = connect(s, (struct sockaddr *)&unspec, sizeof unspec) == 0 ? 0 : errno;
  close(s);
  struct sockaddr_un sun = { .sun_family = AF_UNIX, .sun_path = "/nonexistent" };
  s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  r.unix_connect = connect(s, (struct sockaddr *)&sun, sizeof sun) == 0 ? 0 : errno;
  close(s);

  target = good;
  pthread_t t;
  pthread_create(&t, NULL, flip, NULL);
  for (int i = 0; i < ROUNDS; i++) {
    s = udp();
    if (connect(s, (struct sockaddr *)&target, sizeof target) == 0) {
      r.race_connected++;
      (void)!send(s, "c", 1, 0); /* to whatever it is connected to: not notified */
    } else {
      r.race_refused++;
    }
    if (sendto(s, "s", 1, 0, (struct sockaddr *)&target, sizeof target) == 1)
      r.race_sent++;
    else
      r.race_sendto_refused++;
    close(s);
  }
  atomic_store(&stop, true);
  pthread_join(t, NULL);
  (void)!write(result_fd, &r, sizeof r);
  _exit(0);
}

int main(void)
{
  uint16_t good_port, bad_port;
  int good_rx = receiver(&good_port), bad_rx = receiver(&bad_port);
  good = (struct sockaddr_in){ .sin_family = AF_INET, .sin_port = htons(good_port),
                               .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
  bad = good;
  bad.sin_port = htons(bad_port);
  _cleanup_free_ char *rule = xasprintf("127.0.0.1@udp:%u", good_port);
  const char *why;
  if (plan_egress_parse(rule, &net.allow, &net.n_allow, &net.cap_allow, &why) < 0)
    bail_out("rule: %s", why);

  int sv[2], res[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0 || pipe2(res, O_CLOEXEC) < 0)
    bail_out("socketpair: %s", strerror(errno));
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    close(sv[0]);
    close(res[0]);
    child(sv[1], res[1]);
  }
  close(sv[1]);
  close(res[1]);
  int listener = -1;
  if (fd_recv(sv[0], &listener) != 1)
    bail_out("no listener from the child (seccomp user notification unavailable?)");
  struct notify_bufs *b = notify_bufs_new();
  long answered = 0, failed = 0, to_good = 0, to_bad = 0;
  /* The receivers are drained as the datagrams come, so none is dropped
   * for a full queue and the counts below are exact. */
  for (;;) {
    struct pollfd pfd[3] = { { .fd = listener, .events = POLLIN }, { .fd = good_rx, .events = POLLIN },
                             { .fd = bad_rx, .events = POLLIN } };
    if (RETRY(poll(pfd, 3, -1)) < 0)
      break;
    to_good += drain(good_rx);
    to_bad += drain(bad_rx);
    if (pfd[0].revents & POLLIN) {
      failed += notify_handle_socket_call(listener, b, decide, NULL) < 0;
      answered++;
    } else if (pfd[0].revents) {
      break; /* the child is gone */
    }
  }
  to_good += drain(good_rx);
  to_bad += drain(bad_rx);
  notify_bufs_free(b);
  struct results r;
  bool got = read(res[0], &r, sizeof r) == (ssize_t)sizeof r;
  int status;
  waitpid(pid, &status, 0);
  ok(got && WIFEXITED(status) && WEXITSTATUS(status) == 0 && failed == 0,
     "the child ran under the filter (%ld calls answered, %ld listener errors)", answered, failed);
  if (!got)
    return tap_done();
  ok(r.plain_connect == 0, "an allowed connect is made (%s)", strerror(r.plain_connect));
  ok(r.refused_connect == ECONNREFUSED, "a refused connect fails with ECONNREFUSED (%s)", strerror(r.refused_connect));
  ok(r.unspec_sendto == EAFNOSUPPORT, "sendto with AF_UNSPEC is refused, not made (%s)", strerror(r.unspec_sendto));
  ok(r.unspec_connect == 0, "connect(AF_UNSPEC) dissolves, as without the filter (%s)", strerror(r.unspec_connect));
  ok(r.unix_connect == EPERM, "a unix socket's connect is not the handler's to make (%s)", strerror(r.unix_connect));
  printf("# race: %ld connected, %ld refused; %ld sent, %ld sendto refused\n", r.race_connected, r.race_refused,
         r.race_sent, r.race_sendto_refused);
  ok(to_bad == 0, "while a thread rewrote the address: nothing reached the refused receiver (%ld)", to_bad);
  /* A connected socket's send() goes where the checked connect led; an
   * allowed sendto() where its checked address says. */
  ok(to_good == r.race_connected + r.race_sent, "the allowed receiver got every datagram sent (%ld)", to_good);
  ok(r.race_connected + r.race_refused == ROUNDS && r.race_sent + r.race_sendto_refused == ROUNDS,
     "every call answered");
  return tap_done();
}
