/* The systemd way to a cgroup of one's own: ask the user's service
 * manager for a transient scope with Delegate=yes holding sbx itself
 * (StartTransientUnit over the user bus, sd-bus from libsystemd, loaded
 * at run time), as crun and Flatpak do.  Once the job is done, sbx's own
 * cgroup is delegated and the cgroupfs code goes on from there (the leaf,
 * the sandbox's child cgroup, the limits).
 *
 * The sandbox's limits go to systemd as properties of the scope
 * (MemoryMax, CPUQuotaPerSecUSec, AllowedCPUs, TasksMax, IOReadBandwidthMax
 * ...): systemd writes them into the scope's cgroup, which holds sbx and,
 * below it, the sandbox's cgroup.  sbx writes none of them itself then
 * (docs/cgroup-systemd.md says why: one source of truth, the one
 * `systemctl --user show/set-property` sees and changes).
 *
 * systemd is reached over its private socket ($XDG_RUNTIME_DIR/systemd/
 * private, as systemctl --user does), else over the user bus.  Tested
 * against a real `systemd --user` in tests/test-systemd.sh. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "plan/plan.h"

/* A limit as a unit property: NAME is a property of
 * org.freedesktop.systemd1.Scope, with the D-Bus type "t" (num), "ay"
 * (AllowedCPUs: mask, a bit per CPU) or "a(st)" (the IO device limits:
 * one (path, num) per property). */
struct scope_prop {
  const char *name;
  const char *type;   /* "t", "ay", "a(st)" */
  uint64_t num;       /* t, a(st); UINT64_MAX: no limit ("max", "infinity") */
  const char *path;   /* a(st): the device as given */
  uint8_t *mask;      /* ay */
  size_t mask_len;
};
struct scope_props {
  struct scope_prop *v;
  size_t n, cap;
};
void scope_props_free(struct scope_props *p);

/* pc's limits as properties of the scope (the cgroup files' values, from
 * the plan, converted: "Q P" of cpu.max to a quota per second...).  0, or
 * -EINVAL after a message naming the limit. */
int systemd_limit_props(const struct plan_cgroup *pc, struct scope_props *out);
/* The same as "MemoryMax=67108864, AllowedCPUs=0-1, IOReadBandwidthMax=/dev/sda
 * 1048576...", for --explain
 * (NULL: no limits, or one that can't be converted). */
char *systemd_limits_text(const struct plan_cgroup *pc);

/* Is there a manager's socket or a user bus to ask ($XDG_RUNTIME_DIR/
 * systemd/private, $DBUS_SESSION_BUS_ADDRESS or $XDG_RUNTIME_DIR/bus), and
 * sbx built with sd-bus?  Cheap: no bus traffic. */
bool systemd_scope_possible(void);

/* Move sbx into a new scope app-sbx-NAME-PID.scope (Delegate=yes, pc's
 * limits as its properties) and wait for systemd to have made it.  0;
 * -ENOTCONN/-ENOSYS (no library, no bus, no manager on it: the caller goes
 * on without, *why says so); other -errno after a message (a property
 * systemd refused: no scope is made). */
int systemd_enter_scope(const struct plan_cgroup *pc, char **why);
