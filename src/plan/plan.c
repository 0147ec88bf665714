#include "plan/plan.h"

#include <sched.h>
#include <stdarg.h>
#include <string.h>

#include "util/util.h"

void plan_init(struct plan *p, char **environ_copy)
{
  memset(p, 0, sizeof *p);
  p->userns_fd = p->userns2_fd = p->pidns_fd = -1;
  p->userns_block_fd = -1;
  p->seccomp_fd = -1;
  p->info_fd = p->json_status_fd = p->sync_fd = p->block_fd = -1;
  p->ready_fd = p->net_ready_fd = p->started_fd = -1;
  p->cgroup_fd = p->pid_fd = -1;

  size_t n = 0;
  while (environ_copy && environ_copy[n])
    n++;
  for (size_t i = 0; i < n; i++)
    strv_add(&p->env, environ_copy[i]);
  if (!p->env.v)
    p->env.v = array_grow(NULL, sizeof(char *), &p->env.cap, 1);
  p->env.v[p->env.n] = NULL; /* never NULL itself: environ may point at it */
}

/* An op owns its strings, its data and its fd: the compiler opened the fd
 * (a rule's source, walked without planted symlinks), or the caller handed
 * it to sbx for this one op (--bind-fd, --file, --bind-data). */
void plan_op_clear(struct plan_op *op)
{
  free(op->src);
  free(op->dest);
  free(op->upper);
  free(op->work);
  free(op->data);
  for (size_t j = 0; j < op->n_overlay_srcs; j++)
    free(op->overlay_srcs[j]);
  free(op->overlay_srcs);
  if (op->fd >= 0)
    close(op->fd);
  memset(op, 0, sizeof *op);
  op->fd = -1;
}

void plan_remove_op(struct plan *p, size_t i)
{
  plan_op_clear(&p->ops[i]);
  memmove(&p->ops[i], &p->ops[i + 1], (p->n_ops - i - 1) * sizeof p->ops[0]);
  p->n_ops--;
  struct plan_wayland *w = p->services ? p->services->wayland : NULL;
  if (w && w->op != PLAN_NO_OP && w->op >= i)
    w->op = w->op == i ? PLAN_NO_OP : w->op - 1;
}

struct plan_bus *plan_services_add_bus(struct plan_services *s, bool system, const char *address)
{
  struct plan_bus *b = &s->buses[s->n_buses++];
  memset(b, 0, sizeof *b);
  b->system = system;
  b->address = xstrdup(address);
  /* Each socket has the name it has inside, where its directory is bound
   * (compile/dbus.c). */
  b->subdir = system ? "system-bus" : "session-bus";
  b->dir = xasprintf("%s/%s", s->runtime_dir, b->subdir);
  b->socket = xasprintf("%s/%s", b->dir, system ? "system_bus_socket" : "bus");
  return b;
}

void plan_services_free(struct plan_services *s)
{
  if (!s)
    return;
  for (size_t i = 0; i < s->n_buses; i++) {
    free(s->buses[i].address);
    free(s->buses[i].dir);
    free(s->buses[i].socket);
    strv_free(s->buses[i].rules.v);
  }
  if (s->wayland) {
    free(s->wayland->host_socket);
    free(s->wayland->inside);
    free(s->wayland->listener);
    free(s->wayland->app_id);
    free(s->wayland);
  }
  if (s->net) {
    free(s->net->host_addrs);
    free(s->net->host_addrs6);
    free(s->net->host_ports);
    free(s->net->forwards);
    for (size_t i = 0; i < s->net->n_allow; i++)
      free(s->net->allow[i].name);
    free(s->net->allow);
  }
  free(s->net);
  free(s->instance_id);
  free(s->runtime_parent);
  free(s->runtime_dir);
  free(s->flatpak_parent);
  free(s->flatpak_dir);
  free(s->app_info);
  free(s);
}

void plan_cgroup_free(struct plan_cgroup *c)
{
  if (!c)
    return;
  for (size_t i = 0; i < c->n_limits; i++) {
    free(c->limits[i].arg);
    free(c->limits[i].value);
    free(c->limits[i].device);
  }
  free(c->limits);
  free(c->name);
  free(c->where);
  free(c->profile);
  free(c);
}

