/* .desktop integration without root: per-user copies of an application's
 * .desktop file (and D-Bus service file) whose Exec lines run it through
 * sbx with its profile.  The only header main.c includes from install/. */
#pragma once

/* Write ~/.local/share/applications/APP.desktop (APP is the desktop file id,
 * e.g. "firefox-esr" or "firefox-esr.desktop") running through sbx with
 * `profile` (NULL: the profile sbx would pick for the command). */
int desktop_file_install(const char *app, const char *profile);
/* Remove a copy sbx wrote (and only such a copy). */
int desktop_file_remove(const char *app);
/* List the copies sbx wrote, with their profiles. */
int desktop_file_list(void);
