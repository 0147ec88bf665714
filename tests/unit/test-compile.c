/* Unit tests for compile: a profile's text in, plan operations out.
 *
 * Links only policy/, compile/, plan/ and util/ (tests/unit/meson.build):
 * compile decides and describes, so nothing here starts a sandbox, mounts
 * or creates anything outside the temp dir.  Each case writes a profile
 * into a temp dir, loads it the way main.c's build_policy does, compiles it
 * into a plan_init'ed plan whose environment the test controls (HOME and
 * $XDG_RUNTIME_DIR in the temp dir, the sockets made there), and asserts on
 * the plan: ops (kind, source, destination, access, flags, order), host
 * dirs, environment, namespaces, capabilities, system call rules and the
 * side services' specs. */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/capability.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "compile/compile.h"
#include "plan/plan.h"
#include "policy/policy.h"
#include "policy/profile.h"
#include "policy/vars.h"
#include "tap.h"
#include "util/util.h"

/* The first rule for syscall `name` (with `value`, for rules that compare
 * an argument), or NULL. */
static const struct syscall_rule *find_rule(const struct plan *p, const char *name, uint64_t value)
{
  for (size_t i = 0; i < p->n_syscall_rules; i++) {
    const struct syscall_rule *r = &p->syscall_rules[i];
    if (strcmp(r->name, name) == 0 && (r->cmp == SYSCALL_ANY || r->value == value))
      return r;
  }
  return NULL;
}

static char tmpl[] = "/tmp/sbx-compile-XXXXXX";
static char T[PATH_MAX]; /* the temp dir, its real path */
static struct strv arena; /* strings the tests keep until the end */
static char errbuf[8192]; /* what the last load/compile printed */

/* A string kept until the end of the run (so assertions read simply). */
_printf_(1, 2) static const char *S(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  char *s = xvasprintf(fmt, ap);
  va_end(ap);
  strv_push(&arena, s);
  return s;
}

/* A path in the temp dir. */
#define P(rel) S("%s/%s", T, rel)

static void put(const char *path, const char *text)
{
  FILE *f = fopen(path, "w");
  if (!f || fputs(text, f) < 0 || fclose(f) != 0)
    bail_out("cannot write %s", path);
}

static void mkdir_p(const char *path, mode_t mode)
{
  if (mkdir(path, mode) < 0 && errno != EEXIST)
    bail_out("mkdir %s", path);
  chmod(path, mode);
}

/* A listening socket file (closed again: compile only stats it). */
static void mksock(const char *path)
{
  struct sockaddr_un a = { .sun_family = AF_UNIX };
  snprintf(a.sun_path, sizeof a.sun_path, "%s", path);
  unlink(path);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) < 0)
    bail_out("socket %s", path);
  close(fd);
}

static void mklink(const char *target, const char *path)
{
  unlink(path);
  if (symlink(target, path) < 0)
    bail_out("symlink %s", path);
}

static int count_fds(void)
{
  DIR *d = opendir("/proc/self/fd");
  int n = 0;
  for (struct dirent *e; d && (e = readdir(d));)
    n += e->d_name[0] != '.';
  if (d)
    closedir(d);
  return n;
}

/* Run f with stderr captured into errbuf (first line kept whole, the rest
 * appended). */
