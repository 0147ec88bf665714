#include "compile/desktop.h"

#include <dirent.h>
#include <grp.h>
#include <stdint.h>
#include <stdlib.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "compile/docportal.h"
#include "policy/query.h"
#include "util/util.h"

/* The host's runtime dir path of a member, and the same member in the
 * sandbox's runtime dir. */
static char *host_rt(const struct compile_ctx *cc, const char *member)
{
  return cc->host_runtime_dir ? xasprintf("%s/%s", cc->host_runtime_dir, member) : NULL;
}

static int pulseaudio(struct compile_ctx *cc)
{
  const char *server = plan_getenv(cc->plan, "PULSE_SERVER");
  _cleanup_free_ char *host = NULL;
  if (server && strncmp(server, "unix:", 5) == 0)
    host = xstrdup(server + 5);
  else
    host = host_rt(cc, "pulse/native");
  if (!host || !is_socket(host)) {
    notes_add(cc->notes, "pulseaudio: no server socket found; not connected");
    return 0;
  }
  _cleanup_free_ char *sock = xasprintf("%s/pulse/native", cc->sandbox_runtime_dir);
  _cleanup_free_ char *conf = xasprintf("%s/pulse/config", cc->sandbox_runtime_dir);
  _cleanup_free_ char *env = xasprintf("unix:%s", sock);
  static const char client_conf[] = "# written by sbx: shared memory would bypass the socket\nenable-shm = no\n";
  pb_bind(&cc->ops, ACCESS_RO, host, sock, false);
  pb_data(&cc->ops, conf, client_conf, sizeof client_conf - 1, 0444, true);
  plan_setenv(cc->plan, "PULSE_SERVER", env);
  plan_setenv(cc->plan, "PULSE_CLIENTCONFIG", conf);
  notes_add(cc->notes, "pulseaudio: %s -> %s (shared memory off)", host, sock);
  return 0;
}

static int simple_socket(struct compile_ctx *cc, const char *what, const char *host, const char *inside,
                         const char *env, const char *env_value)
{
  if (!host || !is_socket(host)) {
    notes_add(cc->notes, "%s: no socket at %s; not connected", what, host ? host : "(unset)");
    return 0;
  }
  pb_bind(&cc->ops, ACCESS_RO, host, inside, false);
  /* Noted before the variable is set: host may be the plan's own copy of
   * that variable (SSH_AUTH_SOCK), which plan_setenv frees. */
  notes_add(cc->notes, "%s: %s -> %s", what, host, inside);
  if (env)
    plan_setenv(cc->plan, env, env_value);
  return 0;
}

/* Connect one socket the policy asks for.  A switch without default: a
 * socket added to POLICY_SOCKETS does not build until it is handled here. */
static int socket_connect(struct compile_ctx *cc, enum policy_socket s)
{
  switch (s) {
  case SOCKET_X11:
    return desktop_x11(cc);
  case SOCKET_WAYLAND:
    return desktop_wayland(cc);
  case SOCKET_PULSEAUDIO:
    return pulseaudio(cc);
  case SOCKET_PIPEWIRE: {
    _cleanup_free_ char *host = host_rt(cc, "pipewire-0");
    _cleanup_free_ char *inside = xasprintf("%s/pipewire-0", cc->sandbox_runtime_dir);
    return simple_socket(cc, "pipewire", host, inside, NULL, NULL);
  }
  case SOCKET_SSH_AGENT: {
    const char *host = plan_getenv(cc->plan, "SSH_AUTH_SOCK");
    _cleanup_free_ char *inside = xasprintf("%s/ssh-agent", cc->sandbox_runtime_dir);
    return simple_socket(cc, "ssh-agent", host, inside, "SSH_AUTH_SOCK", inside);
  }
  case SOCKET_CUPS:
    return simple_socket(cc, "cups", "/run/cups/cups.sock", "/run/cups/cups.sock", NULL, NULL);
  case N_SOCKETS:
    break;
  }
  return 0;
}

/* What a socket the policy does not ask for leaves in the sandbox. */
static void socket_absent(struct compile_ctx *cc, enum policy_socket s)
{
  if (s == SOCKET_WAYLAND) {
    /* No Wayland: toolkits go straight to X11 instead of looking for a
     * socket that isn't there (or using an inherited WAYLAND_SOCKET fd). */
    plan_unsetenv(cc->plan, "WAYLAND_DISPLAY");
    plan_unsetenv(cc->plan, "WAYLAND_SOCKET");
  }
}

static int sockets(struct compile_ctx *cc)
{
  /* Never show the host's X sockets wholesale, even where /tmp is visible. */
  pb_tmpfs(&cc->ops, "/tmp/.X11-unix", 0755);
  for (enum policy_socket s = 0; s < N_SOCKETS; s++) {
    if (!policy_socket_on(cc->pol, s)) {
      socket_absent(cc, s);
      continue;
    }
    int r = socket_connect(cc, s);
    if (r < 0)
      return r;
  }
  return 0;
}

/* Device nodes by group.  Only nodes that exist are bound. */
static void bind_dev(struct compile_ctx *cc, const char *path)
{
  struct stat st;
  if (lstat(path, &st) == 0)
    pb_bind(&cc->ops, ACCESS_DEV, path, path, true);
}

/* The names in the host's /dev, read once per compile (a profile that
 * asks for GPUs, cameras and security keys would otherwise stat ~200
 * nodes that mostly don't exist). */
struct dev_names {
  bool read;
  struct strv names;
};

