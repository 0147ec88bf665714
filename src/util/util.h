/* Small helpers shared by every part of sbx: ownership (cleanup attributes),
 * diagnostics in bubblewrap's format, and careful I/O. */
#pragma once

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _unused_ __attribute__((unused))
#define _printf_(a, b) __attribute__((format(printf, a, b)))
#define _noreturn_ __attribute__((noreturn))

static inline void freep(void *p) { free(*(void **)p); }
static inline void closep(int *fd)
{
  if (*fd >= 0) {
    int saved = errno;
    close(*fd);
    errno = saved;
  }
}
#define _cleanup_free_ _cleanup_(freep)
#define _cleanup_close_ _cleanup_(closep)

/* Hand ownership out of a cleanup-tracked variable. */
#define steal_ptr(pp) ({ __typeof__(*(pp)) _p = *(pp); *(pp) = NULL; _p; })
static inline int steal_fd(int *fd) { int r = *fd; *fd = -1; return r; }

#define RETRY(expr) ({ long _r; do _r = (long)(expr); while (_r == -1 && errno == EINTR); _r; })

/* Diagnostics.  Every message is "PROG: text" (optionally "<N>PROG: text" with
 * --level-prefix), as bubblewrap prints them, so wrappers that grep for
 * bwrap's strings keep working when sbx is installed under that name. */
void log_init(const char *argv0);
void log_set_level_prefix(bool on);
const char *log_prog(void);
void log_error(const char *fmt, ...) _printf_(1, 2);
void log_warn(const char *fmt, ...) _printf_(1, 2);
/* Print "PROG: text: strerror(errnum)" and return -errnum (so callers can
 * `return log_errno(r, "...")`). */
int log_errno(int errnum, const char *fmt, ...) _printf_(2, 3);
/* Print "PROG: text" and return -errnum. */
int log_fail(int errnum, const char *fmt, ...) _printf_(2, 3);
_noreturn_ void die_oom(void);

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t m);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) _printf_(1, 2);
char *xvasprintf(const char *fmt, va_list ap) _printf_(1, 0);

/* NULL-terminated string vectors. */
void strv_free(char **v);
static inline void strv_freep(char ***v) { strv_free(*v); }
#define _cleanup_strv_ _cleanup_(strv_freep)

/* Growable arrays: the one way sbx grows an array.  ARRAY_PUSH(ptr, n, cap)
 * makes room for ptr[n] (doubling cap), zeroes it, counts it (n++) and
 * yields its address.  ptr, n and cap are lvalues (size_t n, cap). */
void *array_grow(void *p, size_t elem, size_t *cap, size_t need);
#define ARRAY_PUSH(ptr, n, cap)                                                   \
  ((ptr) = array_grow((ptr), sizeof *(ptr), &(cap), (n) + 1),                    \
   memset(&(ptr)[(n)], 0, sizeof *(ptr)), &(ptr)[(n)++])

/* A string vector being built: v is NULL-terminated whenever n > 0 (and
 * NULL while empty), so it can be handed to execve or strv_free as is. */
struct strv {
  char **v;
  size_t n, cap;
};
void strv_push(struct strv *sv, char *s); /* takes ownership of s */
void strv_add(struct strv *sv, const char *s);
void strv_addf(struct strv *sv, const char *fmt, ...) _printf_(2, 3);
/* The vector (never NULL: an empty one is {NULL}); sv is left empty. */
char **strv_steal(struct strv *sv);
/* Free the strings and the vector; sv is left empty (a cleanup function). */
void strv_clear(struct strv *sv);

/* A growable text buffer: s is NUL-terminated, or NULL while empty. */
struct buf {
  char *s;
  size_t n, cap;
};
void buf_add(struct buf *b, const void *data, size_t len);
void buf_puts(struct buf *b, const char *s);
void buf_printf(struct buf *b, const char *fmt, ...) _printf_(2, 3);
/* The text (never NULL: "" when empty); b is left empty. */
char *buf_steal(struct buf *b);
void buf_free(struct buf *b);
static inline void buf_freep(struct buf *b) { buf_free(b); }
#define _cleanup_buf_ _cleanup_(buf_freep)

/* The caller's home directory: $HOME when it is absolute, else the
 * password database's entry for the real uid; NULL when neither is. */
char *home_dir(void);
/* Does path (symlinks followed) name a socket? */
bool is_socket(const char *path);

/* Read everything from fd (until EOF) into a NUL-terminated buffer. */
int read_all_fd(int fd, char **out, size_t *len);
int write_all(int fd, const void *buf, size_t len);
/* One byte and one fd over a unix socket (SCM_RIGHTS): how a sandbox's
 * process hands sbx what only it can open (its network namespace, a
 * seccomp listener, a socket in its network).  fd_send: 0 or -errno.
 * fd_recv: 1 with *fd (close-on-exec), 0 at EOF, -errno (-EBADMSG: not
 * exactly one fd with the byte). */
int fd_send(int sock, char byte, int fd);
int fd_recv(int sock, int *fd);
/* Write a short string to a file relative to dirfd (for /proc knobs). */
int write_file_at(int dirfd, const char *path, const char *content);
/* CLOCK_MONOTONIC in milliseconds: for deadlines. */
long long monotonic_ms(void);

/* Parse helpers: return 0 on success, -EINVAL on bad input. */
int parse_fd(const char *s, int *fd);
int parse_octal_mode(const char *s, unsigned *mode);
int parse_uint(const char *s, unsigned long long *v);
/* Decimal, 0x hex or 0 octal, as C writes it (-ERANGE on overflow). */
int parse_c_uint(const char *s, unsigned long long *v);
/* A TCP port list: "none" (no port), or comma-separated ports and
 * ranges ("80,443,8000-8080") from `min` (0 or 1) to 65535, at most
 * MAX_PORTS ports in all.  *ports (allocated, sorted, no duplicates; NULL
 * for none) and *n are set only on success. */
#define MAX_PORTS 4096
int parse_port_list(const char *s, unsigned min, uint16_t **ports, size_t *n);

bool fd_is_valid(int fd);

/* s as a JSON string, quoted and escaped (NULL: null). */
void json_write_str(FILE *f, const char *s);

/* The kernel's Landlock ABI version, or -ENOSYS (not built in) /
 * -EOPNOTSUPP (built in, not enabled with lsm=). */
int landlock_abi(void);

/* Close every fd but stdio and those in keep (negative entries are
 * ignored), with close_range(2) where the kernel has it.  Needs no /proc. */
int close_fds_except(const int *keep, size_t n_keep);
/* Close every fd above stdio that is not close-on-exec and not in keep:
 * those are the ones sbx's caller handed down (sbx opens all of its own
 * with O_CLOEXEC).  Reads /proc/self/fd (without it, asks each fd up to
 * the fd limit).  Returns 0 or -errno. */
int close_inheritable_fds(const int *keep, size_t n_keep);
