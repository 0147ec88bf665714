#include "compile/ctx.h"

#include <inttypes.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "policy/query.h"
#include "util/util.h"

bool cc_path_visible(const struct compile_ctx *cc, const char *path)
{
  return path_access_shows_host(policy_path_access(cc->pol, path));
}

static char *new_instance_id(void)
{
  uint64_t id = 0;
  if (getrandom(&id, sizeof id, 0) != sizeof id) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    id = ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)ts.tv_sec ^ ((uint64_t)getpid() << 40);
  }
  /* Never 0, never with fewer than 10 digits (Flatpak's ids look alike). */
  id = id % 9000000000000000000ULL + 1000000000ULL;
  return xasprintf("%" PRIu64, id);
}

struct plan_services *cc_services(struct compile_ctx *cc)
{
  struct plan *p = cc->plan;
  if (p->services)
    return p->services;
  struct plan_services *s = xcalloc(1, sizeof *s);
  s->instance_id = new_instance_id();
  if (cc->host_runtime_dir) {
    s->runtime_parent = xasprintf("%s/sbx", cc->host_runtime_dir);
    s->runtime_dir = xasprintf("%s/%s", s->runtime_parent, s->instance_id);
    s->flatpak_parent = xasprintf("%s/.flatpak", cc->host_runtime_dir);
    s->flatpak_dir = xasprintf("%s/%s", s->flatpak_parent, s->instance_id);
  } else {
    /* mkdtemp's recipe with the name fixed now: an unguessable name and a
     * mkdir (at start) that fails if anything is already there. */
    s->runtime_dir = xasprintf("/tmp/sbx-%u-%s", (unsigned)getuid(), s->instance_id);
  }
  return p->services = s;
}
