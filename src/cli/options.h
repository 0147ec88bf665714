#pragma once
#include "plan/plan.h"

enum cli_action {
  CLI_RUN, CLI_HELP, CLI_VERSION, CLI_CHECK, CLI_EXPLAIN, CLI_DESKTOP_INSTALL, CLI_DESKTOP_REMOVE, CLI_DESKTOP_LIST,
  /* Running sandboxes (launch/registry.h): --list, --stop NAME, --freeze
   * NAME, --thaw NAME, --stats [NAME], --join NAME [CMD]. */
  CLI_LIST, CLI_STOP, CLI_FREEZE, CLI_THAW, CLI_STATS, CLI_JOIN,
  CLI_SHARE, CLI_UNSHARE, /* --share NAME PATH [--ro] [--as DEST], --unshare NAME PATH */
  CLI_DOCTOR, /* --doctor [--json] (doctor/doctor.h) */
  CLI_LEARN,  /* --learn NAME [--output FILE] CMD... (compile/learn.h) */
};

/* sbx's own options (beyond bubblewrap's), kept aside until the profile is
 * known: directive options go into the policy at the command-line layer. */
struct cli_directive {
  const struct directive *d;
  char *arg;
  int index; /* position on the command line, for messages */
};

struct cli_extra {
  char *profile;        /* --profile NAME|PATH, or --check's argument */
  char *desktop_app;    /* --desktop-install/--desktop-remove APP */
  char *target;         /* --stop/--freeze/--thaw/--join/--share/--unshare NAME (--stats: its command word) */
  char *share_path;     /* --share/--unshare's PATH, made absolute (lexically: no link followed) */
  char *share_as;       /* --as DEST */
  bool share_ro;        /* --ro */
  char *learn_name;     /* --learn NAME */
  char *learn_output;   /* --output FILE (with --learn) */
  bool explain_denials; /* --explain-denials (with a run: engine/notify.h, compile/explain.h) */
  bool noprofile;
  bool json;            /* --json (with --explain) */
  unsigned watch_ms;    /* --stats --watch [SECONDS]: the interval; 0: once */
  bool shapes_sandbox;  /* a bubblewrap option that builds the sandbox was given */
  struct cli_directive *directives;
  size_t n_directives, cap_directives;
};
void cli_extra_free(struct cli_extra *x);

/* Parse a bubblewrap-compatible command line (the words after the program
 * name `prog`, which the usage text echoes) into *p.
 * Returns 0, or a negative errno after printing one diagnostic. */
int cli_parse(struct plan *p, struct cli_extra *x, const char *prog, int argc, char **argv, enum cli_action *action);
void cli_print_usage(const char *argv0, int fd);
/* Checks that need the whole command line (option combinations). */
int cli_validate(struct plan *p);