static void dev_names_read(struct dev_names *dn)
{
  if (dn->read)
    return;
  dn->read = true;
  DIR *d = opendir("/dev");
  if (!d)
    return; /* no /dev: no nodes to bind */
  struct dirent *de;
  while ((de = readdir(d)))
    strv_add(&dn->names, de->d_name);
  closedir(d);
}

/* NAME0 ... NAME63 (as "%s%d" spells them), in that order. */
static void bind_dev_prefix(struct compile_ctx *cc, struct dev_names *dn, const char *prefix)
{
  dev_names_read(dn);
  const char *stem = prefix + strlen("/dev/");
  size_t len = strlen(stem);
  uint64_t present = 0;
  for (size_t i = 0; i < dn->names.n; i++) {
    const char *name = dn->names.v[i];
    if (strncmp(name, stem, len) != 0)
      continue;
    const char *num = name + len;
    size_t digits = strspn(num, "0123456789");
    if (digits == 0 || digits > 2 || num[digits] != '\0' || (num[0] == '0' && digits > 1))
      continue; /* not what "%d" of 0..63 spells */
    int n = atoi(num);
    if (n < 64)
      present |= 1ULL << n;
  }
  for (int i = 0; i < 64; i++) {
    if (!(present & (1ULL << i)))
      continue;
    char path[64];
    snprintf(path, sizeof path, "%s%d", prefix, i);
    bind_dev(cc, path);
  }
}

/* The nodes of one device group.  A switch without default, as for the
 * sockets: a new group in POLICY_DEVICES must say its nodes here. */
static void bind_device_group(struct compile_ctx *cc, struct dev_names *dn, enum policy_device d)
{
  switch (d) {
  case DEVICE_DRI: {
    bind_dev(cc, "/dev/dri");
    static const char *const gpu[] = { "/dev/nvidiactl", "/dev/nvidia-uvm", "/dev/nvidia-uvm-tools",
                                       "/dev/nvidia-modeset", "/dev/kfd", "/dev/udmabuf", "/dev/mali0" };
    for (size_t i = 0; i < sizeof gpu / sizeof gpu[0]; i++)
      bind_dev(cc, gpu[i]);
    bind_dev_prefix(cc, dn, "/dev/nvidia");
    break;
  }
  case DEVICE_SOUND:
    bind_dev(cc, "/dev/snd");
    break;
  case DEVICE_VIDEO:
    bind_dev_prefix(cc, dn, "/dev/video");
    bind_dev_prefix(cc, dn, "/dev/media");
    break;
  case DEVICE_INPUT:
    bind_dev(cc, "/dev/input");
    bind_dev(cc, "/dev/uinput");
    break;
  case DEVICE_U2F:
    bind_dev_prefix(cc, dn, "/dev/hidraw");
    break;
  case DEVICE_ALL: /* all of /dev: devices() binds it instead of any group */
  case N_DEVICES:
    break;
  }
}

static int devices(struct compile_ctx *cc)
{
  if (policy_device_on(cc->pol, DEVICE_ALL)) {
    pb_bind(&cc->ops, ACCESS_DEV, "/dev", "/dev", false);
    notes_add(cc->notes, "devices: all of the host's /dev");
    return 0;
  }
  char list[256] = "";
  struct dev_names dn = { 0 };
  for (enum policy_device d = 0; d < N_DEVICES; d++) {
    if (d == DEVICE_ALL || !policy_device_on(cc->pol, d))
      continue;
    bind_device_group(cc, &dn, d);
    snprintf(list + strlen(list), sizeof list - strlen(list), " %s", device_name(d));
  }
  strv_clear(&dn.names);
  notes_add(cc->notes, "devices: null zero full random urandom tty pts shm%s", list);
  return 0;
}

/* /etc/passwd and /etc/group naming only the user (and nobody): other
 * accounts on the host are none of the app's business. */
static int identity(struct compile_ctx *cc)
{
  if (!cc_path_visible(cc, "/etc"))
    return 0;
  struct passwd *pw = getpwuid(cc->uid);
  struct group *gr = getgrgid(cc->gid);
  const char *user = pw ? pw->pw_name : "user";
  _cleanup_free_ char *passwd = xasprintf("%s:x:%u:%u:%s:%s:%s\nnobody:x:65534:65534:Unmapped user:/nonexistent:/usr/sbin/nologin\n",
                                          user, cc->uid, cc->gid, pw && pw->pw_gecos ? pw->pw_gecos : "",
                                          cc->home, pw && pw->pw_shell ? pw->pw_shell : "/bin/sh");
  _cleanup_free_ char *group = xasprintf("%s:x:%u:%s\nnogroup:x:65534:\n", gr ? gr->gr_name : user, cc->gid, user);
  if (cc->uid == 0) {
    free(passwd);
    passwd = xasprintf("root:x:0:0:root:%s:/bin/sh\nnobody:x:65534:65534:Unmapped user:/nonexistent:/usr/sbin/nologin\n", cc->home);
  }
  pb_data(&cc->ops, "/etc/passwd", passwd, strlen(passwd), 0644, true);
  pb_data(&cc->ops, "/etc/group", group, strlen(group), 0644, true);
  notes_add(cc->notes, "identity: /etc/passwd and /etc/group list only %s and nobody", user);
  return 0;
}

int desktop_compile(struct compile_ctx *cc)
{
  int r;
  if ((r = sockets(cc)) < 0 || (r = devices(cc)) < 0 || (r = identity(cc)) < 0 || (r = desktop_dbus(cc)) < 0 ||
      (r = desktop_docportal(cc)) < 0)
    return r;
  return 0;
}
