/* X11: the current display's socket only, and a private Xauthority file
 * holding only that display's cookies. */
#include <ctype.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compile/desktop.h"
#include "util/util.h"

#define FAMILY_LOCAL 256
#define FAMILY_WILD 65535

struct reader {
  const unsigned char *p, *end;
};

static bool read_u16(struct reader *r, unsigned *v)
{
  if (r->end - r->p < 2)
    return false;
  *v = (unsigned)r->p[0] << 8 | r->p[1];
  r->p += 2;
  return true;
}

static bool read_counted(struct reader *r, const unsigned char **s, unsigned *len)
{
  if (!read_u16(r, len) || (unsigned)(r->end - r->p) < *len)
    return false;
  *s = r->p;
  r->p += *len;
  return true;
}

static void put_u16(struct buf *out, unsigned v)
{
  const char be[2] = { (char)(v >> 8), (char)(v & 0xff) };
  buf_add(out, be, 2);
}

static void put_counted(struct buf *out, const void *s, unsigned len)
{
  put_u16(out, len);
  buf_add(out, s, len);
}

/* Keep entries for `display` that are for this host (FamilyLocal with our
 * hostname) or for any host (FamilyWild), rewritten as FamilyWild so they
 * match whatever hostname the sandbox has. */
char *xauth_filter(const char *data, size_t len, const char *display, const char *hostname, size_t *out_len)
{
  struct reader r = { (const unsigned char *)data, (const unsigned char *)data + len };
  struct buf out = { 0 };
  while (r.p < r.end) {
    unsigned family, alen, nlen, namelen, dlen;
    const unsigned char *addr, *num, *name, *cookie;
    if (!read_u16(&r, &family) || !read_counted(&r, &addr, &alen) || !read_counted(&r, &num, &nlen) ||
        !read_counted(&r, &name, &namelen) || !read_counted(&r, &cookie, &dlen))
      break; /* truncated: keep what we have */
    if (nlen != strlen(display) || memcmp(num, display, nlen) != 0)
      continue;
    bool ours = family == FAMILY_WILD ||
                (family == FAMILY_LOCAL && alen == strlen(hostname) && memcmp(addr, hostname, alen) == 0);
    if (!ours)
      continue;
    put_u16(&out, FAMILY_WILD);
    put_counted(&out, "", 0);
    put_counted(&out, num, nlen);
    put_counted(&out, name, namelen);
    put_counted(&out, cookie, dlen);
  }
  *out_len = out.n;
  return out.s; /* NULL: no entry */
}

/* ":0", ":0.0", "unix:0" -> "0"; anything else (a TCP display) -> NULL. */
static char *local_display_number(const char *display)
{
  const char *colon = strrchr(display, ':');
  if (!colon || (colon != display && strncmp(display, "unix:", 5) != 0))
    return NULL;
  const char *num = colon + 1;
  size_t len = strspn(num, "0123456789");
  if (len == 0 || (num[len] != '\0' && num[len] != '.'))
    return NULL;
  return xasprintf("%.*s", (int)len, num);
}

int desktop_x11(struct compile_ctx *cc)
{
  const char *display = plan_getenv(cc->plan, "DISPLAY");
  if (!display || !*display) {
    notes_add(cc->notes, "x11: DISPLAY is not set; not connected");
    return 0;
  }
  _cleanup_free_ char *num = local_display_number(display);
  if (!num) {
    notes_add(cc->notes, "x11: DISPLAY=%s is not a local display; not connected", display);
    return 0;
  }
  _cleanup_free_ char *sock = xasprintf("/tmp/.X11-unix/X%s", num);
  struct stat st;
  if (stat(sock, &st) < 0 || !S_ISSOCK(st.st_mode)) {
    notes_add(cc->notes, "x11: no socket %s; not connected", sock);
    return 0;
  }
  pb_bind(&cc->ops, ACCESS_RO, sock, sock, false);

  const char *xa = plan_getenv(cc->plan, "XAUTHORITY");
  _cleanup_free_ char *xa_path = xa && *xa ? xstrdup(xa) : xasprintf("%s/.Xauthority", cc->home);
  _cleanup_free_ char *inside = xasprintf("%s/Xauthority", cc->sandbox_runtime_dir);
  size_t cookies = 0;
  _cleanup_close_ int fd = open(xa_path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  char hostname[256] = "";
  gethostname(hostname, sizeof hostname - 1);
  if (fd >= 0) {
    _cleanup_free_ char *data = NULL;
    size_t len = 0, out_len = 0;
    if (read_all_fd(fd, &data, &len) == 0) {
      _cleanup_free_ char *filtered = xauth_filter(data, len, num, hostname, &out_len);
      if (filtered && out_len > 0) {
        /* Count entries for --explain: each is at least 10 bytes. */
        struct reader r = { (const unsigned char *)filtered, (const unsigned char *)filtered + out_len };
        unsigned f, l;
        const unsigned char *s;
        while (read_u16(&r, &f) && read_counted(&r, &s, &l) && read_counted(&r, &s, &l) &&
               read_counted(&r, &s, &l) && read_counted(&r, &s, &l))
          cookies++;
        pb_data(&cc->ops, inside, filtered, out_len, 0600, true);
        plan_setenv(cc->plan, "XAUTHORITY", inside);
      }
    }
  }
  if (!cookies)
    plan_unsetenv(cc->plan, "XAUTHORITY");
  plan_setenv(cc->plan, "DISPLAY", display);
  notes_add(cc->notes, "x11: display %s, socket %s, Xauthority with %zu cookie%s for this display", display, sock,
            cookies, cookies == 1 ? "" : "s");
  if (cc->share_net && cc->abstract_scoped) {
    /* libxcb tries the abstract socket first and falls back to the path
     * socket only on ENOENT or ECONNREFUSED: Landlock's EPERM would leave
     * every X client without a display.  Signals stay scoped. */
    cc->plan->landlock.scope_abstract = false;
    cc->abstract_scoped = false;
    notes_add(cc->notes, "x11: Landlock leaves abstract sockets open (X clients do not fall back to the path "
                         "socket when the abstract one is refused)");
  }
  if (cc->share_net) {
    log_warn("x11: the sandbox shares the host's network namespace, so the X server's abstract socket "
             "(@/tmp/.X11-unix/X%s) is reachable from inside regardless of this policy", num);
    notes_add(cc->notes, "x11: WARNING: shared network namespace: the abstract X socket is reachable");
  }
  return 0;
}
