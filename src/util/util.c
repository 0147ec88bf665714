#include "util/util.h"

#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>

/* The only process-wide state: how diagnostics are labelled.  Set once at
 * start-up, read everywhere. */
static struct {
  const char *prog;
  bool level_prefix;
} log_cfg = { "sbx", false };

void log_init(const char *argv0)
{
  if (argv0 && *argv0) {
    const char *slash = strrchr(argv0, '/');
    log_cfg.prog = slash ? slash + 1 : argv0;
  }
}

void log_set_level_prefix(bool on) { log_cfg.level_prefix = on; }
const char *log_prog(void) { return log_cfg.prog; }

static void vlog(int level, int errnum, const char *fmt, va_list ap)
{
  char buf[4096];
  int n = 0;

  if (log_cfg.level_prefix)
    n = snprintf(buf, sizeof buf, "<%d>", level);
  n += snprintf(buf + n, sizeof buf - n, "%s: ", log_cfg.prog);
  if (n < (int)sizeof buf)
    n += vsnprintf(buf + n, sizeof buf - n, fmt, ap);
  if (errnum && n < (int)sizeof buf)
    n += snprintf(buf + n, sizeof buf - n, ": %s", strerror(errnum));
  if (n >= (int)sizeof buf - 1)
    n = sizeof buf - 2;
  buf[n++] = '\n';
  /* One write, so lines from the monitor and the sandbox do not interleave. */
  (void)!write(STDERR_FILENO, buf, n);
}

void log_error(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  vlog(3, 0, fmt, ap);
  va_end(ap);
}

void log_warn(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  vlog(4, 0, fmt, ap);
  va_end(ap);
}

int log_errno(int errnum, const char *fmt, ...)
{
  va_list ap;
  if (errnum < 0)
    errnum = -errnum;
  va_start(ap, fmt);
  vlog(3, errnum, fmt, ap);
  va_end(ap);
  return -(errnum ? errnum : EINVAL);
}

int log_fail(int errnum, const char *fmt, ...)
{
  va_list ap;
  if (errnum < 0)
    errnum = -errnum;
  va_start(ap, fmt);
  vlog(3, 0, fmt, ap);
  va_end(ap);
  return -(errnum ? errnum : EINVAL);
}

void die_oom(void)
{
  static const char msg[] = "sbx: out of memory\n";
  (void)!write(STDERR_FILENO, msg, sizeof msg - 1);
  _exit(1);
}

void *xmalloc(size_t n)
{
  void *p = malloc(n ? n : 1);
  if (!p)
    die_oom();
  return p;
}

void *xcalloc(size_t n, size_t m)
{
  void *p = calloc(n ? n : 1, m ? m : 1);
  if (!p)
    die_oom();
  return p;
}

void *xrealloc(void *p, size_t n)
{
  p = realloc(p, n ? n : 1);
  if (!p)
    die_oom();
  return p;
}

char *xstrdup(const char *s)
{
  char *p = s ? strdup(s) : NULL;
  if (s && !p)
    die_oom();
  return p;
}

char *xvasprintf(const char *fmt, va_list ap)
{
  char *p;
  if (vasprintf(&p, fmt, ap) < 0)
    die_oom();
  return p;
}

char *xasprintf(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  char *p = xvasprintf(fmt, ap);
  va_end(ap);
  return p;
}

void strv_free(char **v)
{
  for (size_t i = 0; v && v[i]; i++)
    free(v[i]);
  free(v);
}

void *array_grow(void *p, size_t elem, size_t *cap, size_t need)
{
  if (need <= *cap)
    return p;
  size_t n = *cap ? *cap : 4;
  while (n < need) {
    if (n > SIZE_MAX / 2)
      die_oom();
    n *= 2;
  }
  if (n > SIZE_MAX / elem)
    die_oom();
  p = xrealloc(p, n * elem);
  *cap = n;
  return p;
}

