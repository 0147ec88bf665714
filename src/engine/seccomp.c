/* System call filters: caller-supplied classic BPF programs (--seccomp,
 * --add-seccomp-fd), validated and installed as the integrator built them,
 * and sbx's own small policy (plan.syscall_rules, from the profile
 * compiler), compiled with libseccomp and installed just before them. */
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "engine/engine.h"
#include "util/util.h"

int seccomp_read_fd(int fd, struct seccomp_prog *prog)
{
  char *data;
  size_t len;
  int r = read_all_fd(fd, &data, &len);
  if (r < 0)
    return log_errno(r, "Can't read seccomp data");
  if (len == 0 || len % 8 != 0) {
    free(data);
    return log_fail(EINVAL, "Invalid seccomp data, must be multiple of 8");
  }
  if (len / 8 > BPF_MAXINSNS) {
    free(data);
    return log_fail(EINVAL, "Invalid seccomp data, more than %d instructions", BPF_MAXINSNS);
  }
  prog->data = data;
  prog->len = len;
  return 0;
}

int seccomp_apply(const struct seccomp_prog *progs, size_t n)
{
  for (size_t i = 0; i < n; i++) {
    struct sock_fprog fprog = { .len = (unsigned short)(progs[i].len / 8), .filter = progs[i].data };
    if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fprog) != 0) {
      if (errno == EINVAL)
        return log_errno(errno, "Unable to set up system call filtering as requested: the program is invalid or the kernel lacks CONFIG_SECCOMP_FILTER");
      return log_errno(errno, "Unable to set up system call filtering as requested");
    }
  }
  return 0;
}

/* The architectures whose system calls a process of the native one can also
 * make (an x86_64 process can enter through the i386 and x32 entry points).
 * Rules must cover them, or a 32-bit program would simply bypass them; a
 * filter that left them to libseccomp's default would instead kill every
 * 32-bit program outright.  0-terminated. */
static const uint32_t *compat_arches(void)
{
  static const struct { uint32_t native, compat[3]; } table[] = {
    { SCMP_ARCH_X86_64, { SCMP_ARCH_X86, SCMP_ARCH_X32, 0 } },
    { SCMP_ARCH_AARCH64, { SCMP_ARCH_ARM, 0 } },
    { SCMP_ARCH_S390X, { SCMP_ARCH_S390, 0 } },
  };
  static const uint32_t none[] = { 0 };
  uint32_t native = seccomp_arch_native();
  for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
    if (table[i].native == native)
      return table[i].compat;
  return none;
}

/* One rule, for the filter's one architecture.  A call that architecture
 * does not have (x32 has no uselib, i386 no kexec_file_load) is skipped;
 * on the native one it is an error.  A rule on an argument is added
 * exactly: given a rule on socket's family, libseccomp would otherwise
 * also refuse i386's socketcall(SYS_SOCKET) whole, whose arguments are in
 * memory where no filter can read them, and so every socket of a 32-bit
 * program that uses socketcall, AF_UNIX included.  (As in Flatpak, the
 * family rules there hold for the direct socket call only.) */
static int add_rule_action(scmp_filter_ctx ctx, uint32_t arch, bool native, uint32_t action, const struct syscall_rule *rule)
{
  /* libseccomp takes the native number and translates it for the
   * filter's architecture. */
  int nr = seccomp_syscall_resolve_name(rule->name);
  if (nr == __NR_SCMP_ERROR)
    return log_fail(ENOSYS, "seccomp: unknown system call %s", rule->name);
  if (!native && seccomp_syscall_resolve_name_arch(arch, rule->name) == __NR_SCMP_ERROR)
    return 0;
  static const enum scmp_compare ops[] = {
    [SYSCALL_MASKED_EQ] = SCMP_CMP_MASKED_EQ, [SYSCALL_EQ] = SCMP_CMP_EQ,
    [SYSCALL_GE] = SCMP_CMP_GE, [SYSCALL_GT] = SCMP_CMP_GT,
  };
  int r;
  if (rule->cmp == SYSCALL_ANY) {
    r = seccomp_rule_add(ctx, action, nr, 0);
  } else {
    /* MASKED_EQ takes the mask in datum_a and the value in datum_b. */
    struct scmp_arg_cmp cmp = { .arg = rule->arg, .op = ops[rule->cmp] };
    cmp.datum_a = rule->cmp == SYSCALL_MASKED_EQ ? rule->mask : rule->value;
    cmp.datum_b = rule->cmp == SYSCALL_MASKED_EQ ? rule->value : 0;
    r = seccomp_rule_add_exact_array(ctx, action, nr, 1, &cmp);
    if (r < 0 && !native)
      return 0; /* a multiplexed call (socketcall): see above */
  }
  if (r < 0)
    return log_errno(r, "seccomp: can't add the rule for %s", rule->name);
  return 0;
}

static int add_rule(scmp_filter_ctx ctx, uint32_t arch, bool native, const struct syscall_rule *rule)
{
  return add_rule_action(ctx, arch, native, SCMP_ACT_ERRNO((uint32_t)rule->error), rule);
}

int seccomp_add_policy_rule(void *ctx, uint32_t action, const struct syscall_rule *rule)
{
  return add_rule_action(ctx, seccomp_arch_native(), true, action, rule);
}

/* The program as libseccomp would load it (seccomp_load generates the same
 * BPF and hands it to the kernel without flags), read back through a memfd:
 * libseccomp 2.5 exports only to an fd. */
