/* libFuzzer harness: `--args FD` decoding.  The input is the buffer the fd
 * holds (NUL-separated words, the last one unterminated or not), read from
 * a memfd as sbx reads any --args fd; the command line is
 * `--args FD` alone.  Fd words inside the buffer (--file 3 ...) are
 * mapped to memfds of this run as in fuzz-options. */
#include <stddef.h>
#include <stdint.h>

#include "fuzz-cli.h"

static char *env0[] = { "HOME=/nonexistent/home", "PATH=/usr/bin:/bin", NULL };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (size > 64 * 1024)
    return -1;
  struct fd_guard g;
  fd_guard_start(&g);

  /* Map the fd words of the buffer, keeping its shape: the same words,
   * NUL-separated, with a final NUL exactly when the input has one. */
  struct strv words = { 0 };
  size_t start = 0;
  for (size_t i = 0; i <= size; i++)
    if (i == size ? i > start : data[i] == '\0') {
      strv_push(&words, xasprintf("%.*s", (int)(i - start), (const char *)data + start));
      start = i + 1;
    }
  fuzz_map_fds(&g, words.v, words.n, "", 0);
  struct buf b = { 0 };
  for (size_t i = 0; i < words.n; i++)
    buf_add(&b, words.v[i], strlen(words.v[i]) + (i + 1 < words.n || (size > 0 && data[size - 1] == '\0')));
  strv_clear(&words);

  int fd = fd_guard_memfd(&g, b.s, b.n);
  buf_free(&b);
  char *fdword = xasprintf("%d", fd);
  char *argv[] = { "--args", fdword, NULL };

  fuzz_parse_once(&g, env0, 2, argv);
  free(fdword);
  return 0;
}
