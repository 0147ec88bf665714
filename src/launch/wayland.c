/* Wayland: see wayland.h for what happens when, and why. */
#include "launch/wayland.h"

#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "plan/plan.h"
#include "util/util.h"

/* ---- the wire protocol ----------------------------------------------------
 *
 * Only what sbx needs of wayland.xml and security-context-v1.xml.  Words
 * are in the host's byte order (the protocol never leaves the machine;
 * little-endian everywhere sbx runs). */

#define WL_DISPLAY_ID 1u

enum {
  /* wl_display requests, events */
  WL_DISPLAY_SYNC = 0,
  WL_DISPLAY_GET_REGISTRY = 1,
  WL_DISPLAY_ERROR = 0,
  WL_DISPLAY_DELETE_ID = 1,
  /* wl_registry */
  WL_REGISTRY_BIND = 0,
  WL_REGISTRY_GLOBAL = 0,
  WL_REGISTRY_GLOBAL_REMOVE = 1,
  /* wl_callback */
  WL_CALLBACK_DONE = 0,
  /* wp_security_context_manager_v1 */
  WP_MANAGER_DESTROY = 0,
  WP_MANAGER_CREATE_LISTENER = 1,
  /* wp_security_context_v1 */
  WP_CONTEXT_DESTROY = 0,
  WP_CONTEXT_SET_SANDBOX_ENGINE = 1,
  WP_CONTEXT_SET_APP_ID = 2,
  WP_CONTEXT_SET_INSTANCE_ID = 3,
  WP_CONTEXT_COMMIT = 4,
};

static const char manager_interface[] = "wp_security_context_manager_v1";

/* libwayland's limit for one message; the size field could say more. */
#define WIRE_MAX_MESSAGE 4096

static int wire_fail(struct wayland_wire *ww, int err, const char *fmt, ...) _printf_(3, 4);
static int wire_fail(struct wayland_wire *ww, int err, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(ww->error, sizeof ww->error, fmt, ap);
  va_end(ap);
  return -err;
}

void wayland_wire_init(struct wayland_wire *ww, int fd, int timeout_ms)
{
  memset(ww, 0, sizeof *ww);
  ww->fd = fd;
  ww->timeout_ms = timeout_ms;
  ww->next_id = WL_DISPLAY_ID + 1;
}

/* Wait for fd to become ready for events until the deadline. */
static int wire_wait(struct wayland_wire *ww, short events)
{
  for (;;) {
    long long left = ww->deadline - monotonic_ms();
    if (left <= 0)
      return wire_fail(ww, ETIMEDOUT, "the compositor did not answer within %d ms", ww->timeout_ms);
    struct pollfd pfd = { .fd = ww->fd, .events = events };
    int r = poll(&pfd, 1, (int)left);
    if (r < 0 && errno != EINTR)
      return wire_fail(ww, errno, "poll: %s", strerror(errno));
    if (r > 0)
      return 0;
  }
}

/* One request being built: header, then arguments. */
struct request {
  uint32_t w[WIRE_MAX_MESSAGE / 4];
  size_t n;
  bool too_long;
};

static void req_start(struct request *rq, uint32_t object, uint16_t opcode)
{
  rq->w[0] = object;
  rq->w[1] = opcode;
  rq->n = 2;
  rq->too_long = false;
}

static void req_u32(struct request *rq, uint32_t v)
{
  if (rq->n >= sizeof rq->w / sizeof rq->w[0]) {
    rq->too_long = true;
    return;
  }
  rq->w[rq->n++] = v;
}

/* A string: its length with the NUL, then the bytes, zero-padded to a
 * whole word. */
static void req_str(struct request *rq, const char *s)
{
  size_t len = strlen(s) + 1, words = (len + 3) / 4;
  if (rq->n + 1 + words > sizeof rq->w / sizeof rq->w[0]) {
    rq->too_long = true;
    return;
  }
  req_u32(rq, (uint32_t)len);
  memset(&rq->w[rq->n], 0, words * 4);
  memcpy(&rq->w[rq->n], s, len);
  rq->n += words;
}

static int wire_hung_up(struct wayland_wire *ww, int err);

