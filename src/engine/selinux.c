/* SELinux labels through libselinux.  Where SELinux is not built in or not
 * enabled the labels are a clean no-op, as they are for bubblewrap: the
 * same command line works on every host. */
#include "config.h"
#include "engine/engine.h"
#include "util/util.h"

#if HAVE_SELINUX
#include <selinux/selinux.h>
#endif

static bool selinux_on(void)
{
#if HAVE_SELINUX
  return is_selinux_enabled() > 0;
#else
  return false;
#endif
}

int label_create_files(const char *label)
{
  if (!label || !selinux_on())
    return 0;
#if HAVE_SELINUX
  if (setfscreatecon(label) < 0)
    return log_errno(errno, "Can't set SELinux file creation context %s", label);
#endif
  return 0;
}

int label_exec(const char *label)
{
  if (!label || !selinux_on())
    return 0;
#if HAVE_SELINUX
  if (setexeccon(label) < 0)
    return log_errno(errno, "Can't set SELinux exec context %s", label);
#endif
  return 0;
}

char *label_mount_opt(const char *label)
{
  if (!label || !selinux_on())
    return NULL;
  return xasprintf("\"%s\"", label);
}
