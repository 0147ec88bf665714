/* How an installed Exec line names its profile. */
#pragma once

/* The profile for `sbx --profile VALUE` in an Exec line: `requested` (a
 * name or path), or when NULL the one sbx would pick for program (else
 * default).  Checks that it loads.  *value is what to write (its name when
 * a launcher finds the same file by name, else its absolute path), *shown
 * its name.  Prints on error. */
int resolve_profile(const char *requested, const char *program, char **value, char **shown);
