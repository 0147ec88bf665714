/* escape: the escape battery's probe (tests/test-escape.sh).
 *
 *   escape ATTEMPT...        try each named attempt ("all": every one), each
 *                            in a child process of its own, and print one line
 *                            per attempt:
 *                              NAME escaped DETAIL   the escape worked
 *                              NAME blocked DETAIL   it did not (DETAIL: why)
 *                              NAME n/a DETAIL       nothing to try (a target
 *                                                    was not given)
 *   escape host STATE X11 DBUS
 *                            the host-side target, run outside any sandbox:
 *                            holds a secret in its memory and environment,
 *                            allows any process of its uid to ptrace it,
 *                            listens on the abstract unix sockets @X11 and
 *                            @DBUS and on a loopback TCP port, writes
 *                            "pid addr port" to STATE and appends "signal"
 *                            to STATE.sig on SIGUSR1.  Runs until killed.
 *
 * The targets of the attempts come from the environment (set by the test):
 *   ESC_PID ESC_ADDR ESC_SECRET   the host process, its secret's address, the secret
 *   ESC_X11 ESC_DBUS_ABS          abstract socket names (without the '@')
 *   ESC_DBUS_PATH                 the real session bus's socket, hidden by the profile
 *   ESC_PORT                      the host's loopback TCP listener
 *   ESC_KEY ESC_KEY_SECRET        the hidden ~/.ssh key and its content
 *   ESC_FD                        an fd the caller leaked, open on the key
 *   ESC_RO ESC_RW                 a read-only bind (of a dir the user owns) and a writable one
 *   ESC_SUID                      a setuid-root copy of suid-probe
 *   ESC_CGROUP                    the host path of the parent cgroup
 *   ESC_MARKER                    a file that exists on the host only
 *   ESC_CALLER_VAR                a variable in sbx's environment the app was told to unset
 *
 * Nothing here harms the host when it works: kexec_load and init_module get
 * arguments the kernel rejects right after its privilege check (EINVAL,
 * ENOEXEC: "got past the check" is the escape), a file opened for writing
 * is never written, links and files made are removed.  Run as root on the
 * host, the calls that would change the host's own mounts (mount over /tmp,
 * pivot_root, a remount) are not made: those attempts say n/a. */
#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <linux/sched.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <unistd.h>

#ifndef TIOCLINUX
#define TIOCLINUX 0x541C
#endif
#ifndef MOUNT_ATTR_RDONLY
#define MOUNT_ATTR_RDONLY 0x00000001
struct mount_attr {
  uint64_t attr_set, attr_clr, propagation, userns_fd;
};
#endif
#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif

/* ---- results ------------------------------------------------------------- */

enum verdict { BLOCKED, ESCAPED, NA };

struct result {
  enum verdict v;
  char detail[240];
};

static struct result res(enum verdict v, const char *fmt, ...)
{
  struct result r = { .v = v };
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(r.detail, sizeof r.detail, fmt, ap);
  va_end(ap);
  return r;
}

static const char *en(int e)
{
  const char *n = strerrorname_np(e);
  return n ? n : "?";
}

static const char *param(const char *name) { return getenv(name); }

