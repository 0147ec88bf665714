/* compile/learn.c: a record (engine/notify.h's events, made up here) in,
 * the proposed profile's text out.  A home of its own under a temporary
 * directory, the shipped base.inc and secrets.inc from the source tree. */
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compile/learn.h"
#include "tap.h"
#include "util/util.h"

static char root[] = "/tmp/sbx-unit-learn.XXXXXX";

static char *at(const char *rel) { return xasprintf("%s/%s", root, rel); }

static void touch(const char *rel)
{
  _cleanup_free_ char *p = at(rel);
  _cleanup_free_ char *dir = xstrdup(p);
  for (char *c = dir + 1; (c = strchr(c, '/')); c++) {
    *c = '\0';
    (void)mkdir(dir, 0755);
    *c = '/';
  }
  int fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0)
    bail_out("can't make %s", p);
  close(fd);
}

static void event(struct learn_log *log, enum learn_op op, const char *rel, const char *by)
{
  char *path = rel[0] == '/' || rel[0] == '@' || strncmp(rel, "ip:", 3) == 0 ? xstrdup(rel) : at(rel);
  *ARRAY_PUSH(log->v, log->n, log->cap) = (struct learn_event){ op, path, xstrdup(by), 1 };
  log->notifications++;
}

/* The profile for log, as text (written to a new file each time). */
static char *learn(const struct learn_log *log)
{
  static int n;
  _cleanup_free_ char *out = xasprintf("%s/out%d.profile", root, n++);
  if (learn_write_profile(out, "t", (char *[]){ "app", NULL }, log) < 0)
    return xstrdup("(failed)");
  int fd = open(out, O_RDONLY | O_CLOEXEC);
  char *text = NULL;
  size_t len;
  if (fd < 0 || read_all_fd(fd, &text, &len) < 0)
    bail_out("can't read %s", out);
  close(fd);
  return text;
}

/* (engine/notify.c's learn_log_free: the engine is not linked here) */
static void log_free(struct learn_log *log)
{
  for (size_t i = 0; i < log->n; i++) {
    free(log->v[i].path);
    free(log->v[i].by);
  }
  free(log->v);
}

static bool has_line(const char *text, const char *line)
{
  size_t n = strlen(line);
  for (const char *p = text; p; p = strchr(p, '\n')) {
    if (*p == '\n')
      p++;
    if (strncmp(p, line, n) == 0 && (p[n] == '\n' || p[n] == '\0'))
      return true;
  }
  return false;
}

