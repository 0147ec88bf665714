/* A minimal TAP producer for the C unit tests. */
#pragma once
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_n, tap_failed;

#define ok(cond, ...)                                                                  \
  do {                                                                                 \
    bool _c = (cond);                                                                  \
    printf("%sok %d - ", _c ? "" : "not ", ++tap_n);                                   \
    printf(__VA_ARGS__);                                                               \
    printf("\n");                                                                      \
    if (!_c) {                                                                         \
      tap_failed++;                                                                    \
      printf("#   failed at %s:%d: %s\n", __FILE__, __LINE__, #cond);                  \
    }                                                                                  \
  } while (0)

#define is_str(a, b, ...)                                                              \
  do {                                                                                 \
    const char *_a = (a), *_b = (b);                                                   \
    bool _eq = (_a && _b) ? strcmp(_a, _b) == 0 : _a == _b;                            \
    ok(_eq, __VA_ARGS__);                                                              \
    if (!_eq)                                                                          \
      printf("#   got \"%s\", expected \"%s\"\n", _a ? _a : "(null)", _b ? _b : "(null)"); \
  } while (0)

static inline int tap_done(void)
{
  printf("1..%d\n", tap_n);
  return tap_failed ? 1 : 0;
}

/* Stop the whole test: its setup failed, so nothing after it means anything. */
#define bail_out(...)                                                                \
  do {                                                                               \
    printf("Bail out! ");                                                            \
    printf(__VA_ARGS__);                                                             \
    printf("\n");                                                                    \
    exit(1);                                                                         \
  } while (0)