void strv_push(struct strv *sv, char *s)
{
  /* One more for the NULL that always follows. */
  sv->v = array_grow(sv->v, sizeof(char *), &sv->cap, sv->n + 2);
  sv->v[sv->n++] = s;
  sv->v[sv->n] = NULL;
}

void strv_add(struct strv *sv, const char *s) { strv_push(sv, xstrdup(s)); }

void strv_addf(struct strv *sv, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  strv_push(sv, xvasprintf(fmt, ap));
  va_end(ap);
}

char **strv_steal(struct strv *sv)
{
  char **v = sv->v ? sv->v : xcalloc(1, sizeof(char *));
  *sv = (struct strv){ 0 };
  return v;
}

void strv_clear(struct strv *sv)
{
  strv_free(sv->v);
  *sv = (struct strv){ 0 };
}

void buf_add(struct buf *b, const void *data, size_t len)
{
  b->s = array_grow(b->s, 1, &b->cap, b->n + len + 1);
  memcpy(b->s + b->n, data, len);
  b->n += len;
  b->s[b->n] = '\0';
}

void buf_puts(struct buf *b, const char *s) { buf_add(b, s, strlen(s)); }

void buf_printf(struct buf *b, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  _cleanup_free_ char *s = xvasprintf(fmt, ap);
  va_end(ap);
  buf_puts(b, s);
}

char *buf_steal(struct buf *b)
{
  char *s = b->s ? b->s : xstrdup("");
  *b = (struct buf){ 0 };
  return s;
}

void buf_free(struct buf *b)
{
  free(b->s);
  *b = (struct buf){ 0 };
}

char *home_dir(void)
{
  const char *h = getenv("HOME");
  if (h && h[0] == '/')
    return xstrdup(h);
  struct passwd *pw = getpwuid(getuid());
  return pw && pw->pw_dir && pw->pw_dir[0] == '/' ? xstrdup(pw->pw_dir) : NULL;
}

bool is_socket(const char *path)
{
  struct stat st;
  return stat(path, &st) == 0 && S_ISSOCK(st.st_mode);
}

int read_all_fd(int fd, char **out, size_t *len)
{
  _cleanup_buf_ struct buf b = { 0 };
  for (;;) {
    /* Room for at least one byte and the NUL (4 KiB at first). */
    b.s = array_grow(b.s, 1, &b.cap, b.cap ? b.n + 2 : 4096);
    ssize_t r = RETRY(read(fd, b.s + b.n, b.cap - b.n - 1));
    if (r < 0)
      return -errno;
    if (r == 0)
      break;
    b.n += r;
  }
  b.s[b.n] = '\0';
  if (len)
    *len = b.n;
  *out = buf_steal(&b);
  return 0;
}

int write_all(int fd, const void *buf, size_t len)
{
  const char *p = buf;
  while (len > 0) {
    ssize_t r = RETRY(write(fd, p, len));
    if (r < 0)
      return -errno;
    if (r == 0)
      return -EIO;
    p += r;
    len -= r;
  }
  return 0;
}

int fd_send(int sock, char byte, int fd)
{
  struct iovec iov = { &byte, 1 };
  union {
    char buf[CMSG_SPACE(sizeof(int))];
    struct cmsghdr align;
  } u;
  memset(&u, 0, sizeof u);
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf };
  struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(c), &fd, sizeof fd);
  ssize_t n = RETRY(sendmsg(sock, &msg, MSG_NOSIGNAL));
  return n == 1 ? 0 : n < 0 ? -errno : -EIO;
}

int fd_recv(int sock, int *fd)
{
  char byte;
  struct iovec iov = { &byte, 1 };
  union {
    char buf[CMSG_SPACE(sizeof(int))];
    struct cmsghdr align;
  } u;
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf };
  ssize_t n = RETRY(recvmsg(sock, &msg, MSG_CMSG_CLOEXEC));
  if (n <= 0)
    return n < 0 ? -errno : 0;
  struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
  if (!c || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS || c->cmsg_len != CMSG_LEN(sizeof(int)))
    return -EBADMSG;
  memcpy(fd, CMSG_DATA(c), sizeof *fd);
  return 1;
}

