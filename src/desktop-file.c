#include "desktop-file.h"

#include "util.h"

/* Filled in by the .desktop integration work (issue 3). */
int desktop_file_install(const char *app, const char *profile)
{
  return log_fail(ENOTSUP, "--desktop-install is not available in this build yet");
}

int desktop_file_remove(const char *app)
{
  return log_fail(ENOTSUP, "--desktop-remove is not available in this build yet");
}

int desktop_file_list(void)
{
  return log_fail(ENOTSUP, "--desktop-list is not available in this build yet");
}
