/* Key files (the format of .desktop entries and D-Bus service files):
 * reading, line parsing, lookup, and the text buffer the rewrites fill.
 *
 * Nothing here undoes or applies string escapes beyond what the callers
 * need: the rewrites copy every line they do not change byte for byte, so
 * a parser that understood less of the format than a launcher would still
 * reproduce it exactly.  Reference: Desktop Entry Specification 1.5, "Basic
 * format of the file" and "Possible value types". */
#include "install/keyfile.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "util/util.h"

/* Menu entries are a few kB; anything near this is not one. */
#define MAX_KEY_FILE (1 << 20)

int keyfile_read(const char *path, bool follow, char **out)
{
  _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | (follow ? 0 : O_NOFOLLOW));
  if (fd < 0)
    return -errno;
  struct stat st;
  if (fstat(fd, &st) < 0)
    return -errno;
  if (!S_ISREG(st.st_mode))
    return -EISDIR; /* "not a regular file"; callers phrase it */
  if (st.st_size > MAX_KEY_FILE)
    return -EFBIG;
  char *data = NULL;
  size_t len = 0;
  int r = read_all_fd(fd, &data, &len);
  if (r < 0)
    return r;
  if (memchr(data, '\0', len)) {
    free(data);
    return -EBADMSG;
  }
  *out = data;
  return 0;
}

/* Spaces around '=' are allowed by the spec. */
struct parsed_line parse_line(const char *s, size_t len)
{
  struct parsed_line pl = { LINE_OTHER, NULL, 0, NULL, 0 };
  if (len && s[len - 1] == '\r')
    len--;
  if (len == 0 || s[0] == '#')
    return pl;
  if (s[0] == '[') {
    const char *close = memchr(s, ']', len);
    if (close) {
      pl.kind = LINE_GROUP;
      pl.name = s + 1;
      pl.name_len = (size_t)(close - s - 1);
    }
    return pl;
  }
  const char *eq = memchr(s, '=', len);
  if (!eq)
    return pl;
  size_t klen = (size_t)(eq - s);
  while (klen && (s[klen - 1] == ' ' || s[klen - 1] == '\t'))
    klen--;
  const char *v = eq + 1, *end = s + len;
  while (v < end && (*v == ' ' || *v == '\t'))
    v++;
  pl.kind = LINE_KEY;
  pl.name = s;
  pl.name_len = klen;
  pl.value = v;
  pl.value_len = (size_t)(end - v);
  return pl;
}

bool name_is(const struct parsed_line *pl, const char *name)
{
  return pl->name_len == strlen(name) && memcmp(pl->name, name, pl->name_len) == 0;
}

bool value_is(const struct parsed_line *pl, const char *value)
{
  return pl->value_len == strlen(value) && memcmp(pl->value, value, pl->value_len) == 0;
}

bool next_line(const char *data, size_t *pos, const char **line, size_t *len)
{
  if (data[*pos] == '\0')
    return false;
  *line = data + *pos;
  const char *nl = strchr(*line, '\n');
  *len = nl ? (size_t)(nl - *line) : strlen(*line);
  *pos += *len + (nl ? 1 : 0);
  return true;
}

char *group_value(const char *data, const char *group, const char *key)
{
  size_t pos = 0, len;
  const char *line;
  int state = 0; /* 0 before GROUP, 1 in it, 2 after it */
  while (state < 2 && next_line(data, &pos, &line, &len)) {
    struct parsed_line pl = parse_line(line, len);
    if (pl.kind == LINE_GROUP)
      state = state == 0 && name_is(&pl, group) ? 1 : state == 1 ? 2 : 0;
    else if (pl.kind == LINE_KEY && state == 1 && name_is(&pl, key))
      return xasprintf("%.*s", (int)pl.value_len, pl.value);
  }
  return NULL;
}

int string_value(struct buf *b, const char *s, const char *what)
{
  for (const char *c = s; *c; c++) {
    if ((unsigned char)*c < 0x20 || *c == 0x7f)
      return log_fail(EINVAL, "%s \"%s\" contains a control character", what, s);
    if (*c == '\\')
      buf_puts(b, "\\\\");
    else
      buf_add(b, c, 1);
  }
  return 0;
}