static int export_prog(scmp_filter_ctx ctx, struct seccomp_prog *prog)
{
  _cleanup_close_ int fd = (int)syscall(SYS_memfd_create, "sbx-seccomp", MFD_CLOEXEC);
  if (fd < 0)
    return log_errno(errno, "seccomp: memfd_create");
  int r = seccomp_export_bpf(ctx, fd);
  if (r < 0)
    return log_errno(r, "seccomp: can't generate sbx's system call policy");
  if (lseek(fd, 0, SEEK_SET) < 0)
    return log_errno(errno, "seccomp: lseek");
  size_t len;
  r = read_all_fd(fd, (char **)&prog->data, &len);
  if (r < 0)
    return log_errno(r, "seccomp: can't read sbx's system call policy back");
  prog->len = len;
  return 0;
}

/* A filter for one architecture (*arch 0: the native one, set to its
 * number here) with `action` for every call no rule names.  A call made
 * through another architecture's entry point is the other filters' to
 * judge, so this one allows it (SCMP_FLTATR_ACT_BADARCH): one filter per
 * architecture is what lets every rule be added exactly (above).  *ctx is
 * NULL (and the return 0) where libseccomp lacks the architecture: no
 * program for it. */
static int arch_filter_new(uint32_t action, uint32_t *arch, scmp_filter_ctx *ctx)
{
  *ctx = seccomp_init(action);
  if (!*ctx)
    return log_fail(ENOMEM, "seccomp: can't create a filter");
  if (*arch == 0) {
    *arch = seccomp_arch_native();
  } else if (seccomp_arch_add(*ctx, *arch) < 0 || seccomp_arch_remove(*ctx, SCMP_ARCH_NATIVE) < 0) {
    seccomp_release(*ctx);
    *ctx = NULL;
    return 0;
  }
  int r = seccomp_attr_set(*ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_ALLOW);
  if (r < 0) {
    seccomp_release(*ctx);
    *ctx = NULL;
    return log_errno(r, "seccomp: can't set up a filter");
  }
  return 0;
}

/* The rules' filter for one architecture (0: the native one); no program
 * (prog->data NULL) where libseccomp lacks the architecture. */
static int compile_arch_filter(const struct syscall_rule *rules, size_t n, uint32_t arch, struct seccomp_prog *prog)
{
  *prog = (struct seccomp_prog){ 0 };
  bool native = arch == 0;
  scmp_filter_ctx ctx;
  int r = arch_filter_new(SCMP_ACT_ALLOW, &arch, &ctx);
  if (r < 0 || !ctx)
    return r;
  for (size_t i = 0; r == 0 && i < n; i++)
    r = add_rule(ctx, arch, native, &rules[i]);
  if (r == 0)
    r = export_prog(ctx, prog);
  seccomp_release(ctx);
  return r;
}

/* The allowlist's filter for one architecture (0: the native one):
 * ENOSYS for every call but those named.  As for the rules, libseccomp
 * takes the native number (or its own negative one for a call only other
 * architectures have) and translates it; a name this architecture lacks
 * is skipped, and on another architecture so is a call libseccomp can't
 * express there. */
static int compile_arch_allowlist(const char *const *names, size_t n, uint32_t arch, struct seccomp_prog *prog)
{
  *prog = (struct seccomp_prog){ 0 };
  bool native = arch == 0;
  scmp_filter_ctx ctx;
  int r = arch_filter_new(SCMP_ACT_ERRNO(ENOSYS), &arch, &ctx);
  if (r < 0 || !ctx)
    return r;
  for (size_t i = 0; r == 0 && i < n; i++) {
    int nr = seccomp_syscall_resolve_name(names[i]);
    if (nr == __NR_SCMP_ERROR || seccomp_syscall_resolve_name_arch(arch, names[i]) == __NR_SCMP_ERROR)
      continue;
    r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
    if (r < 0 && !native)
      r = 0;
    else if (r < 0)
      log_errno(r, "seccomp: can't allow %s", names[i]);
  }
  if (r == 0)
    r = export_prog(ctx, prog);
  seccomp_release(ctx);
  return r;
}

/* The rules' programs (or, with allowlist, the allowlist's), one per
 * architecture, native first, appended to progs. */
static int compile_each_arch(const struct plan *p, bool allowlist, struct seccomp_prog *progs, size_t *n_progs)
{
  uint32_t arches[SECCOMP_MAX_ARCH_PROGS / 2] = { 0 };
  size_t n_arches = 1;
  for (const uint32_t *a = compat_arches(); *a && n_arches < sizeof arches / sizeof arches[0]; a++)
    arches[n_arches++] = *a;
  for (size_t i = 0; i < n_arches; i++) {
    struct seccomp_prog *prog = &progs[*n_progs];
    int r = allowlist ? compile_arch_allowlist(p->syscall_allowlist, p->n_syscall_allowlist, arches[i], prog)
                      : compile_arch_filter(p->syscall_rules, p->n_syscall_rules, arches[i], prog);
    if (r < 0)
      return r;
    if (prog->data)
      (*n_progs)++;
  }
  return 0;
}

int seccomp_compile_policy(const struct plan *p, struct seccomp_prog *progs, size_t *n_progs)
{
  *n_progs = 0;
  int r = 0;
  if (p->n_syscall_rules > 0)
    r = compile_each_arch(p, false, progs, n_progs);
  if (r == 0 && p->n_syscall_allowlist > 0)
    r = compile_each_arch(p, true, progs, n_progs);
  return r;
}
