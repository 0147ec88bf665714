/* Unit tests for the component walk (src/util/walk.c): symlinks followed
 * or refused as the caller asks, clamped to the root, a loop and the link
 * budget, what a walk reports when a component is missing, and mkdir -p
 * that refuses a symlink in the way. */
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tap.h"
#include "tree.h"
#include "util/util.h"
#include "util/walk.h"

char root[] = "/tmp/sbx-walk-XXXXXX";

static struct stat lstat_of(const char *rel)
{
  struct stat st = { 0 };
  char *p = xasprintf("%s/%s", root, rel);
  (void)lstat(p, &st);
  free(p);
  return st;
}

static ino_t ino_of(const char *rel) { return lstat_of(rel).st_ino; }

static ino_t fd_ino(int fd)
{
  struct stat st;
  return fd >= 0 && fstat(fd, &st) == 0 ? st.st_ino : 0;
}

/* The policy of the tests: links in "/writable" were planted; the others
 * are the admin's.  Records the last directory it was asked about. */
static char asked[256];
static bool not_in_writable(void *ctx, int dirfd, const char *dir)
{
  (void)ctx;
  (void)dirfd;
  snprintf(asked, sizeof asked, "%s", dir);
  return strcmp(dir, "/writable") != 0;
}

static int rootfd;

static int walk(const char *path, unsigned flags, int *fd, struct walk_out *out)
{
  struct walk_opts o = { .flags = flags, .mode = 0700, .may_follow = not_in_writable };
  closep(fd);
  *fd = -1;
  walk_out_clear(out);
  return walk_at(rootfd, path, &o, fd, out);
}

static void test_follow(void)
{
  int fd = -1, r;
  struct walk_out w = { 0 };

  r = walk("/a/b/file", 0, &fd, &w);
  ok(r == 0 && fd_ino(fd) == ino_of("a/b/file"), "plain path resolves");
  is_str(w.real, "/a/b/file", "its real path");

  r = walk("/lib/file", 0, &fd, &w);
  ok(r == 0 && fd_ino(fd) == ino_of("a/b/file"), "a relative link outside /writable is followed (r=%d)", r);
  is_str(w.real, "/a/b/file", "the real path is the link's target");
  is_str(asked, "/", "the callback is asked about the link's directory (\"/\" for the root)");

  r = walk("/a/abs/b/file", 0, &fd, &w);
  ok(r == 0 && fd_ino(fd) == ino_of("a/b/file"), "an absolute link restarts at the walk's root");

  r = walk("/a/up/a/b/file", 0, &fd, &w);
  ok(r == 0 && fd_ino(fd) == ino_of("a/b/file"), "a ../../.. link is clamped to the root");
  is_str(w.real, "/a/b/file", "and the real path with it");

  r = walk("/../../a/./b/../b/file", 0, &fd, &w);
  ok(r == 0 && fd_ino(fd) == ino_of("a/b/file"), ".. at the root stays there; . and .. elsewhere as usual");

  r = walk("/", 0, &fd, &w);
  ok(r == 0 && fd_ino(fd) == ino_of("") && fd != rootfd, "\"/\" is a new fd of the root");
  is_str(w.real, "", "whose real path is empty");

  r = walk("/loop1/x", 0, &fd, &w);
  ok(r == -ELOOP && !w.refused, "a link loop ends with ELOOP, not as a refusal (r=%d)", r);

  r = walk("/chain39", 0, &fd, &w);
  ok(r == 0 && fd_ino(fd) == ino_of("a/b/file"), "40 links in a row are followed (r=%d)", r);
  r = walk("/chain40", 0, &fd, &w);
  ok(r == -ELOOP && !w.refused, "41 are not (r=%d)", r);
  closep(&fd);
  walk_out_clear(&w);
}

static void test_refuse(void)
{
  int fd = -1, r;
  struct walk_out w = { 0 };

  r = walk("/writable/evil/passwd", 0, &fd, &w);
  ok(r == -ELOOP && w.refused, "a link planted in /writable is refused (r=%d)", r);
  is_str(w.real, "/writable", "the walk names the directory it stopped in");
  is_str(w.stop, "evil", "and the link");
  ok(fd == -1, "and gives no fd");

  r = walk("/lib/../../writable/evil", WALK_NOFOLLOW_LAST, &fd, &w);
  ok(r == 0 && fd_ino(fd) == ino_of("writable/evil"), "NOFOLLOW_LAST answers with the link itself (.. after a link leaves its target)");

  r = walk("/lib/file", WALK_NOFOLLOW, &fd, &w);
  ok(r == -ELOOP && w.refused, "WALK_NOFOLLOW refuses even a link the callback would allow");
  is_str(w.stop, "lib", "naming it");
  closep(&fd);
  walk_out_clear(&w);
}

