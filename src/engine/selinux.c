/* SELinux labels through libselinux.  Where SELinux is not built in or not
 * enabled the labels are a clean no-op, as they are for bubblewrap: the
 * same command line works on every host.
 *
 * libselinux is loaded (dlopen) only when a label is asked for.  Linked in,
 * it costs every start of sbx: the loader maps it and libpcre2, and its
 * constructor probes for selinuxfs (two statfs, /proc/filesystems, the
 * config file), about 0.5 ms here, a twentieth of a bare sandbox's start,
 * for an option almost no command line uses. */
#include "config.h"
#include "engine/engine.h"
#include "util/util.h"

#if HAVE_SELINUX
#include <dlfcn.h>
#include <unistd.h>

struct selinux_api {
  int (*is_selinux_enabled)(void);
  int (*setfscreatecon)(const char *);
  int (*setexeccon)(const char *);
};

/* The library, or NULL: a missing library is SELinux being off, unless
 * selinuxfs says the kernel enforces labels, which sbx would then skip. */
static const struct selinux_api *selinux_load(void)
{
  static struct selinux_api api;
  static int state; /* 0 not tried, 1 loaded, -1 absent */
  if (state == 0) {
    void *h = dlopen("libselinux.so.1", RTLD_NOW | RTLD_LOCAL);
    if (h) {
      api.is_selinux_enabled = (int (*)(void))dlsym(h, "is_selinux_enabled");
      api.setfscreatecon = (int (*)(const char *))dlsym(h, "setfscreatecon");
      api.setexeccon = (int (*)(const char *))dlsym(h, "setexeccon");
    }
    state = h && api.is_selinux_enabled && api.setfscreatecon && api.setexeccon ? 1 : -1;
  }
  return state > 0 ? &api : NULL;
}

/* 1: SELinux is on (*api to use), 0: off, -errno after a message: the
 * kernel enforces labels and the library to set them is missing. */
static int selinux_on(const struct selinux_api **api)
{
  *api = selinux_load();
  if (*api)
    return (*api)->is_selinux_enabled() > 0;
  if (access("/sys/fs/selinux/enforce", F_OK) == 0)
    return log_fail(ENOSYS, "SELinux is enabled but libselinux.so.1 can't be loaded");
  return 0;
}
#endif

int label_create_files(const char *label)
{
#if HAVE_SELINUX
  const struct selinux_api *api;
  int on = label ? selinux_on(&api) : 0;
  if (on < 0)
    return on;
  if (on && api->setfscreatecon(label) < 0)
    return log_errno(errno, "Can't set SELinux file creation context %s", label);
#endif
  return 0;
}

int label_exec(const char *label)
{
#if HAVE_SELINUX
  const struct selinux_api *api;
  int on = label ? selinux_on(&api) : 0;
  if (on < 0)
    return on;
  if (on && api->setexeccon(label) < 0)
    return log_errno(errno, "Can't set SELinux exec context %s", label);
#endif
  return 0;
}

char *label_mount_opt(const char *label)
{
#if HAVE_SELINUX
  /* An error here was reported by label_create_files, which setup calls
   * with the same label before any mount. */
  const struct selinux_api *api;
  if (label && selinux_on(&api) > 0)
    return xasprintf("\"%s\"", label);
#endif
  return NULL;
}
