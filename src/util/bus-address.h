/* D-Bus addresses ("unix:path=/run/user/1000/bus,guid=...;unix:abstract=..."):
 * the one parser of their unix: entries, for what sbx binds, proxies,
 * warns about and connects to. */
#pragma once

#include <stdbool.h>

struct strv;

/* The unix:path= and unix:abstract= values of a D-Bus address list, in
 * order, %XX decoded: fn(value, abstract, data) for each until it returns
 * nonzero, which is returned; -EINVAL for a bad escape or an empty value,
 * -ENAMETOOLONG for one longer than a socket address holds; else 0. */
int bus_address_walk(const char *address, int (*fn)(const char *value, bool abstract, void *data), void *data);

/* The socket files an address names (its unix:path= values), added to
 * paths; abstract sockets have none.  0, or -errno as bus_address_walk. */
int bus_address_paths(const char *address, struct strv *paths);

/* The first socket file an address names, or NULL (none, or a bad
 * address). */
char *bus_address_first_path(const char *address);

/* The first abstract socket name an address names, or NULL. */
char *bus_address_abstract(const char *address);