/* Send a request; fds (if any) travel as SCM_RIGHTS with its first byte. */
static int req_send(struct wayland_wire *ww, struct request *rq, const int *fds, size_t n_fds)
{
  if (rq->too_long)
    return wire_fail(ww, E2BIG, "a request would exceed %d bytes", WIRE_MAX_MESSAGE);
  size_t len = rq->n * 4;
  rq->w[1] |= (uint32_t)len << 16;
  union {
    struct cmsghdr align;
    char buf[CMSG_SPACE(sizeof(int) * 2)];
  } ctl;
  if (n_fds > 2)
    return wire_fail(ww, EINVAL, "too many fds for one request");
  const char *data = (const char *)rq->w;
  size_t off = 0;
  bool fds_sent = n_fds == 0;
  while (off < len) {
    struct iovec iov = { (void *)(data + off), len - off };
    struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
    if (!fds_sent) {
      memset(&ctl, 0, sizeof ctl);
      mh.msg_control = ctl.buf;
      mh.msg_controllen = CMSG_SPACE(sizeof(int) * n_fds);
      struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
      c->cmsg_level = SOL_SOCKET;
      c->cmsg_type = SCM_RIGHTS;
      c->cmsg_len = CMSG_LEN(sizeof(int) * n_fds);
      memcpy(CMSG_DATA(c), fds, sizeof(int) * n_fds);
    }
    ssize_t n = sendmsg(ww->fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0) {
      int e = errno, r;
      if (e == EINTR)
        continue;
      if (e == EAGAIN) {
        if ((r = wire_wait(ww, POLLOUT)) < 0)
          return r;
        continue;
      }
      if (e == EPIPE || e == ECONNRESET)
        return wire_hung_up(ww, e);
      return wire_fail(ww, e, "can't send to the compositor: %s", strerror(e));
    }
    fds_sent = true;
    off += (size_t)n;
  }
  return 0;
}

/* One event, its arguments as words. */
struct event {
  uint32_t object;
  uint16_t opcode;
  uint32_t args[WIRE_MAX_MESSAGE / 4];
  size_t n, pos;
  bool bad;
};

static uint32_t ev_u32(struct event *ev)
{
  if (ev->pos >= ev->n) {
    ev->bad = true;
    return 0;
  }
  return ev->args[ev->pos++];
}

/* A string argument, NUL-terminated within its length; "" for a null one. */
static const char *ev_str(struct event *ev)
{
  uint32_t len = ev_u32(ev);
  if (ev->bad)
    return "";
  if (len == 0)
    return "";
  size_t words = ((size_t)len + 3) / 4;
  if (words > ev->n - ev->pos) {
    ev->bad = true;
    return "";
  }
  const char *s = (const char *)&ev->args[ev->pos];
  if (s[len - 1] != '\0') {
    ev->bad = true;
    return "";
  }
  ev->pos += words;
  return s;
}

/* Read what the compositor has sent.  It sends sbx no fds; any that come
 * anyway are closed. */
static int wire_fill(struct wayland_wire *ww)
{
  if (ww->in_len == sizeof ww->in)
    return wire_fail(ww, EPROTO, "a message from the compositor is too long");
  int r = wire_wait(ww, POLLIN);
  if (r < 0)
    return r;
  union {
    struct cmsghdr align;
    char buf[CMSG_SPACE(sizeof(int) * 28)];
  } ctl;
  struct iovec iov = { ww->in + ww->in_len, sizeof ww->in - ww->in_len };
  struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf, .msg_controllen = sizeof ctl.buf };
  ssize_t n = recvmsg(ww->fd, &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
  if (n < 0) {
    if (errno == EINTR || errno == EAGAIN)
      return 0;
    return wire_fail(ww, errno, "can't read from the compositor: %s", strerror(errno));
  }
  for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
      continue;
    size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (size_t i = 0; i < k; i++) {
      int fd;
      memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
      close(fd);
    }
  }
  if (n == 0)
    return wire_fail(ww, ECONNRESET, "the compositor closed the connection");
  ww->in_len += (size_t)n;
  return 0;
}

