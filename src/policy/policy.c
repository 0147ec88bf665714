#include "policy/policy.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"

void policy_init(struct policy *pol)
{
  memset(pol, 0, sizeof *pol);
}

void policy_free(struct policy *pol)
{
  for (size_t i = 0; i < pol->n; i++) {
    free(pol->items[i].key);
    free(pol->items[i].value);
  }
  free(pol->items);
  for (size_t i = 0; i < pol->n_files; i++)
    free(pol->files[i]);
  free(pol->files);
  free(pol->profile_name);
  free(pol->profile_path);
  memset(pol, 0, sizeof *pol);
}

const char *policy_intern(struct policy *pol, const char *file)
{
  for (size_t i = 0; i < pol->n_files; i++)
    if (strcmp(pol->files[i], file) == 0)
      return pol->files[i];
  return *ARRAY_PUSH(pol->files, pol->n_files, pol->cap_files) = xstrdup(file);
}

const char *layer_name(enum layer l)
{
  switch (l) {
  case LAYER_INCLUDE: return "include";
  case LAYER_PROFILE: return "profile";
  case LAYER_LOCAL: return "local";
  case LAYER_CMDLINE: return "command line";
  }
  return "?";
}

int policy_set(struct policy *pol, const char *key, const char *value, struct src_loc loc)
{
  for (size_t i = 0; i < pol->n; i++) {
    struct setting *s = &pol->items[i];
    if (s->loc.layer != loc.layer || strcmp(s->key, key) != 0)
      continue;
    if (strcmp(s->value, value) == 0)
      return 0; /* said twice, same meaning */
    /* Includes are one layer, but a later include legitimately refines an
     * earlier one only through a higher layer; within a layer, a conflict
     * is a mistake the author must resolve. */
    return log_fail(EINVAL, "%s:%d: \"%s\" conflicts with \"%s\" at %s:%d (same layer; say it once, or override it in a higher layer)",
                    loc.file, loc.line, value, s->value, s->loc.file, s->loc.line);
  }
  *ARRAY_PUSH(pol->items, pol->n, pol->cap) = (struct setting){ xstrdup(key), xstrdup(value), loc };
  return 0;
}

static int cmp_key_then_layer(const void *a, const void *b)
{
  const struct setting *x = a, *y = b;
  int c = strcmp(x->key, y->key);
  if (c)
    return c;
  return (int)y->loc.layer - (int)x->loc.layer; /* highest layer first */
}

void policy_resolve(struct policy *pol)
{
  if (pol->n) /* items is NULL while empty, and qsort's base must not be */
    qsort(pol->items, pol->n, sizeof *pol->items, cmp_key_then_layer);
  size_t out = 0;
  for (size_t i = 0; i < pol->n; i++) {
    if (out > 0 && strcmp(pol->items[out - 1].key, pol->items[i].key) == 0) {
      free(pol->items[i].key);
      free(pol->items[i].value);
      continue;
    }
    pol->items[out++] = pol->items[i];
  }
  pol->n = out;
  pol->resolved = true;
}

const struct setting *policy_get(const struct policy *pol, const char *key)
{
  size_t lo = 0, hi = pol->n;
  if (!pol->resolved) {
    for (size_t i = 0; i < pol->n; i++)
      if (strcmp(pol->items[i].key, key) == 0)
        return &pol->items[i];
    return NULL;
  }
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    int c = strcmp(pol->items[mid].key, key);
    if (c == 0)
      return &pol->items[mid];
    if (c < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  return NULL;
}

const char *policy_value(const struct policy *pol, const char *key)
{
  const struct setting *s = policy_get(pol, key);
  return s ? s->value : NULL;
}

const struct setting *policy_next(const struct policy *pol, const char *prefix, size_t *iter)
{
  size_t plen = strlen(prefix);
  for (; *iter < pol->n; (*iter)++)
    if (strncmp(pol->items[*iter].key, prefix, plen) == 0)
      return &pol->items[(*iter)++];
  return NULL;
}
