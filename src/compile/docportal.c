/* The document portal (see docportal.h).
 *
 * xdg-document-portal mounts its FUSE filesystem at $XDG_RUNTIME_DIR/doc.
 * The root lists every document; doc/by-app/APPID lists only those the
 * permission store grants APPID, with only the granted access (the portal
 * creates that directory when it is looked up).  When an app with
 * /.flatpak-info picks a file, xdg-desktop-portal exports it and answers
 * with /run/user/UID/doc/DOCID/NAME.
 *
 * Layout inside, as Flatpak's: by-app/APPID bound read-write (the portal
 * enforces each grant) at /run/flatpak/doc, and /run/user/UID/doc a link
 * to ../../flatpak/doc.  Portals turn a /run/flatpak/doc/ path an app hands
 * them back into the host's, and apps test for that prefix, so a realpath()
 * of a chosen file should land there.  Only when a path rule shows the
 * host's /run/flatpak (a rule on /run or /, say) is the bind made straight
 * at /run/user/UID/doc, inside sbx's own runtime tmpfs: the mount point
 * can't be made in a read-only host directory, and must never be made in
 * a writable one.
 *
 * Everything is looked up from the runtime dir down, one name at a time and
 * never through a symlink; the bind is made from the fd (the engine checks
 * it still names the same directory).  A lookup is all that happens here,
 * so --explain shows the same and changes nothing. */
#include "compile/docportal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "policy/query.h"
#include "util/util.h"

static const char unreachable[] = "files chosen through the portal will not be reachable";

/* Does a path rule show the host's `path` (or an ancestor) in the sandbox,
 * so that sbx can't, or must not, create a directory there? */
static bool host_dir_shown(const struct compile_ctx *cc, const char *path)
{
  enum path_access a = policy_path_access(cc->pol, path);
  return a != PATH_NO_RULE && a != PATH_PRIVATE;
}

/* The mount id of the mount fd is on (/proc/self/fdinfo), or -1. */
static int mount_id_of(int fd)
{
  char path[64], line[256];
  snprintf(path, sizeof path, "/proc/self/fdinfo/%d", fd);
  FILE *f = fopen(path, "re");
  if (!f)
    return -1;
  int id = -1;
  while (fgets(line, sizeof line, f))
    if (sscanf(line, "mnt_id: %d", &id) == 1)
      break;
  fclose(f);
  return id;
}

/* The filesystem type of mount `id` (/proc/self/mountinfo), or NULL. */
static char *fstype_of(int id)
{
  FILE *f = fopen("/proc/self/mountinfo", "re");
  if (!f)
    return NULL;
  char *line = NULL, *type = NULL;
  size_t cap = 0;
  while (!type && getline(&line, &cap, f) > 0) {
    int this_id;
    const char *sep = strstr(line, " - ");
    if (sscanf(line, "%d ", &this_id) == 1 && this_id == id && sep)
      type = xasprintf("%.*s", (int)strcspn(sep + 3, " \n"), sep + 3);
  }
  free(line);
  fclose(f);
  return type;
}

/* Open $XDG_RUNTIME_DIR/doc/by-app/APP_ID of a running document portal.
 * Returns the O_PATH fd, or -1 with *why saying what was missing. */
static int open_app_dir(const char *rt, const char *app_id, char **why)
{
  _cleanup_close_ int rt_fd = -1, doc_fd = -1, by_app_fd = -1;
  struct stat doc_st, app_st;

  rt_fd = RETRY(open(rt, O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (rt_fd < 0) {
    *why = xasprintf("%s: %s", rt, strerror(errno));
    return -1;
  }
  doc_fd = RETRY(openat(rt_fd, "doc", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (doc_fd < 0) {
    *why = errno == ENOENT ? xasprintf("nothing at %s/doc", rt) : xasprintf("%s/doc: %s", rt, strerror(errno));
    return -1;
  }
  /* A mount of its own, and FUSE's.  (statfs(2) can't tell: the portal
   * answers it with EPERM.) */
  int id = mount_id_of(doc_fd);
  _cleanup_free_ char *type = id >= 0 && id != mount_id_of(rt_fd) ? fstype_of(id) : NULL;
  if (!type || (strcmp(type, "fuse") != 0 && strncmp(type, "fuse.", 5) != 0)) {
    *why = xasprintf("%s/doc is not a FUSE mount", rt);
    return -1;
  }
  /* A mount whose daemon died answers ENOTCONN here. */
  by_app_fd = RETRY(openat(doc_fd, "by-app", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (by_app_fd < 0) {
    *why = xasprintf("%s/doc/by-app: %s", rt, strerror(errno));
    return -1;
  }
  int fd = RETRY(openat(by_app_fd, app_id, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (fd < 0) {
    *why = xasprintf("%s/doc/by-app/%s: %s", rt, app_id, strerror(errno));
    return -1;
  }
  /* The lookups above may all be answered from the dentry cache, so with
   * a dead daemon it is often this fstat() that gets FUSE's ENOTCONN: say
   * so, rather than blame the directory. */
  if (fstat(doc_fd, &doc_st) < 0 || fstat(fd, &app_st) < 0) {
    *why = xasprintf("%s/doc: %s", rt, strerror(errno));
    close(fd);
    return -1;
  }
  /* The same filesystem all the way: nothing mounted over by-app/APP_ID. */
  if (doc_st.st_dev != app_st.st_dev || mount_id_of(fd) != id) {
    *why = xasprintf("%s/doc/by-app/%s is not a directory of the portal's filesystem", rt, app_id);
    close(fd);
    return -1;
  }
  return fd;
}

int desktop_docportal(struct compile_ctx *cc)
{
  const char *app_id = policy_app_id(cc->pol);
  if (!app_id)
    return 0; /* portals treat the app as a host program: real paths */
  if (!cc->host_runtime_dir) {
    notes_add(cc->notes, "document portal: not found ($XDG_RUNTIME_DIR unset); %s", unreachable);
    return 0;
  }
  _cleanup_free_ char *why = NULL;
  int fd = open_app_dir(cc->host_runtime_dir, app_id, &why);
  if (fd < 0) {
    notes_add(cc->notes, "document portal: not running; %s (%s)", unreachable, why);
    return 0;
  }

  _cleanup_free_ char *src = xasprintf("%s/doc/by-app/%s", cc->host_runtime_dir, app_id);
  _cleanup_free_ char *link = xasprintf("%s/doc", cc->sandbox_runtime_dir);
  bool direct = host_dir_shown(cc, "/run/flatpak");
  const char *dest = direct ? link : "/run/flatpak/doc";
  struct plan_op *op = pb_op(&cc->ops, OP_BIND, src, dest);
  op->access = ACCESS_RW;
  op->flags |= OPF_FROM_FD;
  op->fd = fd;
  if (direct) {
    notes_add(cc->notes, "document portal: %s -> %s (read-write as granted; only documents granted to %s); "
                         "not at /run/flatpak/doc, which a path rule takes from the host", src, link, app_id);
  } else {
    pb_symlink(&cc->ops, "../../flatpak/doc", link);
    notes_add(cc->notes, "document portal: %s -> /run/flatpak/doc (read-write as granted; only documents granted "
                         "to %s), linked from %s", src, app_id, link);
  }
  return 0;
}
