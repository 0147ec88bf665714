/* sbx's default system call policy, and the profile's changes to it.
 *
 * A deny list, as Flatpak's: the calls below are refused, everything else
 * is allowed.  What it refuses are the kernel interfaces an app has no use
 * for and an attacker has: the ones that let it rearrange its view of the
 * files (mount, pivot_root, chroot, and nested namespaces of any kind,
 * which also open every namespace-gated kernel path), the kernel's own
 * administration (modules, reboot, kexec, swap, the log, quotas,
 * accounting), the keyring (not namespaced: it is shared with the host),
 * and the interfaces with a long record of kernel exploits that ordinary
 * apps do not use (bpf, perf_event_open, userfaultfd, io_uring, exotic
 * socket families, NUMA page migration, personality tricks).  ptrace and
 * process_vm_* are refused unless the profile allows debugging; within the
 * sandbox's pid namespace they could only reach the app's own processes,
 * but they are also the tools to tamper with a sibling app process.
 *
 * The errors: a refused call fails with EPERM (or the profile's
 * syscall-errno), except clone3 and the new mount API, which fail with
 * ENOSYS (a filter cannot look into clone3's struct, so it must be refused
 * whole, and libc falls back to clone, whose flags it can check; a mount
 * API "not implemented" makes callers fall back to mount(2), refused
 * plainly), and socket families, which fail with EAFNOSUPPORT as on a
 * kernel without them.
 *
 * The groups are what syscall-deny and syscall-allow name ("@mount"); their
 * names are policy/query.h's table. */
#include "compile/syscalls.h"

#include <errno.h>
#include <linux/sched.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/personality.h>
#include <sys/socket.h>

#include "policy/query.h"
#include "util/util.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

/* clone's flags are its first argument, except on s390, where the first
 * two arguments are swapped. */
#if defined(__s390__) || defined(__s390x__)
#define CLONE_FLAGS_ARG 1
#else
#define CLONE_FLAGS_ARG 0
#endif

