/* mkbpf: write a Flatpak-like seccomp filter as raw cBPF to stdout.
 *
 * The startup benchmark passes the result to `--seccomp FD`, so both sbx
 * and bwrap load a realistically sized program. The rules imitate the
 * kind of deny-list Flatpak generates (no new user namespaces, no mount
 * syscalls, no TIOCSTI, no kernel keyring, ...); they are not meant to be
 * a security policy.
 *
 *   gcc -O2 -o mkbpf bench/mkbpf.c -lseccomp && ./mkbpf > filter.bpf
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <unistd.h>

int main(void)
{
  static const int denied[] = {
    SCMP_SYS(syslog), SCMP_SYS(uselib), SCMP_SYS(acct), SCMP_SYS(quotactl),
    SCMP_SYS(add_key), SCMP_SYS(keyctl), SCMP_SYS(request_key),
    SCMP_SYS(move_pages), SCMP_SYS(mbind), SCMP_SYS(get_mempolicy),
    SCMP_SYS(set_mempolicy), SCMP_SYS(migrate_pages),
    SCMP_SYS(unshare), SCMP_SYS(setns), SCMP_SYS(mount), SCMP_SYS(umount2),
    SCMP_SYS(pivot_root), SCMP_SYS(chroot), SCMP_SYS(open_tree),
    SCMP_SYS(move_mount), SCMP_SYS(fsopen), SCMP_SYS(fsconfig),
    SCMP_SYS(fsmount), SCMP_SYS(fspick), SCMP_SYS(mount_setattr),
    SCMP_SYS(perf_event_open), SCMP_SYS(personality), SCMP_SYS(userfaultfd),
  };
  scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
  int r = 0;

  if (ctx == NULL)
    {
      fprintf(stderr, "mkbpf: seccomp_init failed\n");
      return 1;
    }
  for (size_t i = 0; i < sizeof denied / sizeof denied[0] && r == 0; i++)
    r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), denied[i], 0);
  /* clone(CLONE_NEWUSER) and the terminal-injection ioctls. */
  if (r == 0)
    r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
                         SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_NEWUSER, CLONE_NEWUSER));
  if (r == 0)
    r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(ioctl), 1,
                         SCMP_A1(SCMP_CMP_MASKED_EQ, 0xFFFFFFFFu, TIOCSTI));
  if (r == 0)
    r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(ioctl), 1,
                         SCMP_A1(SCMP_CMP_MASKED_EQ, 0xFFFFFFFFu, TIOCLINUX));
  if (r == 0)
    r = seccomp_export_bpf(ctx, STDOUT_FILENO);
  seccomp_release(ctx);
  if (r < 0)
    {
      fprintf(stderr, "mkbpf: %s\n", r == -EFAULT ? "libseccomp internal error" : "failed");
      return 1;
    }
  return 0;
}
