/* Unit tests: sbx's side of wp_security_context_v1, against a scripted
 * compositor.
 *
 * No compositor in Debian 12 offers the protocol (weston 10, wlroots 0.15,
 * KWin 5.27, Mutter 43), so this is where the positive path is checked:
 * the test plays the compositor over a socketpair (or a listening socket
 * for the start-time functions), asserts on the exact words and fds sbx
 * sends, and answers with scripted events -- including wl_display.error,
 * which must make sbx fail closed: no Wayland socket in the plan at all. */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "launch/wayland.h"
#include "plan/plan.h"
#include "tap.h"
#include "util/util.h"

#define MANAGER "wp_security_context_manager_v1"

/* ---- building and reading the compositor's side ------------------------- */

struct words {
  uint32_t w[1024];
  size_t n;
};

static void put(struct words *b, uint32_t v)
{
  b->w[b->n++] = v;
}

static void put_str(struct words *b, const char *s)
{
  size_t len = strlen(s) + 1, words = (len + 3) / 4;
  put(b, (uint32_t)len);
  memset(&b->w[b->n], 0, words * 4);
  memcpy(&b->w[b->n], s, len);
  b->n += words;
}

/* A message: header words, then args; msg_end fills in the size. */
static size_t msg_begin(struct words *b, uint32_t object, uint16_t opcode)
{
  put(b, object);
  put(b, opcode);
  return b->n - 2;
}

static void msg_end(struct words *b, size_t start)
{
  b->w[start + 1] |= (uint32_t)((b->n - start) * 4) << 16;
}

static void ev_global(struct words *b, uint32_t registry, uint32_t name, const char *iface, uint32_t version)
{
  size_t m = msg_begin(b, registry, 0);
  put(b, name);
  put_str(b, iface);
  put(b, version);
  msg_end(b, m);
}

static void ev_done(struct words *b, uint32_t callback)
{
  size_t m = msg_begin(b, callback, 0);
  put(b, 42);
  msg_end(b, m);
  m = msg_begin(b, 1, 1); /* wl_display.delete_id */
  put(b, callback);
  msg_end(b, m);
}

static void ev_error(struct words *b, uint32_t object, uint32_t code, const char *text)
{
  size_t m = msg_begin(b, 1, 0);
  put(b, object);
  put(b, code);
  put_str(b, text);
  msg_end(b, m);
}

/* A compositor with wl_compositor and, if offer, the manager (name 7). */
static void script_globals(struct words *b, bool offer)
{
  ev_global(b, 2, 1, "wl_compositor", 4);
  if (offer)
    ev_global(b, 2, 7, MANAGER, 1);
  ev_global(b, 2, 9, "wl_shm", 1);
  ev_done(b, 3);
}

static void send_buf(int fd, const struct words *b)
{
  if (write_all(fd, b->w, b->n * 4) < 0)
    abort();
}

/* Read exactly len bytes (and whatever fds come with them). */
static size_t read_exact(int fd, void *data, size_t len, int *fds, size_t max_fds, size_t *n_fds)
{
  size_t got = 0;
  if (n_fds)
    *n_fds = 0;
  while (got < len) {
    union {
      struct cmsghdr align;
      char buf[CMSG_SPACE(sizeof(int) * 8)];
    } ctl;
    struct iovec iov = { (char *)data + got, len - got };
    struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf, .msg_controllen = sizeof ctl.buf };
    ssize_t n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
    if (n <= 0)
      break;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
      size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
      for (size_t i = 0; i < k; i++) {
        int f;
        memcpy(&f, CMSG_DATA(c) + i * sizeof(int), sizeof f);
        if (n_fds && *n_fds < max_fds)
          fds[(*n_fds)++] = f;
        else
          close(f);
      }
    }
    got += (size_t)n;
  }
  return got;
}

/* Read one request the client sent; true if it matches `want` word for
 * word. */
static bool expect_request(int fd, const struct words *want, int *fds, size_t max_fds, size_t *n_fds, const char *what)
{
  uint32_t got[1024];
  size_t len = want->n * 4;
  size_t n = read_exact(fd, got, len, fds, max_fds, n_fds);
  bool same = n == len && memcmp(got, want->w, len) == 0;
  if (!same) {
    printf("# %s: got %zu bytes:", what, n);
    for (size_t i = 0; i < n / 4; i++)
      printf(" %08x", got[i]);
    printf("\n# expected:");
    for (size_t i = 0; i < want->n; i++)
      printf(" %08x", want->w[i]);
    printf("\n");
  }
  return same;
}

