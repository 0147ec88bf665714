/* One NameHasOwner over a raw unix socket: see bus-probe.h.
 *
 * Why not sd-bus: sbx asks the user bus whether a systemd manager is on it
 * before it asks that manager for a scope (cgroup-systemd.c), and on most
 * buses the answer is no (dbus-run-session, a bus given to a container, a
 * desktop without systemd).  Loading libsystemd and its libraries for that
 * one answer cost every such start ~1.8 ms, the connection through sd-bus
 * ~0.9 ms more (docs/performance.md).  The question takes three messages:
 * the EXTERNAL authentication, Hello (the bus's first message must be it),
 * then NameHasOwner; this file writes those two calls and reads the one
 * boolean back.  Anything it does not understand is "can't say", and the
 * caller falls back to sd-bus. */
#include "launch/bus-probe.h"

#include <errno.h>
#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "util/bus-address.h"
#include "util/util.h"

/* The bus answers a local question at once; a bus that does not answer
 * within this is treated as "can't say". */
#define PROBE_TIMEOUT_MS 1000
/* Replies here are a few hundred bytes; larger ones are not ours. */
#define PROBE_MAX_MESSAGE 65536

enum { MSG_METHOD_CALL = 1, MSG_METHOD_RETURN = 2, MSG_ERROR = 3 };
enum { FIELD_PATH = 1, FIELD_INTERFACE = 2, FIELD_MEMBER = 3, FIELD_REPLY_SERIAL = 5, FIELD_DESTINATION = 6,
       FIELD_SIGNATURE = 8 };

struct first_socket {
  struct sockaddr_un *sa;
  socklen_t *len;
};

static int take_first(const char *value, bool abstract, void *data)
{
  struct first_socket *f = data;
  memset(f->sa, 0, sizeof *f->sa);
  f->sa->sun_family = AF_UNIX;
  memcpy(f->sa->sun_path + abstract, value, strlen(value));
  *f->len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + abstract + strlen(value) + !abstract);
  return 1;
}

/* The first unix:path= or unix:abstract= entry of a D-Bus address list. */
static int address_to_sockaddr(const char *address, struct sockaddr_un *sa, socklen_t *len)
{
  struct first_socket f = { sa, len };
  int r = bus_address_walk(address, take_first, &f);
  return r < 0 ? r : r ? 0 : -EAFNOSUPPORT;
}

/* A message being written: native byte order, as the header's first byte
 * says. */
struct msg {
  unsigned char b[512];
  size_t n;
  size_t start; /* where the current message began: alignment counts from there */
  bool overflow;
};

static void put(struct msg *m, const void *p, size_t len)
{
  if (m->n + len > sizeof m->b) {
    m->overflow = true;
    return;
  }
  memcpy(m->b + m->n, p, len);
  m->n += len;
}

static void put_u8(struct msg *m, uint8_t v)
{
  put(m, &v, 1);
}

static void put_u32(struct msg *m, uint32_t v)
{
  put(m, &v, 4);
}

static void align(struct msg *m, size_t to)
{
  while ((m->n - m->start) % to && !m->overflow)
    put_u8(m, 0);
}

static void put_string(struct msg *m, const char *s)
{
  align(m, 4);
  put_u32(m, (uint32_t)strlen(s));
  put(m, s, strlen(s) + 1);
}

/* A header field: (code, variant of one basic type). */
static void put_field(struct msg *m, uint8_t code, char type, const char *value)
{
  align(m, 8);
  put_u8(m, code);
  put_u8(m, 1);
  put_u8(m, (uint8_t)type);
  put_u8(m, 0);
  if (type == 'g') {
    put_u8(m, (uint8_t)strlen(value));
    put(m, value, strlen(value) + 1);
  } else {
    put_string(m, value);
  }
}

/* A call to the bus itself, with at most one string argument. */
static void put_bus_call(struct msg *m, uint32_t serial, const char *member, const char *arg)
{
  size_t start = m->start = m->n;
  const char endian = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? 'l' : 'B';
  put_u8(m, (uint8_t)endian);
  put_u8(m, MSG_METHOD_CALL);
  put_u8(m, 0);
  put_u8(m, 1);
  put_u32(m, 0); /* the body's length, below */
  put_u32(m, serial);
  put_u32(m, 0); /* the fields' length, below */
  size_t fields = m->n;
  put_field(m, FIELD_PATH, 'o', "/org/freedesktop/DBus");
  put_field(m, FIELD_INTERFACE, 's', "org.freedesktop.DBus");
  put_field(m, FIELD_MEMBER, 's', member);
  put_field(m, FIELD_DESTINATION, 's', "org.freedesktop.DBus");
  if (arg)
    put_field(m, FIELD_SIGNATURE, 'g', "s");
  uint32_t fields_len = (uint32_t)(m->n - fields);
  align(m, 8);
  size_t body = m->n;
  if (arg)
    put_string(m, arg);
  if (m->overflow)
    return;
  uint32_t body_len = (uint32_t)(m->n - body);
  memcpy(m->b + start + 4, &body_len, 4);
  memcpy(m->b + start + 12, &fields_len, 4);
}

static int read_some(int fd, unsigned char *buf, size_t cap, size_t *have)
{
  struct pollfd p = { .fd = fd, .events = POLLIN };
  int r = RETRY(poll(&p, 1, PROBE_TIMEOUT_MS));
  if (r <= 0)
    return r < 0 ? -errno : -ETIMEDOUT;
  ssize_t n = RETRY(read(fd, buf + *have, cap - *have));
  if (n <= 0)
    return n < 0 ? -errno : -ECONNRESET;
  *have += (size_t)n;
  return 0;
}

