#pragma once
// How a plain-http PUT moves the file to the socket: sendfile(2), or pread
// into the session's one buffer and write.
//
// Why not always sendfile: measured on loopback into nginx (bench/README.md,
// 12 interleaved rounds of a 1 GiB PUT), the buffered path took a median
// 1.50 s and sendfile 2.36 s (curl -T: 1.63 s). On loopback the receiver
// runs on the same machine, and with sendfile it copies the body straight out
// of our file's page cache instead of out of socket buffers we just wrote,
// and it is the receiver that sets the pace. Over a real link the kernel
// hands the pages to the NIC and sendfile saves our copy. So `automatic`
// picks by the peer's address.
#include <asio/ip/address.hpp>

namespace upstate::asio {

enum class FileSend {
  automatic,  // sendfile unless the peer is a loopback address
  sendfile,   // always sendfile on plain http (falls back when the kernel refuses)
  buffered,   // always pread + write through the session's buffer
};

inline bool is_loopback_peer(const ::asio::ip::address& peer) {
  if (peer.is_v4()) return peer.to_v4().is_loopback();
  const auto v6 = peer.to_v6();
  if (v6.is_v4_mapped()) return ::asio::ip::make_address_v4(::asio::ip::v4_mapped, v6).is_loopback();
  return v6.is_loopback();
}

// TLS never gets here: its body is always encrypted from the buffer.
inline bool use_sendfile(FileSend mode, const ::asio::ip::address& peer) {
  switch (mode) {
    case FileSend::sendfile: return true;
    case FileSend::buffered: return false;
    case FileSend::automatic: break;
  }
  return !is_loopback_peer(peer);
}

}  // namespace upstate::asio