static int wire_next_event(struct wayland_wire *ww, struct event *ev)
{
  for (;;) {
    if (ww->in_len >= 8) {
      uint32_t hdr[2];
      memcpy(hdr, ww->in, sizeof hdr);
      size_t size = hdr[1] >> 16;
      if (size < 8 || size % 4 != 0 || size > WIRE_MAX_MESSAGE)
        return wire_fail(ww, EPROTO, "malformed message from the compositor (object %u, %zu bytes)", hdr[0], size);
      if (ww->in_len >= size) {
        ev->object = hdr[0];
        ev->opcode = (uint16_t)(hdr[1] & 0xffff);
        ev->n = (size - 8) / 4;
        ev->pos = 0;
        ev->bad = false;
        memcpy(ev->args, ww->in + 8, size - 8);
        memmove(ww->in, ww->in + size, ww->in_len - size);
        ww->in_len -= size;
        return 0;
      }
    }
    int r = wire_fill(ww);
    if (r < 0)
      return r;
  }
}

static const char *object_name(const struct wayland_wire *ww, uint32_t id)
{
  if (id == WL_DISPLAY_ID)
    return "wl_display";
  if (id && id == ww->registry)
    return "wl_registry";
  if (id && id == ww->manager)
    return manager_interface;
  if (id && id == ww->context)
    return "wp_security_context_v1";
  return "object";
}

static const char *error_name(const struct wayland_wire *ww, uint32_t id, uint32_t code)
{
  static const char *const display[] = { "invalid_object", "invalid_method", "no_memory", "implementation" };
  static const char *const manager[] = { NULL, "invalid_listen_fd", "nested" };
  static const char *const context[] = { NULL, "already_used", "already_set", "invalid_metadata" };
  if (code < 4 && (id == ww->registry || id == WL_DISPLAY_ID))
    return display[code];
  if (id && id == ww->manager && code < 3 && manager[code])
    return manager[code];
  if (id && id == ww->context && code < 4 && context[code])
    return context[code];
  return code < 4 ? display[code] : "error";
}

/* ev is wl_display.error: fail with what it says. */
static int display_error(struct wayland_wire *ww, struct event *ev)
{
  uint32_t id = ev_u32(ev), code = ev_u32(ev);
  const char *msg = ev_str(ev);
  return wire_fail(ww, EPROTO, "the compositor reported protocol error %s (%u) on %s %u: %s", error_name(ww, id, code),
                   code, object_name(ww, id), id, *msg ? msg : "(no message)");
}

/* The compositor closed the connection while we were sending: after a
 * protocol error it does that at once, so its error event may be waiting
 * to be read, and says more than EPIPE. */
static int wire_hung_up(struct wayland_wire *ww, int err)
{
  struct event ev;
  while (wire_next_event(ww, &ev) == 0)
    if (ev.object == WL_DISPLAY_ID && ev.opcode == WL_DISPLAY_ERROR)
      return display_error(ww, &ev);
  return wire_fail(ww, err, "the compositor closed the connection (%s)", strerror(err));
}

/* wl_display.sync, then every event until its done: registry globals are
 * collected into g (when not NULL), wl_display.error ends it. */
static int wire_roundtrip(struct wayland_wire *ww, struct wayland_globals *g)
{
  uint32_t callback = ww->next_id++;
  struct request rq;
  req_start(&rq, WL_DISPLAY_ID, WL_DISPLAY_SYNC);
  req_u32(&rq, callback);
  int r = req_send(ww, &rq, NULL, 0);
  if (r < 0)
    return r;
  struct event ev;
  for (;;) {
    if ((r = wire_next_event(ww, &ev)) < 0)
      return r;
    if (ev.object == WL_DISPLAY_ID && ev.opcode == WL_DISPLAY_ERROR)
      return display_error(ww, &ev);
    if (ev.object == ww->registry && ev.opcode == WL_REGISTRY_GLOBAL && g) {
      uint32_t name = ev_u32(&ev);
      const char *interface = ev_str(&ev);
      uint32_t version = ev_u32(&ev);
      if (ev.bad)
        return wire_fail(ww, EPROTO, "malformed wl_registry.global event from the compositor");
      g->n_globals++;
      if (strcmp(interface, manager_interface) == 0 && version >= 1) {
        g->offered = true;
        g->manager_name = name;
        g->manager_version = version;
      }
    } else if (ev.object == ww->registry && ev.opcode == WL_REGISTRY_GLOBAL_REMOVE && g) {
      if (g->offered && ev_u32(&ev) == g->manager_name)
        g->offered = false;
    } else if (ev.object == callback && ev.opcode == WL_CALLBACK_DONE) {
      return 0;
    }
    /* Anything else (wl_display.delete_id...) needs no answer. */
  }
}

