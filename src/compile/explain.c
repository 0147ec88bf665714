#include "compile/explain.h"

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "policy/query.h"
#include "util/util.h"

/* "any", "none", or the ports with runs written as ranges: "53, 80-81". */
static void ports_text(FILE *f, const struct landlock_ports *lp)
{
  if (!lp->restricted) {
    fprintf(f, "any");
    return;
  }
  if (lp->n == 0)
    fprintf(f, "none");
  for (size_t i = 0; i < lp->n;) {
    size_t j = i;
    while (j + 1 < lp->n && lp->port[j + 1] == lp->port[j] + 1)
      j++;
    fprintf(f, "%s%u", i ? ", " : "", lp->port[i]);
    if (j > i)
      fprintf(f, "-%u", lp->port[j]);
    i = j + 1;
  }
}

/* Landlock as the engine will apply it on this kernel: the mode, the ABI,
 * the scopes, and each path's rights masked to the ABI. */
static void landlock_text(FILE *f, const struct plan *p)
{
  const struct plan_landlock *ll = &p->landlock;
  int abi = landlock_abi();
  if (ll->mode == LANDLOCK_OFF) {
    fprintf(f, "  landlock: off\n");
    return;
  }
  if (abi < 0) {
    fprintf(f, "  landlock: %s, but this kernel has none (%s): %s\n", landlock_mode_name(ll->mode), strerror(-abi),
            ll->mode == LANDLOCK_REQUIRED ? "the sandbox will not start" : "the sandbox runs without it");
    return;
  }
  uint64_t scope = landlock_scope_for_abi(abi, ll);
  fprintf(f, "  landlock: %s, kernel ABI %d; scoped to the sandbox: %s\n",
          landlock_mode_name(ll->mode), abi,
          scope == (LL_SCOPE_ABSTRACT_UNIX_SOCKET | LL_SCOPE_SIGNAL) ? "abstract unix sockets, signals"
          : scope == LL_SCOPE_SIGNAL                                  ? "signals (abstract unix sockets left open: x11)"
          : abi < 6                                                   ? "nothing (ABI < 6)"
                                                                      : "nothing (landlock-scope off)");
  fprintf(f, "  landlock TCP ports: connect ");
  ports_text(f, &ll->tcp_connect);
  fprintf(f, "; bind ");
  ports_text(f, &ll->tcp_bind);
  bool tcp = ll->tcp_connect.restricted || ll->tcp_bind.restricted;
  fprintf(f, "%s\n", tcp && abi < 4 ? " (not enforced: network rules need ABI 4)" : "");
  fprintf(f, "  landlock rights (a path under none of these: no access at all):\n");
  uint64_t mask = landlock_fs_rights_for_abi(abi);
  for (size_t i = 0; i < ll->n_rules; i++) {
    char buf[256];
    uint64_t a = ll->rules[i].access & mask;
    fprintf(f, "    %-40s %s\n", ll->rules[i].path,
            a == (LL_RW & mask) ? "all (read-write, create, remove, execute)" : landlock_rights_str(a, buf, sizeof buf));
  }
}

static const char *access_word(const struct path_rule *rule)
{
  switch (rule->access) {
  case PATH_RO: return "read-only";
  case PATH_RW: return "read-write";
  case PATH_PERSIST: return "read-write, created on the host";
  case PATH_HIDE: return "hidden";
  case PATH_PRIVATE: return "private (empty tmpfs)";
  case PATH_NO_RULE: break;
  }
  return rule->setting->value;
}

static void ns_list(FILE *f, const struct plan *p, const char *sep, bool json)
{
  static const struct { unsigned long flag; const char *name; } ns[] = {
    { CLONE_NEWUSER, "user" }, { CLONE_NEWNS, "mount" }, { CLONE_NEWPID, "pid" }, { CLONE_NEWIPC, "ipc" },
    { CLONE_NEWUTS, "uts" }, { CLONE_NEWNET, "net" }, { CLONE_NEWCGROUP, "cgroup" },
  };
  bool first = true;
  unsigned long flags = p->unshare | CLONE_NEWNS;
  if (p->unshare_user_try || getuid() != 0)
    flags |= CLONE_NEWUSER;
  if (p->unshare_cgroup_try)
    flags |= CLONE_NEWCGROUP;
  for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++)
    if (flags & ns[i].flag) {
      fprintf(f, json ? "%s\"%s\"" : "%s%s", first ? "" : sep, ns[i].name);
      first = false;
    }
}