int write_file_at(int dirfd, const char *path, const char *content)
{
  _cleanup_close_ int fd = RETRY(openat(dirfd, path, O_WRONLY | O_CLOEXEC | O_NOCTTY));
  if (fd < 0)
    return -errno;
  return write_all(fd, content, strlen(content));
}

int parse_fd(const char *s, int *fd)
{
  unsigned long long v;
  if (parse_uint(s, &v) < 0 || v > INT32_MAX)
    return -EINVAL;
  *fd = (int)v;
  return 0;
}

int parse_uint(const char *s, unsigned long long *v)
{
  char *end;
  if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
    return -EINVAL;
  errno = 0;
  *v = strtoull(s, &end, 10);
  if (errno || *end)
    return -EINVAL;
  return 0;
}

static int cmp_u16(const void *a, const void *b)
{
  return (int)*(const uint16_t *)a - (int)*(const uint16_t *)b;
}

int parse_port_list(const char *s, unsigned min, uint16_t **ports, size_t *n)
{
  if (strcmp(s, "none") == 0) {
    *ports = NULL;
    *n = 0;
    return 0;
  }
  _cleanup_free_ char *copy = xstrdup(s);
  _cleanup_free_ uint16_t *v = NULL;
  size_t count = 0;
  char *save = NULL;
  for (char *item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
    char *dash = strchr(item, '-');
    unsigned long long lo, hi;
    if (dash)
      *dash = '\0';
    if (parse_uint(item, &lo) < 0 || (dash && parse_uint(dash + 1, &hi) < 0))
      return -EINVAL;
    if (!dash)
      hi = lo;
    if (lo < min || hi > 65535 || lo > hi || count + (hi - lo + 1) > MAX_PORTS)
      return -EINVAL;
    v = xrealloc(v, (count + (hi - lo + 1)) * sizeof *v);
    for (unsigned long long port = lo; port <= hi; port++)
      v[count++] = (uint16_t)port;
  }
  /* strtok_r skips empty items: "80,,443" and ",80" must not pass. */
  if (count == 0 || strstr(s, ",,") || s[0] == ',' || s[strlen(s) - 1] == ',')
    return -EINVAL;
  qsort(v, count, sizeof *v, cmp_u16);
  size_t k = 0;
  for (size_t i = 0; i < count; i++)
    if (k == 0 || v[k - 1] != v[i])
      v[k++] = v[i];
  *ports = v;
  v = NULL;
  *n = k;
  return 0;
}

/* bubblewrap's rule for --perms and --chmod, kept so that command lines
 * it accepts work here too: strtoul(base 8) must consume the whole,
 * non-empty word and give at most 07777.  strtoul skips leading white
 * space and takes a sign, so " 700" and "+700" are 0700; a negative value
 * other than -0 wraps around and fails the range check, as does overflow. */
int parse_octal_mode(const char *s, unsigned *mode)
{
  char *end;
  if (!s || !*s)
    return -EINVAL;
  unsigned long v = strtoul(s, &end, 8);
  if (end == s || *end || v > 07777)
    return -EINVAL;
  *mode = (unsigned)v;
  return 0;
}

/* bubblewrap's rule for --size: a digit first (no white space, no sign),
 * then strtoull with base 0 over the whole word, so 0x100000 and 04000000
 * are both 1 MiB and 08 is refused.  -ERANGE when it does not fit. */
int parse_c_uint(const char *s, unsigned long long *v)
{
  char *end;
  if (!s || !isdigit((unsigned char)*s))
    return -EINVAL;
  errno = 0;
  *v = strtoull(s, &end, 0);
  if (errno == ERANGE)
    return -ERANGE;
  if (errno || *end)
    return -EINVAL;
  return 0;
}

