/* How settings are keyed in the policy: written by directives.c, read by
 * query.c, and nowhere else (the rest of sbx asks policy/query.h). */
#pragma once

#define KEY_PATH "path:"     /* path:/ABS -> ro|rw|persist|hide|private */
#define KEY_SOCKET "socket:" /* socket:NAME -> on|off */
#define KEY_DEVICE "device:" /* device:NAME -> on|off */
#define KEY_ENV "env:"       /* env:NAME -> set:VALUE|unset */
#define KEY_CAP "cap:"       /* cap:ALL|CAP_X -> add|drop */
/* dbus-session and dbus-system -> none|filter|full; rules are
 * dbus-session:VERB:ARG and dbus-system:VERB:ARG -> on */
#define KEY_DBUS_SESSION "dbus-session"
#define KEY_DBUS_SYSTEM "dbus-system"
/* syscall:NAME and syscall:@GROUP -> deny|allow (syscall-deny,
 * syscall-allow, allow-debugging); syscall-errno -> ENAME; syscall-filter
 * -> default|none */
#define KEY_SYSCALL "syscall:"
/* limit:DIRECTIVE (memory-max, cpu-max...) and, for a device limit,
 * limit:DIRECTIVE:PATH -> the argument as given (policy/limits.h) */
#define KEY_LIMIT "limit:"
/* forward-port:PROTO:HOSTADDR:HOSTPORT -> SANDBOXPORT (forward-port);
 * host-port:PROTO:PORT -> on (allow-host-port) */
#define KEY_FORWARD "forward-port:"
#define KEY_HOST_PORT "host-port:"
/* egress -> open|deny-local|deny-all; egress-allow:DEST[@PROTO:PORTS]... -> on */
#define KEY_EGRESS_ALLOW "egress-allow:"