static void op_text(FILE *f, const struct plan_op *op)
{
  fprintf(f, "  %-14s", op_kind_name(op));
  switch (op->kind) {
  case OP_BIND:
    fprintf(f, " %s -> %s%s", op->src ? op->src : "(fd)", op->dest, (op->flags & OPF_TRY) ? "  (if it exists)" : "");
    break;
  case OP_SYMLINK:
    fprintf(f, " %s -> %s", op->dest, op->src);
    break;
  case OP_FILE:
  case OP_BIND_DATA:
    fprintf(f, " %s (%zu bytes%s)", op->dest, op->data ? op->data_len : 0, op->data ? "" : ", from fd");
    break;
  default:
    fprintf(f, " %s", op->dest);
  }
  if (op->perms >= 0)
    fprintf(f, "  mode %04o", (unsigned)op->perms);
  fputc('\n', f);
}

static const char *errno_name(int e)
{
  const char *n = strerrorname_np(e);
  return n ? n : "?";
}

/* One rule as --explain names it: the call, and for a rule on an argument
 * what it refuses (its why). */
static char *rule_label(const struct syscall_rule *r)
{
  return r->cmp == SYSCALL_ANY ? xstrdup(r->name) : xasprintf("%s(%s)", r->name, r->why);
}

/* sbx's own filter, one line per group and errno: the calls it refuses
 * (rules on the same call for the same reason, e.g. the 33 that spell the
 * personality rule, show once).  A profile's syscall-allow shows above, in
 * the policy's list, and here as the groups it removed. */
static void syscalls_text(FILE *f, const struct plan *p, const struct policy *pol)
{
  if (p->n_syscall_rules == 0) {
    fprintf(f, "  seccomp (sbx): none%s\n", pol->profile_path ? " (syscall-filter none)" : "");
    return;
  }
  if (p->n_syscall_allowlist)
    fprintf(f, "  seccomp (sbx): %zu rules, and an allowlist of %zu calls (syscall-filter allowlist): any other "
               "call fails with ENOSYS; refused calls fail with:\n",
            p->n_syscall_rules, p->n_syscall_allowlist);
  else
    fprintf(f, "  seccomp (sbx): %zu rules, everything else allowed; refused calls fail with:\n", p->n_syscall_rules);
  bool *done = xcalloc(p->n_syscall_rules, sizeof *done);
  for (size_t i = 0; i < p->n_syscall_rules; i++) {
    if (done[i])
      continue;
    const struct syscall_rule *g = &p->syscall_rules[i];
    struct buf line = { 0 };
    _cleanup_free_ char *last = NULL;
    for (size_t j = i; j < p->n_syscall_rules; j++) {
      const struct syscall_rule *r = &p->syscall_rules[j];
      bool same_group = g->group ? r->group && strcmp(r->group, g->group) == 0 : !r->group;
      if (done[j] || !same_group || r->error != g->error)
        continue;
      done[j] = true;
      char *label = rule_label(r);
      if (last && strcmp(last, label) == 0) {
        free(label);
        continue;
      }
      buf_printf(&line, "%s%s", line.s ? ", " : "", label);
      free(last);
      last = label;
    }
    char *text = buf_steal(&line);
    fprintf(f, "    %-17s %-13s %s\n", g->group ? g->group : "syscall-deny", errno_name(g->error), text);
    free(text);
  }
  free(done);
  size_t it = 0;
  struct syscall_choice c;
  while (policy_next_syscall(pol, &it, &c))
    if (c.allow)
      fprintf(f, "    %-17s %-13s allowed: syscall-allow at %s:%d\n", c.name, "-", c.setting->loc.file,
              c.setting->loc.line);
}

