/* D-Bus addresses: see bus-address.h. */
#include "util/bus-address.h"

#include <errno.h>
#include <string.h>
#include <sys/un.h>

#include "util/util.h"

static int hex_digit(char c)
{
  return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* %XX in a D-Bus address value, decoded into out (size n). */
static int address_unescape(const char *s, size_t len, char *out, size_t n)
{
  size_t o = 0;
  for (size_t i = 0; i < len; i++) {
    char c = s[i];
    if (c == '%') {
      if (i + 2 >= len || hex_digit(s[i + 1]) < 0 || hex_digit(s[i + 2]) < 0)
        return -EINVAL;
      c = (char)(hex_digit(s[i + 1]) << 4 | hex_digit(s[i + 2]));
      i += 2;
    }
    if (o + 1 >= n)
      return -ENAMETOOLONG;
    out[o++] = c;
  }
  out[o] = '\0';
  return (int)o;
}

int bus_address_walk(const char *address, int (*fn)(const char *value, bool abstract, void *data), void *data)
{
  for (const char *entry = address; entry && *entry; entry = strchr(entry, ';') ? strchr(entry, ';') + 1 : NULL) {
    size_t entry_len = strcspn(entry, ";");
    if (strncmp(entry, "unix:", 5) != 0)
      continue;
    for (const char *kv = entry + 5; kv < entry + entry_len; kv += strcspn(kv, ",;") + 1) {
      size_t kv_len = strcspn(kv, ",;");
      bool abstract = strncmp(kv, "abstract=", 9) == 0;
      size_t key = abstract ? 9 : strncmp(kv, "path=", 5) == 0 ? 5 : 0;
      if (!key)
        continue;
      char value[sizeof ((struct sockaddr_un *)0)->sun_path];
      int n = address_unescape(kv + key, kv_len - key, value, sizeof value - abstract);
      if (n == 0)
        n = -EINVAL;
      int r = n < 0 ? n : fn(value, abstract, data);
      if (r)
        return r;
    }
  }
  return 0;
}

static int add_path(const char *value, bool abstract, void *data)
{
  if (!abstract)
    strv_add(data, value);
  return 0;
}

int bus_address_paths(const char *address, struct strv *paths)
{
  return bus_address_walk(address, add_path, paths);
}

struct first {
  bool abstract; /* the kind wanted */
  char *value;
};

static int take_first(const char *value, bool abstract, void *data)
{
  struct first *f = data;
  if (abstract != f->abstract)
    return 0;
  f->value = xstrdup(value);
  return 1;
}

char *bus_address_first_path(const char *address)
{
  struct first f = { false, NULL };
  return bus_address_walk(address, take_first, &f) > 0 ? f.value : NULL;
}

char *bus_address_abstract(const char *address)
{
  struct first f = { true, NULL };
  return bus_address_walk(address, take_first, &f) > 0 ? f.value : NULL;
}
