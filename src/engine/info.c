#include "engine/info.h"

#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "util/util.h"

/* Alphabetical, as bubblewrap writes them; the user namespace is never
 * reported. */
static const struct {
  const char *name;
  unsigned long flag;
} ns_table[] = {
  { "cgroup", CLONE_NEWCGROUP }, { "ipc", CLONE_NEWIPC }, { "mnt", CLONE_NEWNS },
  { "net", CLONE_NEWNET },       { "pid", CLONE_NEWPID }, { "uts", CLONE_NEWUTS },
};

void info_collect(struct sandbox_info *info, pid_t pid, unsigned long clone_flags)
{
  memset(info, 0, sizeof *info);
  info->child_pid = pid;
  for (size_t i = 0; i < sizeof ns_table / sizeof ns_table[0]; i++) {
    if (!(clone_flags & ns_table[i].flag))
      continue;
    char path[64];
    struct stat st;
    snprintf(path, sizeof path, "/proc/%d/ns/%s", (int)pid, ns_table[i].name);
    if (stat(path, &st) < 0)
      continue;
    info->ns_names[info->n_ns] = ns_table[i].name;
    info->ns_ids[info->n_ns++] = (unsigned long long)st.st_ino;
  }
}

char *info_to_json(const struct sandbox_info *info, bool pretty)
{
  char buf[1024];
  const char *sep = pretty ? ",\n    " : ", ";
  int n = snprintf(buf, sizeof buf, pretty ? "{\n    \"child-pid\": %d" : "{ \"child-pid\": %d", (int)info->child_pid);
  for (size_t i = 0; i < info->n_ns; i++)
    n += snprintf(buf + n, sizeof buf - n, "%s\"%s-namespace\": %llu", sep, info->ns_names[i], info->ns_ids[i]);
  snprintf(buf + n, sizeof buf - n, pretty ? "\n}\n" : " }\n");
  return xstrdup(buf);
}
