/* What the egress notification itself costs per connect(), without the
 * network helper's own work around it (bench/egress.sh measures the
 * whole path, which on a loaded machine drowns this in noise).
 *
 *   egress-notify none|allow|refuse N
 *
 * A child connects a UDP socket to 127.0.0.1:9 and closes it, N times
 * (pure kernel work: no packet is sent), and prints the time per
 * iteration in microseconds.  With allow or refuse, the child first loads
 * sbx's notifying filter on connect (engine/notify.c: notify_filter_load)
 * and the parent answers each call with notify_handle_socket_call, as
 * sbx's network finisher does for the helper: read the address, duplicate
 * the socket, check the id, then connect the duplicate (allow) or refuse
 * with ECONNREFUSED (refuse).  The decision is plan_egress_permits on an
 * egress deny-all policy with 64 rules, the last the destination.
 *
 * Built by bench/egress.sh (gcc, with src/engine/notify.c, src/plan/egress.c
 * and src/util/util.c); supervise_* are stubs: the learning loop that uses
 * them is not run here. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "engine/notify.h"
#include "engine/supervisor.h"
#include "plan/plan.h"
#include "util/util.h"

bool supervise_reap(pid_t target, int *code) { (void)target, (void)code; return true; }
int supervise_signal(pid_t target, int signal_fd) { (void)target, (void)signal_fd; return 0; }

static struct plan_net net = { .egress = PLAN_EGRESS_DENY_ALL };

static int decide(void *ctx, const struct notify_dest *d)
{
  bool refuse = *(bool *)ctx;
  const struct sockaddr_in *in = (const struct sockaddr_in *)&d->addr;
  bool ok = plan_egress_permits(&net, AF_INET, (const uint8_t *)&in->sin_addr, ntohs(in->sin_port), d->protocol);
  return ok && !refuse ? 0 : ECONNREFUSED;
}

static double now_us(void)
{
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static void loop(long n)
{
  struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(9), .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
  double t0 = now_us();
  long refused = 0;
  for (long i = 0; i < n; i++) {
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (connect(s, (struct sockaddr *)&to, sizeof to) < 0)
      refused++;
    close(s);
  }
  printf("%.2f us/connect (%ld refused)\n", (now_us() - t0) / (double)n, refused);
}

int main(int argc, char **argv)
{
  if (argc != 3)
    return fprintf(stderr, "usage: egress-notify none|allow|refuse N\n"), 2;
  long n = atol(argv[2]);
  bool notify = strcmp(argv[1], "none") != 0, refuse = strcmp(argv[1], "refuse") == 0;
  const char *why;
  for (int i = 1; i < 64; i++) {
    _cleanup_free_ char *rule = xasprintf("203.0.113.%d@tcp:443", i);
    plan_egress_parse(rule, &net.allow, &net.n_allow, &net.cap_allow, &why);
  }
  plan_egress_parse("127.0.0.1@udp:9", &net.allow, &net.n_allow, &net.cap_allow, &why);
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
    return perror("socketpair"), 1;
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    close(sv[0]);
    if (notify) {
      static const struct notify_call calls[] = { { "connect", -1 } };
      int listener = notify_filter_load(calls, 1);
      if (listener < 0 || fd_send(sv[1], 'e', listener) < 0)
        _exit(1);
      close(listener);
    }
    close(sv[1]);
    loop(n);
    fflush(stdout);
    _exit(0);
  }
  close(sv[1]);
  int listener = -1;
  if (notify && fd_recv(sv[0], &listener) != 1)
    return fprintf(stderr, "no listener\n"), 1;
  struct notify_bufs *b = notify ? notify_bufs_new() : NULL;
  while (notify) {
    struct pollfd pfd = { .fd = listener, .events = POLLIN };
    if (poll(&pfd, 1, -1) < 0 || !(pfd.revents & POLLIN))
      break;
    notify_handle_socket_call(listener, b, decide, &refuse);
  }
  notify_bufs_free(b);
  int status;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
