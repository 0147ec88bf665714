/* Resource-limit directives: see limits.h. */
#include "policy/limits.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "util/util.h"

static const struct limit_kind kinds[] = {
  { "memory-max", "memory", "memory.max", "SIZE|max", "memory limit: past it the kernel reclaims, then kills (OOM) inside the sandbox" },
  { "memory-high", "memory", "memory.high", "SIZE|max", "memory throttle: past it the sandbox is slowed and reclaimed hard" },
  { "memory-swap-max", "memory", "memory.swap.max", "SIZE|max", "swap the sandbox may use" },
  { "cpu-max", "cpu", "cpu.max", "CPUS|max", "CPU time, as a number of CPUs (0.5: half of one, 2: two)" },
  { "cpu-weight", "cpu", "cpu.weight", "1-10000", "CPU share against sibling cgroups (default 100)" },
  { "cpus", "cpuset", "cpuset.cpus", "LIST", "the CPUs the sandbox may run on (e.g. 0-1,3)" },
  { "pids-max", "pids", "pids.max", "N|max", "most processes and threads at once (a fork bomb stays contained)" },
  { "io-max", "io", "io.max", "PATH rbps=N wbps=N riops=N wiops=N",
    "bandwidth (bytes/s, K/M/G) and operations per second for the disk PATH is (or is on)", true },
  { "io-weight", "io", "io.weight", "[PATH] 1-10000", "I/O share against sibling cgroups (default 100), for every disk or one", true },
};

const struct limit_kind *limit_kinds(size_t *n)
{
  *n = sizeof kinds / sizeof kinds[0];
  return kinds;
}

const struct limit_kind *limit_kind_find(const char *directive)
{
  for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
    if (strcmp(kinds[i].directive, directive) == 0)
      return &kinds[i];
  return NULL;
}

/* "512M", "2G", "4096" (bytes), with binary K/M/G/T suffixes as the
 * cgroup and systemd documentation use them. */
static int parse_size(const char *s, uint64_t *out)
{
  char *end;
  if (!isdigit((unsigned char)*s))
    return -EINVAL;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno)
    return -EINVAL;
  unsigned shift = 0;
  if (*end) {
    const char *units = "KMGT";
    const char *u = strchr(units, toupper((unsigned char)*end));
    if (!u || end[1] != '\0')
      return -EINVAL;
    shift = 10 * (unsigned)(u - units + 1);
  }
  if (shift && v > (UINT64_MAX >> shift))
    return -EINVAL;
  *out = (uint64_t)v << shift;
  return 0;
}

static int size_value(const char *arg, char **value)
{
  uint64_t v;
  if (strcmp(arg, "max") == 0) {
    *value = xstrdup("max");
    return 0;
  }
  if (parse_size(arg, &v) < 0)
    return -EINVAL;
  *value = xasprintf("%llu", (unsigned long long)v);
  return 0;
}

/* cpu.max is "QUOTA PERIOD" in microseconds; a fraction of one CPU over
 * the kernel's default period of 100 ms.  At most 3 decimals (1 ms of
 * quota: the kernel's minimum). */
static int cpu_max_value(const char *arg, char **value)
{
  if (strcmp(arg, "max") == 0) {
    *value = xstrdup("max 100000");
    return 0;
  }
  unsigned long long whole = 0, frac = 0, scale = 1000;
  const char *c = arg;
  if (!isdigit((unsigned char)*c))
    return -EINVAL;
  for (; isdigit((unsigned char)*c); c++) {
    whole = whole * 10 + (unsigned)(*c - '0');
    if (whole > 1000000)
      return -EINVAL;
  }
  if (*c == '.') {
    c++;
    if (!isdigit((unsigned char)*c))
      return -EINVAL;
    for (; isdigit((unsigned char)*c); c++) {
      if (scale == 1)
        return -EINVAL;
      scale /= 10;
      frac += (unsigned)(*c - '0') * scale * 100;
    }
  }
  unsigned long long quota = whole * 100000 + frac;
  if (*c || quota < 1000)
    return -EINVAL;
  *value = xasprintf("%llu 100000", quota);
  return 0;
}

