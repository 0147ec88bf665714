/* The systemd way to a cgroup of one's own: ask the user's service
 * manager for a transient scope with Delegate=yes holding sbx itself
 * (StartTransientUnit over the user bus, sd-bus from libsystemd, loaded
 * at run time), as crun and Flatpak do.  Once the job is done, sbx's own
 * cgroup is delegated and the cgroupfs code goes on from there (the leaf,
 * the sandbox's child cgroup, the limits).
 *
 * systemd is reached over its private socket ($XDG_RUNTIME_DIR/systemd/
 * private, as systemctl --user does), else over the user bus.  Tested
 * against a real `systemd --user` in tests/test-systemd.sh. */
#pragma once

#include <stdbool.h>

/* Is there a manager's socket or a user bus to ask ($XDG_RUNTIME_DIR/
 * systemd/private, $DBUS_SESSION_BUS_ADDRESS or $XDG_RUNTIME_DIR/bus), and
 * sbx built with sd-bus?  Cheap: no bus traffic. */
bool systemd_scope_possible(void);

/* Move sbx into a new scope app-sbx-NAME-PID.scope (Delegate=yes) and
 * wait for systemd to have made it.  0; -ENOTCONN/-ENOSYS (no library, no
 * bus, no manager on it: the caller goes on without, *why says so); other
 * -errno after a message. */
int systemd_enter_scope(const char *name, char **why);
