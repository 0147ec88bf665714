/* Key files as the Desktop Entry Specification defines them (.desktop
 * entries and D-Bus service files share the format): reading one safely,
 * walking its lines, and writing values into a growing text buffer. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "util/util.h"

/* The keys that mark a file as sbx's (in a .desktop entry; as "# KEY="
 * comment lines in a service file): we overwrite or remove only such. */
#define MARK_PROFILE "X-Sbx-Profile"
#define MARK_ORIGINAL "X-Sbx-Original"

/* Read a key file (following symlinks only when follow is set).  Returns 0,
 * or -errno without printing (the caller knows what the file was for):
 * -ELOOP a symlink, -EISDIR not a regular file, -EFBIG over 1 MiB,
 * -EBADMSG a NUL byte. */
int keyfile_read(const char *path, bool follow, char **out);

enum line_kind { LINE_OTHER, LINE_GROUP, LINE_KEY };

struct parsed_line {
  enum line_kind kind;
  const char *name; /* group name or key (with [locale]) */
  size_t name_len;
  const char *value; /* key's value, up to the end of the line */
  size_t value_len;
};

/* Parse one line (without its newline; a trailing \r is ignored). */
struct parsed_line parse_line(const char *s, size_t len);
bool name_is(const struct parsed_line *pl, const char *name);
bool value_is(const struct parsed_line *pl, const char *value);
/* Iterate over the lines of data: *pos advances past the newline. */
bool next_line(const char *data, size_t *pos, const char **line, size_t *len);

/* The first value of KEY in the first GROUP (allocated, string escapes not
 * undone -- our markers and bus names never need them), or NULL. */
char *group_value(const char *data, const char *group, const char *key);

/* Append s as a string value (backslashes escaped, one line); control
 * characters are refused with a message naming `what`. */
int string_value(struct buf *b, const char *s, const char *what);
