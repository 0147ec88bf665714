/* sbx's own system call policy: the built-in default (one table, in
 * syscalls.c) and the profile's syscall-* directives, compiled into
 * plan.syscall_rules. */
#pragma once

#include <stdbool.h>

#include "plan/plan.h"
#include "policy/policy.h"

/* profile: a profile sandbox, which gets the default policy unless the
 * policy says "syscall-filter none"; else (a bubblewrap-style command
 * line) only with "syscall-filter default" (--seccomp-default).  Either
 * way the policy's syscall-deny/syscall-allow apply on top. */
void syscalls_compile(const struct policy *pol, struct plan *p, bool profile);

/* syscall-filter allowlist (syscall-allowlist.c): the built-in list and the
 * profile's syscall-allow names into plan.syscall_allowlist. */
void syscalls_allowlist(const struct policy *pol, struct plan *p);
/* One name more (once; name must outlive the plan or be its string). */
void syscalls_allowlist_add(struct plan *p, const char *name);