/* error 0: the profile's errno (syscall-errno, default EPERM). */
#define DENY(g, name, why) { g, { name, SYSCALL_ANY, 0, 0, 0, 0, NULL, why } }
#define DENY_WITH(g, name, err, why) { g, { name, SYSCALL_ANY, 0, 0, 0, err, NULL, why } }
#define CLONE_FLAG(flag) \
  { SYSGROUP_NAMESPACES, { "clone", SYSCALL_MASKED_EQ, CLONE_FLAGS_ARG, flag, flag, 0, NULL, #flag } }
/* The kernel takes the ioctl request as a 32-bit int: a request with
 * anything in the high 32 bits is the same ioctl, so compare the low 32. */
#define IOCTL(req, why) { SYSGROUP_TTY, { "ioctl", SYSCALL_MASKED_EQ, 1, 0xffffffffu, req, 0, NULL, why } }

static const struct entry {
  enum syscall_group group;
  struct syscall_rule rule;
} table[] = {
  /* No nested namespaces.  unshare and setns whole; clone only with a
   * namespace flag (one rule a flag: a rule matches one flag pattern).
   * CLONE_NEWTIME shares its bit with clone's exit-signal byte, where a
   * value of 0x80 is no valid signal, so refusing it costs nothing. */
  DENY(SYSGROUP_NAMESPACES, "unshare", "new namespaces"),
  DENY(SYSGROUP_NAMESPACES, "setns", "joining other namespaces"),
  CLONE_FLAG(CLONE_NEWUSER),
  CLONE_FLAG(CLONE_NEWNS),
  CLONE_FLAG(CLONE_NEWPID),
  CLONE_FLAG(CLONE_NEWNET),
  CLONE_FLAG(CLONE_NEWUTS),
  CLONE_FLAG(CLONE_NEWIPC),
  CLONE_FLAG(CLONE_NEWCGROUP),
  CLONE_FLAG(CLONE_NEWTIME),
  DENY_WITH(SYSGROUP_NAMESPACES, "clone3", ENOSYS, "flags out of reach of a filter: libc falls back to clone"),
  /* The view of the files is sbx's. */
  DENY(SYSGROUP_MOUNT, "mount", "mounting"),
  DENY(SYSGROUP_MOUNT, "umount", "unmounting"),
  DENY(SYSGROUP_MOUNT, "umount2", "unmounting"),
  DENY(SYSGROUP_MOUNT, "pivot_root", "changing the root"),
  DENY(SYSGROUP_MOUNT, "chroot", "changing the root"),
  DENY_WITH(SYSGROUP_MOUNT, "open_tree", ENOSYS, "the new mount API"),
  DENY_WITH(SYSGROUP_MOUNT, "move_mount", ENOSYS, "the new mount API"),
  DENY_WITH(SYSGROUP_MOUNT, "fsopen", ENOSYS, "the new mount API"),
  DENY_WITH(SYSGROUP_MOUNT, "fsconfig", ENOSYS, "the new mount API"),
  DENY_WITH(SYSGROUP_MOUNT, "fsmount", ENOSYS, "the new mount API"),
  DENY_WITH(SYSGROUP_MOUNT, "fspick", ENOSYS, "the new mount API"),
  DENY_WITH(SYSGROUP_MOUNT, "mount_setattr", ENOSYS, "the new mount API"),
  /* The kernel keyring is not namespaced. */
  DENY(SYSGROUP_KEYRING, "keyctl", "the kernel keyring"),
  DENY(SYSGROUP_KEYRING, "add_key", "the kernel keyring"),
  DENY(SYSGROUP_KEYRING, "request_key", "the kernel keyring"),
  /* The kernel's own administration. */
  DENY(SYSGROUP_MODULE, "init_module", "loading kernel modules"),
  DENY(SYSGROUP_MODULE, "finit_module", "loading kernel modules"),
  DENY(SYSGROUP_MODULE, "delete_module", "unloading kernel modules"),
  DENY(SYSGROUP_REBOOT, "reboot", "rebooting"),
  DENY(SYSGROUP_REBOOT, "kexec_load", "booting another kernel"),
  DENY(SYSGROUP_REBOOT, "kexec_file_load", "booting another kernel"),
  DENY(SYSGROUP_SWAP, "swapon", "swap"),
  DENY(SYSGROUP_SWAP, "swapoff", "swap"),
  DENY(SYSGROUP_SYSTEM, "syslog", "the kernel log"),
  DENY(SYSGROUP_SYSTEM, "acct", "process accounting"),
  DENY(SYSGROUP_SYSTEM, "quotactl", "disk quotas"),
  /* Interfaces with a record of kernel exploits and no use in an app. */
  DENY(SYSGROUP_BPF, "bpf", "eBPF programs and maps"),
  DENY(SYSGROUP_USERFAULTFD, "userfaultfd", "user page-fault handling (stalls the kernel mid-copy)"),
  DENY(SYSGROUP_IO_URING, "io_uring_setup", "io_uring"),
  DENY(SYSGROUP_IO_URING, "io_uring_enter", "io_uring"),
  DENY(SYSGROUP_IO_URING, "io_uring_register", "io_uring"),
  DENY(SYSGROUP_NUMA, "mbind", "NUMA memory policy"),
  DENY(SYSGROUP_NUMA, "get_mempolicy", "NUMA memory policy"),
  DENY(SYSGROUP_NUMA, "set_mempolicy", "NUMA memory policy"),
  DENY(SYSGROUP_NUMA, "migrate_pages", "NUMA page migration"),
  DENY(SYSGROUP_NUMA, "move_pages", "NUMA page migration"),
  DENY(SYSGROUP_CPU_EMULATION, "modify_ldt", "the x86 local descriptor table"),
  DENY(SYSGROUP_OBSOLETE, "uselib", "a.out shared libraries"),
  /* Debugging: allow-debugging yes (syscall-allow @debug) keeps them. */
  DENY(SYSGROUP_DEBUG, "ptrace", "tracing processes"),
  DENY(SYSGROUP_DEBUG, "process_vm_readv", "reading another process's memory"),
  DENY(SYSGROUP_DEBUG, "process_vm_writev", "writing another process's memory"),
  DENY(SYSGROUP_DEBUG, "perf_event_open", "performance counters"),
  /* TIOCSTI pushes bytes into a terminal's input queue as if typed, and
   * the app shares the caller's terminal (no new session, so that job
   * control and an interactive shell keep working): without this rule it
   * could type commands into the caller's shell, which runs them outside
   * the sandbox (kernels before 6.2, and later ones with
   * dev.tty.legacy_tiocsti).  TIOCLINUX can paste a virtual console's
   * selection the same way. */
  IOCTL(TIOCSTI, "TIOCSTI: typing into the caller's terminal"),
  IOCTL(TIOCLINUX, "TIOCLINUX: pasting into a virtual console"),
};

/* personality(2) other than PER_LINUX (0) and the query 0xffffffff: other
 * personalities switch off ASLR (ADDR_NO_RANDOMIZE), make mmap at 0
 * readable (READ_IMPLIES_EXEC, MMAP_PAGE_ZERO) or emulate other systems.
 * A rule may compare an argument once, and libseccomp has no masked "not
 * equal", so "neither 0 nor 0xffffffff" is spelt as a union: anything above
 * 32 bits, and for the low 32 bits "some bit set and some bit clear", which
 * holds exactly when for some i bit i is set and bit i+1 (mod 32) clear
 * (going round the bits, a value with both kinds changes from 1 to 0
 * somewhere).  33 rules, all on personality, which nothing calls often. */
static void add_personality(struct plan *p, int error)
{
  const char *why = "personalities other than PER_LINUX and the query 0xffffffff";
  plan_add_syscall_rule(p, &(struct syscall_rule){ "personality", SYSCALL_GT, 0, 0, 0xffffffffu, error,
                                                   syscall_group_name(SYSGROUP_CPU_EMULATION), why });
  for (unsigned i = 0; i < 32; i++) {
    uint64_t set = 1ull << i, clear = 1ull << ((i + 1) % 32);
    plan_add_syscall_rule(p, &(struct syscall_rule){ "personality", SYSCALL_MASKED_EQ, 0, set | clear, set, error,
                                                     syscall_group_name(SYSGROUP_CPU_EMULATION), why });
  }
}

/* socket(2) families other than unix, inet, inet6 and netlink (and
 * AF_UNSPEC, which fails by itself): each gap below AF_MAX has its own
 * rule, and one rule takes AF_MAX and above.  The kernel reads the family
 * as an int (the low 32 bits), and the last rule compares all 64: a value
 * with high bits set, whatever its low bits, is above AF_MAX and refused.
 * Bluetooth and CAN have groups of their own, so a profile can grant them
 * (syscall-allow @bluetooth). */
static void add_socket_families(struct plan *p, const bool *group_on)
{
  static const int allowed[] = { AF_UNSPEC, AF_UNIX, AF_INET, AF_INET6, AF_NETLINK };
  const char *why = "families other than unix, inet, inet6 and netlink";
  for (int f = 0; f < AF_MAX; f++) {
    bool ok = false;
    for (size_t i = 0; i < sizeof allowed / sizeof allowed[0]; i++)
      ok |= allowed[i] == f;
    enum syscall_group g = f == AF_BLUETOOTH ? SYSGROUP_BLUETOOTH : f == AF_CAN ? SYSGROUP_CAN : SYSGROUP_SOCKET_FAMILIES;
    if (ok || !group_on[g])
      continue;
    plan_add_syscall_rule(p, &(struct syscall_rule){ "socket", SYSCALL_EQ, 0, 0, (uint64_t)f, EAFNOSUPPORT,
                                                     syscall_group_name(g),
                                                     g == SYSGROUP_BLUETOOTH ? "AF_BLUETOOTH"
                                                     : g == SYSGROUP_CAN     ? "AF_CAN"
                                                                             : why });
  }
  if (group_on[SYSGROUP_SOCKET_FAMILIES])
    plan_add_syscall_rule(p, &(struct syscall_rule){ "socket", SYSCALL_GE, 0, 0, AF_MAX, EAFNOSUPPORT,
                                                     syscall_group_name(SYSGROUP_SOCKET_FAMILIES), why });
}

/* Whether the profile names the call `name` in a syscall-allow or a
 * syscall-deny: either way the table's rules for it do not apply (a
 * syscall-deny refuses the whole call, and libseccomp refuses a rule for
 * the whole call next to rules on its arguments with another action). */
static bool call_named(const struct policy *pol, const char *name)
{
  size_t it = 0;
  struct syscall_choice c;
  while (policy_next_syscall(pol, &it, &c))
    if (strcmp(c.name, name) == 0)
      return true;
  return false;
}

/* The order of precedence: a call named in syscall-deny/allow, then a
 * group named, then the default (on for a profile sandbox unless
 * "syscall-filter none", off for a bubblewrap-style command line unless
 * "syscall-filter default").  So "syscall-allow @debug" with
 * "syscall-deny ptrace" still refuses ptrace. */
void syscalls_compile(const struct policy *pol, struct plan *p, bool profile)
{
  enum syscall_filter filter = policy_syscall_filter(pol);
  bool on = profile ? filter != SYSCALL_FILTER_NONE
                    : filter == SYSCALL_FILTER_DEFAULT || filter == SYSCALL_FILTER_ALLOWLIST;
  int error = policy_syscall_errno(pol);
  if (error == 0)
    error = EPERM;

  bool group_on[N_SYSCALL_GROUPS];
  for (int g = 0; g < N_SYSCALL_GROUPS; g++)
    group_on[g] = on;
  size_t it = 0;
  struct syscall_choice c;
  while (policy_next_syscall(pol, &it, &c)) {
    int g = c.name[0] == '@' ? syscall_group_from_name(c.name) : -1;
    if (g >= 0)
      group_on[g] = !c.allow;
  }

  for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
    const struct entry *e = &table[i];
    if (!group_on[e->group] || call_named(pol, e->rule.name))
      continue;
    struct syscall_rule r = e->rule;
    r.group = syscall_group_name(e->group);
    if (r.error == 0)
      r.error = error;
    plan_add_syscall_rule(p, &r);
  }
  if (group_on[SYSGROUP_CPU_EMULATION] && !call_named(pol, "personality"))
    add_personality(p, error);
  if (!call_named(pol, "socket"))
    add_socket_families(p, group_on);

  /* The profile's own: the whole call, whatever the table says of it. */
  it = 0;
  while (policy_next_syscall(pol, &it, &c)) {
    if (c.allow || c.name[0] == '@')
      continue;
    plan_add_syscall_rule(p, &(struct syscall_rule){ plan_syscall_string(p, c.name), SYSCALL_ANY, 0, 0, 0, error,
                                                     NULL, "the profile's syscall-deny" });
  }

  /* The allowlist lets through every call the table or a rule names,
   * refused or not: the rules decide those. */
  if (filter == SYSCALL_FILTER_ALLOWLIST) {
    syscalls_allowlist(pol, p);
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
      syscalls_allowlist_add(p, table[i].rule.name);
    for (size_t i = 0; i < p->n_syscall_rules; i++)
      syscalls_allowlist_add(p, p->syscall_rules[i].name);
  }
}