#define NEED(var)                                                                                                      \
  const char *var = param(#var);                                                                                       \
  if (!var || !*var)                                                                                                   \
  return res(NA, "no " #var)

/* Read up to n-1 bytes of path, NUL-terminated: the length, or -errno. */
static ssize_t read_file(const char *path, char *buf, size_t n)
{
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return -errno;
  ssize_t len = read(fd, buf, n - 1);
  int e = errno;
  close(fd);
  if (len < 0)
    return -e;
  buf[len] = '\0';
  return len;
}

static bool contains(const char *buf, size_t len, const char *needle)
{
  return memmem(buf, len, needle, strlen(needle)) != NULL;
}

/* A file read that must yield the secret. */
static struct result read_secret(const char *path, const char *secret)
{
  char buf[4096];
  ssize_t n = read_file(path, buf, sizeof buf);
  if (n < 0)
    return res(BLOCKED, "open %s: %s", path, en((int)-n));
  if (contains(buf, (size_t)n, secret))
    return res(ESCAPED, "read the secret from %s", path);
  return res(BLOCKED, "%s readable but without the secret", path);
}

/* ---- terminal ------------------------------------------------------------ */

static int controlling_tty(void)
{
  int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
  return fd < 0 ? -errno : fd;
}

static struct result t_tiocsti(void)
{
  int fd = controlling_tty();
  if (fd < 0)
    return res(BLOCKED, "no controlling tty: open /dev/tty: %s", en(-fd));
  char c = ' '; /* a blank typed into the terminal's input: harmless */
  int r = ioctl(fd, TIOCSTI, &c);
  int e = errno;
  close(fd);
  return r == 0 ? res(ESCAPED, "typed into the controlling tty") : res(BLOCKED, "ioctl TIOCSTI: %s", en(e));
}

static struct result t_tioclinux(void)
{
  int fd = controlling_tty();
  if (fd < 0)
    return res(BLOCKED, "no controlling tty: open /dev/tty: %s", en(-fd));
  char sub = 6; /* TIOCL_GETSHIFTSTATE: read-only (the paste, 3, is the attack) */
  int r = ioctl(fd, TIOCLINUX, &sub);
  int e = errno;
  close(fd);
  return r == 0 ? res(ESCAPED, "TIOCLINUX accepted") : res(BLOCKED, "ioctl TIOCLINUX: %s", en(e));
}

/* ---- host processes ------------------------------------------------------ */

static struct result t_ptrace_host(void)
{
  NEED(ESC_PID);
  pid_t pid = (pid_t)atoi(ESC_PID);
  if (ptrace(PTRACE_SEIZE, pid, NULL, NULL) < 0)
    return res(BLOCKED, "PTRACE_SEIZE %d: %s", pid, en(errno));
  ptrace(PTRACE_DETACH, pid, NULL, NULL);
  return res(ESCAPED, "seized the host process %d", pid);
}

static struct result t_process_vm_readv(void)
{
  NEED(ESC_PID);
  NEED(ESC_ADDR);
  NEED(ESC_SECRET);
  char buf[256] = { 0 };
  size_t len = strlen(ESC_SECRET) < sizeof buf ? strlen(ESC_SECRET) : sizeof buf - 1;
  struct iovec local = { buf, len }, remote = { (void *)strtoull(ESC_ADDR, NULL, 16), len };
  ssize_t n = process_vm_readv((pid_t)atoi(ESC_PID), &local, 1, &remote, 1, 0);
  if (n < 0)
    return res(BLOCKED, "process_vm_readv: %s", en(errno));
  return strcmp(buf, ESC_SECRET) == 0 ? res(ESCAPED, "read the host process's memory") : res(BLOCKED, "read other bytes");
}

static struct result t_proc_host_environ(void)
{
  NEED(ESC_PID);
  NEED(ESC_SECRET);
  char path[64];
  snprintf(path, sizeof path, "/proc/%s/environ", ESC_PID);
  return read_secret(path, ESC_SECRET);
}

static struct result t_proc_host_mem(void)
{
  NEED(ESC_PID);
  NEED(ESC_ADDR);
  NEED(ESC_SECRET);
  char path[64], buf[256] = { 0 };
  snprintf(path, sizeof path, "/proc/%s/mem", ESC_PID);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return res(BLOCKED, "open %s: %s", path, en(errno));
  size_t len = strlen(ESC_SECRET) < sizeof buf ? strlen(ESC_SECRET) : sizeof buf - 1;
  ssize_t n = pread(fd, buf, len, (off_t)strtoull(ESC_ADDR, NULL, 16));
  int e = errno;
  close(fd);
  if (n < 0)
    return res(BLOCKED, "pread %s: %s", path, en(e));
  return strcmp(buf, ESC_SECRET) == 0 ? res(ESCAPED, "read the secret through %s", path)
                                      : res(BLOCKED, "%s gave other bytes", path);
}

static struct result t_proc_host_root(void)
{
  NEED(ESC_PID);
  NEED(ESC_KEY);
  NEED(ESC_KEY_SECRET);
  char path[4200];
  snprintf(path, sizeof path, "/proc/%s/root%s", ESC_PID, ESC_KEY);
  return read_secret(path, ESC_KEY_SECRET);
}

static struct result t_proc_1_environ(void)
{
  NEED(ESC_CALLER_VAR);
  char buf[65536], needle[256];
  ssize_t n = read_file("/proc/1/environ", buf, sizeof buf);
  if (n < 0)
    return res(BLOCKED, "open /proc/1/environ: %s", en((int)-n));
  snprintf(needle, sizeof needle, "%s=", ESC_CALLER_VAR);
  if (getenv(ESC_CALLER_VAR))
    return res(NA, "%s is in our own environment", ESC_CALLER_VAR);
  return contains(buf, (size_t)n, needle) ? res(ESCAPED, "pid 1's environment has %s, unset for the app", ESC_CALLER_VAR)
                                          : res(BLOCKED, "/proc/1/environ readable, without %s", ESC_CALLER_VAR);
}

static struct result t_signal_host(void)
{
  NEED(ESC_PID);
  pid_t pid = (pid_t)atoi(ESC_PID);
  if (kill(pid, SIGUSR1) < 0)
    return res(BLOCKED, "kill %d: %s", pid, en(errno));
  return res(ESCAPED, "signalled pid %d", pid);
}

/* /proc/1/exe is sbx when sbx is pid 1.  Installed where the user can write
 * (~/bin), its inode is writable by the app's uid.  Opening it for writing
 * fails (ETXTBSY) only while a process executes it; a handle on it (O_PATH)
 * passed to a process that outlives the sandbox (another sandbox's, over a
 * shared socket) can be reopened for writing once sbx stops running, and
 * replace the program that runs the next sandbox, outside any sandbox
 * (runc's CVE-2019-5736).  So a handle on a file our uid owns is the escape.
 * Never written here. */
static struct result t_proc_1_exe(void)
{
  int fd = open("/proc/1/exe", O_WRONLY | O_CLOEXEC);
  if (fd >= 0) {
    close(fd);
    return res(ESCAPED, "opened /proc/1/exe for writing");
  }
  int e1 = errno;
  int pfd = open("/proc/1/exe", O_PATH | O_CLOEXEC);
  if (pfd < 0)
    return res(BLOCKED, "open /proc/1/exe: for writing %s, O_PATH %s", en(e1), en(errno));
  struct stat st;
  int r = fstat(pfd, &st);
  close(pfd);
  if (r == 0 && st.st_uid == getuid())
    return res(ESCAPED, "an O_PATH handle on pid 1's program, owned by our uid (writing now: %s)", en(e1));
  return res(BLOCKED, "pid 1's program is owned by uid %u (writing: %s)", (unsigned)st.st_uid, en(e1));
}

/* pid 1's memory, opened for writing: code injected there runs in sbx's
 * pid 1, which sits one user namespace above the app (the one that owns the
 * sandbox's mounts).  Never written here. */
static struct result t_proc_1_mem(void)
{
  int fd = open("/proc/1/mem", O_RDWR | O_CLOEXEC);
  if (fd < 0)
    return res(BLOCKED, "open /proc/1/mem: %s", en(errno));
  close(fd);
  return res(ESCAPED, "opened /proc/1/mem for writing");
}

/* ---- sockets ------------------------------------------------------------- */

static struct result connect_unix(const char *name, bool abstract)
{
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  size_t len = strlen(name);
  if (len + 2 > sizeof sa.sun_path)
    return res(NA, "name too long");
  memcpy(sa.sun_path + (abstract ? 1 : 0), name, len);
  int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s < 0)
    return res(BLOCKED, "socket: %s", en(errno));
  int r = connect(s, (struct sockaddr *)&sa, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len + (abstract ? 1 : 0)));
  int e = errno;
  close(s);
  return r == 0 ? res(ESCAPED, "connected to %s%s", abstract ? "@" : "", name)
                : res(BLOCKED, "connect %s%s: %s", abstract ? "@" : "", name, en(e));
}