void notes_add(struct notes *n, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  char *s = xvasprintf(fmt, ap);
  va_end(ap);
  *ARRAY_PUSH(n->lines, n->n, n->cap) = s;
}

void notes_free(struct notes *n)
{
  for (size_t i = 0; i < n->n; i++)
    free(n->lines[i]);
  free(n->lines);
  memset(n, 0, sizeof *n);
}

void plan_landlock_free_rules(struct plan_landlock *ll)
{
  for (size_t i = 0; i < ll->n_rules; i++)
    free(ll->rules[i].path);
  free(ll->rules);
  ll->rules = NULL;
  ll->n_rules = ll->cap_rules = 0;
}

void plan_free(struct plan *p)
{
  for (size_t i = 0; i < p->n_ops; i++)
    plan_op_clear(&p->ops[i]);
  free(p->ops);
  free(p->hostname);
  strv_free(p->argv);
  free(p->argv0);
  free(p->chdir);
  strv_clear(&p->env);
  for (size_t i = 0; i < p->n_env_edits; i++) {
    free(p->env_edits[i].name);
    free(p->env_edits[i].value);
  }
  free(p->env_edits);
  free(p->caps);
  free(p->exec_label);
  free(p->file_label);
  for (size_t i = 0; i < p->n_seccomp_progs; i++)
    free(p->seccomp_progs[i].data);
  free(p->seccomp_progs);
  free(p->syscall_rules);
  free(p->syscall_allowlist);
  for (size_t i = 0; i < p->n_policy_progs; i++)
    free(p->policy_progs[i].data);
  strv_clear(&p->syscall_strings);
  plan_landlock_free_rules(&p->landlock);
  free(p->landlock.tcp_connect.port);
  free(p->landlock.tcp_bind.port);
  for (size_t i = 0; i < p->n_lock_files; i++)
    free(p->lock_files[i]);
  free(p->lock_files);
  for (size_t i = 0; i < p->n_host_dirs; i++)
    free(p->host_dirs[i]);
  free(p->host_dirs);
  free(p->ready_what);
  free(p->net_ready_what);
  plan_services_free(p->services);
  plan_cgroup_free(p->cgroup);
  memset(p, 0, sizeof *p);
}

int *plan_fds(const struct plan *p, size_t *n)
{
  const int single[] = { p->userns_fd, p->userns2_fd, p->pidns_fd, p->userns_block_fd, p->seccomp_fd,
                         p->info_fd, p->json_status_fd, p->sync_fd, p->block_fd };
  size_t len = sizeof single / sizeof single[0];
  int *fds = xcalloc(len + p->n_ops, sizeof *fds);
  memcpy(fds, single, sizeof single);
  for (size_t i = 0; i < p->n_ops; i++)
    fds[len++] = p->ops[i].fd;
  *n = len;
  return fds;
}

void plan_add_syscall_rule(struct plan *p, const struct syscall_rule *rule)
{
  *ARRAY_PUSH(p->syscall_rules, p->n_syscall_rules, p->cap_syscall_rules) = *rule;
}

const char *plan_syscall_string(struct plan *p, const char *s)
{
  strv_add(&p->syscall_strings, s);
  return p->syscall_strings.v[p->syscall_strings.n - 1];
}

void plan_op_init(struct plan_op *op, enum op_kind kind, const char *src, const char *dest)
{
  memset(op, 0, sizeof *op);
  op->kind = kind;
  op->src = xstrdup(src);
  op->dest = xstrdup(dest);
  op->fd = -1;
  op->perms = -1;
}

struct plan_op *plan_add_op(struct plan *p, enum op_kind kind, const char *src, const char *dest)
{
  struct plan_op *op = ARRAY_PUSH(p->ops, p->n_ops, p->cap_ops);
  plan_op_init(op, kind, src, dest);
  return op;
}

