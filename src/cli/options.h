#pragma once
#include "plan.h"

enum cli_action { CLI_RUN, CLI_HELP, CLI_VERSION };

/* Parse a bubblewrap-compatible command line (the words after the program
 * name `prog`, which the usage text echoes) into *p.
 * Returns 0, or a negative errno after printing one diagnostic. */
int cli_parse(struct plan *p, const char *prog, int argc, char **argv, enum cli_action *action);
void cli_print_usage(const char *argv0, int fd);
/* Checks that need the whole command line (option combinations). */
int cli_validate(struct plan *p);