static struct result t_x11_abstract(void)
{
  NEED(ESC_X11);
  return connect_unix(ESC_X11, true);
}

static struct result t_dbus_abstract(void)
{
  NEED(ESC_DBUS_ABS);
  return connect_unix(ESC_DBUS_ABS, true);
}

/* The real bus: connect, then authenticate (the bus answers "OK <guid>"). */
static struct result t_dbus_session(void)
{
  NEED(ESC_DBUS_PATH);
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  snprintf(sa.sun_path, sizeof sa.sun_path, "%s", ESC_DBUS_PATH);
  int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s < 0)
    return res(BLOCKED, "socket: %s", en(errno));
  if (connect(s, (struct sockaddr *)&sa, sizeof sa) < 0) {
    int e = errno;
    close(s);
    return res(BLOCKED, "connect %s: %s", ESC_DBUS_PATH, en(e));
  }
  char msg[64], hex[32] = "", reply[256] = "";
  snprintf(msg, sizeof msg, "%u", getuid());
  for (size_t i = 0; msg[i]; i++)
    snprintf(hex + 2 * i, 3, "%02x", (unsigned char)msg[i]);
  int len = snprintf(msg, sizeof msg, "%cAUTH EXTERNAL %s\r\n", 0, hex);
  struct timeval tv = { 5, 0 };
  setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ssize_t n = write(s, msg, (size_t)len) == len ? read(s, reply, sizeof reply - 1) : -1;
  close(s);
  if (n > 0 && strncmp(reply, "OK ", 3) == 0)
    return res(ESCAPED, "authenticated to the session bus at %s", ESC_DBUS_PATH);
  return res(ESCAPED, "connected to %s (auth: %.20s)", ESC_DBUS_PATH, n > 0 ? reply : "no answer");
}

static struct result t_tcp_loopback(void)
{
  NEED(ESC_PORT);
  struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(ESC_PORT)),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
  int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s < 0)
    return res(BLOCKED, "socket: %s", en(errno));
  int r = connect(s, (struct sockaddr *)&sa, sizeof sa);
  int e = errno;
  close(s);
  return r == 0 ? res(ESCAPED, "connected to 127.0.0.1:%s", ESC_PORT) : res(BLOCKED, "connect 127.0.0.1:%s: %s", ESC_PORT, en(e));
}

/* ---- the hidden key ------------------------------------------------------ */

static struct result t_ssh_direct(void)
{
  NEED(ESC_KEY);
  NEED(ESC_KEY_SECRET);
  return read_secret(ESC_KEY, ESC_KEY_SECRET);
}

static struct result t_ssh_proc_root(void)
{
  NEED(ESC_KEY);
  NEED(ESC_KEY_SECRET);
  char path[4200];
  snprintf(path, sizeof path, "/proc/self/root%s", ESC_KEY);
  struct result r = read_secret(path, ESC_KEY_SECRET);
  if (r.v == ESCAPED)
    return r;
  snprintf(path, sizeof path, "/proc/1/root%s", ESC_KEY);
  struct result r1 = read_secret(path, ESC_KEY_SECRET);
  return r1.v == ESCAPED ? r1 : res(BLOCKED, "%s; %s", r.detail, r1.detail);
}