static const char *const cmp_names[] = {
  [SYSCALL_ANY] = "any", [SYSCALL_MASKED_EQ] = "masked_eq", [SYSCALL_EQ] = "eq", [SYSCALL_GE] = "ge", [SYSCALL_GT] = "gt",
};

/* host, none, or private (its own namespace and a helper: see the notes). */
static const char *network_name(const struct plan *p, bool json)
{
  if (!(p->unshare & CLONE_NEWNET))
    return "host";
  if (p->services && p->services->net)
    return json ? "private" : "private (own namespace, through a user-mode helper; see the notes)";
  return json ? "none" : "none (loopback only)";
}

/* network private's holes: forward-port and allow-host-port. */
static void net_ports_text(FILE *f, const struct plan *p)
{
  const struct plan_net *net = p->services ? p->services->net : NULL;
  for (size_t i = 0; net && i < net->n_forwards; i++)
    fprintf(f, "  forward-port: the host's %s %s:%u -> the sandbox's port %u\n", net->forwards[i].proto,
            net->forwards[i].host_addr, net->forwards[i].host_port, net->forwards[i].port);
  for (size_t i = 0; net && i < net->n_host_ports; i++)
    fprintf(f, "  allow-host-port: tcp %u of the host's loopback, at the sandbox's own 127.0.0.1 and ::1\n",
            net->host_ports[i]);
  if (net && (net->egress != PLAN_EGRESS_OPEN || net->n_allow))
    fprintf(f, "  egress: %s%s\n", plan_egress_name(net->egress), net->n_allow ? ", with egress-allow (see the notes)" : "");
}

static void net_ports_json(FILE *f, const struct plan *p)
{
  const struct plan_net *net = p->services ? p->services->net : NULL;
  fprintf(f, "  \"forward_ports\": [");
  for (size_t i = 0; net && i < net->n_forwards; i++)
    fprintf(f, "%s{\"proto\": \"%s\", \"host_addr\": \"%s\", \"host_port\": %u, \"port\": %u}", i ? ", " : "",
            net->forwards[i].proto, net->forwards[i].host_addr, net->forwards[i].host_port, net->forwards[i].port);
  fprintf(f, "],\n  \"allow_host_ports\": [");
  for (size_t i = 0; net && i < net->n_host_ports; i++)
    fprintf(f, "%s%u", i ? ", " : "", net->host_ports[i]);
  /* egress: the policy and its exceptions, one rule per protocol and port
   * range, names as written (launch resolves them). */
  fprintf(f, "],\n  \"egress\": \"%s\",\n  \"egress_allow\": [", plan_egress_name(net ? net->egress : PLAN_EGRESS_OPEN));
  for (size_t i = 0; net && i < net->n_allow; i++) {
    _cleanup_free_ char *text = plan_egress_rule_text(&net->allow[i]);
    fprintf(f, "%s", i ? ", " : "");
    json_write_str(f, text);
  }
  fprintf(f, "],\n");
}

/* The sandbox's own cgroup and each limit, as the files launch writes. */
static void resources_text(FILE *f, const struct plan *p)
{
  const struct plan_cgroup *c = p->cgroup;
  fprintf(f, "\nResources:\n");
  if (!c) {
    fprintf(f, "  cgroup: none (the caller's, untouched: a bubblewrap-style command line without --name or a limit)\n");
    return;
  }
  fprintf(f, "  cgroup: %s\n", c->where ? c->where : c->name);
  fprintf(f, "  cgroup namespace: %s\n", c->ns ? "yes, rooted at the sandbox's cgroup" : "no");
  if (c->n_limits == 0)
    fprintf(f, "  limits: none\n");
  for (size_t i = 0; i < c->n_limits; i++)
    fprintf(f, "  %-16s %-20s -> %s = %s (controller %s)\n", c->limits[i].directive, c->limits[i].arg,
            c->limits[i].file, c->limits[i].value, c->limits[i].controller);
}

