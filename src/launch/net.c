/* The network helper of `network private`: see net.h for the why and the
 * lifetime.
 *
 * slirp4netns runs as
 *
 *   slirp4netns --mtu=65520 --disable-host-loopback
 *               --enable-sandbox --enable-seccomp
 *               --netns-type=path --ready-fd=R --exit-fd=E
 *               /proc/self/fd/N tap0
 *
 *   tap0                      it attaches to the sandbox's tap0, which the
 *                             sandbox made and configured (no
 *                             --configure: engine, ns_tap_create):
 *                             10.0.2.100/24 and the default route via
 *                             10.0.2.2, and IPv6 likewise; the helper
 *                             answers DNS at 10.0.2.3 (forwarded to the
 *                             host's resolver)
 *   --disable-host-loopback   10.0.2.2 does not lead to the host's
 *                             127.0.0.1 (the host's other addresses are
 *                             refused by the same switch in libslirp)
 *   --enable-sandbox/seccomp  the helper itself is confined: its own mount
 *                             namespace without the host's files, and a
 *                             system call filter
 *   N                         it joins the sandbox's network namespace,
 *                             held open for it by the starter, which
 *                             entered the sandbox's user namespace first
 *                             (as its owner, it may) */
#include "launch/net.h"

#include <fcntl.h>
#include <sched.h>
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/nsfs.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "launch/net-egress.h"
#include "launch/net-finish.h"
#include "util/util.h"

static const char *const helper_names[] = { [NET_SLIRP4NETNS] = "slirp4netns", [NET_PASTA] = "pasta" };

void net_state_init(struct net_state *n)
{
  memset(n, 0, sizeof *n);
  n->proc = HELPER_NONE;
  n->exit_wr = n->log_fd = -1;
}

