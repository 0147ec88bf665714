/* libFuzzer harness: the profile language with includes and .local files,
 * then the compiler on what loaded.  The input is up to four files split
 * on NUL bytes (a profile line cannot hold one): fz.profile, a.inc, b.inc
 * and fz.local, written into a temp dir that is the only profile search
 * directory.  `include a.inc` finds the include beside the profile.
 * Compile only stats and opens what the policy names (no host dir is made,
 * see tests/unit/test-compile.c); its fds are closed with the plan. */
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "compile/compile.h"
#include "fuzz-fds.h"
#include "plan/plan.h"
#include "policy/policy.h"
#include "policy/profile.h"
#include "policy/vars.h"

static char *dir;
static const char *const names[] = { "fz.profile", "a.inc", "b.inc", "fz.local" };
static char *paths[4];
static char *home;

static void remove_dir(void)
{
  for (size_t i = 0; i < 4; i++)
    unlink(paths[i]);
  rmdir(home);
  rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
  log_init("sbx");
  const char *tmp = getenv("TMPDIR");
  dir = xasprintf("%s/sbx-fuzz-profile-XXXXXX", tmp && *tmp ? tmp : "/tmp");
  if (!mkdtemp(dir))
    abort();
  for (size_t i = 0; i < 4; i++)
    paths[i] = xasprintf("%s/%s", dir, names[i]);
  /* ${HOME} and the XDG dirs point into the temp dir, empty. */
  home = xasprintf("%s/home", dir);
  if (mkdir(home, 0700) < 0)
    abort();
  setenv("HOME", home, 1);
  unsetenv("XDG_CONFIG_HOME");
  unsetenv("XDG_DATA_HOME");
  unsetenv("XDG_CACHE_HOME");
  unsetenv("XDG_STATE_HOME");
  unsetenv("XDG_RUNTIME_DIR");
  atexit(remove_dir);
  return 0;
}

static void put(const char *path, const uint8_t *data, size_t len)
{
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0 || (len && write(fd, data, len) != (ssize_t)len))
    abort();
  close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (size > 64 * 1024)
    return -1;
  /* Write the parts; a file the input has no part for does not exist. */
  size_t start = 0, part = 0;
  for (size_t i = 0; i <= size && part < 4; i++)
    if (i == size || data[i] == '\0') {
      put(paths[part++], data + start, i - start);
      start = i + 1;
    }
  for (; part < 4; part++)
    unlink(paths[part]);

  struct fd_guard g;
  fd_guard_start(&g);
  struct vars v;
  vars_init(&v, "fz");
  struct profile_paths pp = { 0 };
  *ARRAY_PUSH(pp.dirs, pp.n, pp.cap) = xstrdup(dir);
  struct policy pol;
  policy_init(&pol);
  int r = profile_load(&pol, &v, &pp, paths[0]);
  if (r == 0) {
    policy_resolve(&pol);
    char *env[] = { xasprintf("HOME=%s", home), "PATH=/usr/bin:/bin", NULL };
    struct plan p;
    struct notes notes = { 0 };
    plan_init(&p, env);
    (void)policy_compile(&pol, &p, &notes);
    plan_free(&p);
    notes_free(&notes);
    free(env[0]);
  }
  policy_free(&pol);
  profile_paths_free(&pp);
  vars_free(&v);
  fd_guard_end(&g);
  return 0;
}
