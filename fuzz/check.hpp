#pragma once
// The fuzz targets' assertion: names the broken invariant before aborting,
// so a crash file explains itself.
#include <cstdio>
#include <cstdlib>

#define check(ok)                                                                          \
  do {                                                                                     \
    if (!(ok)) {                                                                           \
      std::fprintf(stderr, "invariant broken at %s:%d: %s\n", __FILE__, __LINE__, #ok); \
      std::abort();                                                                        \
    }                                                                                      \
  } while (0)
