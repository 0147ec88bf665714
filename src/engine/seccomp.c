/* Loading caller-supplied classic BPF seccomp programs (--seccomp,
 * --add-seccomp-fd).  sbx does not compile policy here; it validates and
 * installs what the integrator built. */
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>

#include "engine/engine.h"
#include "util.h"

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
