/* --desktop-install, --desktop-remove and --desktop-list: .desktop
 * integration without root (the per-user half of firecfg --fix).
 *
 * A desktop file ID (APP.desktop) found first in $XDG_DATA_HOME/applications
 * shadows the same ID in every $XDG_DATA_DIRS/applications, for menus, MIME
 * associations (mimeinfo.cache names IDs, not paths) and autostart alike.  So
 * a per-user copy whose Exec lines go through sbx is all it takes to sandbox
 * an app everywhere the desktop launches it -- no symlinks in /usr/local/bin,
 * no root.  For a DBusActivatable app, a per-user D-Bus service file does
 * the same for activation of its bus name.  The two files are written,
 * replaced and removed together.
 *
 * This file only orchestrates; the pieces are:
 *   xdg.c          where the files live, desktop file IDs, bus names
 *   keyfile.c      reading and walking key files, the output buffer
 *   exec.c         the Exec key: checking it, prefixing it with sbx
 *   entry.c        the .desktop copy: finding the original, rewriting it
 *   service.c      the D-Bus service override
 *   profile-ref.c  which profile the Exec line names (reads policy/)
 *   change.c       writing and removing files all together or not at all
 *   session-bus.c  asking the session bus to reload its service files */
#include "install/install.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "install/change.h"
#include "install/entry.h"
#include "install/exec.h"
#include "install/keyfile.h"
#include "install/profile-ref.h"
#include "install/service.h"
#include "install/session-bus.h"
#include "install/xdg.h"
#include "util/util.h"

/* Everything one --desktop-install works with, freed by install_clear. */
struct install {
  char *id, *home, *sbx;    /* the desktop file ID, data home, our own path */
  char *dir, *dest;         /* the applications directory and our copy */
  char *bus, *sdir, *sname; /* the bus name, our service directory, file */
  char *sdest;              /* our service override */
  struct source src;
  struct service svc;
  char **argv;          /* the main Exec line, split */
  const char *program;  /* the program it runs (base name, in argv) */
  char *value, *shown;  /* the profile: as written, as shown */
  char *missing;        /* why a DBusActivatable app gets no override */
  struct buf prefix;    /* "SBX --profile VALUE -- " */
  struct buf out, sout; /* the new entry and service file */
  struct buf note;      /* what became of the D-Bus service, for the entry */
  bool dbus_activatable, found, old_override;
  struct change changes[2];
  size_t n_changes;
  struct strv made; /* directories created, taken back on failure */
};

static char *self_path(void)
{
  char buf[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0)
    return NULL;
  buf[n] = '\0';
  if (n > 10 && strcmp(buf + n - 10, " (deleted)") == 0)
    return NULL;
  return xstrdup(buf);
}

static int no_data_home(void)
{
  return log_fail(EINVAL, "neither XDG_DATA_HOME nor HOME is set to an absolute path");
}

static int install_paths(struct install *in, const char *app)
{
  in->home = data_home();
  in->sbx = self_path();
  int r = desktop_id(app, &in->id);
  if (r < 0)
    return r;
  if (!in->home)
    return no_data_home();
  if (!in->sbx)
    return log_fail(ENOENT, "Can't find sbx's own path (/proc/self/exe)");
  in->dir = xasprintf("%s/applications", in->home);
  in->dest = xasprintf("%s/%s", in->dir, in->id);
  in->bus = bus_name_of(in->id);
  in->sdir = service_dir(in->home);
  in->sname = xasprintf("%s.service", in->bus);
  in->sdest = xasprintf("%s/%s", in->sdir, in->sname);
  return 0;
}

/* The original entry, and the program its main Exec line runs. */
static int install_read_source(struct install *in)
{
  int r = find_source(in->id, in->dest, &in->src);
  if (r < 0 || (r = source_check(&in->src)) < 0)
    return r;
  if (exec_split(in->src.main_exec, &in->argv) < 0 || !exec_program(in->argv))
    return log_fail(EINVAL, "%s: Exec=%s: not a valid command line", in->src.path, in->src.main_exec);
  in->program = base_name(exec_program(in->argv));
  if (strcmp(in->program, "sbx") == 0 || strcmp(in->program, "bwrap") == 0)
    return log_fail(EINVAL, "%s already runs %s; nothing to do", in->src.path, in->program);
  return 0;
}

/* The profile, and the prefix every Exec line gets. */
static int install_prefix(struct install *in, const char *profile)
{
  int r = resolve_profile(profile, in->program, &in->value, &in->shown);
  if (r < 0 || (r = exec_word(&in->prefix, in->sbx, "sbx's path")) < 0)
    return r;
  buf_puts(&in->prefix, " --profile ");
  if ((r = exec_word(&in->prefix, in->value, "the profile")) < 0)
    return r;
  buf_puts(&in->prefix, " -- ");
  return 0;
}

/* The D-Bus service: overridden for a DBusActivatable app, and kept up to
 * date (or removed with the original) once we have overridden it. */