static int number_value(const char *arg, unsigned long long lo, unsigned long long hi, bool max_ok, char **value)
{
  unsigned long long v;
  if (max_ok && strcmp(arg, "max") == 0) {
    *value = xstrdup("max");
    return 0;
  }
  if (parse_uint(arg, &v) < 0 || v < lo || v > hi)
    return -EINVAL;
  *value = xasprintf("%llu", v);
  return 0;
}

/* "0-3,5": what cpuset.cpus takes; the kernel checks the CPUs exist. */
static int cpus_value(const char *arg, char **value)
{
  if (!*arg || strspn(arg, "0123456789,-") != strlen(arg) || !isdigit((unsigned char)arg[0]))
    return -EINVAL;
  *value = xstrdup(arg);
  return 0;
}

/* "rbps=10M wbps=max riops=100": each key once, sizes for the bandwidths. */
static int io_max_value(const char *spec, char **value)
{
  static const char *const keys[] = { "rbps", "wbps", "riops", "wiops" };
  _cleanup_free_ char *copy = xstrdup(spec);
  struct buf out = { 0 };
  unsigned seen = 0;
  char *save = NULL;
  for (char *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
    char *eq = strchr(w, '=');
    size_t k;
    for (k = 0; eq && k < 4; k++)
      if (strlen(keys[k]) == (size_t)(eq - w) && strncmp(w, keys[k], (size_t)(eq - w)) == 0)
        break;
    _cleanup_free_ char *v = NULL;
    if (!eq || k == 4 || (seen & (1u << k)) || size_value(eq + 1, &v) < 0) {
      buf_free(&out);
      return -EINVAL;
    }
    seen |= 1u << k;
    buf_printf(&out, "%s%s=%s", out.n ? " " : "", keys[k], v);
  }
  if (!seen)
    return -EINVAL;
  *value = buf_steal(&out);
  return 0;
}

static int device_limit(const struct limit_kind *k, const char *arg, char **value, char **device, const char **why)
{
  const char *sp = strchr(arg, ' ');
  bool io_max = strcmp(k->file, "io.max") == 0;
  if (arg[0] != '/' && !io_max) { /* io-weight N: every disk */
    *why = "expected [PATH] WEIGHT, the weight 1 to 10000";
    return number_value(arg, 1, 10000, false, value);
  }
  *why = io_max ? "expected PATH rbps=N wbps=N riops=N wiops=N (at least one; N a number, K/M/G, or max)"
                : "expected [PATH] WEIGHT, the weight 1 to 10000";
  if (arg[0] != '/' || !sp)
    return -EINVAL;
  const char *rest = sp + strspn(sp, " ");
  int r = io_max ? io_max_value(rest, value) : number_value(rest, 1, 10000, false, value);
  if (r == 0)
    *device = xasprintf("%.*s", (int)(sp - arg), arg);
  return r;
}

int limit_parse(const struct limit_kind *k, const char *arg, char **value, char **device, const char **why)
{
  *value = *device = NULL;
  const char *f = k->file;
  if (k->device)
    return device_limit(k, arg, value, device, why);
  if (strncmp(f, "memory.", 7) == 0) {
    *why = "expected a size in bytes with an optional K, M, G or T suffix (e.g. 512M), or max";
    return size_value(arg, value);
  }
  if (strcmp(f, "cpu.max") == 0) {
    *why = "expected a number of CPUs, e.g. 0.5 or 2 (at least 0.01, at most 3 decimals), or max";
    return cpu_max_value(arg, value);
  }
  if (strcmp(f, "cpu.weight") == 0) {
    *why = "expected a weight from 1 to 10000";
    return number_value(arg, 1, 10000, false, value);
  }
  if (strcmp(f, "pids.max") == 0) {
    *why = "expected a number of processes (at least 1), or max";
    return number_value(arg, 1, 4194304, true, value);
  }
  *why = "expected a CPU list, e.g. 0-1,3";
  return cpus_value(arg, value);
}
