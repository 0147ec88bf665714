/* The D-Bus service override: a per-user service file for a
 * DBusActivatable app whose Exec goes through sbx too. */
#pragma once

#include <stdbool.h>

#include "install/keyfile.h"

struct service {
  char *path; /* the original service file */
  char *data; /* its contents */
};

void service_clear(struct service *s);

/* A well-known bus name (D-Bus Specification, "Bus names")? */
bool is_bus_name(const char *s);
/* Is the service file at path one sbx wrote?  1 yes, 0 no, or -errno
 * without printing (-ENOENT when absent). */
int service_written_by_sbx(const char *path, char **profile, char **original);
/* The *.service files in dir, sorted; NULL when it can't be read. */
char **service_files(const char *dir);
/* The service file the session bus would use for bus, in the first of dirs
 * that has one.  1 found (in *svc), 0 not. */
int find_service(char **dirs, const char *bus, struct service *svc);
/* May we write dir/BUS.service (dest)?  Prints why not.  Sets *ours when an
 * earlier override of ours is there. */
int check_service_dest(const char *dir, const char *bus, const char *dest, bool *ours);
/* Our override of svc into out, Exec prefixed by exec_prefix. */
int service_rewrite(const struct service *svc, const char *exec_prefix, const char *profile_value, struct buf *out);