static struct words request(uint32_t object, uint16_t opcode)
{
  struct words b = { .n = 0 };
  msg_begin(&b, object, opcode);
  return b;
}

static struct words request_u32(uint32_t object, uint16_t opcode, uint32_t arg)
{
  struct words b = request(object, opcode);
  put(&b, arg);
  msg_end(&b, 0);
  return b;
}

static struct words request_str(uint32_t object, uint16_t opcode, const char *arg)
{
  struct words b = request(object, opcode);
  put_str(&b, arg);
  msg_end(&b, 0);
  return b;
}

static bool nothing_more(int fd)
{
  struct pollfd pfd = { .fd = fd, .events = POLLIN };
  return poll(&pfd, 1, 0) == 0;
}

static void pair(int sv[2])
{
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
    abort();
}

/* ---- the registry --------------------------------------------------------- */

static void test_globals(bool offer)
{
  int sv[2];
  pair(sv);
  struct words script = { .n = 0 };
  script_globals(&script, offer);
  send_buf(sv[1], &script);

  struct wayland_wire ww;
  struct wayland_globals g;
  wayland_wire_init(&ww, sv[0], 2000);
  int r = wayland_wire_globals(&ww, &g);
  ok(r == 0, "globals (%s): the listing ends at the sync's done (%s)", offer ? "offered" : "not offered", ww.error);
  ok(g.n_globals == (offer ? 3u : 2u), "globals: every global counted (%zu)", g.n_globals);
  ok(g.offered == offer, "globals: the manager is %s", offer ? "found" : "not found");
  if (offer)
    ok(g.manager_name == 7 && g.manager_version == 1, "globals: its name and version are kept");

  /* wl_display.get_registry(new_id 2), wl_display.sync(new_id 3). */
  struct words want = request_u32(1, 1, 2);
  struct words sync = request_u32(1, 0, 3);
  memcpy(&want.w[want.n], sync.w, sync.n * 4);
  want.n += sync.n;
  ok(want.w[1] == ((12u << 16) | 1) && sync.w[1] == (12u << 16), "header words are (size << 16) | opcode");
  ok(expect_request(sv[1], &want, NULL, 0, NULL, "get_registry+sync"),
     "globals: sbx sent get_registry(2) and sync(3), nothing else");
  ok(nothing_more(sv[1]), "globals: and no more");
  close(sv[0]);
  close(sv[1]);
}

static void test_global_remove(void)
{
  int sv[2];
  pair(sv);
  struct words s = { .n = 0 };
  ev_global(&s, 2, 7, MANAGER, 1);
  size_t m = msg_begin(&s, 2, 1); /* wl_registry.global_remove(7) */
  put(&s, 7);
  msg_end(&s, m);
  ev_done(&s, 3);
  send_buf(sv[1], &s);
  struct wayland_wire ww;
  struct wayland_globals g;
  wayland_wire_init(&ww, sv[0], 2000);
  ok(wayland_wire_globals(&ww, &g) == 0 && !g.offered, "a manager global removed before the done is not offered");
  close(sv[0]);
  close(sv[1]);
}

/* The events arrive a few bytes at a time. */
static void test_fragmented(void)
{
  int sv[2];
  pair(sv);
  struct words s = { .n = 0 };
  script_globals(&s, true);
  pid_t pid = fork();
  if (pid == 0) {
    const char *p = (const char *)s.w;
    for (size_t off = 0; off < s.n * 4; off += 3) {
      size_t len = s.n * 4 - off < 3 ? s.n * 4 - off : 3;
      if (write(sv[1], p + off, len) < 0)
        _exit(1);
      usleep(500);
    }
    _exit(0);
  }
  struct wayland_wire ww;
  struct wayland_globals g;
  wayland_wire_init(&ww, sv[0], 5000);
  int r = wayland_wire_globals(&ww, &g);
  waitpid(pid, NULL, 0);
  ok(r == 0 && g.offered && g.n_globals == 3, "events split into 3-byte pieces are put back together (%s)", ww.error);
  close(sv[0]);
  close(sv[1]);
}