void explain_text(FILE *f, const struct plan *p, const struct policy *pol, const struct notes *notes)
{
  if (pol->profile_path)
    fprintf(f, "Profile: %s (%s)\n", pol->profile_name, pol->profile_path);
  else
    fprintf(f, "Profile: none (command-line options only)\n");
  if (pol->n_files > 1) {
    fprintf(f, "Files read:");
    for (size_t i = 0; i < pol->n_files; i++)
      if (strcmp(pol->files[i], "command line") != 0)
        fprintf(f, "\n  %s", pol->files[i]);
    fputc('\n', f);
  }
  if (p->argv && p->argv[0]) {
    fprintf(f, "Command:");
    for (size_t i = 0; p->argv[i]; i++)
      fprintf(f, " %s", p->argv[i]);
    fputc('\n', f);
  }
  fprintf(f, "Namespaces: ");
  ns_list(f, p, " ", false);
  fprintf(f, "\nNetwork: %s\n", network_name(p, false));
  net_ports_text(f, p);
  if (p->hostname)
    fprintf(f, "Hostname: %s\n", p->hostname);

  fprintf(f, "\nFilesystem (the most specific path decides; precedence: command line > .local > profile > include):\n");
  fprintf(f, "  %-44s %-32s %s\n", "PATH", "ACCESS", "DECIDED BY");
  size_t it = 0;
  const struct setting *s;
  struct path_rule rule;
  bool any = false;
  while (policy_next_path(pol, &it, &rule)) {
    any = true;
    s = rule.setting;
    fprintf(f, "  %-44s %-32s %s:%d (%s)\n", rule.path, access_word(&rule), s->loc.file, s->loc.line, layer_name(s->loc.layer));
  }
  if (!any)
    fprintf(f, "  (no path rules: only what the plan below mounts)\n");
  fprintf(f, "  Anything not listed (and not below a listed path) is not visible.\n");

  static const struct { enum setting_group group; const char *title; } groups[] = {
    { GROUP_SOCKETS, "Sockets" }, { GROUP_DEVICES, "Device groups" }, { GROUP_DBUS_SESSION, "D-Bus session bus" },
    { GROUP_DBUS_SYSTEM, "D-Bus system bus" }, { GROUP_ENV, "Environment (policy)" }, { GROUP_CAPS, "Capabilities (policy)" },
    { GROUP_SYSCALLS, "System calls (policy: changes to the default filter)" },
  };
  for (size_t k = 0; k < sizeof groups / sizeof groups[0]; k++) {
    it = 0;
    bool header = false;
    while ((s = policy_next_in_group(pol, groups[k].group, &it))) {
      if (!header)
        fprintf(f, "\n%s:\n", groups[k].title);
      header = true;
      fprintf(f, "  %-44s %-32s %s:%d\n", s->key, s->value, s->loc.file, s->loc.line);
    }
  }
  for (enum policy_scalar k = 0; k < N_SCALARS; k++) {
    s = policy_scalar(pol, k);
    if (s)
      fprintf(f, "%s%s: %s  (%s:%d)\n", k == 0 ? "\n" : "", policy_scalar_name(k), s->value, s->loc.file, s->loc.line);
  }

  resources_text(f, p);

  if (notes->n) {
    fprintf(f, "\nDesktop integration:\n");
    for (size_t i = 0; i < notes->n; i++)
      fprintf(f, "  %s\n", notes->lines[i]);
  }
  fprintf(f, "\nSecurity:\n  no_new_privs: always\n  capabilities: %s\n",
          p->n_caps ? "as the cap-add/cap-drop entries above say" : (getuid() == 0 ? "root keeps its own" : "none"));
  fprintf(f, "  pid 1 (sbx): %s\n",
          p->pid1_undumpable ? "not dumpable: the app can't read or write it through /proc/1"
                             : "dumpable, as under bubblewrap (its /proc/1 is open to the app's uid)");
  fprintf(f, "  seccomp: %s\n", p->seccomp_fd >= 0 || p->n_seccomp_progs ? "caller-supplied program(s)" : "none");
  syscalls_text(f, p, pol);

  landlock_text(f, p);

  fprintf(f, "\nEnvironment of the app:\n");
  for (size_t i = 0; i < p->env.n; i++)
    fprintf(f, "  %s\n", p->env.v[i]);

  fprintf(f, "\nPlan (what the engine does, in order):\n");
  for (size_t i = 0; i < p->n_ops; i++)
    op_text(f, &p->ops[i]);
}

