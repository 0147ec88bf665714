/* The Exec key of .desktop entries and D-Bus service files.
 *
 * Our copies keep the original value verbatim after our prefix
 * (`SBX --profile PROFILE -- `), so its quoting, escapes and field codes
 * (%u %F ...) mean exactly what they meant before, to every launcher.  The
 * parsing here is therefore only used to check the value and to find the
 * program it starts; what we write ourselves is quoted by the strictest
 * reading of the rules.  Reference: Desktop Entry Specification 1.5, "The
 * Exec key". */
#include "install/exec.h"

#include <string.h>

#include "util/util.h"

/* The spec applies the string-level escapes before the Exec quoting rules,
 * so only those are undone here; other backslashes are left for those. */
char *unescape_string(const char *s, size_t len)
{
  char *out = xmalloc(len + 1), *o = out;
  for (size_t i = 0; i < len; i++) {
    if (s[i] == '\\' && i + 1 < len && strchr("sntr\\", s[i + 1])) {
      char c = s[++i];
      *o++ = c == 's' ? ' ' : c == 'n' ? '\n' : c == 't' ? '\t' : c == 'r' ? '\r' : '\\';
    } else {
      *o++ = s[i];
    }
  }
  *o = '\0';
  return out;
}

/* One quoted part of a word, from the opening quote at *p to the closing
 * one (where *p is left; at the NUL when there is none).  Double quotes
 * take \" \` \$ \\ escapes (the spec); single quotes take none (GLib parses
 * Exec as a shell word list, and real files rely on it). */
static void exec_quoted(const char **p, struct buf *w)
{
  char q = **p;
  for ((*p)++; **p && **p != q; (*p)++) {
    if (q == '"' && **p == '\\' && (*p)[1] && strchr("\"`$\\", (*p)[1]))
      (*p)++;
    buf_add(w, *p, 1);
  }
}

int exec_split(const char *s, char ***out)
{
  struct strv v = { 0 };
  struct buf w = { 0 };
  bool in_word = false;
  for (const char *p = s;; p++) {
    if (*p == '\0' || *p == ' ' || *p == '\t' || *p == '\n') {
      if (in_word)
        strv_push(&v, buf_steal(&w));
      in_word = false;
      if (*p == '\0')
        break;
      continue;
    }
    in_word = true;
    if (*p != '"' && *p != '\'') {
      if (*p == '\\' && p[1]) /* an unquoted backslash escapes the next byte */
        p++;
      buf_add(&w, p, 1);
      continue;
    }
    exec_quoted(&p, &w);
    if (*p == '\0') {
      buf_free(&w);
      strv_free(v.v);
      return -EINVAL; /* unterminated quote */
    }
    if (!w.s)
      buf_add(&w, "", 0); /* "" is an empty word */
  }
  buf_free(&w);
  *out = strv_steal(&v);
  return 0;
}

const char *base_name(const char *s)
{
  const char *slash = strrchr(s, '/');
  return slash ? slash + 1 : s;
}

const char *exec_program(char **argv)
{
  size_t i = 0;
  if (argv[0] && strcmp(base_name(argv[0]), "env") == 0)
    for (i = 1; argv[i] && (argv[i][0] == '-' || strchr(argv[i], '=')); i++)
      ;
  return argv[i];
}

/* The word as it must appear in the file: quoted by the Exec rules when it
 * holds a reserved character, then string-escaped.  '%' and control
 * characters are refused: launchers disagree on field codes inside quotes,
 * and nothing we write needs them. */
int exec_word(struct buf *b, const char *word, const char *what)
{
  static const char reserved[] = " \t\n\"'\\><~|&;$*?#()`";
  bool quote = word[0] == '\0';
  for (const char *c = word; *c; c++) {
    if (*c == '%' || (unsigned char)*c < 0x20 || *c == 0x7f)
      return log_fail(EINVAL, "%s \"%s\" contains '%%' or a control character, which cannot be written in an Exec line",
                      what, word);
    quote |= strchr(reserved, *c) != NULL;
  }
  if (!quote) {
    buf_puts(b, word);
    return 0;
  }
  buf_puts(b, "\"");
  for (const char *c = word; *c; c++) {
    if (strchr("\"`$\\", *c))
      buf_puts(b, "\\\\"); /* the quoting backslash, string-escaped */
    if (*c == '\\')
      buf_puts(b, "\\\\");
    else
      buf_add(b, c, 1);
  }
  buf_puts(b, "\"");
  return 0;
}

/* Exec=ORIGINAL becomes Exec=PREFIX ORIGINAL, the original byte for byte. */
int exec_through_sbx(struct buf *out, const struct parsed_line *pl, const char *exec_prefix, const char *file,
                     const char *line, size_t len)
{
  _cleanup_free_ char *value = unescape_string(pl->value, pl->value_len);
  _cleanup_strv_ char **argv = NULL;
  if (exec_split(value, &argv) < 0 || !argv[0])
    return log_fail(EINVAL, "%s: %.*s: not a valid command line (empty, or an unterminated quote)", file, (int)len,
                    line);
  buf_puts(out, "Exec=");
  buf_puts(out, exec_prefix);
  buf_add(out, pl->value, pl->value_len);
  buf_puts(out, "\n");
  return 0;
}
