// FileSend: which plain-http PUTs use sendfile(2). automatic means "not to a
// loopback peer" (file_send.hpp says why); the other two are unconditional.
#include <catch2/catch.hpp>

#include <upstate/asio/file_send.hpp>

using upstate::asio::FileSend;
using upstate::asio::is_loopback_peer;
using upstate::asio::use_sendfile;

namespace {
::asio::ip::address addr(const char* text) { return ::asio::ip::make_address(text); }
}  // namespace

TEST_CASE("is_loopback_peer: all of 127.0.0.0/8, ::1 and v4-mapped loopback", "[file_send]") {
  CHECK(is_loopback_peer(addr("127.0.0.1")));
  CHECK(is_loopback_peer(addr("127.255.3.4")));
  CHECK(is_loopback_peer(addr("::1")));
  CHECK(is_loopback_peer(addr("::ffff:127.0.0.1")));
  CHECK_FALSE(is_loopback_peer(addr("10.0.0.1")));
  CHECK_FALSE(is_loopback_peer(addr("128.0.0.1")));
  CHECK_FALSE(is_loopback_peer(addr("::ffff:10.1.2.3")));
  CHECK_FALSE(is_loopback_peer(addr("2001:db8::1")));
  CHECK_FALSE(is_loopback_peer(addr("::")));  // unspecified is not loopback
}

TEST_CASE("use_sendfile: automatic sends from the buffer to loopback and sendfiles elsewhere", "[file_send]") {
  CHECK_FALSE(use_sendfile(FileSend::automatic, addr("127.0.0.1")));
  CHECK_FALSE(use_sendfile(FileSend::automatic, addr("::1")));
  CHECK(use_sendfile(FileSend::automatic, addr("192.0.2.7")));
  CHECK(use_sendfile(FileSend::automatic, addr("2001:db8::7")));
}

TEST_CASE("use_sendfile: sendfile and buffered ignore the peer", "[file_send]") {
  for (const char* peer : {"127.0.0.1", "::1", "192.0.2.7", "2001:db8::7"}) {
    CAPTURE(peer);
    CHECK(use_sendfile(FileSend::sendfile, addr(peer)));
    CHECK_FALSE(use_sendfile(FileSend::buffered, addr(peer)));
  }
}