static bool is_executable_file(const char *path)
{
  struct stat st;
  return path[0] == '/' && stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

/* NAME in $PATH, then /usr/bin; NULL if none. */
static char *find_in_path(const char *name)
{
  const char *path_env = getenv("PATH");
  _cleanup_free_ char *search = xasprintf("%s:/usr/bin", path_env ? path_env : "");
  for (char *save = NULL, *dir = strtok_r(search, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
    _cleanup_free_ char *candidate = xasprintf("%s/%s", dir, name);
    if (is_executable_file(candidate))
      return steal_ptr(&candidate);
  }
  return NULL;
}

/* Which kind a binary is, by its name (pasta may be installed as
 * passt's symlink "pasta" or a copy "pasta.avx2"). */
static enum net_helper_kind kind_of(const char *path)
{
  const char *base = strrchr(path, '/');
  base = base ? base + 1 : path;
  return strncmp(base, "pasta", 5) == 0 ? NET_PASTA : NET_SLIRP4NETNS;
}

static int missing_helper(const char *what)
{
  return log_fail(ENOENT, "network private needs a user-mode network helper: %s was not found; install the "
                          "Debian/Ubuntu package slirp4netns (or passt, for pasta), or give the app the host's network "
                          "with --network host",
                  what);
}

/* $SBX_NET_HELPER, else the first of helper_names found; NULL: none. */
static char *lookup_helper(void)
{
  const char *override = getenv("SBX_NET_HELPER");
  if (override && *override)
    return override[0] == '/' ? (is_executable_file(override) ? xstrdup(override) : NULL) : find_in_path(override);
  /* slirp4netns first: ready in 12-15 ms here, pasta in ~117 ms
   * (reference/kernel-and-crun.md section 6), and the wait is the app's. */
  char *found = NULL;
  for (size_t i = 0; i < sizeof helper_names / sizeof helper_names[0] && !found; i++)
    found = find_in_path(helper_names[i]);
  return found;
}

int net_find_helper(struct net_state *n)
{
  n->binary = lookup_helper();
  if (!n->binary) {
    const char *override = getenv("SBX_NET_HELPER");
    return missing_helper(override && *override ? override : "neither slirp4netns nor pasta");
  }
  /* The helper opens it as the user (uid 0 in the sandbox's user
   * namespace maps back to the user): say so now rather than with the
   * helper's own words after it failed. */
  if (access("/dev/net/tun", R_OK | W_OK) < 0) {
    struct stat st;
    int e = errno;
    free(n->binary);
    n->binary = NULL;
    if (stat("/dev/net/tun", &st) == 0)
      return log_fail(e, "network private: /dev/net/tun (mode %04o) is not usable by this user; the network helper "
                         "needs it read-write (distributions make it 0666); or give the app the host's network with "
                         "--network host",
                      (unsigned)(st.st_mode & 07777));
    return log_errno(e, "network private: the network helper needs /dev/net/tun (the tun module; or give the app "
                          "the host's network with --network host)");
  }
  n->kind = kind_of(n->binary);
  /* pasta (passt 2023+ here), measured on this machine as the test user
   * (2026-12, tests/test-network.sh's fresh network namespace):
   *  - it copies the host's addresses and routes from "the external
   *    routable interface", the one with the default route; the test
   *    namespace has none on purpose (no packet may leave), so it stops
   *    with "No external routable interface for IPv4/IPv6": the failure
   *    seen as sbxtest.  -i IFACE names one, and then it works (with
   *    --ns-ifname tap0 -a 10.0.2.100 -n 24 -g 10.0.2.2 --no-map-gw it
   *    gives the addressing of PLAN_NET_*).
   *  - as root it drops to nobody ("Don't run as root") and then may not
   *    open the sandbox's user namespace (EACCES): it needs --runas.
   *  - it has no ready fd: the moment its foreground parent exits (it
   *    daemonizes after configuring) was 220-264 ms after its start, where
   *    slirp4netns wrote its ready byte after 12-20 ms (same run).
   * So slirp4netns stays the helper, and pasta is refused rather than run
   * half-supported: forward-port would need its -t instead of an API
   * socket, and IPv6 its own addressing. */
  if (n->kind == NET_PASTA) {
    free(n->binary);
    n->binary = NULL;
    return log_fail(ENOTSUP, "network private: pasta is not supported yet; install the Debian/Ubuntu package "
                             "slirp4netns");
  }
  return 0;
}

/* The helper's command line.  netns: the fd of the sandbox's network
 * namespace; -1 for --explain (the fds then show as words).  api: the
 * API socket's path (forward-port), or NULL. */
static char **net_argv(const char *binary, const char *api, int ready_wr, int exit_rd, int netns)
{
  struct strv sv = { 0 };
  strv_add(&sv, binary);
  /* No --configure: the sandbox made tap0 and configured it (engine,
   * ns_tap_create); the helper attaches to it. */
  strv_addf(&sv, "--mtu=%d", PLAN_NET_MTU);
  strv_add(&sv, "--disable-host-loopback");
  strv_add(&sv, "--enable-ipv6");
  strv_add(&sv, "--enable-sandbox");
  strv_add(&sv, "--enable-seccomp");
  if (api)
    strv_addf(&sv, "--api-socket=%s", api);
  strv_add(&sv, "--netns-type=path");
  if (netns >= 0) {
    strv_addf(&sv, "--ready-fd=%d", ready_wr);
    strv_addf(&sv, "--exit-fd=%d", exit_rd);
    strv_addf(&sv, "/proc/self/fd/%d", netns);
  } else {
    strv_add(&sv, "--ready-fd=R --exit-fd=E /proc/self/fd/N");
  }
  strv_add(&sv, PLAN_NET_IFNAME);
  return strv_steal(&sv);
}

/* The sandbox's network namespace, which the sandbox sends on the socket
 * (one byte and the fd, SCM_RIGHTS) once it may be joined; -1 if the
 * socket closed first (the sandbox failed or never started). */
static int receive_netns(int sock)
{
  int fd;
  return fd_recv(sock, &fd) == 1 ? fd : -1;
}

/* The user namespace that owns netns (NS_GET_USERNS), or -1 when it is
 * ours (nothing to enter).  The sandbox's first process may have moved on
 * into the app's nested user namespace by now, which has no say over the
 * network namespace: asked of the namespace, not of the process. */
static int owner_userns(int netns)
{
  int userns = ioctl(netns, NS_GET_USERNS);
  if (userns < 0)
    return -errno;
  struct stat theirs, ours;
  if (fstat(userns, &theirs) == 0 && stat("/proc/self/ns/user", &ours) == 0 && theirs.st_dev == ours.st_dev &&
      theirs.st_ino == ours.st_ino) {
    close(userns);
    return -1;
  }
  return userns;
}

/* forward-port: the helper's API socket, in our directory; else NULL. */
static char *api_path(const struct net_state *n)
{
  return n->api_dir ? xasprintf("%s/api.sock", n->api_dir) : NULL;
}

/* egress: the finisher's end of the socket the helper's listener comes
 * on, and a copy of sbx's stderr for its refusals (ours goes to the log). */
struct net_egress_fds {
  int sock[2];
  int log;
};

/* Has the finisher (net-finish.h) anything to do: forwarded ports to ask
 * for, loopback listeners to open and relay, an egress policy to judge by?
 * Without, it would only pass the helper's ready byte on: the helper
 * writes it to the app's pipe itself, and the starter forks twice less. */
static bool finisher_needed(const struct plan_net *cfg)
{
  return cfg->n_forwards > 0 || cfg->n_host_ports > 0 || net_egress_active(cfg);
}

/* The finisher (net-finish.h), as a grandchild: its parent exits at once
 * and is reaped here, so the helper we become has no child of ours to
 * leave a zombie of.  Started before the sandbox's network namespace
 * exists (the fork overlaps the sandbox's setup), it gets the namespace on
 * a socket of its own and enters its owner, as the starter does; the
 * helper's ready byte comes to it on a pipe, and it takes ready_wr over
 * (the starter's copy is closed).  Returns 0 with *helper_ready_wr (the
 * helper's end of that pipe) and *fin_wr (where the namespace goes), or
 * -1 (in the log). */
static int start_finisher(const struct net_state *n, int started_rd, int ready_wr, int exit_rd,
                          const struct net_egress_fds *egress, int *helper_ready_wr, int *fin_wr)
{
  int helper_ready[2], fin[2];
  if (pipe2(helper_ready, O_CLOEXEC) < 0 || socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fin) < 0) {
    dprintf(STDERR_FILENO, "Can't start the network finisher: %s\n", strerror(errno));
    return -1;
  }
  pid_t helper = getpid();
  pid_t child = fork();
  if (child == 0) {
    close(helper_ready[1]);
    close(fin[1]);
    close(started_rd);
    if (egress->sock[1] >= 0)
      close(egress->sock[1]);
    pid_t pid = fork();
    if (pid == 0) {
      int netns = receive_netns(fin[0]);
      if (netns < 0)
        _exit(0); /* no sandbox, or the starter failed: sbx says so */
      close(fin[0]);
      int userns = owner_userns(netns);
      if (userns < -1 || (userns >= 0 && setns(userns, CLONE_NEWUSER) < 0)) {
        dprintf(STDERR_FILENO, NET_FINISH_LOG_PREFIX "Can't enter the user namespace of the sandbox: %s\n",
                strerror(userns < -1 ? -userns : errno));
        kill(helper, SIGTERM);
        _exit(1);
      }
      if (userns >= 0)
        close(userns);
      _cleanup_free_ char *api = api_path(n);
      struct net_finish_fds fds = { .helper_ready = helper_ready[0], .app_ready = ready_wr, .exit_rd = exit_rd,
                                    .netns = netns, .egress_sock = egress->sock[0], .egress_log = egress->log };
      net_finish(n->cfg, api, helper, &fds);
    }
    _exit(pid < 0 ? 127 : 0);
  }
  int status;
  if (child < 0 || RETRY(waitpid(child, &status, 0)) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    dprintf(STDERR_FILENO, "Can't start the network finisher\n");
    return -1;
  }
  close(helper_ready[0]);
  close(fin[0]);
  close(ready_wr);
  *helper_ready_wr = helper_ready[1];
  *fin_wr = fin[1];
  return 0;
}

/* egress: the notifying filter, installed last (everything the starter
 * still does is allowed), its listener sent to the finisher.  After
 * this, only the exec. */
static int hand_over_filter(int sock)
{
  int listener = net_egress_filter();
  if (listener < 0)
    return -1;
  int r = fd_send(sock, 'e', listener);
  close(listener);
  close(sock);
  if (r < 0)
    dprintf(STDERR_FILENO, "Can't hand the egress filter's listener over: %s\n", strerror(-r));
  return r;
}

/* The starter, in the forked child: wait for the sandbox's network
 * namespace, then become the helper.  Never returns. */
_noreturn_ static void run_starter(const struct net_state *n, pid_t parent, const int started[2], const int ready[2],
                                   const int exit_pipe[2])
{
  int started_rd = started[0], ready_wr = ready[1], exit_rd = exit_pipe[0];
  /* Only sbx may hold the other ends: their EOF means something there. */
  close(started[1]);
  close(ready[0]);
  close(exit_pipe[1]);
  /* Dies with sbx (kept across the exec), and sbx may be gone already. */
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
    _exit(127);
  /* ^C in the terminal is for the app; sbx ends the helper itself. */
  setsid();
  struct net_egress_fds egress = { { -1, -1 }, -1 };
  if (net_egress_active(n->cfg) && ((egress.log = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3)) < 0 ||
                                    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, egress.sock) < 0))
    _exit(127);
  int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (null < 0 || dup2(null, STDIN_FILENO) < 0 || dup2(n->log_fd, STDOUT_FILENO) < 0 ||
      dup2(n->log_fd, STDERR_FILENO) < 0 || chdir("/") < 0)
    _exit(127);
  /* Only what the helper and the finisher need: a copy of an fd the
   * caller handed the app (--info-fd, --sync-fd...) would keep its reader
   * from seeing EOF for as long as the helper runs.  With a finisher the
   * helper's ready byte goes to it, and it writes the app's (net-finish.h);
   * without one the helper writes the app's itself.  Either way only one
   * process holds ready_wr, so the app sees EOF when the helper (or the
   * finisher) dies first. */
  const int keep[] = { started_rd, ready_wr, exit_rd, egress.sock[0], egress.sock[1], egress.log };
  int helper_ready_wr = ready_wr, fin_wr = -1;
  if (close_fds_except(keep, sizeof keep / sizeof keep[0]) < 0 ||
      (finisher_needed(n->cfg) &&
       start_finisher(n, started_rd, ready_wr, exit_rd, &egress, &helper_ready_wr, &fin_wr) < 0))
    _exit(127);
  if (egress.sock[0] >= 0)
    close(egress.sock[0]);
  if (egress.log >= 0)
    close(egress.log);
  int netns = receive_netns(started_rd);
  if (netns < 0)
    _exit(0); /* no sandbox: nothing to do (the finisher sees EOF too) */
  close(started_rd);
  if (fin_wr >= 0) {
    int r = fd_send(fin_wr, 'n', netns);
    if (r < 0) {
      dprintf(STDERR_FILENO, "Can't hand the sandbox's network namespace to the finisher: %s\n", strerror(-r));
      _exit(127);
    }
    close(fin_wr);
  }
  int userns = owner_userns(netns);
  if (userns < -1) {
    dprintf(STDERR_FILENO, "Can't find the owner of the sandbox's network namespace: %s\n", strerror(-userns));
    _exit(127);
  }
  /* Into the sandbox's user namespace ourselves, as its owner: there we
   * are uid 0, which slirp4netns wants to be, and may join the network
   * namespace and attach to its tap0.  Its sockets on
   * the host side are still made in the host's network namespace. */
  if (userns >= 0 && (setns(userns, CLONE_NEWUSER) < 0 || close(userns) < 0)) {
    dprintf(STDERR_FILENO, "Can't enter the user namespace of the sandbox: %s\n", strerror(errno));
    _exit(127);
  }
  if (fcntl(helper_ready_wr, F_SETFD, 0) < 0 || fcntl(exit_rd, F_SETFD, 0) < 0 || fcntl(netns, F_SETFD, 0) < 0)
    _exit(127);
  _cleanup_free_ char *api = api_path(n);
  char **argv = net_argv(n->binary, api, helper_ready_wr, exit_rd, netns);
  /* In the log first: a log that is not empty means the helper ran. */
  dprintf(STDERR_FILENO, "sbx: starting %s\n", n->binary);
  if (egress.sock[1] >= 0 && hand_over_filter(egress.sock[1]) < 0)
    _exit(127);
  char *envp[] = { NULL };
  execve(n->binary, argv, envp);
  dprintf(STDERR_FILENO, "Can't run %s: %s\n", n->binary, strerror(errno));
  _exit(127);
}