/* A hard link made from the hidden name into a place we can read. */
static struct result t_ssh_hardlink(void)
{
  NEED(ESC_KEY);
  NEED(ESC_KEY_SECRET);
  char dst[4200];
  const char *dir = param("ESC_RW") ? param("ESC_RW") : "/tmp";
  snprintf(dst, sizeof dst, "%s/esc-key-link.%d", dir, getpid());
  if (link(ESC_KEY, dst) < 0)
    return res(BLOCKED, "link %s: %s", ESC_KEY, en(errno));
  struct result r = read_secret(dst, ESC_KEY_SECRET);
  unlink(dst);
  return r.v == ESCAPED ? res(ESCAPED, "hard link %s -> the key: secret read", dst) : r;
}

/* Any inherited fd open on the key (the caller leaked ESC_FD). */
static struct result t_ssh_leaked_fd(void)
{
  NEED(ESC_KEY_SECRET);
  for (int fd = 3; fd < 1024; fd++) {
    char buf[4096];
    ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
    if (n > 0 && contains(buf, (size_t)n, ESC_KEY_SECRET))
      return res(ESCAPED, "fd %d holds the key", fd);
  }
  const char *fd = param("ESC_FD");
  return res(BLOCKED, "no open fd on the key (fd %s: %s)", fd ? fd : "?",
             fd && fcntl(atoi(fd), F_GETFD) < 0 ? en(errno) : "open, other file");
}

/* ---- read-only binds and mounts ------------------------------------------ */

/* Root of the initial user namespace: a mount or pivot_root here would
 * change the host's own mount table, so those calls are only ever made in
 * namespaces of the probe's own. */
static bool host_root(void)
{
  char buf[128];
  unsigned a, b, c;
  return geteuid() == 0 && read_file("/proc/self/uid_map", buf, sizeof buf) > 0 &&
         sscanf(buf, "%u %u %u", &a, &b, &c) == 3 && a == 0 && b == 0 && c == 4294967295U;
}

static bool try_create(const char *dir, int *err)
{
  char path[4200];
  snprintf(path, sizeof path, "%s/esc-write.%d", dir, getpid());
  int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    *err = errno;
    return false;
  }
  close(fd);
  unlink(path);
  return true;
}

static struct result t_ro_write(void)
{
  NEED(ESC_RO);
  int e;
  return try_create(ESC_RO, &e) ? res(ESCAPED, "created a file in %s", ESC_RO) : res(BLOCKED, "create in %s: %s", ESC_RO, en(e));
}

/* Enter a user and mount namespace of our own (the attacker's way to mount
 * capabilities); 0 or errno. */
static int own_namespaces(void)
{
  uid_t uid = getuid();
  gid_t gid = getgid();
  if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0)
    return errno;
  char map[64];
  int fd = open("/proc/self/setgroups", O_WRONLY);
  if (fd >= 0) {
    (void)!write(fd, "deny", 4);
    close(fd);
  }
  snprintf(map, sizeof map, "0 %u 1", uid);
  if ((fd = open("/proc/self/uid_map", O_WRONLY)) >= 0) {
    (void)!write(fd, map, strlen(map));
    close(fd);
  }
  snprintf(map, sizeof map, "0 %u 1", gid);
  if ((fd = open("/proc/self/gid_map", O_WRONLY)) >= 0) {
    (void)!write(fd, map, strlen(map));
    close(fd);
  }
  return 0;
}

static struct result t_ro_remount(void)
{
  NEED(ESC_RO);
  int e, e1, e2 = 0, e3 = 0, e4 = 0;
  if (host_root())
    return res(NA, "root on the host: not remounting host mounts");
  if (mount(NULL, ESC_RO, NULL, MS_REMOUNT | MS_BIND, NULL) == 0 && try_create(ESC_RO, &e))
    return res(ESCAPED, "remounted %s read-write and wrote", ESC_RO);
  e1 = errno;
  struct mount_attr a = { .attr_clr = MOUNT_ATTR_RDONLY };
  if (syscall(SYS_mount_setattr, AT_FDCWD, ESC_RO, AT_RECURSIVE, &a, sizeof a) == 0 && try_create(ESC_RO, &e))
    return res(ESCAPED, "mount_setattr cleared read-only on %s and wrote", ESC_RO);
  e2 = errno;
  /* In namespaces of our own: the kernel locks the flags of mounts that came
   * from a more privileged namespace. */
  if ((e3 = own_namespaces()) == 0) {
    if (mount(NULL, ESC_RO, NULL, MS_REMOUNT | MS_BIND, NULL) == 0 && try_create(ESC_RO, &e))
      return res(ESCAPED, "remounted %s read-write in a user namespace of ours and wrote", ESC_RO);
    e4 = errno;
  }
  return res(BLOCKED, "remount: %s, mount_setattr: %s, own namespaces: %s, remount there: %s", en(e1), en(e2),
             e3 ? en(e3) : "made", e4 ? en(e4) : "-");
}

