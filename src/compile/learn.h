/* sbx --learn NAME [--output FILE] CMD...: the sandbox a learning run uses,
 * and the profile its record (engine/notify.h) becomes.  Policy is needed
 * for the second half: the proposal must know what the shipped includes
 * already give (base.inc) and what secrets.inc hides. */
#pragma once
#include "engine/notify.h"
#include "plan/plan.h"

/* Where the profile goes: FILE, or ${XDG_CONFIG_HOME}/sbx/profiles/NAME.profile.
 * NULL after a message when NAME is no profile name, or when the file
 * exists already (checked before the app runs; never overwritten). */
char *learn_output_path(const char *name, const char *output);

/* The permissive sandbox of a learning run: the host's whole tree
 * read-only, an empty tmpfs as the home, its own /dev and /proc, its own
 * user and pid namespaces; the host's network (what the app connects to is
 * recorded, not refused).  With bus (xdg-dbus-proxy is there), the session
 * bus through a proxy that logs the names called (plan->services). */
void learn_plan(struct plan *p, bool bus);

/* Turn the record into NAME's proposed profile at path (created, never
 * replaced).  argv: the command that was learned, for the header.
 * Returns 0 or -errno after a message. */
int learn_write_profile(const char *path, const char *name, char *const *argv, const struct learn_log *log);