/* An IPv6 address of the host the sandbox must not reach through the
 * helper: not ::1 (the sandbox's own loopback has that address) nor
 * link-local (no route leads there from the sandbox's tap0). */
static bool host_addr6_to_refuse(const struct in6_addr *a)
{
  return !IN6_IS_ADDR_LOOPBACK(a) && !IN6_IS_ADDR_LINKLOCAL(a) && !IN6_IS_ADDR_V4MAPPED(a) &&
         !IN6_IS_ADDR_UNSPECIFIED(a);
}

int net_list_host_addrs(struct plan_net *net)
{
  struct ifaddrs *list;
  if (getifaddrs(&list) < 0)
    return log_errno(errno, "Can't list the host's addresses");
  free(net->host_addrs);
  free(net->host_addrs6);
  net->host_addrs = NULL;
  net->host_addrs6 = NULL;
  net->n_host_addrs = net->n_host_addrs6 = 0;
  size_t cap = 0, cap6 = 0;
  for (struct ifaddrs *ifa = list; ifa; ifa = ifa->ifa_next) {
    if (ifa->ifa_addr && ifa->ifa_addr->sa_family == AF_INET6) {
      const struct in6_addr *a6 = &((const struct sockaddr_in6 *)ifa->ifa_addr)->sin6_addr;
      if (host_addr6_to_refuse(a6))
        memcpy(ARRAY_PUSH(net->host_addrs6, net->n_host_addrs6, cap6)->a, a6, 16);
      continue;
    }
    if (!ifa->ifa_addr || ifa->ifa_addr->sa_family != AF_INET)
      continue;
    uint32_t a = ((const struct sockaddr_in *)ifa->ifa_addr)->sin_addr.s_addr;
    /* 127/8 is the sandbox's own loopback; the helper refuses the host's. */
    if ((ntohl(a) >> 24) == 127)
      continue;
    *(uint32_t *)ARRAY_PUSH(net->host_addrs, net->n_host_addrs, cap) = a;
  }
  freeifaddrs(list);
  return 0;
}

