# Findllhttp: builds llhttp from the C sources Debian's node-llhttp package
# ships (/usr/share/llhttp/*.c, header in /usr/share/include/llhttp). They are
# compiled here as a small static library, as C (a C++ compiler rejects
# them), and never copied into this repository.
#
# Provides: llhttp_FOUND, target llhttp::llhttp.
include(FindPackageHandleStandardArgs)

find_path(llhttp_INCLUDE_DIR llhttp.h
  HINTS ${LLHTTP_ROOT}/include
  PATHS /usr/share/include/llhttp /usr/include/llhttp /usr/include /usr/local/include)
find_path(llhttp_SOURCE_DIR llhttp.c
  HINTS ${LLHTTP_ROOT}/src
  PATHS /usr/share/llhttp)

find_package_handle_standard_args(llhttp REQUIRED_VARS llhttp_INCLUDE_DIR llhttp_SOURCE_DIR)

if(llhttp_FOUND AND NOT TARGET llhttp::llhttp)
  enable_language(C)
  add_library(upstate_llhttp STATIC
    ${llhttp_SOURCE_DIR}/api.c ${llhttp_SOURCE_DIR}/http.c ${llhttp_SOURCE_DIR}/llhttp.c)
  # Built only when something links it (a consumer using just the core never compiles it).
  set_target_properties(upstate_llhttp PROPERTIES LINKER_LANGUAGE C POSITION_INDEPENDENT_CODE ON C_STANDARD 99
                        EXCLUDE_FROM_ALL ON)
  target_include_directories(upstate_llhttp SYSTEM PUBLIC ${llhttp_INCLUDE_DIR})
  # Third-party code: its warnings are not ours to fix.
  target_compile_options(upstate_llhttp PRIVATE -w)
  add_library(llhttp::llhttp ALIAS upstate_llhttp)
endif()
mark_as_advanced(llhttp_INCLUDE_DIR llhttp_SOURCE_DIR)
