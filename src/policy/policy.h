/* The policy: what a profile (and sbx's own command-line options) say about
 * a sandbox, as (key, value) settings with their source.  It is
 * order-independent by construction: every setting is keyed (a path, a
 * socket name, an environment variable...), and for each key the value from
 * the highest layer wins.  Two different values for one key in the same
 * layer are an error that names both places.  Resolved settings are then
 * compiled into plan operations (compile/compile.c). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Layers, lowest first.  A profile's includes < the profile < its .local
 * files < sbx options on the command line. */
enum layer { LAYER_INCLUDE, LAYER_PROFILE, LAYER_LOCAL, LAYER_CMDLINE };

struct src_loc {
  const char *file; /* interned in the policy; "command line" for options */
  int line;         /* argv index for options */
  enum layer layer;
};

struct setting {
  char *key;   /* e.g. "path:/home/u/.ssh", "socket:x11", "network" */
  char *value; /* e.g. "hide", "on", "none" */
  struct src_loc loc;
};

struct policy {
  struct setting *items;
  size_t n, cap;
  char **files; /* interned file names */
  size_t n_files, cap_files;
  /* What was loaded, for --explain. */
  char *profile_name; /* e.g. "firefox" */
  char *profile_path; /* the main profile file, or NULL (--noprofile) */
  bool resolved;
};

void policy_init(struct policy *pol);
void policy_free(struct policy *pol);
const char *policy_intern(struct policy *pol, const char *file);

/* Record one setting.  Returns 0, or -EINVAL after printing "FILE:LINE: ..."
 * when the same layer already gave the key a different value. */
int policy_set(struct policy *pol, const char *key, const char *value, struct src_loc loc);

/* Keep, for every key, only the setting from the highest layer; sort by key. */
void policy_resolve(struct policy *pol);

const struct setting *policy_get(const struct policy *pol, const char *key);
const char *policy_value(const struct policy *pol, const char *key);
/* Iterate over resolved settings whose key starts with prefix. */
const struct setting *policy_next(const struct policy *pol, const char *prefix, size_t *iter);

const char *layer_name(enum layer l);
