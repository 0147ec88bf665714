/* Unit tests for launch/cgroup-systemd.c's conversion of the plan's limits
 * (the lines for the cgroup files, as policy/limits.c makes them) into the
 * properties of a systemd scope: the values systemd is sent, without a
 * systemd.  tests/test-systemd.sh checks that a real user manager shows
 * the same values. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "launch/cgroup-systemd.h"
#include "plan/plan.h"
#include "tap.h"
#include "util/util.h"

/* A plan_cgroup holding one limit as compile writes it. */
static void add_limit(struct plan_cgroup *pc, const char *directive, const char *file, const char *value,
                      const char *device)
{
  struct plan_limit *l = ARRAY_PUSH(pc->limits, pc->n_limits, pc->cap_limits);
  l->directive = directive;
  l->file = file;
  l->controller = "x";
  l->arg = xstrdup(value);
  l->value = xstrdup(value);
  l->device = device ? xstrdup(device) : NULL;
}

static struct plan_cgroup *one(const char *directive, const char *file, const char *value, const char *device)
{
  struct plan_cgroup *pc = xcalloc(1, sizeof *pc);
  pc->name = xstrdup("t");
  add_limit(pc, directive, file, value, device);
  return pc;
}

/* The text --explain shows for one limit. */
static void text_is(const char *file, const char *value, const char *device, const char *want)
{
  struct plan_cgroup *pc = one("d", file, value, device);
  char *text = systemd_limits_text(pc);
  is_str(text, want, "%s \"%s\" -> %s", file, value, want ? want : "(refused)");
  free(text);
  plan_cgroup_free(pc);
}

static void test_numbers(void)
{
  text_is("memory.max", "67108864", NULL, "MemoryMax=67108864");
  text_is("memory.max", "max", NULL, "MemoryMax=infinity");
  text_is("memory.high", "1024", NULL, "MemoryHigh=1024");
  text_is("memory.swap.max", "0", NULL, "MemorySwapMax=0");
  text_is("cpu.weight", "200", NULL, "CPUWeight=200");
  text_is("pids.max", "50", NULL, "TasksMax=50");
  text_is("pids.max", "max", NULL, "TasksMax=infinity");
  text_is("memory.max", "12ab", NULL, NULL);
}

static void test_cpu(void)
{
  /* Quota per second of wall clock, from QUOTA PERIOD in µs. */
  text_is("cpu.max", "50000 100000", NULL, "CPUQuotaPerSecUSec=500000");
  text_is("cpu.max", "250000 100000", NULL, "CPUQuotaPerSecUSec=2500000");
  text_is("cpu.max", "1000 100000", NULL, "CPUQuotaPerSecUSec=10000");
  text_is("cpu.max", "max 100000", NULL, "CPUQuotaPerSecUSec=infinity");
  text_is("cpu.max", "50000", NULL, NULL);
  /* The CPU list back from the mask, ranges merged. */
  text_is("cpuset.cpus", "0-1,3", NULL, "AllowedCPUs=0-1,3");
  text_is("cpuset.cpus", "3,0,1,2", NULL, "AllowedCPUs=0-3");
  text_is("cpuset.cpus", "3-1", NULL, NULL);
  text_is("cpuset.cpus", "0,,1", NULL, "AllowedCPUs=0-1");
  text_is("cpuset.cpus", "65536", NULL, NULL);

  /* The mask itself: bit C%8 of byte C/8. */
  struct plan_cgroup *pc = one("cpus", "cpuset.cpus", "0-1,3,9", NULL);
  struct scope_props props = { 0 };
  ok(systemd_limit_props(pc, &props) == 0 && props.n == 1, "cpus 0-1,3,9: one property");
  ok(props.n == 1 && strcmp(props.v[0].type, "ay") == 0 && props.v[0].mask_len == 2 && props.v[0].mask[0] == 0x0b &&
         props.v[0].mask[1] == 0x02, "its mask: 0x0b 0x02");
  scope_props_free(&props);
  plan_cgroup_free(pc);
}

static void test_io(void)
{
  text_is("io.max", "8:0 rbps=1048576 wiops=max", "/srv", "IOReadBandwidthMax=/srv 1048576, IOWriteIOPSMax=/srv infinity");
  text_is("io.max", "8:0 wbps=2 riops=3", "/", "IOWriteBandwidthMax=/ 2, IOReadIOPSMax=/ 3");
  text_is("io.max", "8:0 rbps=1", NULL, NULL); /* no path: nothing to give systemd */
  text_is("io.max", "8:0 bogus=1", "/", NULL);
  text_is("io.weight", "default 300", NULL, "IOWeight=300");
  text_is("io.weight", "8:0 250", "/dev/sda", "IODeviceWeight=/dev/sda 250");

  /* Two devices for one property: two entries of one a(st). */
  struct plan_cgroup *pc = one("io-max", "io.max", "8:0 rbps=1", "/a");
  add_limit(pc, "io-max", "io.max", "8:16 rbps=2", "/b");
  struct scope_props props = { 0 };
  ok(systemd_limit_props(pc, &props) == 0 && props.n == 2, "two io-max: two entries");
  ok(props.n == 2 && strcmp(props.v[0].name, "IOReadBandwidthMax") == 0 &&
         strcmp(props.v[1].name, "IOReadBandwidthMax") == 0 && strcmp(props.v[0].path, "/a") == 0 &&
         strcmp(props.v[1].path, "/b") == 0 && props.v[0].num == 1 && props.v[1].num == 2,
     "IOReadBandwidthMax for /a and /b");
  scope_props_free(&props);
  plan_cgroup_free(pc);
}

int main(void)
{
  log_init("sbx");
  test_numbers();
  test_cpu();
  test_io();
  return tap_done();
}
