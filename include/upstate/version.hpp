#pragma once
// upstate's version, for a program to check or print. Equal to CMake's
// project(upstate VERSION ...) (test unit "version: the header matches
// CMakeLists.txt"); bumped together with CHANGELOG.md.
#define UPSTATE_VERSION_MAJOR 0
#define UPSTATE_VERSION_MINOR 1
#define UPSTATE_VERSION_PATCH 0
#define UPSTATE_VERSION_STRING "0.1.0"
// One number that orders versions: 10000 * major + 100 * minor + patch.
#define UPSTATE_VERSION (UPSTATE_VERSION_MAJOR * 10000 + UPSTATE_VERSION_MINOR * 100 + UPSTATE_VERSION_PATCH)

namespace upstate {

struct Version {
  int major;
  int minor;
  int patch;
  const char* string;
};

inline constexpr Version kVersion{UPSTATE_VERSION_MAJOR, UPSTATE_VERSION_MINOR, UPSTATE_VERSION_PATCH,
                                  UPSTATE_VERSION_STRING};

}  // namespace upstate
