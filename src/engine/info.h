/* --info-fd and --json-status-fd: what integrators learn about a sandbox. */
#pragma once
#include <stdbool.h>
#include <sys/types.h>

#define INFO_MAX_NS 6

struct sandbox_info {
  pid_t child_pid;
  size_t n_ns;
  const char *ns_names[INFO_MAX_NS];
  unsigned long long ns_ids[INFO_MAX_NS];
};

/* Read the inode numbers of the namespaces created by clone_flags. */
void info_collect(struct sandbox_info *info, pid_t pid, unsigned long clone_flags);
/* The JSON object; pretty (one key per line) or on one line. */
char *info_to_json(const struct sandbox_info *info, bool pretty);
