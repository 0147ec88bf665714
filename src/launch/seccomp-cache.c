/* The compiled system call policy and its cache (see seccomp-cache.h). */
#include "launch/seccomp-cache.h"

#include <fcntl.h>
#include <inttypes.h>
#include <seccomp.h>
#include <stdio.h>
#include <sys/stat.h>

#include "config.h"
#include "engine/engine.h"
#include "util/util.h"

/* A cache file: MAGIC, the key's length and bytes, the number of programs,
 * then each program's length and instructions (native byte order: the
 * file never leaves this machine's tmpfs). */
#define CACHE_MAGIC "sbx-bpf1"
#define CACHE_MAX_BYTES (1 << 20)
/* The kernel's BPF_MAXINSNS, 8 bytes an instruction. */
#define PROG_MAX_BYTES (4096 * 8)

/* Everything the programs depend on, in one buffer: the same key, the
 * same programs.  (The kernel is not in it: sbx's rules use only actions
 * every seccomp kernel has, so libseccomp's output does not depend on it.) */
static void cache_key(const struct plan *p, struct buf *key)
{
  const struct scmp_version *v = seccomp_version();
  buf_printf(key, "sbx %s libseccomp %u.%u.%u arch %" PRIu32 "\n", PACKAGE_VERSION, v ? v->major : 0,
             v ? v->minor : 0, v ? v->micro : 0, seccomp_arch_native());
  for (size_t i = 0; i < p->n_syscall_rules; i++) {
    const struct syscall_rule *r = &p->syscall_rules[i];
    buf_printf(key, "%s %d %u %" PRIx64 " %" PRIx64 " %d\n", r->name, (int)r->cmp, r->arg, r->mask, r->value,
               r->error);
  }
  buf_printf(key, "allowlist %zu\n", p->n_syscall_allowlist);
  for (size_t i = 0; i < p->n_syscall_allowlist; i++)
    buf_printf(key, "%s\n", p->syscall_allowlist[i]);
}

/* FNV-1a, 64 bits: a file name for the key (the file holds the key). */
static uint64_t key_hash(const struct buf *key)
{
  uint64_t h = 0xcbf29ce484222325ULL;
  for (size_t i = 0; i < key->n; i++)
    h = (h ^ (unsigned char)key->s[i]) * 0x100000001b3ULL;
  return h;
}

/* dirfd/name as a directory of ours: made 0700 if missing; refused when it
 * is a link, not a directory, someone else's or open to others. */
static int open_private_dir(int dirfd, const char *name)
{
  if (mkdirat(dirfd, name, 0700) < 0 && errno != EEXIST)
    return -errno;
  int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return -errno;
  struct stat st;
  if (fstat(fd, &st) < 0 || st.st_uid != geteuid() || (st.st_mode & 077)) {
    close(fd);
    return -EPERM;
  }
  return fd;
}