static void test_bad_events(void)
{
  struct {
    const char *what;
    uint32_t words[8];
    size_t n;
    int err;
  } cases[] = {
    { "a size below the header's 8 bytes", { 2, (4u << 16) }, 2, EPROTO },
    { "a size that is not a whole number of words", { 2, (10u << 16) }, 2, EPROTO },
    { "a global whose string has no NUL", { 2, (24u << 16), 1, 4, 0x41414141, 1 }, 6, EPROTO },
    { "a global whose string runs past the message", { 2, (20u << 16), 1, 40, 0x00414141 }, 5, EPROTO },
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    int sv[2];
    pair(sv);
    if (write_all(sv[1], cases[i].words, cases[i].n * 4) < 0)
      abort();
    struct wayland_wire ww;
    struct wayland_globals g;
    wayland_wire_init(&ww, sv[0], 500);
    int r = wayland_wire_globals(&ww, &g);
    ok(r == -cases[i].err, "refused: %s (%d: %s)", cases[i].what, r, ww.error);
    close(sv[0]);
    close(sv[1]);
  }
}

static void test_silent_and_gone(void)
{
  int sv[2];
  pair(sv);
  struct wayland_wire ww;
  struct wayland_globals g;
  wayland_wire_init(&ww, sv[0], 150);
  int r = wayland_wire_globals(&ww, &g);
  ok(r == -ETIMEDOUT && strstr(ww.error, "did not answer"), "a compositor that never answers: timeout (%s)", ww.error);
  close(sv[0]);
  close(sv[1]);

  pair(sv);
  struct words s = { .n = 0 };
  ev_global(&s, 2, 7, MANAGER, 1);
  send_buf(sv[1], &s);
  shutdown(sv[1], SHUT_WR);
  wayland_wire_init(&ww, sv[0], 2000);
  r = wayland_wire_globals(&ww, &g);
  ok(r == -ECONNRESET, "a compositor that hangs up before the done: an error (%s)", ww.error);
  close(sv[0]);
  close(sv[1]);
}

/* ---- create_listener -------------------------------------------------------- */

struct listener_case {
  const char *app_id;
  int fail_object, fail_code; /* 0: success */
  const char *fail_text;
};

/* A listening socket with an autobound abstract name: no file to clean. */
static int listening_socket(void)
{
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa_family_t)) < 0 || listen(fd, 4) < 0)
    abort();
  return fd;
}

static bool is_listening_unix_socket(int fd)
{
  int v = 0, d = 0;
  socklen_t len = sizeof v, dlen = sizeof d;
  return getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &v, &len) == 0 && v == 1 &&
         getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &d, &dlen) == 0 && d == AF_UNIX;
}

static bool same_file(int a, int b)
{
  struct stat x, y;
  return fstat(a, &x) == 0 && fstat(b, &y) == 0 && x.st_dev == y.st_dev && x.st_ino == y.st_ino;
}

