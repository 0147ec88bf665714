/* Shared by the harnesses: keep the fuzzer's fd table as it was.
 *
 * The option parser takes fd numbers from its input (--args, --file,
 * --sync-fd...), reads some and closes some; a fuzzed "--args 2" must not
 * read the fuzzer's stderr or close it.  So every fd word below 1024 is
 * replaced by a memfd the harness makes for this one input (numbers from
 * 1024 up stay as they are: the parser's "Invalid fd" path), and after the
 * run the harness closes what the plan still holds.  An fd that sbx opened
 * and left open, or one of the fuzzer's own that sbx closed, aborts: a
 * finding like any crash. */
#pragma once
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "util/util.h"

#define FUZZ_MAX_FD 128
#define FUZZ_MAX_OWNED 64

struct fd_guard {
  bool open_before[FUZZ_MAX_FD];
  int owned[FUZZ_MAX_OWNED]; /* the memfds handed to the parser */
  size_t n_owned;
};

static inline bool fuzz_fd_open(int fd)
{
  return fcntl(fd, F_GETFD) >= 0;
}

static inline void fd_guard_start(struct fd_guard *g)
{
  g->n_owned = 0;
  for (int fd = 0; fd < FUZZ_MAX_FD; fd++)
    g->open_before[fd] = fuzz_fd_open(fd);
}

/* A memfd holding `data`, owned by this run.  Returns its number or -1
 * when the run already owns FUZZ_MAX_OWNED. */
static inline int fd_guard_memfd(struct fd_guard *g, const void *data, size_t len)
{
  if (g->n_owned == FUZZ_MAX_OWNED)
    return -1;
  int fd = memfd_create("fuzz", MFD_CLOEXEC);
  if (fd < 0 || fd >= FUZZ_MAX_FD)
    abort();
  if (len && write(fd, data, len) != (ssize_t)len)
    abort();
  lseek(fd, 0, SEEK_SET);
  g->owned[g->n_owned++] = fd;
  return fd;
}

/* The option words that take an fd as their first argument. */
static inline bool fuzz_takes_fd(const char *w)
{
  static const char *const names[] = {
    "--args", "--userns", "--userns2", "--pidns", "--sync-fd", "--bind-fd", "--ro-bind-fd", "--file",
    "--bind-data", "--ro-bind-data", "--seccomp", "--add-seccomp-fd", "--block-fd", "--userns-block-fd",
    "--info-fd", "--json-status-fd",
  };
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (strcmp(w, names[i]) == 0)
      return true;
  return false;
}

/* Rewrite the fd words of words[0..n) (each an allocated string) to memfds
 * of this run.  `args_data` is what a --args fd holds. */
static inline void fuzz_map_fds(struct fd_guard *g, char **words, size_t n, const char *args_data, size_t args_len)
{
  for (size_t i = 0; i + 1 < n; i++) {
    int fd;
    if (!fuzz_takes_fd(words[i]) || parse_fd(words[i + 1], &fd) < 0 || fd >= 1024)
      continue;
    /* Eight zero bytes: one (invalid, never loaded) seccomp instruction. */
    static const char zeros[8];
    bool args = strcmp(words[i], "--args") == 0;
    int mine = args ? fd_guard_memfd(g, args_data, args_len) : fd_guard_memfd(g, zeros, sizeof zeros);
    if (mine < 0)
      continue;
    free(words[i + 1]);
    words[i + 1] = xasprintf("%d", mine);
  }
}

/* After the run: close the memfds still open (the plan keeps some, the
 * parser closes others) and check the table is as it was. */
static inline void fd_guard_end(struct fd_guard *g)
{
  for (size_t i = 0; i < g->n_owned; i++)
    if (fuzz_fd_open(g->owned[i]))
      close(g->owned[i]);
  for (int fd = 0; fd < FUZZ_MAX_FD; fd++) {
    bool now = fuzz_fd_open(fd);
    if (now && !g->open_before[fd]) {
      fprintf(stderr, "fuzz: fd %d left open\n", fd);
      abort();
    }
    if (!now && g->open_before[fd]) {
      fprintf(stderr, "fuzz: fd %d (not the input's) was closed\n", fd);
      abort();
    }
  }
}