struct capture {
  int saved, fd;
};
static void capture_start(struct capture *c)
{
  fflush(stderr);
  c->saved = dup(2);
  c->fd = open(P(".stderr"), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  dup2(c->fd, 2);
}
static void capture_end(struct capture *c)
{
  fflush(stderr);
  dup2(c->saved, 2);
  close(c->saved);
  lseek(c->fd, 0, SEEK_SET);
  ssize_t n = read(c->fd, errbuf, sizeof errbuf - 1);
  errbuf[n > 0 ? n : 0] = '\0';
  close(c->fd);
}

struct compiled {
  struct policy pol;
  struct plan plan;
  struct notes notes;
  int load_r, r;
};

/* Write NAME.profile with `text`, load it as build_policy does, and
 * compile it into a plan whose environment is `env` and which already
 * holds one command-line op (a dir at /cmdline) and whatever `pre` adds. */
static void compile_profile(struct compiled *c, const char *name, const char *text, char **env,
                            void (*pre)(struct plan *))
{
  struct vars v;
  struct profile_paths pp;
  memset(c, 0, sizeof *c);
  put(S("%s/profiles/%s.profile", T, name), text);
  vars_init(&v, name);
  profile_paths_init(&pp, &v);
  policy_init(&c->pol);
  plan_init(&c->plan, env);
  plan_add_op(&c->plan, OP_DIR, NULL, "/cmdline");
  if (pre)
    pre(&c->plan);
  _cleanup_free_ char *path = profile_find(&pp, name);
  struct capture cap;
  capture_start(&cap);
  c->load_r = path ? profile_load(&c->pol, &v, &pp, path) : -ENOENT;
  c->r = -1;
  if (c->load_r == 0) {
    policy_resolve(&c->pol);
    c->r = policy_compile(&c->pol, &c->plan, &c->notes);
  }
  capture_end(&cap);
  profile_paths_free(&pp);
  vars_free(&v);
}

static void compiled_free(struct compiled *c)
{
  plan_free(&c->plan);
  notes_free(&c->notes);
  policy_free(&c->pol);
}

/* The index of the first op with this kind and destination, or -1. */
static ssize_t op_at(const struct plan *p, enum op_kind kind, const char *dest)
{
  for (size_t i = 0; i < p->n_ops; i++)
    if (p->ops[i].kind == kind && p->ops[i].dest && strcmp(p->ops[i].dest, dest) == 0)
      return (ssize_t)i;
  return -1;
}

static bool has_note(const struct notes *n, const char *needle)
{
  for (size_t i = 0; i < n->n; i++)
    if (strstr(n->lines[i], needle))
      return true;
  return false;
}

/* Does fd name the same inode as path? */
static bool same_file(int fd, const char *path)
{
  struct stat a, b;
  return fd >= 0 && fstat(fd, &a) == 0 && stat(path, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/* ---- paths, order, namespaces, caps, env, syscalls --------------------- */

static void pre_basic(struct plan *p)
{
  /* The command line's own: they must apply after the profile's. */
  plan_edit_env(p, ENV_SET, "BAR", "cli");
  *ARRAY_PUSH(p->caps, p->n_caps, p->cap_caps) = (struct cap_change){ CAP_VERB_ADD, 1ULL << CAP_SYS_ADMIN };
}

static void test_basic(void)
{
  mkdir_p(P("sys"), 0755);
  mkdir_p(P("home"), 0750);
  mkdir_p(P("home/Downloads"), 0755);
  mkdir_p(P("secret"), 0755);
  mkdir_p(P("secret/inner"), 0755);
  put(P("key.txt"), "secret\n");
  mklink("sys", P("link"));
  mkdir_p(P("real"), 0755);
  put(P("real/f"), "f\n");
  mkdir_p(P("ro"), 0755);
  mklink(P("real"), P("ro/via"));
  mksock(P("run/bus"));
  mksock(P("run/wayland-ctest"));

  const char *profile = S("# paths of every kind\n"
                          "ro %1$s/sys\n"
                          "ro %1$s/missing\n"
                          "private %1$s/home\n"
                          "rw %1$s/home/Downloads\n"
                          "persist %1$s/home/.config/app\n"
                          "private %1$s/nothere\n"
                          "hide %1$s/secret\n"
                          "ro %1$s/secret/inner\n"
                          "hide %1$s/key.txt\n"
                          "ro %1$s/link\n"
                          "ro %1$s/ro/via/f\n"
                          "persist %1$s/ro/via/newdir\n"
                          "cap-add CAP_NET_RAW\n"
                          "cap-drop ALL\n"
                          "env FOO=profile\n"
                          "env BAR=profile\n"
                          "unsetenv SECRET\n"
                          "hostname sbxtest\n"
                          "network none\n"
                          "dbus-session none\n",
                          T);
  char *env[] = {
    (char *)S("HOME=%s/home", T), "PATH=/usr/bin:/bin", "FOO=host", "SECRET=s3cret",
    (char *)S("DBUS_SESSION_BUS_ADDRESS=unix:path=%s/run/bus", T), "WAYLAND_DISPLAY=wayland-ctest",
    "WAYLAND_SOCKET=7", NULL,
  };
  int fds_before = count_fds();
  struct compiled c;
  compile_profile(&c, "ctest-basic", profile, env, pre_basic);
  struct plan *p = &c.plan;
  ok(c.load_r == 0 && c.r == 0, "basic: profile loads and compiles (%s)", errbuf);
  if (c.r != 0) {
    compiled_free(&c);
    return;
  }

  /* The whole op list, in order: /proc and /dev first; path rules in key
   * order (a directory before what is below it); the hidden directory made
   * read-only after every rule below it; the private runtime dir; the X
   * socket dir; the command line's own op last. */
  const char *rt = S("/run/user/%u", (unsigned)getuid());
  struct { enum op_kind kind; const char *dest; } want[] = {
    { OP_PROC, "/proc" },
    { OP_DEV, "/dev" },
    { OP_TMPFS, P("home") },
    { OP_BIND, P("home/.config/app") },
    { OP_BIND, P("home/Downloads") },
    { OP_BIND_DATA, P("key.txt") },
    { OP_SYMLINK, P("link") },
    { OP_TMPFS, P("nothere") },
    { OP_BIND, P("ro/via/f") },
    { OP_BIND, P("ro/via/newdir") },
    { OP_TMPFS, P("secret") },
    { OP_BIND, P("secret/inner") },
    { OP_BIND, P("sys") },
    { OP_REMOUNT_RO, P("secret") },
    { OP_TMPFS, rt },
    { OP_TMPFS, "/tmp/.X11-unix" },
    { OP_DIR, "/cmdline" },
  };
  size_t n_want = sizeof want / sizeof want[0];
  ok(p->n_ops == n_want, "basic: %zu ops (got %zu)", n_want, p->n_ops);
  bool order = p->n_ops == n_want;
  for (size_t i = 0; order && i < n_want; i++)
    if (p->ops[i].kind != want[i].kind || strcmp(p->ops[i].dest, want[i].dest) != 0) {
      printf("#   op %zu: %s %s, expected kind %d at %s\n", i, op_kind_name(&p->ops[i]), p->ops[i].dest,
             want[i].kind, want[i].dest);
      order = false;
    }
  ok(order, "basic: ops in order: proc, dev, path rules by key, remount-ro of the hidden dir, runtime tmpfs, "
            "X dir, command line");
  ok(op_at(p, OP_BIND, P("missing")) < 0, "basic: a missing ro path compiles to nothing");

  ssize_t i;
  i = op_at(p, OP_BIND, P("sys"));
  ok(i >= 0 && p->ops[i].access == ACCESS_RO && (p->ops[i].flags & OPF_FROM_FD) && same_file(p->ops[i].fd, P("sys")),
     "basic: ro dir: read-only bind from an fd on the directory itself");
  i = op_at(p, OP_BIND, P("home/Downloads"));
  ok(i >= 0 && p->ops[i].access == ACCESS_RW && (p->ops[i].flags & OPF_FROM_FD) &&
         same_file(p->ops[i].fd, P("home/Downloads")),
     "basic: rw dir: writable bind from an fd");
  i = op_at(p, OP_TMPFS, P("home"));
  ok(i >= 0 && p->ops[i].perms == 0750, "basic: private of an existing dir keeps its mode (0%o)", i >= 0 ? p->ops[i].perms : 0);
  i = op_at(p, OP_TMPFS, P("nothere"));
  ok(i >= 0 && p->ops[i].perms == 0755, "basic: private of a missing dir is 0755");
  i = op_at(p, OP_TMPFS, P("secret"));
  ok(i >= 0 && p->ops[i].perms == 0755, "basic: hidden dir: an empty tmpfs");
  i = op_at(p, OP_BIND_DATA, P("key.txt"));
  ok(i >= 0 && p->ops[i].access == ACCESS_RO && p->ops[i].perms == 0 && p->ops[i].data_len == 0,
     "basic: hidden file: an empty read-only file of mode 0");
  i = op_at(p, OP_SYMLINK, P("link"));
  is_str(i >= 0 ? p->ops[i].src : NULL, "sys", "basic: ro of a symlink mirrors the link, target as on the host");
  i = op_at(p, OP_BIND, P("ro/via/f"));
  ok(i >= 0 && p->ops[i].access == ACCESS_RO && same_file(p->ops[i].fd, P("real/f")),
     "basic: a symlink in a directory the app cannot write is followed (fd on the target)");

  /* persist: the bind's source is the host dir to be made, by its real
   * path (no symlink left in it); compile itself makes nothing. */
  ok(p->n_host_dirs == 2, "basic: two persist host dirs (got %zu)", p->n_host_dirs);
  is_str(p->n_host_dirs > 0 ? p->host_dirs[0] : NULL, P("home/.config/app"), "basic: persist host dir, in key order");
  is_str(p->n_host_dirs > 1 ? p->host_dirs[1] : NULL, P("real/newdir"),
         "basic: persist through a followed symlink: the real path is made");
  i = op_at(p, OP_BIND, P("ro/via/newdir"));
  ok(i >= 0 && p->ops[i].access == ACCESS_RW && p->ops[i].fd < 0 && !(p->ops[i].flags & OPF_FROM_FD),
     "basic: persist bind is writable, by path (the dir does not exist yet)");
  is_str(i >= 0 ? p->ops[i].src : NULL, P("real/newdir"), "basic: persist bind's source is the real path");
  struct stat st;
  ok(lstat(P("home/.config"), &st) < 0 && lstat(P("real/newdir"), &st) < 0, "basic: compile created no host dir");

  /* Namespaces and process. */
  unsigned long ns = CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNET;
  ok((p->unshare & ns) == ns, "basic: network none: pid, ipc, uts and net namespaces");
  ok(p->unshare_user_try && p->unshare_cgroup_try && p->die_with_sbx, "basic: user/cgroup namespaces tried, dies with sbx");
  is_str(p->hostname, "sbxtest", "basic: hostname");

  /* Capabilities: ALL first whatever the line order, the command line's after. */
  int last = cap_max_bits() - 1;
  uint64_t all = last >= 63 ? ~0ULL : (1ULL << (last + 1)) - 1;
  ok(p->n_caps == 3, "basic: three cap changes (got %zu)", p->n_caps);
  ok(p->n_caps > 0 && p->caps[0].verb == CAP_VERB_DROP && p->caps[0].mask == all, "basic: cap-drop ALL first");
  ok(p->n_caps > 1 && p->caps[1].verb == CAP_VERB_ADD && p->caps[1].mask == 1ULL << CAP_NET_RAW,
     "basic: then cap-add CAP_NET_RAW");
  ok(p->n_caps > 2 && p->caps[2].verb == CAP_VERB_ADD && p->caps[2].mask == 1ULL << CAP_SYS_ADMIN,
     "basic: the command line's change after the profile's");

  /* Environment. */
  is_str(plan_getenv(p, "XDG_RUNTIME_DIR"), rt, "basic: XDG_RUNTIME_DIR is the sandbox's /run/user/UID");
  is_str(plan_getenv(p, "FOO"), "profile", "basic: env from the profile replaces the host's");
  is_str(plan_getenv(p, "BAR"), "cli", "basic: the command line's --setenv wins over the profile's env");
  ok(plan_getenv(p, "SECRET") == NULL, "basic: unsetenv");
  is_str(plan_getenv(p, "DBUS_SESSION_BUS_ADDRESS"), S("unix:path=%s/bus", rt),
         "basic: dbus-session none: the bus address names a socket that is not there");
  ok(plan_getenv(p, "WAYLAND_DISPLAY") == NULL && plan_getenv(p, "WAYLAND_SOCKET") == NULL,
     "basic: no socket wayland: WAYLAND_DISPLAY and WAYLAND_SOCKET unset");
  ok(p->services == NULL, "basic: no bus, no wayland, no app-id: no side services");

  /* System call rules: the default policy (compile/syscalls.c). */
  const struct syscall_rule *sti = find_rule(p, "ioctl", TIOCSTI), *linux_ = find_rule(p, "ioctl", TIOCLINUX);
  ok(sti && sti->cmp == SYSCALL_MASKED_EQ && sti->arg == 1 && sti->mask == 0xffffffffu && sti->error == EPERM,
     "basic: ioctl(TIOCSTI) refused with EPERM, low 32 bits compared");
  ok(linux_ && linux_->error == EPERM, "basic: ioctl(TIOCLINUX) refused");
  const struct syscall_rule *unshare_ = find_rule(p, "unshare", 0), *clone3 = find_rule(p, "clone3", 0),
                            *newuser = find_rule(p, "clone", CLONE_NEWUSER);
  ok(unshare_ && unshare_->cmp == SYSCALL_ANY && unshare_->error == EPERM, "basic: unshare refused with EPERM");
  ok(clone3 && clone3->error == ENOSYS, "basic: clone3 fails with ENOSYS (libc falls back to clone)");
  ok(newuser && newuser->cmp == SYSCALL_MASKED_EQ && newuser->mask == CLONE_NEWUSER,
     "basic: clone with CLONE_NEWUSER refused");

  ok(has_note(&c.notes, "dbus session bus: none"), "basic: a note says the session bus is none");
  compiled_free(&c);
  ok(count_fds() == fds_before, "basic: plan_free closes every fd compile opened");
}

/* ---- desktop: a filtered session bus, wayland, ssh-agent, app-id ------- */

static void test_desktop(void)
{
  mksock(P("run/bus"));
  mksock(P("run/wayland-ctest"));
  mksock(P("agent.sock"));
  const char *profile = S("app-id org.example.Test\n"
                          "network host\n"
                          "socket wayland\n"
                          "socket ssh-agent\n"
                          "device all\n"
                          "ro /etc\n"
                          "dbus-session filter\n"
                          "dbus-talk org.freedesktop.Notifications\n"
                          "dbus-see org.example.Seen\n"
                          "dbus-call org.example.Svc=Method@/path\n");
  char *env[] = {
    (char *)S("HOME=%s/home", T), (char *)S("DBUS_SESSION_BUS_ADDRESS=unix:path=%s/run/bus", T),
    "DBUS_STARTER_ADDRESS=unix:path=/elsewhere", "WAYLAND_DISPLAY=wayland-ctest", "WAYLAND_SOCKET=7",
    (char *)S("SSH_AUTH_SOCK=%s/agent.sock", T), NULL,
  };
  int fds_before = count_fds();
  struct compiled c;
  compile_profile(&c, "ctest-desktop", profile, env, NULL);
  struct plan *p = &c.plan;
  ok(c.load_r == 0 && c.r == 0, "desktop: profile loads and compiles (%s)", errbuf);
  if (c.r != 0) {
    compiled_free(&c);
    return;
  }
  const char *rt = S("/run/user/%u", (unsigned)getuid());
  ok(p->n_ops > 2 && p->ops[0].kind == OP_PROC && p->ops[1].kind == OP_DEV, "desktop: /proc and /dev first");
  ok(p->n_ops > 0 && p->ops[p->n_ops - 1].kind == OP_DIR, "desktop: the command line's op stays last");
  ok(!(p->unshare & CLONE_NEWNET) && (p->unshare & CLONE_NEWPID), "desktop: network host: no net namespace");

  struct plan_services *s = p->services;
  ok(s != NULL, "desktop: side services specified");
  if (!s) {
    compiled_free(&c);
    return;
  }
  ok(s->instance_id && strlen(s->instance_id) >= 10 && strspn(s->instance_id, "0123456789") == strlen(s->instance_id),
     "desktop: a numeric instance id (%s)", s->instance_id);
  is_str(s->runtime_dir, S("%s/run/sbx/%s", T, s->instance_id), "desktop: instance dir in $XDG_RUNTIME_DIR/sbx");

  /* The bus spec and the bind of its directory. */
  ok(s->n_buses == 1 && !s->buses[0].system, "desktop: one bus to proxy, the session bus");
  struct plan_bus *b = &s->buses[0];
  is_str(b->address, S("unix:path=%s/run/bus", T), "desktop: the proxy connects to the host's bus");
  is_str(b->dir, S("%s/session-bus", s->runtime_dir), "desktop: the proxy socket's dir in the instance dir");
  is_str(b->socket, S("%s/bus", b->dir), "desktop: the proxy socket");
  const char *want_rules[] = { "--filter", "--own=org.example.Test", "--own=org.example.Test.*",
                               "--call=org.example.Svc=Method@/path", "--see=org.example.Seen",
                               "--talk=org.freedesktop.Notifications" };
  size_t n_want = sizeof want_rules / sizeof want_rules[0];
  bool rules_ok = b->rules.n == n_want;
  for (size_t i = 0; rules_ok && i < n_want; i++)
    if (strcmp(b->rules.v[i], want_rules[i]) != 0) {
      printf("#   rule %zu: \"%s\", expected \"%s\"\n", i, b->rules.v[i], want_rules[i]);
      rules_ok = false;
    }
  ok(rules_ok, "desktop: proxy rules: --filter, --own=APPID(.*), then the rules by verb and name (%zu)", b->rules.n);
  ssize_t i = op_at(p, OP_BIND, S("%s/.dbus-proxy", rt));
  ok(i >= 0 && p->ops[i].access == ACCESS_RO, "desktop: the proxy's directory bound read-only in the runtime dir");
  is_str(i >= 0 ? p->ops[i].src : NULL, b->dir, "desktop: the bound directory is the bus spec's");
  i = op_at(p, OP_SYMLINK, S("%s/bus", rt));
  is_str(i >= 0 ? p->ops[i].src : NULL, ".dbus-proxy/bus", "desktop: $XDG_RUNTIME_DIR/bus links to the proxy socket");
  is_str(plan_getenv(p, "DBUS_SESSION_BUS_ADDRESS"), S("unix:path=%s/bus", rt),
         "desktop: DBUS_SESSION_BUS_ADDRESS names the socket inside");
  ok(plan_getenv(p, "DBUS_STARTER_ADDRESS") == NULL, "desktop: DBUS_STARTER_ADDRESS (the host's bus) unset");

  /* Wayland: the spec, and its handle on the bind of the compositor's socket. */
  struct plan_wayland *w = s->wayland;
  ok(w != NULL, "desktop: a wayland spec");
  if (w) {
    is_str(w->host_socket, P("run/wayland-ctest"), "desktop: wayland: the compositor's socket");
    is_str(w->inside, S("%s/wayland-ctest", rt), "desktop: wayland: shown at /run/user/UID/NAME");
    is_str(w->listener, S("%s/wayland", s->runtime_dir), "desktop: wayland: our listener's place");
    is_str(w->app_id, "org.example.Test", "desktop: wayland: app id for the security context");
    ok(w->op < p->n_ops && p->ops[w->op].kind == OP_BIND && p->ops[w->op].access == ACCESS_RO &&
           strcmp(p->ops[w->op].src, w->host_socket) == 0 && strcmp(p->ops[w->op].dest, w->inside) == 0,
       "desktop: wayland: the op handle points at the bind of the compositor's socket");
    ok(w->note < c.notes.n && strncmp(c.notes.lines[w->note], "wayland:", 8) == 0,
       "desktop: wayland: the note handle points at the wayland note");
  }
  is_str(plan_getenv(p, "WAYLAND_DISPLAY"), "wayland-ctest", "desktop: WAYLAND_DISPLAY is the socket's name");
  ok(plan_getenv(p, "WAYLAND_SOCKET") == NULL, "desktop: an inherited WAYLAND_SOCKET is never passed on");

  /* ssh-agent, devices, identity. */
  i = op_at(p, OP_BIND, S("%s/ssh-agent", rt));
  ok(i >= 0 && p->ops[i].access == ACCESS_RO && strcmp(p->ops[i].src, P("agent.sock")) == 0,
     "desktop: ssh-agent socket bound into the runtime dir");
  is_str(plan_getenv(p, "SSH_AUTH_SOCK"), S("%s/ssh-agent", rt), "desktop: SSH_AUTH_SOCK points inside");
  i = op_at(p, OP_BIND, "/dev");
  ok(i >= 0 && p->ops[i].access == ACCESS_DEV && strcmp(p->ops[i].src, "/dev") == 0,
     "desktop: device all: the host's /dev dev-bound");
  i = op_at(p, OP_BIND_DATA, "/etc/passwd");
  const char *uid_field = S(":x:%u:%u:", (unsigned)getuid(), (unsigned)getgid());
  ok(i >= 0 && p->ops[i].access == ACCESS_RO && p->ops[i].data && strstr(p->ops[i].data, uid_field) &&
         strstr(p->ops[i].data, "\nnobody:x:65534:"),
     "desktop: /etc visible: an /etc/passwd with only the user and nobody");

  /* /.flatpak-info, and the same text in the spec. */
  i = op_at(p, OP_BIND_DATA, "/.flatpak-info");
  const char *fi = i >= 0 ? p->ops[i].data : NULL;
  ok(fi && p->ops[i].access == ACCESS_RO && p->ops[i].perms == 0444, "desktop: /.flatpak-info, read-only, 0444");
  ok(fi && strstr(fi, "[Application]\nname=org.example.Test\n") && strstr(fi, S("instance-id=%s\n", s->instance_id)) &&
         strstr(fi, "session-bus-proxy=true\n") && strstr(fi, "system-bus-proxy=false\n"),
     "desktop: /.flatpak-info names the app, the instance and the proxied bus");
  ok(fi && strstr(fi, "shared=network;\n") && strstr(fi, "sockets=wayland;ssh-auth;\n") && strstr(fi, "devices=all;\n"),
     "desktop: /.flatpak-info [Context]: network, sockets, devices");
  ok(fi && strstr(fi, "[Session Bus Policy]\norg.example.Seen=see\norg.freedesktop.Notifications=talk\n"),
     "desktop: /.flatpak-info [Session Bus Policy] from the see/talk rules");
  ok(fi && s->app_info && s->app_info_len == p->ops[i].data_len && memcmp(s->app_info, fi, s->app_info_len) == 0,
     "desktop: the spec's app_info is the same text");
  i = op_at(p, OP_SYMLINK, S("%s/flatpak-info", rt));
  is_str(i >= 0 ? p->ops[i].src : NULL, "../../../.flatpak-info", "desktop: /run/user/UID/flatpak-info links to it");
  ok(has_note(&c.notes, "document portal: not running"), "desktop: no document portal: a note, no bind");

  /* Compile describes, launch creates. */
  struct stat st;
  ok(lstat(P("run/sbx"), &st) < 0 && lstat(P("run/.flatpak"), &st) < 0, "desktop: compile created no instance dir");
  compiled_free(&c);
  ok(count_fds() == fds_before, "desktop: no fd left open after plan_free");
}

/* ---- errors: a refused symlink, a bad line ---------------------------- */

static void test_refused_symlink(const char *name, const char *verb)
{
  mkdir_p(P("a"), 0755);
  mkdir_p(P("w"), 0755);
  mkdir_p(P("real"), 0755);
  put(P("real/f"), "f\n");
  mklink(P("real"), P("w/planted"));
  /* a and w sort before w/planted: their fds are open when the error comes. */
  const char *profile = S("ro %1$s/a\n"
                          "rw %1$s/w\n"
                          "%2$s %1$s/w/planted/%3$s\n",
                          T, verb, strcmp(verb, "persist") == 0 ? "new" : "f");
  char *env[] = { (char *)S("HOME=%s/home", T), NULL };
  int fds_before = count_fds();
  struct compiled c;
  compile_profile(&c, name, profile, env, NULL);
  ok(c.load_r == 0 && c.r == -ELOOP, "%s: %s through a symlink in a writable dir: -ELOOP (got %d)", name, verb, c.r);
  ok(strstr(errbuf, S("%s.profile:3:", name)) && strstr(errbuf, P("w/planted")) && strstr(errbuf, "refusing"),
     "%s: the message names the line and the link (%.*s)", name, (int)strcspn(errbuf, "\n"), errbuf);
  ok(c.plan.n_ops == 1 && c.plan.ops[0].kind == OP_DIR, "%s: no op compiled, the command line's kept (%zu ops)", name,
     c.plan.n_ops);
  ok(count_fds() == fds_before, "%s: the fds opened for the earlier rules are closed", name);
  ok(c.plan.n_host_dirs == 0, "%s: no host dir to make", name);
  compiled_free(&c);
}

static void test_bad_profile(void)
{
  const char *profile = S("ro %s/a\nsocket x12\n", T);
  char *env[] = { (char *)S("HOME=%s/home", T), NULL };
  int fds_before = count_fds();
  struct compiled c;
  compile_profile(&c, "ctest-bad", profile, env, NULL);
  ok(c.load_r < 0 && strstr(errbuf, "ctest-bad.profile:2:") && strstr(errbuf, "x12"),
     "bad: an unknown socket stops the load, naming the line (%.*s)", (int)strcspn(errbuf, "\n"), errbuf);
  ok(c.plan.n_ops == 1 && count_fds() == fds_before, "bad: no op, no fd");
  compiled_free(&c);
}

static void rm_rf(const char *path)
{
  DIR *d = opendir(path);
  if (d) {
    for (struct dirent *e; (e = readdir(d));) {
      if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
        continue;
      _cleanup_free_ char *sub = xasprintf("%s/%s", path, e->d_name);
      struct stat st;
      if (lstat(sub, &st) == 0 && S_ISDIR(st.st_mode))
        rm_rf(sub);
      else
        unlink(sub);
    }
    closedir(d);
  }
  rmdir(path);
}

int main(void)
{
  log_init("sbx");
  if (!mkdtemp(tmpl) || !realpath(tmpl, T))
    return 1;
  mkdir_p(P("profiles"), 0755);
  mkdir_p(P("run"), 0700);
  mkdir_p(P("home"), 0750);
  mkdir_p(P("config"), 0755);
  /* The caller's environment, as vars_init and compile read it: nothing of
   * the real session's may leak in. */
  setenv("HOME", P("home"), 1);
  setenv("XDG_RUNTIME_DIR", P("run"), 1);
  setenv("XDG_CONFIG_HOME", P("config"), 1);
  setenv("SBX_PROFILE_PATH", P("profiles"), 1);
  static const char *const unset[] = { "DISPLAY", "WAYLAND_DISPLAY", "WAYLAND_SOCKET", "DBUS_SESSION_BUS_ADDRESS",
                                       "DBUS_SYSTEM_BUS_ADDRESS", "PULSE_SERVER", "SSH_AUTH_SOCK", "XAUTHORITY",
                                       "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME" };
  for (size_t i = 0; i < sizeof unset / sizeof unset[0]; i++)
    unsetenv(unset[i]);

  test_basic();
  test_desktop();
  test_refused_symlink("ctest-loop", "ro");
  test_refused_symlink("ctest-loop-persist", "persist");
  test_bad_profile();

  rm_rf(T);
  strv_clear(&arena);
  return tap_done();
}
