/* Capabilities of the final process, through libcap. */
#include <sys/capability.h>
#include <sys/prctl.h>

#include "engine/engine.h"
#include "util/util.h"

static int read_cap_set(cap_flag_t set, uint64_t *mask)
{
  cap_t caps = cap_get_proc();
  if (!caps)
    return -errno;
  *mask = 0;
  for (cap_value_t c = 0; c < 64 && c < (cap_value_t)cap_max_bits(); c++) {
    cap_flag_value_t v;
    if (cap_get_flag(caps, c, set, &v) == 0 && v == CAP_SET)
      *mask |= 1ULL << c;
  }
  cap_free(caps);
  return 0;
}

int caps_read_effective(uint64_t *mask)
{
  return read_cap_set(CAP_EFFECTIVE, mask);
}

int caps_read_permitted(uint64_t *mask)
{
  return read_cap_set(CAP_PERMITTED, mask);
}

/* Leave exactly `keep` in the bounding, permitted and effective sets.  A
 * uid-0 app gets them back from the bounding set at execve; any other uid
 * needs them in the inheritable and ambient sets to keep them. */
int caps_apply(uint64_t keep, bool via_ambient)
{
  int last = cap_max_bits();
  /* "ALL" means all we can have: root in a container may lack some in its
   * bounding set (a fresh user namespace has every one). */
  uint64_t permitted = 0;
  cap_t cur = cap_get_proc();
  for (cap_value_t c = 0; cur && c < last && c < 64; c++) {
    cap_flag_value_t v;
    if (cap_get_flag(cur, c, CAP_PERMITTED, &v) == 0 && v == CAP_SET)
      permitted |= 1ULL << c;
  }
  if (cur)
    cap_free(cur);
  keep &= permitted;
  for (int c = 0; c < last && c < 64; c++) {
    if (keep & (1ULL << c))
      continue;
    /* Dropping needs CAP_SETPCAP (root in a container may lack it).  A
     * capability left in the bounding set could come back at an execve,
     * so failing to drop one that is there is an error, as in bubblewrap;
     * one already absent needs nothing.  Drop first and ask only when
     * that fails: one system call per capability instead of two, in the
     * usual case (a fresh user namespace, where every drop succeeds). */
    if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) == 0)
      continue;
    int e = errno;
    if (e == EINVAL)
      break; /* beyond what this kernel knows */
    if (prctl(PR_CAPBSET_READ, c, 0, 0, 0) == 0)
      continue;
    return log_errno(e, "Can't drop capability %d from the bounding set", c);
  }
  cap_t caps = cap_init();
  if (!caps)
    return log_errno(errno, "cap_init");
  for (cap_value_t c = 0; c < last && c < 64; c++) {
    if (!(keep & (1ULL << c)))
      continue;
    cap_value_t v[1] = { c };
    cap_set_flag(caps, CAP_PERMITTED, 1, v, CAP_SET);
    cap_set_flag(caps, CAP_EFFECTIVE, 1, v, CAP_SET);
    if (via_ambient)
      cap_set_flag(caps, CAP_INHERITABLE, 1, v, CAP_SET);
  }
  int r = cap_set_proc(caps);
  cap_free(caps);
  if (r < 0)
    return log_errno(errno, "Can't set capabilities");
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
    return log_errno(errno, "Can't clear ambient capabilities");
  for (int c = 0; via_ambient && c < last && c < 64; c++)
    if ((keep & (1ULL << c)) && prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0) < 0)
      return log_errno(errno, "Can't raise ambient capability %d", c);
  return 0;
}

/* For processes that never exec (the monitor, pid 1): the bounding set
 * only matters at execve, so emptying the other sets is enough. */
int caps_drop_all(void)
{
  cap_t caps = cap_init();
  if (!caps)
    return log_errno(errno, "cap_init");
  int r = cap_set_proc(caps);
  cap_free(caps);
  if (r < 0)
    return log_errno(errno, "Can't drop capabilities");
  return 0;
}