static void landlock_json(FILE *f, const struct plan *p)
{
  const struct plan_landlock *ll = &p->landlock;
  int abi = landlock_abi();
  uint64_t mask = landlock_fs_rights_for_abi(abi);
  fprintf(f, "{\"mode\": \"%s\", \"abi\": %d, \"scope\": [", landlock_mode_name(ll->mode), abi < 0 ? 0 : abi);
  uint64_t scope = ll->mode != LANDLOCK_OFF ? landlock_scope_for_abi(abi, ll) : 0;
  fprintf(f, "%s%s%s", scope & LL_SCOPE_ABSTRACT_UNIX_SOCKET ? "\"abstract-unix-socket\"" : "",
          scope == (LL_SCOPE_ABSTRACT_UNIX_SOCKET | LL_SCOPE_SIGNAL) ? ", " : "",
          scope & LL_SCOPE_SIGNAL ? "\"signal\"" : "");
  fprintf(f, "], \"rules\": [");
  for (size_t i = 0; ll->mode != LANDLOCK_OFF && i < ll->n_rules; i++) {
    char buf[256];
    fprintf(f, "%s\n    {\"path\": ", i ? "," : "");
    json_write_str(f, ll->rules[i].path);
    fprintf(f, ", \"rights\": \"%s\"}", landlock_rights_str(ll->rules[i].access & mask, buf, sizeof buf));
  }
  fprintf(f, "]");
  const struct landlock_ports *tcp[] = { &ll->tcp_connect, &ll->tcp_bind };
  for (int k = 0; k < 2; k++) {
    fprintf(f, ", \"%s\": ", k ? "tcp_bind" : "tcp_connect");
    if (!tcp[k]->restricted || ll->mode == LANDLOCK_OFF) {
      fprintf(f, "\"any\"");
      continue;
    }
    fputc('[', f);
    for (size_t i = 0; i < tcp[k]->n; i++)
      fprintf(f, "%s%u", i ? ", " : "", tcp[k]->port[i]);
    fputc(']', f);
  }
  fprintf(f, "}");
}

static void resources_json(FILE *f, const struct plan *p)
{
  const struct plan_cgroup *c = p->cgroup;
  if (!c) {
    fprintf(f, "null");
    return;
  }
  fprintf(f, "{\"name\": ");
  json_write_str(f, c->name);
  fprintf(f, ", \"where\": ");
  if (c->where)
    json_write_str(f, c->where);
  else
    fprintf(f, "null");
  fprintf(f, ", \"namespace\": %s, \"limits\": [", c->ns ? "true" : "false");
  for (size_t i = 0; i < c->n_limits; i++) {
    const struct plan_limit *l = &c->limits[i];
    fprintf(f, "%s{\"directive\": \"%s\", \"arg\": ", i ? ", " : "", l->directive);
    json_write_str(f, l->arg);
    fprintf(f, ", \"controller\": \"%s\", \"file\": \"%s\", \"value\": ", l->controller, l->file);
    json_write_str(f, l->value);
    fprintf(f, "}");
  }
  fprintf(f, "]}");
}