static void test_create_listener(const struct listener_case *c)
{
  int sv[2];
  pair(sv);
  struct words script = { .n = 0 };
  script_globals(&script, true);
  if (c->fail_object)
    ev_error(&script, (uint32_t)c->fail_object, (uint32_t)c->fail_code, c->fail_text);
  else
    ev_done(&script, 6);
  send_buf(sv[1], &script);

  int lfd = listening_socket();
  int pipefd[2];
  if (pipe2(pipefd, O_CLOEXEC) < 0)
    abort();

  struct wayland_wire ww;
  struct wayland_globals g;
  wayland_wire_init(&ww, sv[0], 2000);
  int r = wayland_wire_globals(&ww, &g);
  if (r == 0)
    r = wayland_wire_create_listener(&ww, &g, lfd, pipefd[1], "org.sbx", c->app_id, "1234567890");
  const char *label = c->fail_object ? c->fail_text : c->app_id ? "with an app id" : "without an app id";
  if (c->fail_object) {
    ok(r == -EPROTO, "create_listener (%s): wl_display.error makes it fail (%d)", label, r);
    printf("# error: %s\n", ww.error);
  } else {
    ok(r == 0, "create_listener (%s): succeeds once the sync is done (%s)", label, ww.error);
  }

  /* What sbx sent, request by request. */
  uint32_t skip[6];
  read_exact(sv[1], skip, sizeof skip, NULL, 0, NULL); /* get_registry + sync */

  struct words bind = request(2, 0);
  put(&bind, 7);
  put_str(&bind, MANAGER);
  put(&bind, 1);
  put(&bind, 4);
  msg_end(&bind, 0);
  ok(bind.n * 4 == 56, "bind is 56 bytes: name, interface string (31 bytes padded to 32), version, id");
  size_t n_fds = 0;
  int fds[4];
  ok(expect_request(sv[1], &bind, fds, 4, &n_fds, "bind") && n_fds == 0,
     "%s: wl_registry.bind(7, \"" MANAGER "\", 1, new id 4), no fds", label);

  struct words create = request_u32(4, 1, 5);
  ok(expect_request(sv[1], &create, fds, 4, &n_fds, "create_listener"), "%s: create_listener(new id 5) on the manager",
     label);
  ok(n_fds == 2, "%s: two fds ride on create_listener (%zu)", label, n_fds);
  if (n_fds == 2) {
    ok(is_listening_unix_socket(fds[0]) && same_file(fds[0], lfd), "%s: the first is our listening socket", label);
    ok(same_file(fds[1], pipefd[1]) && (fcntl(fds[1], F_GETFL) & O_ACCMODE) == O_WRONLY,
       "%s: the second is the pipe's write end (close_fd)", label);
  }
  for (size_t i = 0; i < n_fds; i++)
    close(fds[i]);

  struct words engine = request_str(5, 1, "org.sbx");
  ok(expect_request(sv[1], &engine, NULL, 0, NULL, "engine"), "%s: set_sandbox_engine(\"org.sbx\")", label);
  if (c->app_id) {
    struct words app = request_str(5, 2, c->app_id);
    ok(expect_request(sv[1], &app, NULL, 0, NULL, "app id"), "%s: set_app_id(\"%s\")", label, c->app_id);
  }
  struct words inst = request_str(5, 3, "1234567890");
  ok(expect_request(sv[1], &inst, NULL, 0, NULL, "instance id"), "%s: set_instance_id(\"1234567890\")", label);
  struct words tail = { .n = 0 };
  size_t m = msg_begin(&tail, 5, 4); /* commit */
  msg_end(&tail, m);
  m = msg_begin(&tail, 5, 0); /* wp_security_context_v1.destroy */
  msg_end(&tail, m);
  m = msg_begin(&tail, 4, 0); /* wp_security_context_manager_v1.destroy */
  msg_end(&tail, m);
  m = msg_begin(&tail, 1, 0); /* wl_display.sync(6) */
  put(&tail, 6);
  msg_end(&tail, m);
  ok(expect_request(sv[1], &tail, NULL, 0, NULL, "tail"), "%s: commit, destroy both, sync(6)", label);
  ok(nothing_more(sv[1]), "%s: nothing else", label);

  close(lfd);
  close(pipefd[0]);
  close(pipefd[1]);
  close(sv[0]);
  close(sv[1]);
}

static void test_error_messages(void)
{
  struct {
    int object, code;
    const char *name;
  } cases[] = { { 4, 2, "nested" }, { 4, 1, "invalid_listen_fd" }, { 5, 3, "invalid_metadata" } };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    int sv[2];
    pair(sv);
    struct words s = { .n = 0 };
    script_globals(&s, true);
    ev_error(&s, (uint32_t)cases[i].object, (uint32_t)cases[i].code, "scripted refusal");
    send_buf(sv[1], &s);
    int pipefd[2];
    if (pipe2(pipefd, O_CLOEXEC) < 0)
      abort();
    int lfd = listening_socket();
    struct wayland_wire ww;
    struct wayland_globals g;
    wayland_wire_init(&ww, sv[0], 2000);
    int r = wayland_wire_globals(&ww, &g);
    if (r == 0)
      r = wayland_wire_create_listener(&ww, &g, lfd, pipefd[1], "org.sbx", NULL, "1");
    ok(r == -EPROTO && strstr(ww.error, cases[i].name) && strstr(ww.error, "scripted refusal"),
       "the error names %s and carries the compositor's text (%s)", cases[i].name, ww.error);
    close(lfd);
    close(pipefd[0]);
    close(pipefd[1]);
    close(sv[0]);
    close(sv[1]);
  }
}

/* A real compositor sends the error and hangs up at once: sbx may still
 * be sending, and must report the error, not just EPIPE. */