int wayland_wire_globals(struct wayland_wire *ww, struct wayland_globals *g)
{
  memset(g, 0, sizeof *g);
  ww->deadline = monotonic_ms() + ww->timeout_ms;
  ww->registry = ww->next_id++;
  struct request rq;
  req_start(&rq, WL_DISPLAY_ID, WL_DISPLAY_GET_REGISTRY);
  req_u32(&rq, ww->registry);
  int r = req_send(ww, &rq, NULL, 0);
  return r < 0 ? r : wire_roundtrip(ww, g);
}

int wayland_wire_create_listener(struct wayland_wire *ww, const struct wayland_globals *g, int listen_fd,
                                 int close_fd, const char *engine, const char *app_id, const char *instance_id)
{
  if (!g->offered || !ww->registry)
    return wire_fail(ww, ENOTSUP, "the compositor does not offer %s", manager_interface);
  ww->deadline = monotonic_ms() + ww->timeout_ms;
  struct request rq;
  int r;

  /* wl_registry.bind(name, interface, version, new_id): an untyped new_id
   * carries the interface and version before the id. */
  ww->manager = ww->next_id++;
  req_start(&rq, ww->registry, WL_REGISTRY_BIND);
  req_u32(&rq, g->manager_name);
  req_str(&rq, manager_interface);
  req_u32(&rq, 1);
  req_u32(&rq, ww->manager);
  if ((r = req_send(ww, &rq, NULL, 0)) < 0)
    return r;

  ww->context = ww->next_id++;
  req_start(&rq, ww->manager, WP_MANAGER_CREATE_LISTENER);
  req_u32(&rq, ww->context);
  int fds[2] = { listen_fd, close_fd };
  if ((r = req_send(ww, &rq, fds, 2)) < 0)
    return r;

  struct {
    uint16_t opcode;
    const char *value;
  } tags[] = {
    { WP_CONTEXT_SET_SANDBOX_ENGINE, engine },
    { WP_CONTEXT_SET_APP_ID, app_id },
    { WP_CONTEXT_SET_INSTANCE_ID, instance_id },
  };
  for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++) {
    if (!tags[i].value)
      continue;
    req_start(&rq, ww->context, tags[i].opcode);
    req_str(&rq, tags[i].value);
    if ((r = req_send(ww, &rq, NULL, 0)) < 0)
      return r;
  }
  /* commit, then destroy both objects: the listener stays (the protocol
   * says it outlives this connection) until close_fd's peer is gone. */
  static const struct {
    bool manager;
    uint16_t opcode;
  } tail[] = { { false, WP_CONTEXT_COMMIT }, { false, WP_CONTEXT_DESTROY }, { true, WP_MANAGER_DESTROY } };
  for (size_t i = 0; i < sizeof tail / sizeof tail[0]; i++) {
    req_start(&rq, tail[i].manager ? ww->manager : ww->context, tail[i].opcode);
    if ((r = req_send(ww, &rq, NULL, 0)) < 0)
      return r;
  }
  /* A protocol error (nested, invalid_metadata...) arrives before this
   * sync's done, or the compositor closes the connection. */
  return wire_roundtrip(ww, NULL);
}

/* ---- plan edits -----------------------------------------------------------
 * Through the handle compile left (plan_wayland.op), never by searching. */

static void plan_use_listener(struct plan *p)
{
  const struct plan_wayland *w = p->services->wayland;
  if (w->op == PLAN_NO_OP)
    return;
  free(p->ops[w->op].src);
  p->ops[w->op].src = xstrdup(w->listener);
}