/* forward-port: a directory of ours for the helper's API socket (which it
 * creates, as us), in $XDG_RUNTIME_DIR if there is one: nobody else may
 * connect to it and add forwards. */
static int make_api_dir(struct net_state *n)
{
  const char *rt = getenv("XDG_RUNTIME_DIR");
  n->api_dir = xasprintf("%s/sbx-net.XXXXXX", rt && rt[0] == '/' && access(rt, W_OK) == 0 ? rt : "/tmp");
  if (!mkdtemp(n->api_dir)) {
    int e = errno;
    log_errno(e, "Can't create %s for the network helper's API socket", n->api_dir);
    free(n->api_dir);
    n->api_dir = NULL;
    return -e;
  }
  return 0;
}

int net_start(struct net_state *n, const struct plan_net *cfg, int *started_wr, int *ready_rd)
{
  int started[2], ready[2], exit_pipe[2];
  n->cfg = cfg;
  if (cfg->n_forwards > 0) {
    int r = make_api_dir(n);
    if (r < 0)
      return r;
  }
  n->log_fd = (int)syscall(SYS_memfd_create, "sbx-net-helper-log", MFD_CLOEXEC);
  if (n->log_fd < 0)
    return log_errno(errno, "memfd_create");
  /* A socket, to carry the namespace's fd. */
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, started) < 0)
    return log_errno(errno, "socketpair");
  if (pipe2(ready, O_CLOEXEC) < 0) {
    int e = errno;
    close(started[0]), close(started[1]);
    return log_errno(e, "pipe");
  }
  if (pipe2(exit_pipe, O_CLOEXEC) < 0) {
    int e = errno;
    close(started[0]), close(started[1]), close(ready[0]), close(ready[1]);
    return log_errno(e, "pipe");
  }
  /* A fork, not a vfork: the child waits for the sandbox. */
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid == 0)
    run_starter(n, parent, started, ready, exit_pipe);
  int e = errno;
  close(started[0]);
  close(ready[1]);
  close(exit_pipe[0]);
  if (pid < 0) {
    close(started[1]), close(ready[0]), close(exit_pipe[1]);
    return log_errno(e, "Can't start the network helper: fork");
  }
  n->proc.pid = pid;
  n->proc.pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
  n->exit_wr = exit_pipe[1];
  *started_wr = started[1];
  *ready_rd = ready[0];
  return 0;
}