static uint32_t get_u32(const unsigned char *p, bool swap)
{
  uint32_t v;
  memcpy(&v, p, 4);
  return swap ? __builtin_bswap32(v) : v;
}

/* The REPLY_SERIAL field of a message's header fields, 0 if none; -EPROTO
 * for a field this reader can't step over. */
static int64_t reply_serial(const unsigned char *f, size_t len, bool swap)
{
  size_t i = 0;
  while (i + 4 <= len) {
    uint8_t code = f[i], sig_len = f[i + 1];
    if (sig_len != 1 || i + 4 > len)
      return -EPROTO;
    char type = (char)f[i + 2];
    i += 4;
    if (type == 'u' || type == 's' || type == 'o') {
      i = (i + 3) & ~(size_t)3;
      if (i + 4 > len)
        return -EPROTO;
      uint32_t v = get_u32(f + i, swap);
      if (type == 'u' && code == FIELD_REPLY_SERIAL)
        return v;
      i += 4 + (type == 'u' ? 0 : (size_t)v + 1);
    } else if (type == 'g') {
      if (i >= len)
        return -EPROTO;
      i += 1 + (size_t)f[i] + 1;
    } else {
      return -EPROTO;
    }
    i = (i + 7) & ~(size_t)7;
  }
  return 0;
}

/* Read messages until the reply to serial 2; its boolean, or -errno. */
static int read_answer(int fd, unsigned char *buf, size_t cap, size_t have)
{
  for (;;) {
    while (have < 16) {
      int r = read_some(fd, buf, cap, &have);
      if (r < 0)
        return r;
    }
    if (buf[0] != 'l' && buf[0] != 'B')
      return -EPROTO;
    bool swap = (buf[0] == 'l') != (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__);
    uint32_t body_len = get_u32(buf + 4, swap), fields_len = get_u32(buf + 12, swap);
    if (body_len > PROBE_MAX_MESSAGE || fields_len > PROBE_MAX_MESSAGE)
      return -EMSGSIZE;
    size_t body = 16 + (((size_t)fields_len + 7) & ~(size_t)7), total = body + body_len;
    if (total > cap)
      return -EMSGSIZE;
    while (have < total) {
      int r = read_some(fd, buf, cap, &have);
      if (r < 0)
        return r;
    }
    int64_t serial = reply_serial(buf + 16, fields_len, swap);
    if (serial < 0)
      return (int)serial;
    if (serial == 2) {
      if (buf[1] != MSG_METHOD_RETURN || body_len < 4)
        return -EIO;
      return get_u32(buf + body, swap) != 0;
    }
    memmove(buf, buf + total, have - total);
    have -= total;
  }
}

/* All of buf; a bus that went away is an error, not a SIGPIPE. */
static int send_all(int fd, const void *buf, size_t len)
{
  for (size_t done = 0; done < len;) {
    ssize_t n = RETRY(send(fd, (const char *)buf + done, len - done, MSG_NOSIGNAL));
    if (n < 0)
      return -errno;
    done += (size_t)n;
  }
  return 0;
}

/* EXTERNAL with our uid; then BEGIN, Hello and the question in one write.
 * The rest of what was read is kept in buf for read_answer. */
static int ask(int fd, const char *name, unsigned char *buf, size_t cap)
{
  char auth[64], uid[16];
  int len = snprintf(uid, sizeof uid, "%u", (unsigned)geteuid());
  int n = snprintf(auth, sizeof auth, "%cAUTH EXTERNAL ", '\0');
  for (int i = 0; i < len; i++)
    n += snprintf(auth + n, sizeof auth - (size_t)n, "%02x", (unsigned char)uid[i]);
  n += snprintf(auth + n, sizeof auth - (size_t)n, "\r\n");
  int r = send_all(fd, auth, (size_t)n);
  if (r < 0)
    return r;
  size_t have = 0;
  unsigned char *eol;
  while (!(eol = memmem(buf, have, "\r\n", 2))) {
    if ((r = have < 256 ? read_some(fd, buf, 256, &have) : -EPROTO) < 0)
      return r;
  }
  if (have < 3 || memcmp(buf, "OK ", 3) != 0)
    return -EACCES;
  have -= (size_t)(eol + 2 - buf);
  memmove(buf, eol + 2, have);

  struct msg m = { .n = 0 };
  put(&m, "BEGIN\r\n", 7);
  put_bus_call(&m, 1, "Hello", NULL);
  put_bus_call(&m, 2, "NameHasOwner", name);
  if (m.overflow)
    return -ENAMETOOLONG;
  if ((r = send_all(fd, m.b, m.n)) < 0)
    return r;
  return read_answer(fd, buf, cap, have);
}

int bus_name_has_owner(const char *address, const char *name)
{
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  socklen_t sa_len;
  int r;
  if (address && *address) {
    if ((r = address_to_sockaddr(address, &sa, &sa_len)) < 0)
      return r;
  } else {
    /* As sd-bus and libdbus find the user bus without an address. */
    const char *rt = getenv("XDG_RUNTIME_DIR");
    if (!rt || rt[0] != '/')
      return -ENOENT;
    if ((size_t)snprintf(sa.sun_path, sizeof sa.sun_path, "%s/bus", rt) >= sizeof sa.sun_path)
      return -ENAMETOOLONG;
    sa_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(sa.sun_path) + 1);
  }
  _cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return -errno;
  if (RETRY(connect(fd, (struct sockaddr *)&sa, sa_len)) < 0)
    return -errno;
  unsigned char *buf = xmalloc(PROBE_MAX_MESSAGE * 2);
  r = ask(fd, name, buf, PROBE_MAX_MESSAGE * 2);
  free(buf);
  return r;
}
