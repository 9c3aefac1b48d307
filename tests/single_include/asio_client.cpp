// Built against single_include/upstate_asio.hpp alone (which includes the
// upstate.hpp next to it; no include/ on the path): the adapter compiles and
// links with Asio, OpenSSL and llhttp, and a Client can be made on an
// io_context. Nothing is run.
#include <utility>

#include "upstate_asio.hpp"

int main() {
  asio::io_context io;
  upstate::asio::ClientOptions options;
  upstate::asio::Client client{io, std::move(options)};
  return client.progress().bytes_sent == 0 ? 0 : 1;
}