void net_explain(const struct plan_net *cfg, struct notes *notes)
{
  struct net_state n;
  net_state_init(&n);
  /* Quietly: --explain reports a missing helper, it does not fail. */
  n.binary = lookup_helper();
  if (!n.binary || kind_of(n.binary) == NET_PASTA) {
    notes_add(notes, "network helper: %s (NOT USABLE: the sandbox would fail to start; install slirp4netns)",
              n.binary ? n.binary : "none found");
    free(n.binary);
    return;
  }
  notes_add(notes, "network helper: %s, started with the sandbox, joins its network namespace; the app waits for "
                   "its tap0 (%s/%d, gateway %s, DNS %s; %s/%d, gateway %s); the host's loopback and addresses "
                   "are not reachable",
            n.binary, PLAN_NET_ADDRESS, PLAN_NET_PREFIX, PLAN_NET_GATEWAY, PLAN_NET_DNS, PLAN_NET_ADDRESS6,
            PLAN_NET_PREFIX6, PLAN_NET_GATEWAY6);
  _cleanup_strv_ char **argv = net_argv(n.binary, cfg->n_forwards ? "DIR/api.sock" : NULL, -1, -1, -1);
  struct buf line = { 0 };
  for (size_t i = 0; argv[i]; i++) {
    buf_puts(&line, i ? " " : "");
    buf_puts(&line, argv[i]);
  }
  notes_add(notes, "network helper command: %s", line.s ? line.s : "");
  buf_free(&line);
  for (size_t i = 0; i < cfg->n_forwards; i++) {
    const struct plan_forward *f = &cfg->forwards[i];
    notes_add(notes, "network: forward-port: the host's %s %s:%u leads to the sandbox's port %u (add_hostfwd on the "
                     "helper's API socket before the app starts)",
              f->proto, f->host_addr, f->host_port, f->port);
  }
  for (size_t i = 0; i < cfg->n_host_ports; i++)
    notes_add(notes, "network: allow-host-port: the sandbox's 127.0.0.1:%u and [::1]:%u are relayed to the host's "
                     "loopback port %u (tcp; every other host port stays unreachable)",
              cfg->host_ports[i], cfg->host_ports[i], cfg->host_ports[i]);
  free(n.binary);
}

