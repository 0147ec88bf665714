/* The Exec key: reading an app's command line, and writing ours in front
 * of it so that the app runs through sbx. */
#pragma once

#include "install/keyfile.h"

/* Undo the string-level escapes (\s \n \t \r \\) of a value. */
char *unescape_string(const char *s, size_t len);
/* Split an (unescaped) Exec value into words as launchers do.  -EINVAL on
 * an unterminated quote, without printing. */
int exec_split(const char *s, char ***out);
/* The part of a path after its last '/'. */
const char *base_name(const char *s);
/* The program an Exec line starts (looking through `env VAR=value`). */
const char *exec_program(char **argv);
/* Append one word of our prefix, quoted for an Exec line; `what` names it
 * in the message when it can't be written there. */
int exec_word(struct buf *b, const char *word, const char *what);
/* Append "Exec=PREFIX ORIGINAL\n" for the key line `line` (parsed as pl)
 * of file, after checking that its value is a command line. */
int exec_through_sbx(struct buf *out, const struct parsed_line *pl, const char *exec_prefix, const char *file,
                     const char *line, size_t len);
