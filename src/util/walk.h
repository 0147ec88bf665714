/* The one way sbx walks a path itself, one component at a time, deciding at
 * each symlink whether to follow it.
 *
 * A directory another party can write (the sandboxed app, in this run or an
 * earlier one) may hold a symlink planted to redirect sbx: "Downloads ->
 * /etc".  openat2(RESOLVE_NO_SYMLINKS) can only refuse every link; the
 * callers need finer answers (follow the admin's /lib64 -> usr/lib64 but
 * not a link in a directory the app may write), so they walk: each
 * component is opened with O_PATH|O_NOFOLLOW relative to the directory
 * before it, and a symlink found is followed only when the caller says so.
 *
 * The walk stays below `root`: ".." stops there and an absolute link starts
 * again from it (the semantics of RESOLVE_IN_ROOT; walking from an fd of "/"
 * gives the host's ordinary meaning).  ".." goes back to the directory the
 * walk came through (an fd kept for each level), never to a parent found by
 * name, so a directory renamed meanwhile cannot lead above the root.  A
 * followed link's target is spliced in front of what remains, as the kernel
 * does, with the kernel's budget of 40 links. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

enum {
  WALK_MKDIR = 1u << 0,         /* create missing directories on the way (opts.mode) */
  WALK_NOFOLLOW_LAST = 1u << 1, /* a symlink as the last component is the answer itself */
  WALK_MKDIR_LAST = 1u << 2,    /* mkdir -p: the last component too; the answer must be a directory */
  WALK_PARENT = 1u << 3,        /* the answer is the last component's directory; its name goes to out->last */
  WALK_NOFOLLOW = 1u << 4,      /* follow no symlink (ELOOP) */
  WALK_MAGIC_LINKS = 1u << 5,   /* let the kernel follow procfs magic links (/proc/self/fd/N) */
};

struct walk_opts {
  unsigned flags;
  mode_t mode; /* of the directories WALK_MKDIR and WALK_MKDIR_LAST create */
  /* May a symlink found in directory `dirfd` (real path `dir`, "/" for the
   * root) be followed?  NULL: every one may (unless WALK_NOFOLLOW). */
  bool (*may_follow)(void *ctx, int dirfd, const char *dir);
  void *ctx;
};

/* What a walk found, for messages and for callers that go on from where it
 * stopped.  Allocated; walk_out_clear frees. */
struct walk_out {
  char *real;   /* the real path walked below root ("" for root itself): of the answer, or on
                 * failure of the directory holding the component the walk stopped at */
  char *stop;   /* on failure: that component's name */
  char *rest;   /* on failure: what followed it, verbatim ("/b/c", or "") */
  bool refused; /* ELOOP because a symlink was not to be followed (not the budget) */
  char *last;   /* WALK_PARENT: the last component */
};

/* Resolve `path` below `root` to an O_PATH fd (*out_fd, close-on-exec).
 * Returns 0 or -errno: -ENOENT when a component is missing (and may not be
 * created), -ELOOP for a symlink refused or a budget spent, -ENOTDIR when a
 * non-directory stands where the path goes on.  `out` may be NULL unless
 * WALK_PARENT is given. */
int walk_at(int root, const char *path, const struct walk_opts *opts, int *out_fd, struct walk_out *out);
void walk_out_clear(struct walk_out *out);
