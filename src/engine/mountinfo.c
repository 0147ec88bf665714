/* Reading /proc/self/mountinfo, for the two places that need what only it
 * says: the mount(2) fallback (which mounts lie below a path, and each
 * one's own flags: statfs asks the filesystem, and a FUSE daemon may refuse)
 * and symlink trust (whether a superblock is read-only as a whole: statfs
 * mixes in the mount's flags). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "engine/engine.h"
#include "util/util.h"

/* Decode mountinfo's octal escapes (\040 for space, ...) in place. */
static void unescape(char *s)
{
  char *out = s;
  for (; *s; s++) {
    if (s[0] == '\\' && s[1] >= '0' && s[1] <= '7' && s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
      *out++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
      s += 3;
    } else {
      *out++ = *s;
    }
  }
  *out = '\0';
}

/* The per-mount flags of an options field ("rw,nosuid,relatime"). */
static unsigned long opts_to_ms(const char *opts)
{
  static const struct {
    const char *name;
    unsigned long ms;
  } known[] = {
    { "ro", MS_RDONLY }, { "nosuid", MS_NOSUID }, { "nodev", MS_NODEV }, { "noexec", MS_NOEXEC },
    { "noatime", MS_NOATIME }, { "nodiratime", MS_NODIRATIME }, { "relatime", MS_RELATIME },
#ifdef MS_NOSYMFOLLOW
    { "nosymfollow", MS_NOSYMFOLLOW },
#endif
  };
  unsigned long ms = 0;
  for (const char *p = opts; *p;) {
    size_t len = strcspn(p, ",");
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
      if (strlen(known[i].name) == len && strncmp(p, known[i].name, len) == 0)
        ms |= known[i].ms;
    p += len;
    if (*p == ',')
      p++;
  }
  return ms;
}

/* "id parent major:minor root mountpoint options [optional...] - fstype
 * source superoptions" */
static bool parse_line(char *line, struct mount_entry *e)
{
  int mp_start = 0, mp_end = 0, opt_start = 0, opt_end = 0;
  if (sscanf(line, "%d %*d %*s %*s %n%*s%n %n%*s%n", &e->id, &mp_start, &mp_end, &opt_start, &opt_end) < 1 ||
      !opt_end)
    return false;
  char super[1024] = "";
  const char *sep = strstr(line + opt_end, " - ");
  if (sep)
    (void)sscanf(sep, " - %*s %*s %1023s", super);
  e->super_ro = strcmp(super, "ro") == 0 || strncmp(super, "ro,", 3) == 0;
  line[mp_end] = line[opt_end] = '\0';
  e->mp = xstrdup(line + mp_start);
  unescape(e->mp);
  e->ms = opts_to_ms(line + opt_start);
  return true;
}

int mountinfo_read(const struct setup *s, struct mount_entry **out, size_t *n_out)
{
  FILE *f = proc_fopen(s, "self/mountinfo");
  if (!f)
    return -errno;
  struct mount_entry *e = NULL, one;
  size_t n = 0, cap_e = 0;
  char *line = NULL;
  size_t cap = 0;
  while (getline(&line, &cap, f) > 0)
    if (parse_line(line, &one))
      *ARRAY_PUSH(e, n, cap_e) = one;
  free(line);
  fclose(f);
  *out = e;
  *n_out = n;
  return 0;
}

void mountinfo_free(struct mount_entry *e, size_t n)
{
  for (size_t i = 0; i < n; i++)
    free(e[i].mp);
  free(e);
}