static int install_find_service(struct install *in)
{
  _cleanup_free_ char *activatable = main_group_value(in->src.data, "DBusActivatable");
  in->dbus_activatable = activatable && strcmp(activatable, "true") == 0;
  if (!is_bus_name(in->bus)) {
    if (in->dbus_activatable)
      in->missing = xasprintf("%s is not a D-Bus name, so no service file can start it", in->bus);
    return 0;
  }
  in->old_override = service_written_by_sbx(in->sdest, NULL, NULL) == 1;
  if (!in->dbus_activatable && !in->old_override)
    return 0;
  int r = check_service_dest(in->sdir, in->bus, in->sdest, &in->old_override);
  if (r < 0)
    return r;
  _cleanup_strv_ char **sdirs = data_dirs("dbus-1/services", false);
  in->found = find_service(sdirs, in->bus, &in->svc) == 1;
  if (!in->found && in->dbus_activatable) {
    _cleanup_free_ char *searched = join_dirs(sdirs);
    in->missing = xasprintf("no D-Bus service file for %s in %s, nothing to override", in->bus, searched);
  }
  return 0;
}

/* The comment that replaces DBusActivatable=true ends with this. */
static void install_note(struct install *in)
{
  if (in->found) {
    buf_puts(&in->note, "# Activating the name stays sandboxed too: sbx also wrote\n# ../dbus-1/services/");
    buf_puts(&in->note, in->sname);
    buf_puts(&in->note, ", a D-Bus service file whose Exec runs\n"
                        "# the app through sbx, and which the session bus reads before the app's.\n");
  } else if (in->dbus_activatable && is_bus_name(in->bus)) {
    buf_puts(&in->note, "# No D-Bus service file for ");
    buf_puts(&in->note, in->bus);
    buf_puts(&in->note, " was found when this was written,\n"
                        "# so none is overridden; if the app gets one, run sbx --desktop-install\n"
                        "# again.\n");
  } else if (in->dbus_activatable) {
    buf_puts(&in->note, "# (The file name is not a D-Bus name, so nothing can activate the app.)\n");
  }
}

/* Prepare both files, then put them in place together. */
static int install_commit(struct install *in)
{
  int r;
  if (in->found) {
    if ((r = mkdir_parents(in->sdir, &in->made)) < 0 ||
        (r = change_write(&in->changes[in->n_changes++], in->sdir, in->sname, in->sout.s, in->sout.n)) < 0)
      return r;
  } else if (in->old_override) {
    change_remove(&in->changes[in->n_changes++], in->sdest);
  }
  if ((r = mkdir_parents(in->dir, &in->made)) < 0 ||
      (r = change_write(&in->changes[in->n_changes++], in->dir, in->id, in->out.s, in->out.n)) < 0)
    return r;
  return commit_all(in->changes, in->n_changes);
}

static void install_report(const struct install *in)
{
  printf("%s: runs %s with profile %s (from %s)%s%s\n", in->dest, in->program, in->shown, in->src.path,
         in->missing ? "; DBusActivatable=true, but " : "", in->missing ? in->missing : "");
  if (in->found)
    printf("%s: D-Bus activation of %s runs it with profile %s too (from %s)\n", in->sdest, in->bus, in->shown,
           in->svc.path);
  else if (in->old_override)
    printf("removed %s: %s has no D-Bus service any more\n", in->sdest, in->bus);
  fflush(stdout);
}

/* After a failure, the directories we made go too. */
static void install_clear(struct install *in, int r)
{
  for (size_t i = 0; i < in->n_changes; i++)
    change_finish(&in->changes[i]);
  if (r < 0)
    rmdir_made(&in->made);
  strv_free(in->made.v);
  strv_free(in->argv);
  char *strs[] = { in->id, in->home, in->sbx, in->dir, in->dest, in->bus, in->sdir, in->sname, in->sdest,
                   in->value, in->shown, in->missing, in->prefix.s, in->out.s, in->sout.s, in->note.s };
  for (size_t i = 0; i < sizeof strs / sizeof *strs; i++)
    free(strs[i]);
  source_clear(&in->src);
  service_clear(&in->svc);
}

int desktop_file_install(const char *app, const char *profile)
{
  struct install in = { 0 };
  int r = install_paths(&in, app);
  if (r < 0 || (r = install_read_source(&in)) < 0 || (r = install_prefix(&in, profile)) < 0 ||
      (r = install_find_service(&in)) < 0)
    goto out;
  if (in.found && (r = service_rewrite(&in.svc, in.prefix.s, in.value, &in.sout)) < 0)
    goto out;
  install_note(&in);
  r = entry_rewrite(&in.src, in.prefix.s, in.value, in.note.s ? in.note.s : "", &in.out);
  if (r < 0 || (r = install_commit(&in)) < 0)
    goto out;
  install_report(&in);
  if (in.found || in.old_override)
    reload_session_bus(in.sdest);
out:
  install_clear(&in, r);
  return r;
}

