/* System call filters: caller-supplied classic BPF programs (--seccomp,
 * --add-seccomp-fd), validated and installed as the integrator built them,
 * and sbx's own small policy (plan.syscall_rules, from the profile
 * compiler), compiled with libseccomp and installed just before them. */
#include <dlfcn.h>
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

/* libseccomp, loaded (dlopen) only for a plan with rules of its own: linked
 * in, every start of sbx would map and relocate it, bare sandboxes and the
 * D-Bus proxy's wrapper included, which never use it. */
struct libseccomp {
  scmp_filter_ctx (*init)(uint32_t def_action);
  void (*release)(scmp_filter_ctx ctx);
  uint32_t (*arch_native)(void);
  int (*arch_add)(scmp_filter_ctx ctx, uint32_t arch_token);
  int (*syscall_resolve_name)(const char *name);
  int (*rule_add_array)(scmp_filter_ctx ctx, uint32_t action, int syscall, unsigned int arg_cnt,
                        const struct scmp_arg_cmp *arg_array);
  int (*export_bpf)(const scmp_filter_ctx ctx, int fd);
};

static int libseccomp_load(struct libseccomp *lib)
{
  void *h = dlopen("libseccomp.so.2", RTLD_NOW | RTLD_LOCAL);
  if (!h)
    return log_fail(ENOSYS, "seccomp: can't load libseccomp.so.2: %s", dlerror());
  static const char *const names[] = { "seccomp_init", "seccomp_release", "seccomp_arch_native",
                                       "seccomp_arch_add", "seccomp_syscall_resolve_name",
                                       "seccomp_rule_add_array", "seccomp_export_bpf" };
  void **slots[] = { (void **)&lib->init, (void **)&lib->release, (void **)&lib->arch_native,
                     (void **)&lib->arch_add, (void **)&lib->syscall_resolve_name,
                     (void **)&lib->rule_add_array, (void **)&lib->export_bpf };
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (!(*slots[i] = dlsym(h, names[i])))
      return log_fail(ENOSYS, "seccomp: libseccomp.so.2 has no %s", names[i]);
  return 0;
}

/* The architectures whose system calls a process of the native one can also
 * make (an x86_64 process can enter through the i386 and x32 entry points).
 * Rules must cover them, or a 32-bit program would simply bypass them; a
 * filter without them would instead kill every 32-bit program outright. */
static void add_compat_arches(const struct libseccomp *lib, scmp_filter_ctx ctx)
{
  static const struct { uint32_t native, compat[2]; } table[] = {
    { SCMP_ARCH_X86_64, { SCMP_ARCH_X86, SCMP_ARCH_X32 } },
    { SCMP_ARCH_AARCH64, { SCMP_ARCH_ARM, 0 } },
    { SCMP_ARCH_S390X, { SCMP_ARCH_S390, 0 } },
    { SCMP_ARCH_PPC64LE, { 0, 0 } },
  };
  uint32_t native = lib->arch_native();
  for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
    for (size_t j = 0; table[i].native == native && j < 2 && table[i].compat[j]; j++)
      /* -EEXIST or a libseccomp without the arch: the native rules still hold. */
      (void)lib->arch_add(ctx, table[i].compat[j]);
}

static int add_rule(const struct libseccomp *lib, scmp_filter_ctx ctx, const struct syscall_rule *rule)
{
  int nr = lib->syscall_resolve_name(rule->name);
  if (nr == __NR_SCMP_ERROR)
    return log_fail(ENOSYS, "seccomp: unknown system call %s", rule->name);
  int r;
  if (rule->arg < 0) {
    r = lib->rule_add_array(ctx, SCMP_ACT_ERRNO((uint32_t)rule->error), nr, 0, NULL);
  } else {
    struct scmp_arg_cmp cmp = { .arg = (unsigned)rule->arg, .op = SCMP_CMP_MASKED_EQ,
                                .datum_a = rule->mask, .datum_b = rule->value };
    r = lib->rule_add_array(ctx, SCMP_ACT_ERRNO((uint32_t)rule->error), nr, 1, &cmp);
  }
  if (r < 0)
    return log_errno(r, "seccomp: can't add the rule for %s", rule->name);
  return 0;
}

/* The program as libseccomp would load it (seccomp_load generates the same
 * BPF and hands it to the kernel without flags), through a memfd since
 * libseccomp 2.5 exports only to an fd. */
static int export_prog(const struct libseccomp *lib, scmp_filter_ctx ctx, struct seccomp_prog *prog)
{
  _cleanup_close_ int fd = (int)syscall(SYS_memfd_create, "sbx-seccomp", MFD_CLOEXEC);
  if (fd < 0)
    return log_errno(errno, "seccomp: memfd_create");
  int r = lib->export_bpf(ctx, fd);
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

int seccomp_compile_rules(const struct syscall_rule *rules, size_t n, struct seccomp_prog *prog)
{
  *prog = (struct seccomp_prog){ 0 };
  if (n == 0)
    return 0;
  struct libseccomp lib;
  int r = libseccomp_load(&lib);
  if (r < 0)
    return r;
  /* Everything the rules do not name is allowed: this is a deny list on top
   * of whatever the caller's own programs allow. */
  scmp_filter_ctx ctx = lib.init(SCMP_ACT_ALLOW);
  if (!ctx)
    return log_fail(ENOMEM, "seccomp: can't create a filter");
  add_compat_arches(&lib, ctx);
  r = 0;
  for (size_t i = 0; r == 0 && i < n; i++)
    r = add_rule(&lib, ctx, &rules[i]);
  if (r == 0)
    r = export_prog(&lib, ctx, prog);
  lib.release(ctx);
  return r;
}