static void test_error_then_hangup(void)
{
  int sv[2];
  pair(sv);
  struct words s = { .n = 0 };
  script_globals(&s, true);
  send_buf(sv[1], &s);
  struct wayland_wire ww;
  struct wayland_globals g;
  wayland_wire_init(&ww, sv[0], 2000);
  int r = wayland_wire_globals(&ww, &g);
  struct words e = { .n = 0 };
  ev_error(&e, 4, 2, "no nesting here");
  send_buf(sv[1], &e);
  close(sv[1]);
  int pipefd[2];
  if (pipe2(pipefd, O_CLOEXEC) < 0)
    abort();
  int lfd = listening_socket();
  if (r == 0)
    r = wayland_wire_create_listener(&ww, &g, lfd, pipefd[1], "org.sbx", NULL, "1");
  ok(r == -EPROTO && strstr(ww.error, "nested") && strstr(ww.error, "no nesting here"),
     "an error followed by a hang-up while sbx sends: the error is reported (%s)", ww.error);
  close(lfd);
  close(pipefd[0]);
  close(pipefd[1]);
  close(sv[0]);
}

/* ---- start time: the plan after probe/attach ------------------------------ */

static char tmpdir[] = "/tmp/sbx-unit-wayland.XXXXXX";

enum peer_mode { PEER_PLAIN, PEER_OFFER, PEER_ERROR };

/* A compositor at path, in a child: one client, the scripted answers,
 * then it reads until the client is gone (holding the fds it got). */