static void test_missing(void)
{
  int fd = -1, r;
  struct walk_out w = { 0 };

  r = walk("/lib/gone//deeper/x", 0, &fd, &w);
  ok(r == -ENOENT, "a missing component is ENOENT (r=%d)", r);
  is_str(w.real, "/a/b", "the real path of what exists, through the link");
  is_str(w.stop, "gone", "the first missing component");
  is_str(w.rest, "//deeper/x", "and what followed it, verbatim");

  r = walk("/a/b/file/x", 0, &fd, &w);
  ok(r == -ENOTDIR, "a file where the path goes on is ENOTDIR (r=%d)", r);

  r = walk("/a/b/leaf", WALK_PARENT, &fd, &w);
  ok(r == 0 && fd_ino(fd) == ino_of("a/b") && w.last && strcmp(w.last, "leaf") == 0,
     "WALK_PARENT answers with the directory and the last name");
  r = walk("/", WALK_PARENT, &fd, &w);
  ok(r == -EINVAL && !w.last, "\"/\" has no parent to answer with");
  closep(&fd);
  walk_out_clear(&w);
}

static void test_mkdir(void)
{
  int fd = -1, r;
  struct walk_out w = { 0 };

  r = walk("/new/one/leaf", WALK_MKDIR, &fd, &w);
  ok(r == -ENOENT && S_ISDIR(lstat_of("new/one").st_mode) && lstat_of("new/one/leaf").st_ino == 0,
     "WALK_MKDIR makes the parents, not the last component");

  r = walk("/made/x/y", WALK_MKDIR_LAST | WALK_NOFOLLOW, &fd, &w);
  struct stat st = lstat_of("made/x/y");
  ok(r == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 07777) == 0700 && fd_ino(fd) == st.st_ino,
     "mkdir -p makes every component with the mode asked and answers with the last");
  r = walk("/made/x/y", WALK_MKDIR_LAST | WALK_NOFOLLOW, &fd, &w);
  ok(r == 0 && fd_ino(fd) == st.st_ino, "and finds them the second time");

  r = walk("/writable/evil/made", WALK_MKDIR_LAST | WALK_NOFOLLOW, &fd, &w);
  ok(r == -ELOOP && w.refused && w.stop && strcmp(w.stop, "evil") == 0,
     "mkdir -p refuses a symlink in the way (r=%d)", r);
  ok(lstat_of("etc/made").st_ino == 0, "and creates nothing where it points");

  r = walk("/a/b/file", WALK_MKDIR_LAST | WALK_NOFOLLOW, &fd, &w);
  ok(r == -ENOTDIR, "mkdir -p over a file is ENOTDIR (r=%d)", r);
  closep(&fd);
  walk_out_clear(&w);
}

/* /proc/self/fd/N of a pipe reads "pipe:[...]", which names no path:
 * only the kernel can follow it. */
static void test_magic_links(void)
{
  int p[2], fd = -1, r;
  if (pipe(p) < 0) {
    ok(false, "pipe");
    return;
  }
  int proc = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  char *path = xasprintf("/proc/self/fd/%d", p[0]);
  struct walk_opts o = { .flags = WALK_MAGIC_LINKS };
  r = walk_at(proc, path, &o, &fd, NULL);
  ok(r == 0 && fd_ino(fd) == fd_ino(p[0]), "WALK_MAGIC_LINKS follows a procfs magic link (r=%d)", r);
  closep(&fd);
  o.flags = 0;
  r = walk_at(proc, path, &o, &fd, NULL);
  ok(r < 0, "without it, the link's text is walked, and leads nowhere (r=%d)", r);
  closep(&fd);
  free(path);
  close(proc);
  close(p[0]);
  close(p[1]);
}

int main(void)
{
  if (!mkdtemp(root)) {
    perror("mkdtemp");
    return 1;
  }
  mk("a", true);
  mk("a/b", true);
  mk("a/b/file", false);
  mk("etc", true);
  mk("writable", true);
  ln("/etc", "writable/evil");
  ln("a/b", "lib");
  ln("/a", "a/abs");
  ln("../../../..", "a/up");
  ln("loop2", "loop1");
  ln("loop1", "loop2");
  /* chainN -> chain(N-1) -> ... -> chain0 -> a/b/file: N+1 links. */
  ln("a/b/file", "chain0");
  for (int i = 1; i <= 40; i++) {
    char t[32], n[32];
    snprintf(t, sizeof t, "chain%d", i - 1);
    snprintf(n, sizeof n, "chain%d", i);
    ln(t, n);
  }
  rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);

  test_follow();
  test_refuse();
  test_missing();
  test_mkdir();
  test_magic_links();

  close(rootfd);
  char *rm = xasprintf("rm -rf %s", root);
  (void)!system(rm);
  free(rm);
  return tap_done();
}