void explain_json(FILE *f, const struct plan *p, const struct policy *pol, const struct notes *notes)
{
  fprintf(f, "{\n  \"profile\": ");
  if (pol->profile_path) {
    json_write_str(f, pol->profile_name);
    fprintf(f, ",\n  \"profile_path\": ");
    json_write_str(f, pol->profile_path);
  } else {
    fprintf(f, "null");
  }
  fprintf(f, ",\n  \"namespaces\": [");
  ns_list(f, p, ", ", true);
  fprintf(f, "],\n  \"network\": \"%s\",\n", network_name(p, true));
  net_ports_json(f, p);
  fprintf(f, "  \"hostname\": ");
  if (p->hostname)
    json_write_str(f, p->hostname);
  else
    fprintf(f, "null");
  fprintf(f, ",\n  \"settings\": [");
  for (size_t i = 0; i < pol->n; i++) {
    const struct setting *s = &pol->items[i];
    fprintf(f, "%s\n    {\"key\": ", i ? "," : "");
    json_write_str(f, s->key);
    fprintf(f, ", \"value\": ");
    json_write_str(f, s->value);
    fprintf(f, ", \"file\": ");
    json_write_str(f, s->loc.file);
    fprintf(f, ", \"line\": %d, \"layer\": \"%s\"}", s->loc.line, layer_name(s->loc.layer));
  }
  fprintf(f, "\n  ],\n  \"paths\": {");
  size_t it = 0;
  struct path_rule rule;
  bool first = true;
  while (policy_next_path(pol, &it, &rule)) {
    fprintf(f, "%s\n    ", first ? "" : ",");
    json_write_str(f, rule.path);
    fprintf(f, ": ");
    json_write_str(f, rule.setting->value);
    first = false;
  }
  fprintf(f, "\n  },\n  \"cgroup\": ");
  resources_json(f, p);
  fprintf(f, ",\n  \"notes\": [");
  for (size_t i = 0; i < notes->n; i++) {
    fprintf(f, "%s\n    ", i ? "," : "");
    json_write_str(f, notes->lines[i]);
  }
  fprintf(f, "\n  ],\n  \"capability_changes\": [");
  for (size_t i = 0; i < p->n_caps; i++)
    fprintf(f, "%s{\"%s\": \"%#llx\"}", i ? ", " : "", p->caps[i].verb == CAP_VERB_ADD ? "add" : "drop",
            (unsigned long long)p->caps[i].mask);
  fprintf(f, "],\n  \"syscall_rules\": [");
  for (size_t i = 0; i < p->n_syscall_rules; i++) {
    const struct syscall_rule *r = &p->syscall_rules[i];
    fprintf(f, "%s\n    {\"syscall\": ", i ? "," : "");
    json_write_str(f, r->name);
    fprintf(f, ", \"group\": ");
    if (r->group)
      json_write_str(f, r->group);
    else
      fprintf(f, "null");
    fprintf(f, ", \"match\": \"%s\"", cmp_names[r->cmp]);
    if (r->cmp != SYSCALL_ANY)
      fprintf(f, ", \"arg\": %u, \"mask\": \"%#llx\", \"value\": \"%#llx\"", r->arg, (unsigned long long)r->mask,
              (unsigned long long)r->value);
    fprintf(f, ", \"errno\": \"%s\", \"why\": ", errno_name(r->error));
    json_write_str(f, r->why);
    fputc('}', f);
  }
  fprintf(f, "],\n  \"syscall_allowlist\": ");
  if (p->n_syscall_allowlist) {
    fputc('[', f);
    for (size_t i = 0; i < p->n_syscall_allowlist; i++) {
      fprintf(f, "%s", i ? ", " : "");
      json_write_str(f, p->syscall_allowlist[i]);
    }
    fputc(']', f);
  } else {
    fprintf(f, "null");
  }
  fprintf(f, ",\n  \"landlock\": ");
  landlock_json(f, p);
  fprintf(f, ",\n  \"pid1_dumpable\": %s", p->pid1_undumpable ? "false" : "true");
  fprintf(f, ",\n  \"capabilities_base\": \"%s\",\n  \"env\": [", getuid() == 0 ? "root's own" : "none");
  for (size_t i = 0; i < p->env.n; i++) {
    fprintf(f, "%s\n    ", i ? "," : "");
    json_write_str(f, p->env.v[i]);
  }
  fprintf(f, "\n  ],\n  \"ops\": [");
  for (size_t i = 0; i < p->n_ops; i++) {
    const struct plan_op *op = &p->ops[i];
    fprintf(f, "%s\n    {\"op\": \"%s\"", i ? "," : "", op_kind_name(op));
    if (op->src) {
      fprintf(f, ", \"src\": ");
      json_write_str(f, op->src);
    }
    if (op->dest) {
      fprintf(f, ", \"dest\": ");
      json_write_str(f, op->dest);
    }
    if (op->flags & OPF_TRY)
      fprintf(f, ", \"try\": true");
    if (op->perms >= 0)
      fprintf(f, ", \"mode\": \"%04o\"", (unsigned)op->perms);
    fputc('}', f);
  }
  fprintf(f, "\n  ],\n  \"argv\": [");
  for (size_t i = 0; p->argv && p->argv[i]; i++) {
    fprintf(f, "%s", i ? ", " : "");
    json_write_str(f, p->argv[i]);
  }
  fprintf(f, "]\n}\n");
}

