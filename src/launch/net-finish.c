/* The network helper's finisher: see net-finish.h for the steps and why
 * they sit where they do. */
#include "launch/net-finish.h"
#include "launch/net-egress.h"

#include "engine/engine.h"

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

/* Our messages go to stderr, the helper's log; sbx shows its tail. */
static int fail(const char *what, int e)
{
  dprintf(STDERR_FILENO, NET_FINISH_LOG_PREFIX "%s: %s\n", what, strerror(e));
  return -e;
}

/* One byte on fd, or the sandbox's end (exit_rd readable: EOF) first.
 * Returns 1 for the byte, 0 for the end, -EPIPE if fd closed without one
 * (the helper died: its log says why). */
static int wait_byte(int fd, int exit_rd)
{
  struct pollfd pfd[2] = { { .fd = fd, .events = POLLIN }, { .fd = exit_rd, .events = POLLIN } };
  if (RETRY(poll(pfd, 2, -1)) < 0)
    return fail("poll", errno);
  if (pfd[1].revents && !pfd[0].revents)
    return 0;
  char byte;
  return RETRY(read(fd, &byte, 1)) == 1 ? 1 : -EPIPE;
}

/* forward-port: one add_hostfwd request on the helper's API socket; the
 * answer is {"return":{...}} or {"error":{...}}. */
static int add_forward(const char *api, const struct plan_forward *f)
{
  struct sockaddr_un sun = { .sun_family = AF_UNIX };
  snprintf(sun.sun_path, sizeof sun.sun_path, "%s", api);
  _cleanup_close_ int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (sock < 0 || connect(sock, (struct sockaddr *)&sun, sizeof sun) < 0)
    return fail("connect to the helper's API socket", errno);
  char req[256], reply[512];
  int len = snprintf(req, sizeof req,
                     "{\"execute\":\"add_hostfwd\",\"arguments\":{\"proto\":\"%s\",\"host_addr\":\"%s\","
                     "\"host_port\":%u,\"guest_port\":%u}}",
                     f->proto, f->host_addr, f->host_port, f->port);
  if (write_all(sock, req, (size_t)len) < 0 || shutdown(sock, SHUT_WR) < 0)
    return fail("write to the helper's API socket", errno);
  size_t got = 0;
  ssize_t r;
  while (got < sizeof reply - 1 && (r = RETRY(read(sock, reply + got, sizeof reply - 1 - got))) > 0)
    got += (size_t)r;
  reply[got] = '\0';
  if (strncmp(reply, "{\"return\"", 9) != 0) {
    dprintf(STDERR_FILENO, NET_FINISH_LOG_PREFIX "forward-port %s:%s:%u:%u refused by the helper: %s\n", f->proto,
            f->host_addr, f->host_port, f->port, got ? reply : "(no answer)");
    return -EADDRNOTAVAIL;
  }
  return 0;
}