/* $XDG_RUNTIME_DIR/sbx/seccomp, or -errno (no cache this time). */
static int open_cache_dir(void)
{
  const char *rt = getenv("XDG_RUNTIME_DIR");
  if (!rt || rt[0] != '/')
    return -ENOENT;
  _cleanup_close_ int rfd = open(rt, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (rfd < 0)
    return -errno;
  _cleanup_close_ int sfd = open_private_dir(rfd, "sbx");
  if (sfd < 0)
    return sfd;
  return open_private_dir(sfd, "seccomp");
}

static bool take(const char **pos, const char *end, void *out, size_t len)
{
  if ((size_t)(end - *pos) < len)
    return false;
  memcpy(out, *pos, len);
  *pos += len;
  return true;
}

/* The programs of one cache file's content, if it is well formed and its
 * key is `key`. */
static bool parse_entry(const char *data, size_t size, const struct buf *key, struct plan *p)
{
  const char *pos = data, *end = data + size;
  char magic[sizeof CACHE_MAGIC - 1];
  uint32_t key_len, n_progs;
  if (!take(&pos, end, magic, sizeof magic) || memcmp(magic, CACHE_MAGIC, sizeof magic) != 0 ||
      !take(&pos, end, &key_len, sizeof key_len) || key_len != key->n || (size_t)(end - pos) < key_len ||
      memcmp(pos, key->s, key_len) != 0)
    return false;
  pos += key_len;
  if (!take(&pos, end, &n_progs, sizeof n_progs) || n_progs == 0 || n_progs > SECCOMP_MAX_ARCH_PROGS)
    return false;
  struct seccomp_prog progs[SECCOMP_MAX_ARCH_PROGS] = { 0 };
  size_t i;
  for (i = 0; i < n_progs; i++) {
    uint32_t len;
    if (!take(&pos, end, &len, sizeof len) || len == 0 || len % 8 || len > PROG_MAX_BYTES ||
        (size_t)(end - pos) < len)
      break;
    progs[i].data = xmalloc(len);
    progs[i].len = len;
    take(&pos, end, progs[i].data, len);
  }
  if (i < n_progs || pos != end) {
    for (size_t k = 0; k < SECCOMP_MAX_ARCH_PROGS; k++)
      free(progs[k].data);
    return false;
  }
  memcpy(p->policy_progs, progs, sizeof progs);
  p->n_policy_progs = n_progs;
  return true;
}

/* The cached programs for `key` into p; false when there are none (or
 * none this code would trust). */
static bool cache_load(int dfd, const char *name, const struct buf *key, struct plan *p)
{
  _cleanup_close_ int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0)
    return false;
  struct stat st;
  if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 077) ||
      st.st_size > CACHE_MAX_BYTES)
    return false;
  _cleanup_free_ char *data = NULL;
  size_t size;
  if (read_all_fd(fd, &data, &size) < 0)
    return false;
  return parse_entry(data, size, key, p);
}

/* Store p's programs under `name`: written to a temporary file, then
 * renamed over, so a concurrent launch reads the old file or the new one,
 * never half of one.  Best effort: returns nothing. */
static void cache_store(int dfd, const char *name, const struct buf *key, const struct plan *p)
{
  struct buf out = { 0 };
  uint32_t key_len = (uint32_t)key->n, n_progs = (uint32_t)p->n_policy_progs;
  buf_add(&out, CACHE_MAGIC, sizeof CACHE_MAGIC - 1);
  buf_add(&out, &key_len, sizeof key_len);
  buf_add(&out, key->s, key->n);
  buf_add(&out, &n_progs, sizeof n_progs);
  for (size_t i = 0; i < p->n_policy_progs; i++) {
    uint32_t len = (uint32_t)p->policy_progs[i].len;
    buf_add(&out, &len, sizeof len);
    buf_add(&out, p->policy_progs[i].data, p->policy_progs[i].len);
  }
  _cleanup_free_ char *tmp = xasprintf("%s.%d.tmp", name, (int)getpid());
  _cleanup_close_ int fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd >= 0 && write_all(fd, out.s, out.n) == 0 && renameat(dfd, tmp, dfd, name) == 0)
    tmp[0] = '\0';
  if (fd >= 0 && tmp[0])
    unlinkat(dfd, tmp, 0);
  buf_free(&out);
}

int seccomp_policy_prepare(struct plan *p)
{
  if ((p->n_syscall_rules == 0 && p->n_syscall_allowlist == 0) || p->n_policy_progs > 0)
    return 0;
  struct buf key = { 0 };
  cache_key(p, &key);
  char name[32];
  snprintf(name, sizeof name, "%016" PRIx64 ".bpf", key_hash(&key));
  _cleanup_close_ int dfd = open_cache_dir();
  int r = 0;
  if (dfd < 0 || !cache_load(dfd, name, &key, p)) {
    r = seccomp_compile_policy(p, p->policy_progs, &p->n_policy_progs);
    if (r == 0 && dfd >= 0 && p->n_policy_progs > 0)
      cache_store(dfd, name, &key, p);
  }
  buf_free(&key);
  return r;
}