/* ---- --explain-denials ----------------------------------------------------- */

/* A refused call.  A rule without a group is a profile's syscall-deny
 * NAME (compile/syscalls.c); a group's rule is sbx's built-in policy, or a
 * syscall-deny @GROUP said again somewhere.  Allowed by syscall-allow of
 * the same name (a higher layer, a .local, overrides the setting). */
static void syscall_denial(FILE *f, const struct policy *pol, const struct learn_event *e)
{
  const struct syscall_rule *r = e->rule;
  const char *name = r && r->group ? r->group : e->path;
  const struct setting *said = NULL;
  size_t it = 0;
  struct syscall_choice c;
  while (policy_next_syscall(pol, &it, &c))
    if (!c.allow && strcmp(c.name, name) == 0)
      said = c.setting;
  fprintf(f, "%s: denied: syscall %s (%s) by %s: ", log_prog(), e->path, errno_name(e->error), e->by);
  if (said)
    fprintf(f, "refused by %s:%d (syscall-deny %s)", said->loc.file, said->loc.line, name);
  else
    fprintf(f, "refused by sbx's built-in system call policy (%s: %s)", name, r && r->why ? r->why : "");
  fprintf(f, "; allow with: syscall-allow %s\n", name);
}

static bool host_has(const char *path)
{
  struct stat st;
  return lstat(path, &st) == 0;
}

/* A refused path: the closest rule at or above it decides what the
 * sandbox shows there; the line that would allow the access is ro (or rw
 * for a write) of the path itself, or of its directory when the host has
 * no such file yet (a rule for a missing path mounts nothing). */
static void path_denial(FILE *f, const struct policy *pol, const struct learn_event *e)
{
  bool writes = e->op == LEARN_WRITE || e->op == LEARN_CREATE;
  struct path_rule rule;
  bool ruled = policy_path_rule(pol, e->path, &rule);
  fprintf(f, "%s: denied: %s %s (%s) by %s: ", log_prog(), learn_op_name(e->op), e->path, errno_name(e->error), e->by);
  if (ruled) {
    const struct setting *s = rule.setting;
    const char *how = rule.access == PATH_HIDE      ? "hidden by"
                      : rule.access == PATH_PRIVATE ? "an empty private directory by"
                      : e->error == EROFS           ? "read-only by"
                                                    : "not in the view, below";
    fprintf(f, "%s %s:%d (%s %s)", how, s->loc.file, s->loc.line, s->value, rule.path);
    if (rule.access != PATH_HIDE && rule.access != PATH_PRIVATE && e->error == ENOENT)
      fprintf(f, ", which showed the host's tree as it was when the sandbox started");
  } else {
    fprintf(f, "%s", e->error == EROFS ? "read-only: no rule makes it writable" : "not in the view: no rule shows it");
  }
  _cleanup_free_ char *target = xstrdup(e->path);
  if (writes && !host_has(target)) {
    char *slash = strrchr(target, '/');
    slash[slash == target ? 1 : 0] = '\0';
  }
  fprintf(f, "; allow with: %s %s\n", writes ? "rw" : "ro", target);
}

/* A built-in rule that answers ENOSYS (clone3, whose flags a filter can't
 * read) asks the app to fall back to an older call, which it then makes:
 * nothing is refused in the end, so nothing is reported. */
static bool falls_back(const struct policy *pol, const struct learn_event *e)
{
  return e->op == LEARN_SYSCALL && e->rule && e->rule->group && e->error == ENOSYS && policy_syscall_errno(pol) != ENOSYS;
}

void explain_denial(FILE *f, const struct policy *pol, const struct learn_event *e)
{
  if (falls_back(pol, e))
    return;
  if (e->op == LEARN_SYSCALL)
    syscall_denial(f, pol, e);
  else
    path_denial(f, pol, e);
  fflush(f);
}