/* The helper's output, for a message: its last lines, one line. */
static char *log_tail(int fd)
{
  char buf[512];
  off_t size = lseek(fd, 0, SEEK_END);
  off_t from = size > (off_t)sizeof buf - 1 ? size - (off_t)sizeof buf + 1 : 0;
  ssize_t len = pread(fd, buf, sizeof buf - 1, from);
  if (len <= 0)
    return xstrdup("(no output)");
  buf[len] = '\0';
  for (char *c = buf; *c; c++)
    if (*c == '\n')
      *c = *(c + 1) ? ';' : '\0';
  return xstrdup(buf);
}

/* Has the starter or the helper ended?  (sbx's monitor reaps every child
 * of sbx, so the status may be gone; a pidfd still tells.) */
static bool helper_gone(const struct helper *h)
{
  if (h->pidfd >= 0) {
    struct pollfd pfd = { .fd = h->pidfd, .events = POLLIN };
    return RETRY(poll(&pfd, 1, 0)) > 0;
  }
  return kill(h->pid, 0) < 0 && errno == ESRCH;
}

/* Did the finisher (net-finish.c) write a failure to the log? */
static bool finisher_failed(int fd)
{
  char buf[4096];
  ssize_t len = fd >= 0 ? pread(fd, buf, sizeof buf - 1, 0) : -1;
  if (len <= 0)
    return false;
  buf[len] = '\0';
  return strstr(buf, NET_FINISH_LOG_PREFIX) != NULL;
}

void net_tell_stop(struct net_state *n)
{
  if (n->proc.pid > 0 && n->exit_wr >= 0) {
    /* Gone before we said so, having run (the starter logs the start):
     * the helper died.  (A starter whose sandbox never started exits
     * quietly.) */
    if (helper_gone(&n->proc) && n->log_fd >= 0 && lseek(n->log_fd, 0, SEEK_END) > 0) {
      _cleanup_free_ char *tail = log_tail(n->log_fd);
      log_warn("the network helper (%s) ended before the sandbox did: %s", n->binary, tail);
    } else if (finisher_failed(n->log_fd)) {
      /* The finisher ends the helper when it fails, but that may not
       * have happened yet: its words are in the log all the same. */
      _cleanup_free_ char *tail = log_tail(n->log_fd);
      log_warn("the network helper (%s) could not be set up: %s", n->binary, tail);
    }
  }
  if (n->exit_wr >= 0)
    close(n->exit_wr);
  n->exit_wr = -1;
}

void net_stop(struct net_state *n)
{
  net_tell_stop(n);
  if (n->proc.pid > 0 && !helper_reap(&n->proc, NET_EXIT_TIMEOUT_MS))
    log_warn("the network helper (%s) did not exit when the sandbox ended; killed it", n->binary);
  if (n->log_fd >= 0)
    close(n->log_fd);
  if (n->api_dir) {
    _cleanup_free_ char *api = api_path(n);
    unlink(api);
    rmdir(n->api_dir);
    free(n->api_dir);
  }
  free(n->binary);
  net_state_init(n);
}
