/* libFuzzer harness: the bubblewrap-style command line (cli_parse and
 * cli_validate) on a fresh plan.  The input is the argv after the program
 * name, words separated by NUL.  A --args FD reads a fixed small buffer
 * (fuzz-args covers what that buffer may hold). */
#include <stddef.h>
#include <stdint.h>

#include "fuzz-cli.h"

static char *env0[] = { "HOME=/nonexistent/home", "PATH=/usr/bin:/bin", "LANG=C.UTF-8", NULL };

/* Split data on NUL into allocated words (the last needs no NUL). */
static char **split_nul(const uint8_t *data, size_t size, size_t *n)
{
  size_t count = 0;
  for (size_t i = 0; i < size; i++)
    count += data[i] == '\0';
  if (size > 0 && data[size - 1] != '\0')
    count++;
  char **words = xcalloc(count + 1, sizeof *words);
  size_t w = 0, start = 0;
  for (size_t i = 0; i <= size && w < count; i++)
    if (i == size || data[i] == '\0') {
      words[w++] = xasprintf("%.*s", (int)(i - start), (const char *)data + start);
      start = i + 1;
    }
  *n = count;
  return words;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (size > 64 * 1024)
    return -1;
  size_t n;
  char **words = split_nul(data, size, &n);
  struct fd_guard g;
  fd_guard_start(&g);
  static const char args_data[] = "--dir\0/from-args\0--setenv\0A\0b";
  fuzz_map_fds(&g, words, n, args_data, sizeof args_data - 1);

  fuzz_parse_once(&g, env0, (int)n, words);
  strv_free(words);
  return 0;
}
