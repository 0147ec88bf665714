/* Asking the user bus one question without loading a D-Bus library. */
#pragma once

#include <stdbool.h>

/* Does NAME have an owner on the bus at ADDRESS (a D-Bus address such as
 * DBUS_SESSION_BUS_ADDRESS; NULL: the user bus at $XDG_RUNTIME_DIR/bus)?
 * 1 yes, 0 no; -errno when the bus could not say (unreachable, an address
 * form other than unix:path= or unix:abstract=, a reply not understood):
 * the caller then asks through sd-bus as before.  Prints nothing. */
int bus_name_has_owner(const char *address, const char *name);