static ssize_t env_index(char **env, const char *name)
{
  size_t len = strlen(name);
  for (size_t i = 0; env[i]; i++)
    if (strncmp(env[i], name, len) == 0 && env[i][len] == '=')
      return (ssize_t)i;
  return -1;
}

void plan_setenv(struct plan *p, const char *name, const char *value)
{
  char *entry = xasprintf("%s=%s", name, value);
  ssize_t i = env_index(p->env.v, name);
  if (i >= 0) {
    free(p->env.v[i]);
    p->env.v[i] = entry;
    return;
  }
  strv_push(&p->env, entry);
}

void plan_unsetenv(struct plan *p, const char *name)
{
  ssize_t i;
  while ((i = env_index(p->env.v, name)) >= 0) {
    free(p->env.v[i]);
    /* The NULL after the last moves down too. */
    memmove(&p->env.v[i], &p->env.v[i + 1], (p->env.n - (size_t)i) * sizeof(char *));
    p->env.n--;
  }
}

void plan_clearenv(struct plan *p)
{
  for (size_t i = 0; i < p->env.n; i++)
    free(p->env.v[i]);
  p->env.n = 0;
  p->env.v[0] = NULL;
}

void plan_edit_env(struct plan *p, enum env_verb verb, const char *name, const char *value)
{
  *ARRAY_PUSH(p->env_edits, p->n_env_edits, p->cap_env_edits) = (struct env_edit){ verb, xstrdup(name), xstrdup(value) };
  switch (verb) {
  case ENV_SET: plan_setenv(p, name, value); break;
  case ENV_UNSET: plan_unsetenv(p, name); break;
  case ENV_CLEAR: plan_clearenv(p); break;
  }
}

void plan_replay_env_edits(struct plan *p)
{
  for (size_t i = 0; i < p->n_env_edits; i++) {
    const struct env_edit *e = &p->env_edits[i];
    switch (e->verb) {
    case ENV_SET: plan_setenv(p, e->name, e->value); break;
    case ENV_UNSET: plan_unsetenv(p, e->name); break;
    case ENV_CLEAR: plan_clearenv(p); break;
    }
  }
}

void plan_prepend_ops(struct plan *p, struct plan_op *ops, size_t n)
{
  if (n == 0)
    return;
  p->ops = array_grow(p->ops, sizeof *p->ops, &p->cap_ops, p->n_ops + n);
  memmove(p->ops + n, p->ops, p->n_ops * sizeof *p->ops);
  memcpy(p->ops, ops, n * sizeof *ops);
  p->n_ops += n;
}

const char *plan_getenv(const struct plan *p, const char *name)
{
  ssize_t i = env_index(p->env.v, name);
  return i >= 0 ? p->env.v[i] + strlen(name) + 1 : NULL;
}

/* A pid-1 process of ours stays in the sandbox to reap, to hold lock files
 * and the sync fd, and to forward signals. */
bool plan_needs_reaper(const struct plan *p)
{
  if (p->as_pid_1)
    return false;
  return (p->unshare & CLONE_NEWPID) || p->n_lock_files > 0 || p->sync_fd >= 0 || p->ready_fd >= 0 ||
         p->net_ready_fd >= 0;
}

const char *op_kind_name(const struct plan_op *op)
{
  switch (op->kind) {
  case OP_BIND:
    return op->access == ACCESS_RO ? "ro-bind" : op->access == ACCESS_DEV ? "dev-bind" : "bind";
  case OP_REMOUNT_RO: return "remount-ro";
  case OP_PROC: return "proc";
  case OP_DEV: return "dev";
  case OP_TMPFS: return "tmpfs";
  case OP_MQUEUE: return "mqueue";
  case OP_DIR: return "dir";
  case OP_SYMLINK: return "symlink";
  case OP_FILE: return "file";
  case OP_BIND_DATA: return op->access == ACCESS_RO ? "ro-bind-data" : "bind-data";
  case OP_CHMOD: return "chmod";
  case OP_OVERLAY: return "overlay";
  case OP_TMP_OVERLAY: return "tmp-overlay";
  case OP_RO_OVERLAY: return "ro-overlay";
  }
  return "?";
}
