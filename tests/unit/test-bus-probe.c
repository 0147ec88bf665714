/* launch/bus-probe.c against a real dbus-daemon: the answers, the address
 * forms it reads (path with escapes, abstract, a list, the user bus by
 * default) and the ones it leaves to sd-bus. */
#include "launch/bus-probe.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"
#include "util/util.h"

/* A dbus-daemon --session listening on listen; its address as printed. */
static char *start_daemon(const char *listen, pid_t *pid)
{
  int p[2];
  if (pipe(p) < 0)
    bail_out("pipe: %s", strerror(errno));
  *pid = fork();
  if (*pid == 0) {
    dup2(p[1], 3);
    _cleanup_free_ char *arg = xasprintf("--address=%s", listen);
    execlp("dbus-daemon", "dbus-daemon", "--session", "--nofork", "--nopidfile", "--print-address=3", arg,
           (char *)NULL);
    _exit(127);
  }
  close(p[1]);
  char buf[512];
  ssize_t n = read(p[0], buf, sizeof buf - 1);
  close(p[0]);
  if (n <= 0)
    return NULL;
  buf[n] = '\0';
  buf[strcspn(buf, "\n")] = '\0';
  return xstrdup(buf);
}

static void stop_daemon(pid_t pid)
{
  kill(pid, SIGTERM);
  waitpid(pid, NULL, 0);
}

int main(void)
{
  if (system("command -v dbus-daemon >/dev/null") != 0) {
    printf("1..0 # SKIP no dbus-daemon\n");
    return 0;
  }
  char dir[] = "/tmp/sbx-bus-probe-XXXXXX";
  if (!mkdtemp(dir))
    bail_out("mkdtemp: %s", strerror(errno));
  /* A directory name the address must escape. */
  _cleanup_free_ char *odd = xasprintf("%s/a b,c", dir);
  mkdir(odd, 0700);

  pid_t pid;
  _cleanup_free_ char *listen = xasprintf("unix:path=%s/a%%20b%%2cc/bus", dir);
  _cleanup_free_ char *addr = start_daemon(listen, &pid);
  if (!addr)
    bail_out("dbus-daemon did not start on %s", listen);
  ok(strstr(addr, "%20") || strstr(addr, "%2c"), "the daemon's address has escapes: %s", addr);
  ok(bus_name_has_owner(addr, "org.freedesktop.DBus") == 1, "the bus's own name has an owner");
  ok(bus_name_has_owner(addr, "org.freedesktop.systemd1") == 0, "no systemd manager on a bare bus");
  _cleanup_free_ char *list = xasprintf("tcp:host=localhost,port=1;%s", addr);
  ok(bus_name_has_owner(list, "org.freedesktop.DBus") == 1, "the first unix entry of a list is used");
  setenv("XDG_RUNTIME_DIR", odd, 1);
  ok(bus_name_has_owner(NULL, "org.freedesktop.DBus") == 1, "no address: $XDG_RUNTIME_DIR/bus");
  stop_daemon(pid);
  ok(bus_name_has_owner(addr, "org.freedesktop.DBus") < 0, "a bus that is gone: can't say");

  _cleanup_free_ char *abstract = xasprintf("unix:abstract=%s/abstract", dir);
  _cleanup_free_ char *addr2 = start_daemon(abstract, &pid);
  if (!addr2)
    bail_out("dbus-daemon did not start on %s", abstract);
  ok(bus_name_has_owner(addr2, "org.freedesktop.DBus") == 1, "an abstract address: %s", addr2);
  ok(bus_name_has_owner(addr2, "org.example.Nobody") == 0, "an unowned name on it");
  stop_daemon(pid);

  ok(bus_name_has_owner("tcp:host=localhost,port=1", "x.y") == -EAFNOSUPPORT, "tcp: left to sd-bus");
  ok(bus_name_has_owner("unix:path=/x%zz", "x.y") == -EINVAL, "a bad escape");
  ok(bus_name_has_owner("unix:path=", "x.y") < 0, "an empty path");
  unsetenv("XDG_RUNTIME_DIR");
  ok(bus_name_has_owner(NULL, "x.y") == -ENOENT, "no address and no XDG_RUNTIME_DIR");

  _cleanup_free_ char *rm = xasprintf("rm -rf '%s'", dir);
  if (system(rm) != 0)
    printf("# could not remove %s\n", dir);
  return tap_done();
}