static struct result t_mount(void)
{
  const char *dir = "/tmp";
  if (host_root())
    return res(NA, "root on the host: not mounting over the host's /tmp");
  if (mount("esc", dir, "tmpfs", 0, NULL) == 0) {
    umount2(dir, MNT_DETACH);
    return res(ESCAPED, "mounted a tmpfs on %s", dir);
  }
  int e1 = errno;
  long fs = syscall(SYS_fsopen, "tmpfs", 0);
  if (fs >= 0) {
    close((int)fs);
    return res(ESCAPED, "fsopen(tmpfs) worked");
  }
  int e2 = errno, e3 = own_namespaces();
  if (e3 == 0 && mount("esc", dir, "tmpfs", 0, NULL) == 0)
    return res(ESCAPED, "mounted a tmpfs in namespaces of our own");
  return res(BLOCKED, "mount: %s, fsopen: %s, own namespaces: %s", en(e1), en(e2), e3 ? en(e3) : en(errno));
}

static long reap(long pid)
{
  if (pid == 0)
    _exit(0);
  if (pid > 0)
    waitpid((pid_t)pid, NULL, 0);
  return pid < 0 ? -1 : 0;
}

static struct result t_userns(void)
{
  if (unshare(CLONE_NEWUSER) == 0)
    return res(ESCAPED, "unshare(CLONE_NEWUSER)");
  int e1 = errno;
  if (reap(syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0)) == 0)
    return res(ESCAPED, "clone(CLONE_NEWUSER)");
  int e2 = errno;
  struct clone_args args = { .flags = CLONE_NEWUSER, .exit_signal = SIGCHLD };
  if (reap(syscall(SYS_clone3, &args, sizeof args)) == 0)
    return res(ESCAPED, "clone3(CLONE_NEWUSER)");
  return res(BLOCKED, "unshare: %s, clone: %s, clone3: %s", en(e1), en(e2), en(errno));
}

/* chroot directly, then in namespaces of our own (where the attacker gets
 * the capability chroot asks for); if it works, the classic walk out. */
static struct result t_chroot(void)
{
  const char *marker = param("ESC_MARKER");
  bool seen_before = marker && access(marker, F_OK) == 0;
  int e1 = 0, e2 = 0;
  if (chroot(".") < 0) {
    e1 = errno;
    if ((e2 = own_namespaces()) != 0 || chroot(".") < 0)
      return res(BLOCKED, "chroot: %s, own namespaces: %s%s", en(e1), e2 ? en(e2) : "made, chroot: ", e2 ? "" : en(errno));
  }
  /* The classic way out of a chroot: chroot into a subdirectory, keep the
   * cwd outside it, walk up. */
  char dir[64];
  snprintf(dir, sizeof dir, "/tmp/esc-chroot.%d", getpid());
  mkdir(dir, 0700);
  int escaped_root = 0;
  if (chroot(dir) == 0) {
    for (int i = 0; i < 64; i++)
      (void)!chdir("..");
    if (chroot(".") == 0 && marker)
      escaped_root = access(marker, F_OK) == 0;
  }
  rmdir(dir);
  return res(ESCAPED, "chroot works%s; the host's root %s", e1 ? " in a user namespace of ours" : "",
             escaped_root ? (seen_before ? "was visible anyway" : "reached by walking up") : "not reached");
}

static struct result t_pivot_root(void)
{
  int e1, e2;
  if (host_root())
    return res(NA, "root on the host: not pivoting the host's root");
  if (syscall(SYS_pivot_root, ".", ".") == 0)
    return res(ESCAPED, "pivot_root worked");
  e1 = errno;
  if ((e2 = own_namespaces()) != 0)
    return res(BLOCKED, "pivot_root: %s, own namespaces: %s", en(e1), en(e2));
  const char *dir = "/tmp";
  if (mount("esc", dir, "tmpfs", 0, NULL) < 0 || chdir(dir) < 0)
    return res(BLOCKED, "pivot_root: %s; own namespaces but no mount: %s", en(e1), en(errno));
  if (syscall(SYS_pivot_root, ".", ".") == 0)
    return res(ESCAPED, "pivot_root worked in namespaces of our own");
  return res(BLOCKED, "pivot_root: %s, in namespaces of our own: %s", en(e1), en(errno));
}

/* ---- kernel interfaces --------------------------------------------------- */

static struct result fd_call(const char *what, long fd)
{
  if (fd >= 0) {
    close((int)fd);
    return res(ESCAPED, "%s worked", what);
  }
  return res(BLOCKED, "%s: %s", what, en(errno));
}

static struct result t_keyctl(void)
{
  /* The user keyring is shared by every process of the uid, in or out of
   * sandboxes: a key added there crosses the boundary. */
  long id = syscall(SYS_add_key, "user", "sbx-escape-probe", "x", 1, -4 /* KEY_SPEC_USER_KEYRING */);
  if (id >= 0) {
    syscall(SYS_keyctl, 21 /* KEYCTL_INVALIDATE */, id);
    return res(ESCAPED, "added a key to the user keyring");
  }
  int e1 = errno;
  if (syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -4, 0) >= 0)
    return res(ESCAPED, "keyctl reached the user keyring (add_key: %s)", en(e1));
  return res(BLOCKED, "add_key: %s, keyctl: %s", en(e1), en(errno));
}

