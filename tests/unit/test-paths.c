/* Unit tests for resolution inside the sandbox root (src/engine/paths.c):
 * symlinks the app could have planted are not followed, trusted ones are
 * followed but clamped to the root, ".." never leaves the root. */
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/engine.h"
#include "tap.h"
#include "tree.h"
#include "util/util.h"

char root[] = "/tmp/sbx-paths-XXXXXX";

/* Inode of root/rel, to compare with what the resolver returned. */
static ino_t ino_of(const char *rel)
{
  struct stat st;
  char *p = xasprintf("%s/%s", root, rel);
  int r = lstat(p, &st);
  free(p);
  return r == 0 ? st.st_ino : 0;
}

static ino_t fd_ino(int fd)
{
  struct stat st;
  return fstat(fd, &st) == 0 ? st.st_ino : 0;
}

static void run(bool use_openat2)
{
  struct setup s = { .root_fd = open(root, O_PATH | O_DIRECTORY), .openat2_ok = use_openat2 };
  int fd = -1, r;
  const char *mode = use_openat2 ? "openat2" : "walk";

  r = root_resolve(&s, "/a/b/file", 0, &fd);
  ok(r == 0 && fd_ino(fd) == ino_of("a/b/file"), "%s: plain path resolves", mode);
  closep(&fd);

  r = root_resolve(&s, "/writable/evil/passwd", 0, &fd);
  ok(r == -ELOOP, "%s: symlink on an untrusted filesystem is refused (r=%d)", mode, r);
  closep(&fd);

  r = root_resolve(&s, "/../../../a/b/file", 0, &fd);
  ok(r == 0 && fd_ino(fd) == ino_of("a/b/file"), "%s: .. at the root stays at the root", mode);
  closep(&fd);

  /* Trust this filesystem (as sbx does for its own tmpfs). */
  setup_trust_fd(&s, s.root_fd);
  r = root_resolve(&s, "/writable/evil/passwd", 0, &fd);
  ok(r == 0 && fd_ino(fd) == ino_of("etc/passwd"), "%s: trusted absolute link resolves inside the root", mode);
  closep(&fd);

  r = root_resolve(&s, "/writable/up/etc/passwd", 0, &fd);
  ok(r == 0 && fd_ino(fd) == ino_of("etc/passwd"), "%s: trusted ../../.. link is clamped to the root", mode);
  closep(&fd);

  r = root_resolve(&s, "/writable/evil", WALK_NOFOLLOW_LAST, &fd);
  ok(r == 0 && fd_ino(fd) == ino_of("writable/evil"), "%s: NOFOLLOW_LAST returns the link itself", mode);
  closep(&fd);

  r = root_resolve(&s, "/loop", 0, &fd);
  ok(r == -ELOOP, "%s: a link loop ends with ELOOP", mode);
  closep(&fd);

  char *name = NULL;
  r = root_resolve_parent(&s, "/new/deep/leaf", WALK_MKDIR, &fd, &name);
  ok(r == 0 && name && strcmp(name, "leaf") == 0 && fd_ino(fd) == ino_of("new/deep"),
     "%s: parent resolution creates missing directories", mode);
  free(name);
  closep(&fd);
  close(s.root_fd);
}

int main(void)
{
  log_init("sbx");
  if (!mkdtemp(root))
    return 1;
  mk("a", true);
  mk("a/b", true);
  mk("a/b/file", false);
  mk("etc", true);
  mk("etc/passwd", false);
  mk("writable", true);
  ln("/etc", "writable/evil");
  ln("../../../../..", "writable/up");
  ln("loop", "loop");

  run(true);
  run(false);

  char *cmd = xasprintf("rm -rf '%s'", root);
  (void)!system(cmd);
  free(cmd);
  return tap_done();
}
