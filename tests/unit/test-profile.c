/* Unit tests for the profile language: includes, .local layering, variables,
 * same-layer conflicts, error locations.  Works on files in a temp dir. */
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "policy/policy.h"
#include "policy/profile.h"
#include "policy/vars.h"
#include "tap.h"
#include "util/util.h"

static char dir[] = "/tmp/sbx-prof-XXXXXX";
static char errbuf[4096];

static void put(const char *name, const char *text)
{
  char *p = xasprintf("%s/%s", dir, name);
  FILE *f = fopen(p, "w");
  fputs(text, f);
  fclose(f);
  free(p);
}

/* Load NAME.profile from dir; stderr captured into errbuf. */
static int load(struct policy *pol, const char *name)
{
  struct vars v;
  struct profile_paths pp;
  vars_init(&v, name);
  vars_set(&v, "HOME", "/home/u");
  vars_set(&v, "DOWNLOAD", "/home/u/Downloads");
  setenv("SBX_PROFILE_PATH", dir, 1);
  profile_paths_init(&pp, &v);
  policy_init(pol);
  char *path = profile_find(&pp, name);
  int r = -ENOENT;
  fflush(stderr);
  int saved = dup(2);
  char *errfile = xasprintf("%s/.err", dir);
  int efd = open(errfile, O_RDWR | O_CREAT | O_TRUNC, 0600);
  dup2(efd, 2);
  if (path)
    r = profile_load(pol, &v, &pp, path);
  dup2(saved, 2);
  close(saved);
  lseek(efd, 0, SEEK_SET);
  ssize_t n = read(efd, errbuf, sizeof errbuf - 1);
  errbuf[n > 0 ? n : 0] = '\0';
  errbuf[strcspn(errbuf, "\n")] = '\0';
  close(efd);
  free(errfile);
  free(path);
  profile_paths_free(&pp);
  vars_free(&v);
  if (r == 0)
    policy_resolve(pol);
  return r;
}

int main(void)
{
  log_init("sbx");
  if (!mkdtemp(dir))
    return 1;

  put("common.inc", "# shared\nro /usr\nhide ~/.ssh\nrw ${DOWNLOAD}\n");
  put("app.profile", "include common.inc\nrw /home/u/.ssh  # the profile overrides its include\n"
                     "private /home/u\nsocket x11\nenv A=\"b c\"\n");
  put("app.local", "ro /home/u/.ssh\nno-socket x11\n");
  struct policy pol;
  int r = load(&pol, "app");
  ok(r == 0, "profile with include and .local loads (%s)", errbuf);
  is_str(policy_value(&pol, "path:/usr"), "ro", "include rule present");
  is_str(policy_value(&pol, "path:/home/u/.ssh"), "ro", ".local beats profile beats include");
  is_str(policy_value(&pol, "path:/home/u/Downloads"), "rw", "${DOWNLOAD} expanded");
  is_str(policy_value(&pol, "socket:x11"), "off", ".local no-socket wins");
  const struct setting *s = policy_get(&pol, "path:/home/u");
  ok(s && s->loc.line == 3 && s->loc.layer == LAYER_PROFILE, "source location kept (line %d)", s ? s->loc.line : -1);
  policy_free(&pol);

  put("conflict.profile", "ro /opt\nhide /opt\n");
  r = load(&pol, "conflict");
  ok(r < 0 && strstr(errbuf, "conflict.profile:2:") && strstr(errbuf, "conflict.profile:1"),
     "same-layer conflict names both lines: %s", errbuf);
  policy_free(&pol);

  put("order1.profile", "private /home/u\nrw /home/u/Downloads\n");
  put("order2.profile", "rw /home/u/Downloads\nprivate /home/u\n");
  struct policy p1, p2;
  load(&p1, "order1");
  load(&p2, "order2");
  ok(p1.n == p2.n && p1.n == 2 && strcmp(p1.items[0].key, p2.items[0].key) == 0 &&
     strcmp(p1.items[1].value, p2.items[1].value) == 0, "line order does not change the resolved policy");
  policy_free(&p1);
  policy_free(&p2);

  put("unknown.profile", "ro /usr\nfrobnicate /x\n");
  ok(load(&pol, "unknown") < 0 && strstr(errbuf, "unknown.profile:2: unknown directive"), "unknown directive: %s", errbuf);
  policy_free(&pol);

  put("badvar.profile", "ro ${NOPE}/x\n");
  ok(load(&pol, "badvar") < 0 && strstr(errbuf, "badvar.profile:1:") && strstr(errbuf, "${NOPE}"), "undefined variable: %s", errbuf);
  policy_free(&pol);

  put("loop-a.inc", "include loop-b.inc\n");
  put("loop-b.inc", "include loop-a.inc\n");
  put("loop.profile", "include loop-a.inc\n");
  ok(load(&pol, "loop") < 0 && strstr(errbuf, "loop-b.inc:1: include loop"), "include loop: %s", errbuf);
  policy_free(&pol);

  put("missing.profile", "ro /usr\ninclude nothere.inc\n");
  ok(load(&pol, "missing") < 0 && strstr(errbuf, "missing.profile:2: include: can't find"), "missing include: %s", errbuf);
  policy_free(&pol);

  put("relpath.profile", "ro usr/lib\n");
  ok(load(&pol, "relpath") < 0 && strstr(errbuf, "relpath.profile:1:"), "relative path: %s", errbuf);
  policy_free(&pol);

  put("dotdot.profile", "ro /usr/../etc\n");
  ok(load(&pol, "dotdot") < 0 && strstr(errbuf, "dotdot.profile:1:"), "'..' in a path: %s", errbuf);
  policy_free(&pol);

  put("args.profile", "ro /usr /etc\n");
  ok(load(&pol, "args") < 0 && strstr(errbuf, "args.profile:1:") && strstr(errbuf, "exactly one argument"),
     "two arguments: %s", errbuf);
  policy_free(&pol);

  put("quote.profile", "ro \"/opt/My Dir\"  # comment\nro /usr/share//fonts/\n");
  ok(load(&pol, "quote") == 0 && policy_value(&pol, "path:/opt/My Dir") && policy_value(&pol, "path:/usr/share/fonts"),
     "quoted path with a blank, normalized path");
  policy_free(&pol);

  put("sock.profile", "socket x12\n");
  ok(load(&pol, "sock") < 0 && strstr(errbuf, "sock.profile:1:") && strstr(errbuf, "x11"), "unknown socket lists the known ones: %s", errbuf);
  policy_free(&pol);

  put("parent.profile", "ro /opt/p\n");
  put("parent.local", "hide /opt/p\n");
  put("child.profile", "include parent.profile\nro /opt/c\n");
  put("child.local", "rw /opt/c\n");
  ok(load(&pol, "child") == 0, "a profile including a profile loads (%s)", errbuf);
  is_str(policy_value(&pol, "path:/opt/p"), "hide", "the included profile's .local applies");
  is_str(policy_value(&pol, "path:/opt/c"), "rw", "the profile's own .local applies");
  policy_free(&pol);

  /* An empty profile: nothing to sort (fuzz-profile's first input; under
   * UBSan qsort(NULL, 0) was a finding). */
  put("empty.profile", "");
  ok(load(&pol, "empty") == 0, "an empty profile loads (%s)", errbuf);
  ok(pol.n == 0, "an empty profile sets nothing");
  policy_free(&pol);

  char *cmd = xasprintf("rm -rf '%s'", dir);
  (void)!system(cmd);
  free(cmd);
  return tap_done();
}