static struct result t_bpf(void)
{
  uint32_t attr[32] = { 0 };
  /* BPF_PROG_LOAD of a socket filter "return 0": the one program type an
   * unprivileged process may load when the sysctl allows it. */
  uint64_t insns[2] = { 0x00000000000000b7ULL /* r0 = 0 */, 0x0000000000000095ULL /* exit */ };
  attr[0] = 1;                                 /* BPF_PROG_TYPE_SOCKET_FILTER */
  attr[1] = 2;                                 /* insn_cnt */
  memcpy(&attr[2], &(uint64_t){ (uintptr_t)insns }, 8);
  memcpy(&attr[4], &(uint64_t){ (uintptr_t) "GPL" }, 8);
  long fd = syscall(SYS_bpf, 5 /* BPF_PROG_LOAD */, attr, sizeof attr);
  if (fd >= 0)
    return fd_call("bpf(BPF_PROG_LOAD socket filter)", fd);
  int e = errno;
  uint32_t map[16] = { 2 /* BPF_MAP_TYPE_ARRAY */, 4, 4, 1 };
  fd = syscall(SYS_bpf, 0 /* BPF_MAP_CREATE */, map, sizeof map);
  if (fd >= 0)
    return fd_call("bpf(BPF_MAP_CREATE)", fd);
  return res(BLOCKED, "BPF_PROG_LOAD: %s, BPF_MAP_CREATE: %s", en(e), en(errno));
}

static struct result t_perf_event_open(void)
{
  struct perf_event_attr a = { .type = PERF_TYPE_SOFTWARE, .size = sizeof a, .config = PERF_COUNT_SW_TASK_CLOCK,
                               .disabled = 1, .exclude_kernel = 1, .exclude_hv = 1 };
  return fd_call("perf_event_open", syscall(SYS_perf_event_open, &a, 0, -1, -1, 0));
}

static struct result t_userfaultfd(void)
{
  long fd = syscall(SYS_userfaultfd, O_CLOEXEC | 1 /* UFFD_USER_MODE_ONLY */);
  if (fd >= 0)
    return fd_call("userfaultfd", fd);
  int e = errno;
  fd = open("/dev/userfaultfd", O_RDWR | O_CLOEXEC);
  if (fd >= 0)
    return fd_call("/dev/userfaultfd", fd);
  return res(BLOCKED, "userfaultfd: %s, /dev/userfaultfd: %s", en(e), en(errno));
}

static struct result t_io_uring(void)
{
  char params[120] = { 0 }; /* struct io_uring_params */
  return fd_call("io_uring_setup", syscall(SYS_io_uring_setup, 4, params));
}

/* Arguments the kernel refuses right after the privilege check: an error
 * other than EPERM means the check was passed (and nothing was loaded). */
static struct result past_check(const char *what, long r)
{
  if (r == 0)
    return res(ESCAPED, "%s returned 0", what);
  if (errno == EPERM)
    return res(BLOCKED, "%s: EPERM", what);
  if (errno == ENOSYS) /* a kernel built without it: nothing to get past */
    return res(BLOCKED, "%s: ENOSYS (not in this kernel)", what);
  return res(ESCAPED, "%s got past the privilege check (%s)", what, en(errno));
}

static struct result t_kexec_load(void)
{
  struct result r = past_check("kexec_load", syscall(SYS_kexec_load, 0, 0, NULL, 0x8000UL /* no such flag */));
  if (r.v == ESCAPED)
    return r;
  struct result r2 = past_check("kexec_file_load", syscall(SYS_kexec_file_load, -1, -1, 0, NULL, 0x8000UL));
  return r2.v == ESCAPED ? r2 : res(BLOCKED, "%s; %s", r.detail, r2.detail);
}

static struct result t_init_module(void)
{
  struct result r = past_check("init_module", syscall(SYS_init_module, NULL, 0, "")); /* empty image: ENOEXEC */
  if (r.v == ESCAPED)
    return r;
  struct result r2 = past_check("finit_module", syscall(SYS_finit_module, -1, "", 0)); /* EBADF */
  return r2.v == ESCAPED ? r2 : res(BLOCKED, "%s; %s", r.detail, r2.detail);
}

/* ---- privilege, cgroups, devices ----------------------------------------- */

static struct result t_setuid_binary(void)
{
  NEED(ESC_SUID);
  int p[2];
  if (pipe(p) < 0)
    return res(BLOCKED, "pipe: %s", en(errno));
  pid_t pid = fork();
  if (pid == 0) {
    dup2(p[1], 1);
    execl(ESC_SUID, ESC_SUID, (char *)NULL);
    printf("exec: %s\n", en(errno));
    _exit(1);
  }
  close(p[1]);
  char buf[128] = "";
  ssize_t n = read(p[0], buf, sizeof buf - 1);
  close(p[0]);
  waitpid(pid, NULL, 0);
  if (n > 0 && buf[n - 1] == '\n')
    buf[n - 1] = '\0';
  if (strncmp(buf, "euid=0", 6) == 0)
    return res(ESCAPED, "%s ran as root (%s)", ESC_SUID, buf);
  return res(BLOCKED, "%s: %s", ESC_SUID, n > 0 ? buf : "no output");
}