/* "Ours" (1), "not ours" (0) or absent (-ENOENT); other errors printed. */
static int check_ours(int r, const char *path)
{
  if (r < 0 && r != -ENOENT)
    return log_errno(r == -EISDIR ? EINVAL : -r, "Can't read %s", path);
  return r;
}

static int remove_files(const char *dest, int desktop, const char *sdest, int service)
{
  struct change changes[2] = { 0 };
  size_t n = 0;
  if (service == 1)
    change_remove(&changes[n++], sdest);
  if (desktop == 1)
    change_remove(&changes[n++], dest);
  int r = commit_all(changes, n);
  for (size_t i = 0; i < n; i++) {
    if (r == 0)
      printf("removed %s\n", changes[i].dest);
    change_finish(&changes[i]);
  }
  if (r == 0 && service == 0)
    printf("kept %s: not written by sbx\n", sdest);
  fflush(stdout);
  if (r == 0 && service == 1)
    reload_session_bus(sdest);
  return r;
}

int desktop_file_remove(const char *app)
{
  _cleanup_free_ char *id = NULL, *home = data_home();
  int r = desktop_id(app, &id);
  if (r < 0)
    return r;
  if (!home)
    return no_data_home();
  _cleanup_free_ char *dest = xasprintf("%s/applications/%s", home, id);
  _cleanup_free_ char *bus = bus_name_of(id), *sdir = service_dir(home);
  _cleanup_free_ char *sdest = xasprintf("%s/%s.service", sdir, bus);
  int desktop = check_ours(entry_written_by_sbx(dest, false, NULL, NULL), dest);
  if (desktop < 0 && desktop != -ENOENT)
    return desktop;
  if (desktop == 0)
    return log_fail(EPERM, "%s was not written by sbx (no %s key); not removing it", dest, MARK_PROFILE);
  /* The service override: ours goes too; anything else there is left. */
  int service = check_ours(is_bus_name(bus) ? service_written_by_sbx(sdest, NULL, NULL) : -ENOENT, sdest);
  if (service < 0 && service != -ENOENT)
    return service;
  if (desktop != 1 && service != 1)
    return log_fail(ENOENT, "no %s: sbx has not installed %s", dest, id);
  return remove_files(dest, desktop, sdest, service);
}

/* The line for one of our files: NAME, profile, original, and the service
 * override of an entry ("-" when there is none). */
static void list_line(const char *name, const char *profile, const char *original, const char *service)
{
  printf("%s\t%s\t%s\t%s\n", name, profile, original ? original : "?", service ? service : "-");
}

/* The entries, each with its service override; the overrides listed go
 * to *listed. */
static int list_entries(const char *dir, const char *sdir, struct strv *listed)
{
  char **names = NULL;
  int r = dir_files(dir, ".desktop", &names);
  if (r < 0 && r != -ENOENT)
    return log_errno(-r, "Can't read %s", dir);
  _cleanup_strv_ char **v = names;
  for (size_t i = 0; v && v[i]; i++) {
    _cleanup_free_ char *path = xasprintf("%s/%s", dir, v[i]);
    _cleanup_free_ char *profile = NULL, *original = NULL, *bus = bus_name_of(v[i]);
    if (entry_written_by_sbx(path, false, &profile, &original) != 1)
      continue;
    _cleanup_free_ char *spath = xasprintf("%s/%s.service", sdir, bus);
    bool svc = is_bus_name(bus) && service_written_by_sbx(spath, NULL, NULL) == 1;
    list_line(v[i], profile, original, svc ? spath : NULL);
    if (svc)
      strv_addf(listed, "%s.service", bus);
  }
  return 0;
}

/* Overrides whose entry is gone (removed by hand): --desktop-remove still
 * takes them away. */
static void list_orphan_services(const char *sdir, const struct strv *listed)
{
  _cleanup_strv_ char **snames = service_files(sdir);
  for (size_t i = 0; snames && snames[i]; i++) {
    bool seen = false;
    for (size_t j = 0; j < listed->n && !seen; j++)
      seen = strcmp(listed->v[j], snames[i]) == 0;
    _cleanup_free_ char *spath = xasprintf("%s/%s", sdir, snames[i]);
    _cleanup_free_ char *profile = NULL, *original = NULL;
    if (!seen && service_written_by_sbx(spath, &profile, &original) == 1)
      list_line(snames[i], profile, original, spath);
  }
}

int desktop_file_list(void)
{
  _cleanup_free_ char *home = data_home();
  if (!home)
    return no_data_home();
  _cleanup_free_ char *dir = xasprintf("%s/applications", home), *sdir = service_dir(home);
  struct strv listed = { 0 };
  int r = list_entries(dir, sdir, &listed);
  if (r == 0)
    list_orphan_services(sdir, &listed);
  strv_free(listed.v);
  return r;
}
