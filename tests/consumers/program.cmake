# Shared by the three consumer projects: the program is
# tests/single_include/offline_upload.cpp itself (an offline upload through
# FakeService + drive + FakeTransport + ManualClock that must end complete).
# That file includes "upstate.hpp" (the single header); here a one-line
# forwarding header maps it to <upstate/upstate.hpp> (and "upstate_testing.hpp"
# to <upstate/testing.hpp>), so the headers used are
# the ones upstate::upstate brings (installed, or the source tree's).
set(_upstate_consumer_fwd "${CMAKE_CURRENT_BINARY_DIR}/forward")
file(WRITE "${_upstate_consumer_fwd}/upstate.hpp" "#include <upstate/upstate.hpp>\n")
file(WRITE "${_upstate_consumer_fwd}/upstate_testing.hpp" "#include <upstate/testing.hpp>\n")
file(WRITE "${_upstate_consumer_fwd}/upstate_asio.hpp" "#include <upstate/asio/client.hpp>\n")

add_executable(offline_upload "${CMAKE_CURRENT_LIST_DIR}/../single_include/offline_upload.cpp")
target_include_directories(offline_upload PRIVATE "${_upstate_consumer_fwd}")
target_link_libraries(offline_upload PRIVATE upstate::upstate)

# upstate's own tests, examples and tools must not be part of a consumer's build.
foreach(t upstate_test_main upstate_unit_tests upstate_property_tests upstate_net_tests
          upstate_single_include_core upstate_header_checks upstate-upload upstate-fake-server)
  if(TARGET ${t})
    message(FATAL_ERROR "consumer: upstate's target ${t} is part of this build")
  endif()
endforeach()