static struct result t_cgroup_procs(void)
{
  /* Our cgroup as we see it, and the parent of it in every place a cgroup
   * tree could be. */
  char own[512] = "", buf[4096];
  ssize_t n = read_file("/proc/self/cgroup", buf, sizeof buf);
  if (n > 0) {
    char *l = strstr(buf, "0::");
    if (l)
      sscanf(l + 3, "%511s", own);
  }
  const char *given = param("ESC_CGROUP");
  char cands[4][4700];
  int nc = 0;
  if (given)
    snprintf(cands[nc++], sizeof cands[0], "%s/cgroup.procs", given);
  snprintf(cands[nc++], sizeof cands[0], "/sys/fs/cgroup/unified%s/../cgroup.procs", own);
  snprintf(cands[nc++], sizeof cands[0], "/sys/fs/cgroup%s/../cgroup.procs", own);
  snprintf(cands[nc++], sizeof cands[0], "/sys/fs/cgroup/cgroup.procs");
  char errs[240] = "";
  for (int i = 0; i < nc; i++) {
    int fd = open(cands[i], O_WRONLY | O_CLOEXEC);
    int e = errno;
    if (fd >= 0) {
      ssize_t w = write(fd, "0", 1); /* "0": the writer itself (this child) */
      e = errno;
      close(fd);
      if (w == 1)
        return res(ESCAPED, "moved into the parent cgroup through %s", cands[i]);
    }
    size_t l = strlen(errs);
    snprintf(errs + l, sizeof errs - l, "%s%s", l ? ", " : "", en(e));
  }
  return res(BLOCKED, "cgroup.procs (own cgroup \"%s\"): %s", own, errs);
}

static struct result t_dev_nodes(void)
{
  static const char *const nodes[] = {
    "/dev/kmsg", "/dev/mem", "/dev/kmem", "/dev/port", "/dev/vda", "/dev/sda", "/dev/nvme0n1", "/dev/kvm",
    "/dev/fuse", "/dev/net/tun", "/dev/vsock", "/dev/loop-control", "/dev/loop0", "/dev/tty0", "/dev/tty1",
    "/dev/console", "/dev/userfaultfd", "/dev/dri/card0", "/dev/dri/renderD128", "/dev/snd/controlC0",
    "/dev/input/event0", "/dev/hwrng", "/dev/zram0", "/dev/btrfs-control", "/dev/uinput", "/dev/vcs", "/dev/vcsa",
  };
  /* The caller's own terminal is granted: bubblewrap's --dev (and sbx's)
   * binds it on /dev/console. */
  struct stat tty;
  dev_t own_tty = fstat(STDIN_FILENO, &tty) == 0 && S_ISCHR(tty.st_mode) ? tty.st_rdev : 0;
  int seen = 0;
  for (size_t i = 0; i < sizeof nodes / sizeof nodes[0]; i++) {
    int fd = open(nodes[i], O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0 && (errno == EPERM || errno == EACCES)) /* /dev/kmsg: anyone may log (never written here) */
      fd = open(nodes[i], O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd >= 0) {
      struct stat st;
      bool own = fstat(fd, &st) == 0 && own_tty && st.st_rdev == own_tty;
      close(fd);
      if (!own)
        return res(ESCAPED, "opened %s", nodes[i]);
      continue;
    }
    if (errno != ENOENT)
      seen++;
  }
  /* A node of our own: /dev/kmsg's numbers. */
  char path[64];
  snprintf(path, sizeof path, "/tmp/esc-node.%d", getpid());
  if (mknod(path, S_IFCHR | 0600, makedev(1, 11)) == 0) {
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    int e = errno;
    unlink(path);
    if (fd >= 0) {
      close(fd);
      return res(ESCAPED, "made and opened a device node (1,11)");
    }
    return res(BLOCKED, "%d of the nodes present, none opened; mknod worked, open: %s", seen, en(e));
  }
  return res(BLOCKED, "%d of the nodes present, none opened; mknod: %s", seen, en(errno));
}

/* ---- the table ----------------------------------------------------------- */

static const struct attempt {
  const char *name;
  struct result (*fn)(void);
} attempts[] = {
  { "tiocsti", t_tiocsti },
  { "tioclinux", t_tioclinux },
  { "ptrace-host", t_ptrace_host },
  { "process-vm-readv", t_process_vm_readv },
  { "proc-host-environ", t_proc_host_environ },
  { "proc-host-mem", t_proc_host_mem },
  { "proc-host-root", t_proc_host_root },
  { "proc-1-environ", t_proc_1_environ },
  { "signal-host", t_signal_host },
  { "proc-1-exe-write", t_proc_1_exe },
  { "proc-1-mem-write", t_proc_1_mem },
  { "x11-abstract", t_x11_abstract },
  { "dbus-abstract", t_dbus_abstract },
  { "dbus-session", t_dbus_session },
  { "tcp-loopback", t_tcp_loopback },
  { "ssh-direct", t_ssh_direct },
  { "ssh-proc-root", t_ssh_proc_root },
  { "ssh-hardlink", t_ssh_hardlink },
  { "ssh-leaked-fd", t_ssh_leaked_fd },
  { "ro-write", t_ro_write },
  { "ro-remount", t_ro_remount },
  { "mount", t_mount },
  { "userns", t_userns },
  { "chroot", t_chroot },
  { "pivot-root", t_pivot_root },
  { "keyctl", t_keyctl },
  { "bpf", t_bpf },
  { "perf-event-open", t_perf_event_open },
  { "userfaultfd", t_userfaultfd },
  { "io-uring", t_io_uring },
  { "kexec-load", t_kexec_load },
  { "init-module", t_init_module },
  { "setuid-binary", t_setuid_binary },
  { "cgroup-procs", t_cgroup_procs },
  { "dev-nodes", t_dev_nodes },
};