/* A TCP listener on the sandbox's loopback, family af, port. */
static int loopback_listener(int af, uint16_t port)
{
  _cleanup_close_ int fd = socket(af, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  if (fd < 0)
    return fail("socket", errno);
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_storage ss = { 0 };
  socklen_t len;
  if (af == AF_INET) {
    struct sockaddr_in *in = (struct sockaddr_in *)&ss;
    *in = (struct sockaddr_in){ .sin_family = AF_INET, .sin_port = htons(port),
                                .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    len = sizeof *in;
  } else {
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
    *in6 = (struct sockaddr_in6){ .sin6_family = AF_INET6, .sin6_port = htons(port), .sin6_addr = IN6ADDR_LOOPBACK_INIT };
    len = sizeof *in6;
    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
  }
  if (bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, 64) < 0) {
    char what[64];
    snprintf(what, sizeof what, "allow-host-port %u: listen on the sandbox's loopback", port);
    return fail(what, errno);
  }
  return steal_fd(&fd);
}

static int send_fd(int sock, int fd)
{
  int r = fd_send(sock, 'l', fd);
  return r == 0 ? 0 : fail("sendmsg", -r);
}

/* An fd sent by send_fd; -1 at EOF. */
static int recv_fd(int sock)
{
  int fd;
  return fd_recv(sock, &fd) == 1 ? fd : -1;
}

/* Steps 0 and 2 (net-finish.h): a child enters the sandbox's network namespace
 * (we stay in the host's, for the relay's connections) and sends back the
 * listeners, two a port (IPv4, IPv6).  Forked first thing, so that its
 * fork is not on the app's way: the sandbox's loopback is up before its
 * namespace is handed on, so it may listen at once. */
struct netns_child {
  pid_t pid;
  int sock; /* the listeners come back on it */
};

_noreturn_ static void sandbox_netns_child(const struct plan_net *cfg, int netns, int sock)
{
  if (setns(netns, CLONE_NEWNET) < 0)
    _exit(fail("enter the sandbox's network namespace", errno) < 0);
  for (size_t i = 0; i < cfg->n_host_ports; i++)
    for (int af = AF_INET; af; af = af == AF_INET ? AF_INET6 : 0) {
      int fd = loopback_listener(af, cfg->host_ports[i]);
      if (fd < 0 || send_fd(sock, fd) < 0)
        _exit(1);
      close(fd);
    }
  _exit(0);
}

static int start_netns_child(const struct plan_net *cfg, const struct net_finish_fds *fds, struct netns_child *c)
{
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
    return fail("socketpair", errno);
  pid_t pid = fork();
  if (pid == 0) {
    /* Not the app's ready pipe above all: its EOF must mean the
     * finisher's end. */
    const int others[] = { sv[0], fds->helper_ready, fds->app_ready, fds->egress_sock, fds->egress_log };
    for (size_t i = 0; i < sizeof others / sizeof others[0]; i++)
      if (others[i] >= 0)
        close(others[i]);
    sandbox_netns_child(cfg, fds->netns, sv[1]);
  }
  int e = errno;
  close(sv[1]);
  if (pid < 0) {
    close(sv[0]);
    return fail("fork", e);
  }
  *c = (struct netns_child){ .pid = pid, .sock = sv[0] };
  return 0;
}

/* The listeners the child made, and its end. */
static int netns_child_wait(const struct plan_net *cfg, struct netns_child *c, int **listeners, size_t *n)
{
  size_t cap = 0;
  for (int fd; (fd = recv_fd(c->sock)) >= 0;)
    *(int *)ARRAY_PUSH(*listeners, *n, cap) = fd;
  close(c->sock);
  c->sock = -1;
  int status;
  if (RETRY(waitpid(c->pid, &status, 0)) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return -EIO; /* the child said why */
  return *n == 2 * cfg->n_host_ports ? 0 : -EIO;
}

/* A connection to the host's loopback at the port of `where` (the
 * sandbox's listener): its own family first, then the other.  The app has
 * already been accepted, so it cannot fall back from ::1 to 127.0.0.1 on
 * its own as it would on a refused connection; a service listening on one
 * of them only must still be reached through either. */
static int connect_host_loopback(const struct sockaddr_storage *where)
{
  uint16_t port = where->ss_family == AF_INET ? ((const struct sockaddr_in *)where)->sin_port
                                              : ((const struct sockaddr_in6 *)where)->sin6_port;
  struct sockaddr_in in = { .sin_family = AF_INET, .sin_port = port, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
  struct sockaddr_in6 in6 = { .sin6_family = AF_INET6, .sin6_port = port, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
  const struct sockaddr *order[2] = { (struct sockaddr *)&in, (struct sockaddr *)&in6 };
  if (where->ss_family == AF_INET6)
    order[0] = (struct sockaddr *)&in6, order[1] = (struct sockaddr *)&in;
  for (int i = 0; i < 2; i++) {
    int fd = socket(order[i]->sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    socklen_t len = order[i]->sa_family == AF_INET ? sizeof in : sizeof in6;
    if (fd >= 0 && RETRY(connect(fd, order[i], len)) == 0)
      return fd;
    if (fd >= 0)
      close(fd);
  }
  return -1;
}

/* One relayed connection, in a process of its own: the app's end `in`,
 * the host's loopback service at the same port and family.  Never
 * returns; ends with either side, or with the sandbox. */
_noreturn_ static void relay_connection(int listener, int in, int exit_rd)
{
  struct sockaddr_storage ss;
  socklen_t len = sizeof ss;
  if (getsockname(listener, (struct sockaddr *)&ss, &len) < 0)
    _exit(1);
  close(listener);
  int out = connect_host_loopback(&ss);
  if (out < 0)
    _exit(0); /* nobody listens on the host: the app sees its connection end */
  struct pollfd pfd[3] = { { .fd = in, .events = POLLIN }, { .fd = out, .events = POLLIN },
                           { .fd = exit_rd, .events = POLLIN } };
  char buf[65536];
  for (bool open_in = true, open_out = true; open_in || open_out;) {
    pfd[0].fd = open_in ? in : -1;
    pfd[1].fd = open_out ? out : -1;
    if (RETRY(poll(pfd, 3, -1)) < 0 || pfd[2].revents)
      break;
    for (int i = 0; i < 2; i++) {
      if (!pfd[i].revents)
        continue;
      int from = i ? out : in, to = i ? in : out;
      ssize_t r = RETRY(read(from, buf, sizeof buf));
      if (r <= 0 || write_all(to, buf, (size_t)r) < 0) {
        /* Half-close: the other way may still have data to carry. */
        shutdown(to, SHUT_WR);
        *(i ? &open_out : &open_in) = false;
      }
    }
  }
  _exit(0);
}

/* The relay runs outside the sandbox's mount namespace and takes bytes
 * from the app: it gets no more than it needs.  Landlock (engine), best
 * effort: no file at all, TCP connect to the allowed ports only, no TCP
 * bind, no signal or abstract socket beyond itself. */
static void confine_relay(const struct plan_net *cfg)
{
  struct plan_landlock ll = { .mode = LANDLOCK_ON, .scope_abstract = true, .scope_signal = true };
  ll.tcp_connect = (struct landlock_ports){ .restricted = true, .port = cfg->host_ports, .n = cfg->n_host_ports };
  ll.tcp_bind = (struct landlock_ports){ .restricted = true };
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0)
    landlock_apply(&ll); /* its warnings, if any, go to the helper's log */
}

/* Step 4: accept on the listeners until the sandbox ends; a process per
 * connection (reaped by the kernel: SIGCHLD ignored). */
_noreturn_ static void relay(const struct plan_net *cfg, const int *listeners, size_t n, int exit_rd)
{
  confine_relay(cfg);
  signal(SIGCHLD, SIG_IGN);
  struct pollfd *pfd = xcalloc(n + 1, sizeof *pfd);
  for (size_t i = 0; i < n; i++)
    pfd[i] = (struct pollfd){ .fd = listeners[i], .events = POLLIN };
  pfd[n] = (struct pollfd){ .fd = exit_rd, .events = POLLIN };
  for (;;) {
    if (RETRY(poll(pfd, n + 1, -1)) < 0 || pfd[n].revents)
      _exit(0);
    for (size_t i = 0; i < n; i++) {
      if (!pfd[i].revents)
        continue;
      int conn = RETRY(accept4(listeners[i], NULL, NULL, SOCK_CLOEXEC));
      if (conn < 0)
        continue;
      pid_t pid = fork();
      if (pid == 0)
        relay_connection(listeners[i], conn, exit_rd);
      close(conn);
    }
  }
}

/* egress: the helper's listener, which the starter sends before it execs
 * the helper (-1: it failed; the helper then never runs). */
static int receive_listener(int sock)
{
  int fd = -1;
  if (sock < 0)
    return -1;
  int r = fd_recv(sock, &fd);
  close(sock);
  return r == 1 ? fd : -1;
}

/* Step 5 beside step 4: the egress loop here, the relay in a child. */
_noreturn_ static void serve(const struct plan_net *cfg, const int *listeners, size_t n, int egress, int log_fd,
                             int exit_rd)
{
  if (egress >= 0 && n > 0) {
    pid_t pid = fork();
    if (pid == 0) {
      close(egress);
      relay(cfg, listeners, n, exit_rd);
    }
    if (pid < 0)
      _exit(fail("fork", errno) < 0);
  }
  if (egress >= 0)
    net_egress_serve(cfg, egress, log_fd, exit_rd);
  if (n > 0)
    relay(cfg, listeners, n, exit_rd);
  _exit(0);
}

void net_finish(const struct plan_net *cfg, const char *api, pid_t helper, const struct net_finish_fds *fds)
{
  int helper_ready = fds->helper_ready, app_ready = fds->app_ready, exit_rd = fds->exit_rd;
  /* A name of its own, for ps and for the tests that check it is gone. */
  prctl(PR_SET_NAME, "sbx-net-finish");
  /* Forked first: the namespace's child, off the app's way. */
  struct netns_child child = { .pid = -1, .sock = -1 };
  if (cfg->n_host_ports > 0 && start_netns_child(cfg, fds, &child) < 0) {
    kill(helper, SIGTERM);
    _exit(1);
  }
  close(fds->netns);
  /* The helper's calls wait for us from its exec on. */
  int egress = receive_listener(fds->egress_sock);
  if (fds->egress_sock >= 0 && egress < 0)
    _exit(0); /* the starter failed before the helper ran: sbx reports it */
  int r = wait_byte(helper_ready, exit_rd);
  if (r <= 0)
    _exit(0); /* the sandbox ended, or the helper died: sbx reports that */
  close(helper_ready);
  _cleanup_free_ int *listeners = NULL;
  size_t n = 0;
  r = 0;
  for (size_t i = 0; r >= 0 && i < cfg->n_forwards; i++)
    r = add_forward(api, &cfg->forwards[i]);
  if (r >= 0 && child.pid > 0)
    r = netns_child_wait(cfg, &child, &listeners, &n);
  if (r < 0) {
    kill(helper, SIGTERM);
    _exit(1);
  }
  /* The app may have gone ahead on tap0's carrier already, and even
   * ended (plan->net_ready_on_carrier): then nobody reads the byte, and
   * the egress judge must serve on all the same. */
  signal(SIGPIPE, SIG_IGN);
  (void)RETRY(write(app_ready, "r", 1));
  close(app_ready);
  serve(cfg, listeners, n, egress, fds->egress_log, exit_rd);
}