int main(void)
{
  if (!mkdtemp(root))
    bail_out("mkdtemp");
  _cleanup_free_ char *home = at("home");
  setenv("HOME", home, 1);
  unsetenv("XDG_CONFIG_HOME");
  unsetenv("XDG_DATA_HOME");
  unsetenv("XDG_CACHE_HOME");
  unsetenv("XDG_STATE_HOME");
  setenv("XDG_RUNTIME_DIR", "/run/user/4242", 1);
  setenv("SBX_PROFILE_PATH", SBX_SRCDIR "/profiles", 1);
  touch("home/.config/two/a");
  touch("home/.config/two/b");
  touch("home/.config/three/a");
  touch("home/.config/three/b");
  touch("home/.config/three/sub/c");
  touch("home/My Files/doc.txt");
  touch("home/.ssh/id_ed25519");
  touch("home/.config/gh/hosts.yml");
  touch("opt/tool/bin");

  struct learn_log log = { 0 };
  event(&log, LEARN_READ, "home/.config/two/a", "/usr/bin/app");
  event(&log, LEARN_READ, "home/.config/two/b", "/usr/bin/app");
  event(&log, LEARN_READ, "home/.config/three/a", "/usr/bin/app");
  event(&log, LEARN_WRITE, "home/.config/three/b", "/usr/bin/app");
  event(&log, LEARN_READ, "home/.config/three/sub/c", "/usr/bin/helper");
  event(&log, LEARN_READ, "home/My Files/doc.txt", "/usr/bin/app");
  event(&log, LEARN_READ, "home/.ssh/id_ed25519", "/usr/bin/app");
  event(&log, LEARN_READ, "home/.config/gh/hosts.yml", "/usr/bin/app");
  event(&log, LEARN_READ, "home/.config/nothere", "/usr/bin/app");
  event(&log, LEARN_READ, "/usr/lib/libc.so.6", "/usr/bin/app");
  event(&log, LEARN_WRITE, "/etc/app.conf", "/usr/bin/app");
  event(&log, LEARN_EXEC, "opt/tool/bin", "/usr/bin/app");
  event(&log, LEARN_CONNECT, "/run/user/4242/wayland-0", "/usr/bin/app");
  event(&log, LEARN_CONNECT, "@/tmp/.X11-unix/X0", "/usr/bin/app");
  event(&log, LEARN_CONNECT, "ip:192.0.2.1:443", "/usr/bin/app");
  event(&log, LEARN_CONNECT, "/run/user/4242/bus", "/usr/bin/app");
  event(&log, LEARN_CREATE, "home/.local/share/app/db", "/usr/bin/app");
  event(&log, LEARN_CREATE, "home/.local/share/app", "/usr/bin/app");
  _cleanup_free_ char *text = learn(&log);
  for (char *line = text, *end; *line; line = end + (*end != '\0')) {
    end = strchrnul(line, '\n');
    printf("# %.*s\n", (int)(end - line), line);
  }

  ok(has_line(text, "ro ${XDG_CONFIG_HOME}/two/a  # read by /usr/bin/app: 1 file"),
     "two files below one directory (under the threshold of 3): each its own line");
  ok(has_line(text, "rw ${XDG_CONFIG_HOME}/three  # read, written by /usr/bin/app, /usr/bin/helper: 3 files"),
     "three files below one directory, one deeper: the directory, rw, both programs");
  ok(!strstr(text, "three/sub"), "nothing left of a collapsed directory's files");
  ok(has_line(text, "ro \"${HOME}/My Files/doc.txt\"  # read by /usr/bin/app: 1 file"), "a path with a blank, quoted");
  ok(!has_line(text, "ro ${HOME}/.ssh/id_ed25519  # read by /usr/bin/app: 1 file") && strstr(text, "/.ssh/id_ed25519 (read by /usr/bin/app) is hidden by secrets.inc"),
     "a secret below ~/.ssh: a comment, no line");
  ok(strstr(text, "/.config/gh/hosts.yml (read by /usr/bin/app) is hidden by secrets.inc") != NULL,
     "a secret below ${XDG_CONFIG_HOME}: a comment");
  ok(!strstr(text, "nothere") && strstr(text, "# 1 paths the app looked for do not exist on the host"),
     "a path the host does not have: counted, not proposed");
  ok(!strstr(text, "libc.so.6"), "a path base.inc shows: no line");
  ok(strstr(text, "# not proposed: /etc/app.conf (write by /usr/bin/app): read-only in every sandbox") != NULL,
     "a write below /etc: a comment");
  _cleanup_free_ char *opt = xasprintf("ro %s/opt/tool/bin  # executed by /usr/bin/app: 1 file", root);
  ok(has_line(text, opt), "a program outside base.inc, executed: ro");
  ok(has_line(text, "socket wayland  # connected to /run/user/4242/wayland-0 by /usr/bin/app"), "wayland: the socket directive");
  ok(has_line(text, "socket x11  # connected to @/tmp/.X11-unix/X0 by /usr/bin/app"), "x11 (abstract): the socket directive");
  ok(has_line(text, "include network.inc  # connected to 192.0.2.1:443"), "an IP connection: network.inc");
  ok(has_line(text, "dbus-session filter  # connected to /run/user/4242/bus by /usr/bin/app; the names it talks to "
                    "are not learned: add dbus-talk lines"), "the session bus: through the proxy");
  ok(has_line(text, "persist ${XDG_DATA_HOME}/app  # created by /usr/bin/app (new: made on the host at the next start)"),
     "mkdir -p of the app's directory below a missing XDG directory: persist, once");

  /* Nothing but system files: network none, no path line. */
  struct learn_log quiet = { 0 };
  event(&quiet, LEARN_READ, "/usr/lib/libc.so.6", "/usr/bin/app");
  event(&quiet, LEARN_READ, "home", "/usr/bin/app");
  event(&quiet, LEARN_READ, "home/.config", "/usr/bin/app");
  _cleanup_free_ char *t2 = learn(&quiet);
  ok(strstr(t2, "/home (read by /usr/bin/app): all of it") && strstr(t2, "/home/.config (read by /usr/bin/app): all of it"),
     "the home and an XDG directory themselves: a comment");
  ok(has_line(t2, "network none  # no network connection seen"), "no connection: network none");
  ok(!strstr(t2, "\nro ") && !strstr(t2, "\nrw "), "no path line");

  /* An output that exists is refused before anything runs. */
  _cleanup_free_ char *taken = at("out0.profile");
  ok(learn_output_path("t", taken) == NULL, "learn_output_path: an existing file is refused");
  ok(learn_output_path("../t", NULL) == NULL, "learn_output_path: a name with a '/' is refused");
  _cleanup_free_ char *dflt = learn_output_path("fresh", NULL);
  _cleanup_free_ char *want = at("home/.config/sbx/profiles/fresh.profile");
  is_str(dflt, want, "learn_output_path: ${XDG_CONFIG_HOME}/sbx/profiles/NAME.profile");

  log_free(&log);
  log_free(&quiet);
  _cleanup_free_ char *rm = xasprintf("rm -rf '%s'", root);
  (void)!system(rm);
  return tap_done();
}
