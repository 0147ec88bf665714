/* Unit tests: the Landlock rules derived from plan ops (plan/landlock.c),
 * and the masking of rights to a kernel's ABI.  Plain data in, plain data
 * out: no sandbox, no kernel. */
#include <stdbool.h>
#include <stdlib.h>

#include "plan/plan.h"
#include "tap.h"
#include "util/util.h"

static const struct landlock_rule *rule_of(const struct plan *p, const char *path)
{
  for (size_t i = 0; i < p->landlock.n_rules; i++)
    if (strcmp(p->landlock.rules[i].path, path) == 0)
      return &p->landlock.rules[i];
  return NULL;
}

static uint64_t rights_of(const struct plan *p, const char *path)
{
  const struct landlock_rule *r = rule_of(p, path);
  return r ? r->access : 0;
}

static struct plan_op *bind(struct plan *p, enum bind_access a, const char *src, const char *dest)
{
  struct plan_op *op = plan_add_op(p, OP_BIND, src, dest);
  op->access = a;
  return op;
}

static void test_modes(void)
{
  struct plan p;
  plan_init(&p, NULL);
  plan_add_op(&p, OP_PROC, NULL, "/proc");
  plan_add_op(&p, OP_DEV, NULL, "/dev");
  bind(&p, ACCESS_RO, "/usr", "/usr");
  bind(&p, ACCESS_RW, "/home/u/work", "/home/u/work");
  bind(&p, ACCESS_DEV, "/dev/dri", "/dev/dri");
  plan_add_op(&p, OP_TMPFS, NULL, "/tmp");
  plan_add_op(&p, OP_SYMLINK, "usr/bin", "/bin");
  struct plan_op *d = plan_add_op(&p, OP_BIND_DATA, NULL, "/etc/passwd");
  d->access = ACCESS_RO;
  plan_add_op(&p, OP_RO_OVERLAY, NULL, "/opt");
  plan_landlock_derive(&p);

  ok(rights_of(&p, "/usr") == (LL_READ_FILE | LL_READ_DIR | LL_EXECUTE), "ro bind: read and execute");
  ok(rights_of(&p, "/home/u/work") == LL_RW, "rw bind: every right but ioctl_dev");
  ok(rights_of(&p, "/dev/dri") == (LL_RW | LL_IOCTL_DEV), "dev bind: every right, ioctl_dev included");
  ok(rights_of(&p, "/tmp") == LL_RW, "tmpfs: read-write");
  ok(rights_of(&p, "/proc") == (LL_READ | LL_WRITE_FILE | LL_TRUNCATE), "proc: read, write and truncate files");
  ok(!(rights_of(&p, "/proc") & (LL_EXECUTE | LL_MAKE_REG)), "proc: no execute, no create");
  ok(rights_of(&p, "/dev") == (LL_READ | LL_WRITE_FILE | LL_TRUNCATE | LL_IOCTL_DEV), "dev: files read/written, ioctl");
  ok(rights_of(&p, "/dev/shm") == (LL_RW & ~LL_EXECUTE), "dev: /dev/shm is writable (shm_open), not executable");
  ok(rights_of(&p, "/etc/passwd") == LL_READ_FILE, "ro data file: read only");
  ok(rights_of(&p, "/opt") == LL_RO, "ro overlay: read and execute");
  ok(!rule_of(&p, "/bin"), "symlink: no rule of its own");
  ok(!rule_of(&p, "/"), "the root (sbx's own tmpfs): no rule");
  plan_free(&p);
}

static void test_cover_and_remount(void)
{
  struct plan p;
  plan_init(&p, NULL);
  bind(&p, ACCESS_RW, "/srv", "/a");
  bind(&p, ACCESS_RO, "/srv/x", "/a/b");
  plan_add_op(&p, OP_TMPFS, NULL, "/a"); /* hides both */
  bind(&p, ACCESS_RW, "/data", "/data//");
  plan_add_op(&p, OP_REMOUNT_RO, NULL, "/data/");
  plan_add_op(&p, OP_TMPFS, NULL, "/hidden");
  plan_add_op(&p, OP_REMOUNT_RO, NULL, "/hidden");
  bind(&p, ACCESS_RO, "/usr", "/usr");
  plan_add_op(&p, OP_DIR, NULL, "/usr/local/x"); /* inside a ro bind */
  plan_add_op(&p, OP_DIR, NULL, "/run/user/1");  /* on the root tmpfs */
  plan_landlock_derive(&p);

  ok(rights_of(&p, "/a") == LL_RW && !rule_of(&p, "/a/b"), "a later mount replaces the rules at and below it");
  ok(rule_of(&p, "/data") && rights_of(&p, "/data") == LL_RO, "remount-ro: a rw bind keeps read and execute");
  ok(rights_of(&p, "/hidden") == LL_READ, "remount-ro of a tmpfs (hide): read only");
  ok(!rule_of(&p, "/usr/local/x"), "a dir inside a ro bind gets no rights of its own");
  ok(rights_of(&p, "/run/user/1") == LL_RW, "a dir on the root tmpfs is writable");
  size_t n = p.landlock.n_rules;
  plan_landlock_derive(&p);
  ok(p.landlock.n_rules == n, "deriving again replaces the rules (%zu)", n);
  plan_free(&p);
}

static void test_abi_mask(void)
{
  ok(landlock_fs_rights_for_abi(0) == 0, "no Landlock: no rights");
  ok(landlock_fs_rights_for_abi(1) == ((1ULL << 13) - 1), "ABI 1: the 13 first rights");
  ok(landlock_fs_rights_for_abi(2) == ((1ULL << 14) - 1), "ABI 2: + refer");
  ok(landlock_fs_rights_for_abi(3) == ((1ULL << 15) - 1), "ABI 3: + truncate");
  ok(landlock_fs_rights_for_abi(4) == ((1ULL << 15) - 1), "ABI 4: no new fs right");
  ok(landlock_fs_rights_for_abi(5) == LL_ALL_FS, "ABI 5: + ioctl_dev");
  ok(landlock_fs_rights_for_abi(7) == LL_ALL_FS, "ABI 7: nothing above ioctl_dev (resolve_unix is ABI 9)");
  char buf[256];
  is_str(landlock_rights_str(LL_RO, buf, sizeof buf), "execute,read_file,read_dir", "rights in words");
  is_str(landlock_rights_str(0, buf, sizeof buf), "none", "no rights in words");
}

static void test_port_list(void)
{
  uint16_t *v = NULL;
  size_t n = 99;
  ok(parse_port_list("none", 1, &v, &n) == 0 && n == 0 && !v, "none: no port");
  ok(parse_port_list("443,80,8000-8002,80", 1, &v, &n) == 0 && n == 5 && v[0] == 80 && v[1] == 443 &&
       v[2] == 8000 && v[4] == 8002,
     "ports and a range, sorted, the duplicate dropped");
  free(v);
  v = NULL;
  ok(parse_port_list("0", 0, &v, &n) == 0 && n == 1 && v[0] == 0, "port 0 where allowed (bind)");
  free(v);
  v = NULL;
  const char *bad[] = { "0", "", ",", "80,", ",80", "80,,81", "65536", "-1", "5-3", "1-4097", "80-", "x", "any" };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    ok(parse_port_list(bad[i], 1, &v, &n) == -EINVAL && !v, "refused: \"%s\"", bad[i]);
  ok(parse_port_list("1-4096", 1, &v, &n) == 0 && n == 4096, "4096 ports: the most");
  free(v);
}

int main(void)
{
  test_modes();
  test_cover_and_remount();
  test_abi_mask();
  test_port_list();
  return tap_done();
}