static void plan_remove_wayland(struct plan *p)
{
  const struct plan_wayland *w = p->services->wayland;
  if (w->op != PLAN_NO_OP)
    plan_remove_op(p, w->op); /* sets w->op to PLAN_NO_OP */
  plan_unsetenv(p, "WAYLAND_DISPLAY");
}

void wayland_disconnect(struct wayland_conn *c)
{
  if (c->wire.fd >= 0)
    close(c->wire.fd);
  c->wire.fd = -1;
}

/* ---- start time ------------------------------------------------------------ */

/* A unix socket address for path; a path too long for sun_path goes
 * through an O_PATH fd (*pathfd, closed by the caller). */
static socklen_t socket_address(struct sockaddr_un *sa, const char *path, int *pathfd)
{
  memset(sa, 0, sizeof *sa);
  sa->sun_family = AF_UNIX;
  *pathfd = -1;
  if (strlen(path) >= sizeof sa->sun_path) {
    *pathfd = open(path, O_PATH | O_CLOEXEC);
    snprintf(sa->sun_path, sizeof sa->sun_path, "/proc/self/fd/%d", *pathfd);
  } else {
    memcpy(sa->sun_path, path, strlen(path));
  }
  return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(sa->sun_path) + 1);
}

/* Connect to the compositor without blocking on a full backlog forever.
 * Returns the fd or -errno. */
static int connect_compositor(const char *path)
{
  _cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0)
    return -errno;
  struct sockaddr_un sa;
  _cleanup_close_ int pathfd = -1;
  socklen_t len = socket_address(&sa, path, &pathfd);
  long long deadline = monotonic_ms() + WAYLAND_TIMEOUT_MS;
  while (connect(fd, (struct sockaddr *)&sa, len) < 0) {
    if (errno == EINTR || (errno == EAGAIN && monotonic_ms() < deadline)) {
      usleep(10 * 1000);
      continue;
    }
    return -errno;
  }
  return steal_fd(&fd);
}

/* Connect and list the globals; the connection stays open on success.
 * Returns 0 or -errno; *why says what failed (static or c->wire.error). */
static int ask_compositor(struct wayland_conn *c, const char *host_socket, const char **why)
{
  int fd = connect_compositor(host_socket);
  if (fd < 0) {
    *why = strerror(-fd);
    return fd;
  }
  wayland_wire_init(&c->wire, fd, WAYLAND_TIMEOUT_MS);
  int r = wayland_wire_globals(&c->wire, &c->globals);
  if (r < 0) {
    *why = c->wire.error;
    wayland_disconnect(c);
  }
  return r;
}

void wayland_conn_init(struct wayland_conn *c)
{
  memset(c, 0, sizeof *c);
  c->wire.fd = -1;
}

enum wayland_probe wayland_probe(struct wayland_conn *c, struct plan *p)
{
  const struct plan_wayland *w = p->services->wayland;
  const char *why = NULL;
  if (ask_compositor(c, w->host_socket, &why) < 0) {
    log_warn("wayland: can't ask the compositor at %s whether it offers wp_security_context_v1 (%s); "
             "the app gets no Wayland socket",
             w->host_socket, why);
    plan_remove_wayland(p);
    return WAYLAND_FAILED;
  }
  if (!c->globals.offered) {
    wayland_disconnect(c);
    return WAYLAND_NOT_OFFERED;
  }
  return WAYLAND_OFFERED;
}

const char *wayland_blocker(const struct plan *p)
{
  if (p->as_pid_1)
    return "--as-pid-1 leaves no pid 1 of sbx's to hold the pipe that tells the compositor when the sandbox ended";
  if (p->sync_fd >= 0)
    return "--sync-fd takes the place of the pipe that tells the compositor when the sandbox ended";
  return NULL;
}

void wayland_give_up(struct wayland_conn *c, struct plan *p, const char *why)
{
  log_warn("wayland: the compositor offers wp_security_context_v1 but sbx can't use it (%s); the app gets no "
           "Wayland socket (sbx never falls back to the compositor's own socket when it offers the protocol)",
           why);
  wayland_disconnect(c);
  plan_remove_wayland(p);
}