static pid_t start_peer(const char *path, enum peer_mode mode, int *listen_out)
{
  unlink(path);
  int srv = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
  if (bind(srv, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(srv, 4) < 0)
    abort();
  *listen_out = srv;
  pid_t pid = fork();
  if (pid != 0)
    return pid;
  int c = accept(srv, NULL, NULL);
  struct words s = { .n = 0 };
  script_globals(&s, mode != PEER_PLAIN);
  if (mode == PEER_ERROR)
    ev_error(&s, 5, 3, "scripted refusal");
  else
    ev_done(&s, 6);
  send_buf(c, &s);
  char sink[4096];
  while (read_exact(c, sink, sizeof sink, NULL, 0, NULL) > 0)
    ;
  _exit(0);
}

/* A plan as compile leaves it: the bind of the compositor's socket between
 * two other ops, and its handle in the Wayland spec. */
static struct plan_wayland *fake_plan(struct plan *p, const char *host_socket)
{
  static char *env[] = { "WAYLAND_DISPLAY=wayland-t", NULL };
  plan_init(p, env);
  p->services = xcalloc(1, sizeof *p->services);
  p->services->instance_id = xstrdup("1234567890");
  struct plan_wayland *w = p->services->wayland = xcalloc(1, sizeof *w);
  w->host_socket = xstrdup(host_socket);
  w->inside = xstrdup("/run/user/1/wayland-t");
  w->listener = xasprintf("%s/inst/wayland", tmpdir);
  w->app_id = xstrdup("org.sbx.Test");
  plan_add_op(p, OP_TMPFS, NULL, "/run/user/1");
  w->op = p->n_ops;
  struct plan_op *op = plan_add_op(p, OP_BIND, w->host_socket, w->inside);
  op->access = ACCESS_RO;
  plan_add_op(p, OP_DIR, NULL, "/after");
  return w;
}

static const struct plan_op *wayland_op(const struct plan *p)
{
  for (size_t i = 0; i < p->n_ops; i++)
    if (p->ops[i].dest && strcmp(p->ops[i].dest, "/run/user/1/wayland-t") == 0)
      return &p->ops[i];
  return NULL;
}

static void test_start(enum peer_mode mode)
{
  const char *label = mode == PEER_PLAIN ? "not offered" : mode == PEER_OFFER ? "offered" : "offered, refused";
  struct plan p;
  _cleanup_free_ char *host = xasprintf("%s/wayland-t", tmpdir);
  struct plan_wayland *w = fake_plan(&p, host);
  struct wayland_conn c;
  wayland_conn_init(&c);
  int srv;
  pid_t peer = start_peer(w->host_socket, mode, &srv);
  _cleanup_free_ char *inst = xasprintf("%s/inst", tmpdir);
  mkdir(inst, 0700);
  int dirfd = open(inst, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  int pipefd[2];
  if (pipe2(pipefd, O_CLOEXEC) < 0)
    abort();

  enum wayland_probe pr = wayland_probe(&c, &p);
  ok(pr == (mode == PEER_PLAIN ? WAYLAND_NOT_OFFERED : WAYLAND_OFFERED), "start (%s): the probe says so", label);
  if (pr == WAYLAND_OFFERED) {
    int r = wayland_attach(&c, &p, dirfd, pipefd[1]);
    struct stat st;
    if (mode == PEER_OFFER) {
      ok(r == 0, "start (%s): attached", label);
      const struct plan_op *op = wayland_op(&p);
      ok(op && strcmp(op->src, w->listener) == 0, "start (%s): the plan binds our socket, not the compositor's",
         label);
      ok(stat(w->listener, &st) == 0 && S_ISSOCK(st.st_mode), "start (%s): our socket exists", label);
      is_str(plan_getenv(&p, "WAYLAND_DISPLAY"), "wayland-t", "start (%s): WAYLAND_DISPLAY is kept", label);
    } else {
      ok(r < 0, "start (%s): attaching fails", label);
      ok(!wayland_op(&p), "start (%s): fail closed: no Wayland socket in the plan at all", label);
      ok(!plan_getenv(&p, "WAYLAND_DISPLAY"), "start (%s): WAYLAND_DISPLAY is unset", label);
      ok(stat(w->listener, &st) < 0 && errno == ENOENT, "start (%s): our socket is removed", label);
    }
    ok(p.n_ops == (mode == PEER_OFFER ? 3u : 2u) && strcmp(p.ops[p.n_ops - 1].dest, "/after") == 0,
       "start (%s): the other ops are untouched", label);
  } else {
    const struct plan_op *op = wayland_op(&p);
    ok(op && strcmp(op->src, w->host_socket) == 0, "start (%s): the compositor's own socket stays in the plan", label);
    ok(c.wire.fd < 0, "start (%s): the connection is closed", label);
  }
  close(pipefd[0]);
  close(pipefd[1]);
  close(dirfd);
  close(srv);
  waitpid(peer, NULL, 0);
  unlink(w->listener);
  rmdir(inst);
  unlink(w->host_socket);
  plan_free(&p);
}

static void test_start_unreachable(void)
{
  _cleanup_free_ char *host = xasprintf("%s/nobody-listens", tmpdir);
  /* A socket file nobody listens on: the compositor died. */
  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  snprintf(sa.sun_path, sizeof sa.sun_path, "%s", host);
  if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0)
    abort();
  close(fd);
  struct plan p;
  struct plan_wayland *w = fake_plan(&p, host);
  struct wayland_conn c;
  wayland_conn_init(&c);
  ok(wayland_probe(&c, &p) == WAYLAND_FAILED, "a compositor that doesn't answer: the probe fails");
  ok(!wayland_op(&p) && !plan_getenv(&p, "WAYLAND_DISPLAY"), "... and the app gets no Wayland socket");
  ok(w->op == PLAN_NO_OP, "... and its handle says the op is gone");
  unlink(host);
  plan_free(&p);
}

static void test_blocker(void)
{
  struct plan p;
  plan_init(&p, NULL);
  ok(!wayland_blocker(&p), "a plain plan can hold the lifetime pipe");
  p.sync_fd = 5;
  ok(wayland_blocker(&p) && strstr(wayland_blocker(&p), "--sync-fd"), "--sync-fd blocks it");
  p.sync_fd = -1;
  p.as_pid_1 = true;
  ok(wayland_blocker(&p) && strstr(wayland_blocker(&p), "--as-pid-1"), "--as-pid-1 blocks it");
  p.sync_fd = -1;
  plan_free(&p);
}

int main(void)
{
  log_init("sbx");
  signal(SIGPIPE, SIG_IGN);
  if (!mkdtemp(tmpdir))
    return 1;
  test_globals(false);
  test_globals(true);
  test_global_remove();
  test_fragmented();
  test_bad_events();
  test_silent_and_gone();
  test_create_listener(&(struct listener_case){ "org.sbx.Test", 0, 0, NULL });
  test_create_listener(&(struct listener_case){ NULL, 0, 0, NULL });
  test_create_listener(&(struct listener_case){ "org.sbx.Test", 5, 3, "invalid metadata on commit" });
  test_error_messages();
  test_error_then_hangup();
  test_start(PEER_PLAIN);
  test_start(PEER_OFFER);
  test_start(PEER_ERROR);
  test_start_unreachable();
  test_blocker();
  rmdir(tmpdir);
  return tap_done();
}