/* A report on stderr in one write: stderr is unbuffered and the app writes
 * there too, so a line written in pieces could have the app's words land
 * inside it.  report_open gives the stream to write the line to (NULL:
 * none, nothing is said), report_close writes it out. */
static FILE *report_open(char **text, size_t *len)
{
  *text = NULL;
  *len = 0;
  return open_memstream(text, len);
}

static void report_close(FILE *f, char **text, size_t *len)
{
  /* fclose sets *text and *len last (and may move the buffer). */
  if (fclose(f) == 0 && *len > 0)
    (void)write_all(STDERR_FILENO, *text, *len);
  free(*text);
}

void explain_denial_report(void *pol, const struct learn_event *e)
{
  char *text;
  size_t len;
  FILE *f = report_open(&text, &len);
  if (!f)
    return;
  explain_denial(f, pol, e);
  report_close(f, &text, &len);
}

/* xdg-dbus-proxy's matching: "org.a.*" is org.a and every name below it,
 * anything else the name itself; a call or broadcast rule's NAME=RULE
 * names NAME. */
static bool bus_name_matches(const char *arg, const char *name)
{
  size_t len = strcspn(arg, "=");
  if (len >= 2 && arg[len - 2] == '.' && arg[len - 1] == '*')
    return strncmp(name, arg, len - 2) == 0 && (name[len - 2] == '\0' || name[len - 2] == '.');
  return strlen(name) == len && strncmp(arg, name, len) == 0;
}

/* One bus's part: its filter, and a rule on the name that gives less. */
static void bus_reason(FILE *f, const struct policy *pol, bool system, const struct bus_denial *d)
{
  const struct setting *mode = policy_bus_mode_setting(pol, system);
  const char *bus = system ? "system" : "session";
  fprintf(f, "the %s bus is filtered", bus);
  if (mode)
    fprintf(f, " by %s:%d (dbus-%s filter)", mode->loc.file, mode->loc.line, bus);
  size_t it = 0;
  struct bus_rule r;
  const struct bus_rule *less = NULL;
  struct bus_rule found;
  while (policy_next_bus_rule(pol, system, &it, &r))
    if (bus_name_matches(r.arg, d->name) && (r.verb == BUS_CALL || (int)r.verb < (int)d->need - 1)) {
      found = r;
      less = &found;
    }
  if (less)
    fprintf(f, ", and only %s:%d (dbus-%s%s %s) is said of it", less->setting->loc.file, less->setting->loc.line,
            system ? "system-" : "", bus_verb_name(less->verb), less->arg);
  else
    fprintf(f, ", and no rule names it");
}

void explain_bus_denial(FILE *f, const struct policy *pol, const struct bus_denial *d)
{
  static const char *const verbs[] = { [BUS_NEED_SEE] = "see", [BUS_NEED_TALK] = "talk", [BUS_NEED_OWN] = "own" };
  /* The log does not say which bus: the filtered one, or both. */
  bool session = policy_bus_mode(pol, false) == BUS_FILTER;
  bool system = policy_bus_mode(pol, true) == BUS_FILTER;
  if (!session && !system)
    session = true;
  fprintf(f, "%s: denied: dbus %s %s", log_prog(), verbs[d->need], d->name);
  if (d->what[0])
    fprintf(f, " (%s)", d->what);
  fprintf(f, ": ");
  if (session)
    bus_reason(f, pol, false, d);
  if (session && system)
    fprintf(f, "; or ");
  if (system)
    bus_reason(f, pol, true, d);
  fprintf(f, "; allow with: ");
  if (session)
    fprintf(f, "dbus-%s %s%s", verbs[d->need], d->name, system ? " (session bus) or " : "");
  if (system)
    fprintf(f, "dbus-system-%s %s%s", verbs[d->need], d->name, session ? " (system bus)" : "");
  fprintf(f, "\n");
  fflush(f);
}

void explain_bus_denial_report(void *pol, const struct bus_denial *d)
{
  char *text;
  size_t len;
  FILE *f = report_open(&text, &len);
  if (!f)
    return;
  explain_bus_denial(f, pol, d);
  report_close(f, &text, &len);
}
