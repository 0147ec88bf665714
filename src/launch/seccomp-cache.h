/* sbx's own system call policy, compiled to BPF before the sandbox starts,
 * through a cache of compiled programs.
 *
 * libseccomp takes a few milliseconds per launch to probe the kernel and
 * generate the programs (one per architecture); the same rules give the
 * same programs for one libseccomp, so they are kept in
 *
 *   $XDG_RUNTIME_DIR/sbx/seccomp/HASH.bpf    0600, in a 0700 directory
 *
 * where HASH names the key: sbx's version, libseccomp's, the native
 * architecture and every rule.  The file holds the whole key as well, and
 * a program is used only when that key equals this launch's byte for byte,
 * so the hash only has to spread names, not resist collisions.  The
 * runtime directory is a tmpfs that ends with the session, and profile
 * sandboxes never see the host's (they get one of their own), so nothing
 * inside can plant a weaker program for the next launch.  A file that is
 * not exactly what this code writes (another owner, a link, other modes, a
 * different key, a malformed program) is ignored and replaced.  Without
 * $XDG_RUNTIME_DIR there is no cache: every launch compiles. */
#pragma once

#include "plan/plan.h"

/* Fill p->policy_progs from p->syscall_rules (nothing without rules):
 * from the cache when it holds them, else compiled now and stored (a
 * cache that can't be written only costs the next launch a compile).
 * Returns 0 or -errno after a message (the rules can't be compiled). */
int seccomp_policy_prepare(struct plan *p);
