/* Variables in profiles and sbx options: ${HOME}, the XDG user dirs
 * (${DOWNLOAD}, ${DOCUMENTS}, ...), the XDG base dirs, ${UID}, ${PROFILE}. */
#pragma once
#include <stddef.h>

struct vars {
  struct var {
    char *name, *value;
  } *items;
  size_t n, cap;
};

/* Fill from the caller's environment and ~/.config/user-dirs.dirs. */
void vars_init(struct vars *v, const char *profile_name);
void vars_free(struct vars *v);
const char *vars_get(const struct vars *v, const char *name);
void vars_set(struct vars *v, const char *name, const char *value);
/* Expand ${NAME} (and a leading ~/); an unknown name is an error: returns
 * NULL and sets *bad to the name (caller frees). */
char *vars_expand(const struct vars *v, const char *in, char **bad);