/* Our listening socket, "wayland" in the instance directory: named
 * through the directory fd, so neither a long path nor a symlink swapped
 * in above it matters.  Returns the fd or -errno. */
static int make_listener(int dirfd, const char *path)
{
  _cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return -errno;
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  snprintf(sa.sun_path, sizeof sa.sun_path, "/proc/self/fd/%d/wayland", dirfd);
  int r = bind(fd, (struct sockaddr *)&sa, sizeof sa);
  if (r < 0 && errno == ENOENT && strlen(path) < sizeof sa.sun_path) {
    /* No /proc: the path itself. */
    memset(sa.sun_path, 0, sizeof sa.sun_path);
    memcpy(sa.sun_path, path, strlen(path));
    r = bind(fd, (struct sockaddr *)&sa, sizeof sa);
  }
  if (r < 0 || listen(fd, 128) < 0)
    return -errno;
  return steal_fd(&fd);
}

int wayland_attach(struct wayland_conn *c, struct plan *p, int dirfd, int close_fd)
{
  const struct plan_wayland *w = p->services->wayland;
  _cleanup_free_ char *why = NULL;
  int r = -ENOTCONN;
  if (c->wire.fd < 0) {
    why = xstrdup("not connected to the compositor");
  } else {
    _cleanup_close_ int listen_fd = make_listener(dirfd, w->listener);
    if (listen_fd < 0) {
      r = listen_fd;
      why = xasprintf("can't listen on %s: %s", w->listener, strerror(-r));
    } else {
      r = wayland_wire_create_listener(&c->wire, &c->globals, listen_fd, close_fd, WAYLAND_SANDBOX_ENGINE,
                                       w->app_id, p->services->instance_id);
      if (r < 0)
        why = xstrdup(c->wire.error);
      /* The compositor has its own copy now. */
    }
  }
  if (r < 0) {
    wayland_give_up(c, p, why);
    if (unlinkat(dirfd, "wayland", 0) < 0 && errno != ENOENT)
      log_errno(errno, "Can't remove %s", w->listener);
    return r;
  }
  wayland_disconnect(c);
  plan_use_listener(p);
  return 0;
}

void wayland_explain(struct plan *p, struct notes *notes)
{
  const struct plan_wayland *w = p->services->wayland;
  struct wayland_conn c;
  wayland_conn_init(&c);
  const char *why = NULL;
  _cleanup_free_ char *line = NULL;
  if (ask_compositor(&c, w->host_socket, &why) < 0) {
    line = xasprintf("wayland: no answer from the compositor at %s (%s): a run would give the app no Wayland "
                     "socket",
                     w->host_socket, why);
    plan_remove_wayland(p);
  } else if (!c.globals.offered) {
    line = xasprintf("wayland: %s -> %s, the compositor's own socket (it does not offer "
                     "wp_security_context_v1; asked just now, read-only)",
                     w->host_socket, w->inside);
  } else if (wayland_blocker(p)) {
    line = xasprintf("wayland: the compositor offers wp_security_context_v1, but %s: a run would give the app "
                     "no Wayland socket",
                     wayland_blocker(p));
    plan_remove_wayland(p);
  } else {
    line = xasprintf("wayland: the compositor at %s offers wp_security_context_v1 (asked just now, read-only): "
                     "the sandbox gets a socket of its own, %s -> %s, tagged sandbox engine %s, app id %s, "
                     "instance id %s; the compositor stops accepting on it when the sandbox ends.  If setting "
                     "it up fails, the app gets no Wayland socket",
                     w->host_socket, w->listener, w->inside, WAYLAND_SANDBOX_ENGINE,
                     w->app_id ? w->app_id : "(none)", p->services->instance_id);
    plan_use_listener(p);
  }
  wayland_disconnect(&c);
  if (w->note < notes->n) {
    free(notes->lines[w->note]);
    notes->lines[w->note] = steal_ptr(&line);
  } else {
    notes_add(notes, "%s", line);
  }
}