/* Each attempt in a child of its own: one that works (a namespace, a cgroup
 * move) must not change what the next one can do. */
static void run(const struct attempt *a)
{
  static const char *const word[] = { [BLOCKED] = "blocked", [ESCAPED] = "escaped", [NA] = "n/a" };
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    struct result r = a->fn();
    for (char *c = r.detail; *c; c++)
      if (*c == '\n' || *c == '\r')
        *c = ' ';
    printf("%s %s %s\n", a->name, word[r.v], r.detail);
    fflush(stdout);
    _exit(0);
  }
  int st = 0;
  waitpid(pid, &st, 0);
  if (!WIFEXITED(st)) {
    printf("%s blocked the probe died (%s)\n", a->name, WIFSIGNALED(st) ? sigabbrev_np(WTERMSIG(st)) : "?");
    fflush(stdout);
  }
}

/* ---- the host-side target ------------------------------------------------ */

static char secret_buf[256];
static const char *sig_path;

static void on_usr1(int sig)
{
  (void)sig;
  int fd = open(sig_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd >= 0) {
    (void)!write(fd, "signal\n", 7);
    close(fd);
  }
}

static int listen_abstract(const char *name)
{
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  size_t len = strlen(name);
  memcpy(sa.sun_path + 1, name, len);
  int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s < 0 || bind(s, (struct sockaddr *)&sa, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + len)) < 0 ||
      listen(s, 16) < 0) {
    fprintf(stderr, "escape host: @%s: %s\n", name, strerror(errno));
    exit(1);
  }
  return s;
}

static int host(const char *state, const char *x11, const char *dbus)
{
  const char *secret = getenv("ESC_SECRET");
  if (!secret) {
    fprintf(stderr, "escape host: no ESC_SECRET\n");
    return 1;
  }
  snprintf(secret_buf, sizeof secret_buf, "%s", secret);
  prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY, 0, 0, 0);
  static char sigp[4200];
  snprintf(sigp, sizeof sigp, "%s.sig", state);
  sig_path = sigp;
  signal(SIGUSR1, on_usr1);

  int fds[3];
  fds[0] = listen_abstract(x11);
  fds[1] = listen_abstract(dbus);
  struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
  socklen_t sl = sizeof sa;
  fds[2] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fds[2] < 0 || bind(fds[2], (struct sockaddr *)&sa, sizeof sa) < 0 || listen(fds[2], 16) < 0 ||
      getsockname(fds[2], (struct sockaddr *)&sa, &sl) < 0) {
    fprintf(stderr, "escape host: tcp: %s\n", strerror(errno));
    return 1;
  }
  char tmp[4200];
  snprintf(tmp, sizeof tmp, "%s.tmp", state);
  FILE *f = fopen(tmp, "w");
  if (!f)
    return 1;
  fprintf(f, "%d %lx %u\n", getpid(), (unsigned long)(uintptr_t)secret_buf, ntohs(sa.sin_port));
  fclose(f);
  rename(tmp, state);

  struct pollfd pfd[3];
  for (int i = 0; i < 3; i++)
    pfd[i] = (struct pollfd){ .fd = fds[i], .events = POLLIN };
  for (;;) {
    if (poll(pfd, 3, -1) < 0)
      continue;
    for (int i = 0; i < 3; i++)
      if (pfd[i].revents & POLLIN) {
        int c = accept4(fds[i], NULL, NULL, SOCK_CLOEXEC);
        if (c >= 0)
          close(c);
      }
  }
}

int main(int argc, char **argv)
{
  if (argc == 5 && strcmp(argv[1], "host") == 0)
    return host(argv[2], argv[3], argv[4]);
  if (argc < 2) {
    fprintf(stderr, "usage: escape ATTEMPT... | all | list | host STATE X11 DBUS\n");
    return 2;
  }
  size_t n = sizeof attempts / sizeof attempts[0];
  for (int a = 1; a < argc; a++) {
    bool found = false;
    for (size_t i = 0; i < n; i++) {
      if (strcmp(argv[a], "list") == 0) {
        printf("%s\n", attempts[i].name);
        found = true;
      } else if (strcmp(argv[a], "all") == 0 || strcmp(argv[a], attempts[i].name) == 0) {
        run(&attempts[i]);
        found = true;
      }
    }
    if (!found) {
      fprintf(stderr, "escape: no attempt %s\n", argv[a]);
      return 2;
    }
  }
  return 0;
}
