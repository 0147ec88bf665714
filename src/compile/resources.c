/* Resources: which cgroup and limits a sandbox gets.  See resources.h. */
#include "compile/resources.h"

#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "policy/limits.h"
#include "policy/query.h"
#include "util/util.h"

/* io.max and io.weight take a whole disk's MAJ:MIN: a partition's is
 * refused by the kernel.  /sys/dev/block/MAJ:MIN of a partition has a
 * "partition" file and sits in its disk's directory, whose "dev" names the
 * disk. */
static void whole_disk(dev_t *dev)
{
  char path[PATH_MAX];
  snprintf(path, sizeof path, "/sys/dev/block/%u:%u/partition", major(*dev), minor(*dev));
  if (access(path, F_OK) < 0)
    return;
  snprintf(path, sizeof path, "/sys/dev/block/%u:%u/../dev", major(*dev), minor(*dev));
  FILE *f = fopen(path, "re");
  unsigned ma, mi;
  if (f && fscanf(f, "%u:%u", &ma, &mi) == 2)
    *dev = makedev(ma, mi);
  if (f)
    fclose(f);
}

/* The disk a device limit applies to: PATH itself when it is a block
 * device, else the disk PATH's file system is on. */
static int device_of(const struct limit_setting *l, dev_t *dev)
{
  const struct setting *s = l->setting;
  struct stat st;
  if (stat(l->device, &st) < 0)
    return log_errno(errno, "%s:%d: %s: can't look at %s", s->loc.file, s->loc.line, l->kind->directive, l->device);
  *dev = S_ISBLK(st.st_mode) ? st.st_rdev : st.st_dev;
  char sys[64];
  snprintf(sys, sizeof sys, "/sys/dev/block/%u:%u", major(*dev), minor(*dev));
  if (major(*dev) == 0 || access(sys, F_OK) < 0)
    return log_fail(EINVAL, "%s:%d: %s: %s is not a block device and not on one (device %u:%u)", s->loc.file,
                    s->loc.line, l->kind->directive, l->device, major(*dev), minor(*dev));
  whole_disk(dev);
  return 0;
}

static int compile_limit(struct plan_cgroup *c, const struct limit_setting *l)
{
  _cleanup_free_ char *value = NULL, *device = NULL;
  const char *why = "";
  const struct setting *s = l->setting;
  if (limit_parse(l->kind, l->arg, &value, &device, &why) < 0) /* checked by the directive */
    return log_fail(EINVAL, "%s:%d: %s: \"%s\": %s", s->loc.file, s->loc.line, l->kind->directive, l->arg, why);
  struct plan_limit *pl = ARRAY_PUSH(c->limits, c->n_limits, c->cap_limits);
  pl->directive = l->kind->directive;
  pl->controller = l->kind->controller;
  pl->file = l->kind->file;
  pl->arg = xstrdup(l->arg);
  if (l->kind->device && l->device) {
    dev_t dev;
    int r = device_of(l, &dev);
    if (r < 0)
      return r;
    pl->value = xasprintf("%u:%u %s", major(dev), minor(dev), value);
    pl->device = xstrdup(l->device);
  } else if (l->kind->device) {
    pl->value = xasprintf("default %s", value);
  } else {
    pl->value = steal_ptr(&value);
  }
  return 0;
}

/* The NAME in sbx-NAME-ID: the name directive, else the profile's name,
 * else the command's. */
static char *cgroup_name(const struct policy *pol, const struct plan *p)
{
  const char *name = policy_name(pol);
  if (name)
    return xstrdup(name);
  if (pol->profile_name)
    return xstrdup(pol->profile_name);
  const char *cmd = p->argv && p->argv[0] ? p->argv[0] : "sandbox";
  const char *slash = strrchr(cmd, '/');
  cmd = slash ? slash + 1 : cmd;
  /* The name goes into a directory name: keep what the name directive
   * allows. */
  char *out = xstrdup(*cmd ? cmd : "sandbox");
  for (char *o = out; *o; o++)
    if (!((*o >= 'a' && *o <= 'z') || (*o >= 'A' && *o <= 'Z') || (*o >= '0' && *o <= '9') || *o == '-' ||
          *o == '_' || *o == '.'))
      *o = '_';
  return out;
}

int compile_resources(const struct policy *pol, struct plan *p, bool profile)
{
  enum policy_switch ns = policy_cgroup_namespace(pol);
  size_t it = 0;
  struct limit_setting l;
  bool limited = policy_next_limit(pol, &it, &l);
  if (profile)
    p->unshare_cgroup_try = ns != POLICY_SWITCH_OFF;
  else if (ns == POLICY_SWITCH_ON)
    p->unshare_cgroup_try = true;
  if (!profile && !limited && !policy_name(pol))
    return 0; /* bubblewrap's behaviour: the caller's cgroup, untouched */
  struct plan_cgroup *c = xcalloc(1, sizeof *c);
  p->cgroup = c;
  c->name = cgroup_name(pol, p);
  c->named = policy_name(pol) != NULL;
  c->profile = pol->profile_name ? xstrdup(pol->profile_name) : NULL;
  c->ns = profile ? ns != POLICY_SWITCH_OFF : ns == POLICY_SWITCH_ON || (p->unshare & CLONE_NEWCGROUP) ||
                                                    p->unshare_cgroup_try;
  it = 0;
  while (policy_next_limit(pol, &it, &l)) {
    int r = compile_limit(c, &l);
    if (r < 0)
      return r;
  }
  return 0;
}