int landlock_abi(void)
{
#ifndef __NR_landlock_create_ruleset
#define __NR_landlock_create_ruleset 444
#endif
  const unsigned version = 1U << 0; /* LANDLOCK_CREATE_RULESET_VERSION */
  long abi = syscall(__NR_landlock_create_ruleset, NULL, 0, version);
  return abi < 0 ? -errno : (int)abi;
}

void json_write_str(FILE *f, const char *s)
{
  if (!s) {
    fputs("null", f);
    return;
  }
  fputc('"', f);
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\')
      fprintf(f, "\\%c", c);
    else if (c < 0x20)
      fprintf(f, "\\u%04x", c);
    else
      fputc(c, f);
  }
  fputc('"', f);
}

bool fd_is_valid(int fd)
{
  return fd >= 0 && fcntl(fd, F_GETFD) >= 0;
}

static int cmp_int(const void *a, const void *b)
{
  int x = *(const int *)a, y = *(const int *)b;
  return (x > y) - (x < y);
}

/* close_range(2) came with Linux 5.9; before it, close one fd at a time up
 * to the fd limit (an fd above a limit lowered after it was opened would
 * survive that, which only matters on those old kernels). */
static int close_span(unsigned lo, unsigned hi)
{
  if (syscall(SYS_close_range, lo, hi, 0) == 0)
    return 0;
  if (errno != ENOSYS)
    return -errno;
  struct rlimit rl;
  unsigned long max = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY ? rl.rlim_cur : 65536;
  for (unsigned long fd = lo; fd <= hi && fd < max; fd++)
    close((int)fd);
  return 0;
}

int close_fds_except(const int *keep, size_t n_keep)
{
  _cleanup_free_ int *k = xcalloc(n_keep + 3, sizeof *k);
  size_t n = 0;
  for (int fd = 0; fd < 3; fd++)
    k[n++] = fd;
  for (size_t i = 0; i < n_keep; i++)
    if (keep[i] >= 0)
      k[n++] = keep[i];
  qsort(k, n, sizeof *k, cmp_int);
  unsigned next = 0; /* the lowest fd not yet decided */
  for (size_t i = 0; i < n; i++) {
    if ((unsigned)k[i] > next) {
      int r = close_span(next, (unsigned)k[i] - 1);
      if (r < 0)
        return r;
    }
    next = (unsigned)k[i] + 1;
  }
  return close_span(next, ~0U);
}

static bool should_close_inheritable(int fd, const int *keep, size_t n_keep)
{
  for (size_t i = 0; i < n_keep; i++)
    if (keep[i] == fd)
      return false;
  int flags = fcntl(fd, F_GETFD);
  return flags >= 0 && !(flags & FD_CLOEXEC);
}

int close_inheritable_fds(const int *keep, size_t n_keep)
{
  _cleanup_close_ int dfd = RETRY(open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dfd < 0) {
    /* No /proc: ask every fd up to the limit instead. */
    struct rlimit rl;
    int max = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 1048576 ? (int)rl.rlim_cur : 1048576;
    for (int fd = 3; fd < max; fd++)
      if (should_close_inheritable(fd, keep, n_keep))
        close(fd);
    return 0;
  }
  DIR *d = fdopendir(dfd);
  if (!d)
    return -errno;
  dfd = -1; /* owned by d now */
  /* Collect first: closing while reading the directory would change it. */
  int *victims = NULL;
  size_t n = 0, cap = 0;
  struct dirent *de;
  while ((de = readdir(d))) {
    int fd;
    if (parse_fd(de->d_name, &fd) < 0 || fd < 3 || fd == dirfd(d))
      continue;
    if (!should_close_inheritable(fd, keep, n_keep))
      continue;
    *ARRAY_PUSH(victims, n, cap) = fd;
  }
  closedir(d);
  for (size_t i = 0; i < n; i++)
    close(victims[i]);
  free(victims);
  return 0;
}

long long monotonic_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
