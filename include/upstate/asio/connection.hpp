#pragma once
// One TCP connection, plain or TLS, behind one interface: the session reads
// and writes without caring which. TLS verifies the peer and its host name
// by default (system CAs plus an optional extra CA file) and sends SNI.
#include <asio.hpp>
#include <asio/ssl.hpp>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <memory>
#include <string>
#include <utility>

namespace upstate::asio {

class Connection {
 public:
  // Enough of Asio's AsyncStream concept for ::asio::async_write.
  using executor_type = ::asio::any_io_executor;
  executor_type get_executor() noexcept { return socket_.get_executor(); }

  Connection(::asio::io_context& io, std::string origin) : socket_(io), origin_(std::move(origin)) {}

  // After the TCP connect: wrap the socket in TLS (only then; a plain
  // connection never builds an SSL object).
  void use_tls(::asio::ssl::context& ctx, const std::string& host) {
    tls_ = std::make_unique<::asio::ssl::stream<::asio::ip::tcp::socket&>>(socket_, ctx);
    SSL* ssl = tls_->native_handle();
    ::asio::error_code not_ip;
    ::asio::ip::make_address(host, not_ip);
    const bool is_ip = !not_ip;
    // SNI carries a DNS name only (RFC 6066 forbids IP literals).
    // SSL_set_tlsext_host_name is a macro with a C cast: its expansion,
    // without the cast (users' -Wold-style-cast sees our headers).
    if (!is_ip)
      SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name, const_cast<char*>(host.c_str()));
    tls_->set_verify_mode(::asio::ssl::verify_peer);
    // Host-name (or IP SAN) check by OpenSSL itself, against the name we dialled.
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    if (is_ip)
      X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str());
    else
      X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size());
  }

  bool is_tls() const noexcept { return tls_ != nullptr; }
  ::asio::ip::tcp::socket& socket() noexcept { return socket_; }
  ::asio::ssl::stream<::asio::ip::tcp::socket&>& tls() noexcept { return *tls_; }
  const std::string& origin() const noexcept { return origin_; }
  bool is_open() const noexcept { return socket_.is_open(); }

  // Why the TLS handshake failed, when it was certificate verification.
  std::string verify_failure() const {
    if (!tls_) return {};
    long result = SSL_get_verify_result(tls_->native_handle());
    if (result == X509_V_OK) return {};
    return X509_verify_cert_error_string(result);
  }

  template <class Buffers, class Handler>
  void async_write_some(const Buffers& buffers, Handler&& handler) {
    if (tls_)
      tls_->async_write_some(buffers, std::forward<Handler>(handler));
    else
      socket_.async_write_some(buffers, std::forward<Handler>(handler));
  }

  template <class Buffers, class Handler>
  void async_read_some(const Buffers& buffers, Handler&& handler) {
    if (tls_)
      tls_->async_read_some(buffers, std::forward<Handler>(handler));
    else
      socket_.async_read_some(buffers, std::forward<Handler>(handler));
  }

  void close() noexcept {
    ::asio::error_code ignored;
    socket_.shutdown(::asio::ip::tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
  }

 private:
  ::asio::ip::tcp::socket socket_;
  std::unique_ptr<::asio::ssl::stream<::asio::ip::tcp::socket&>> tls_;
  std::string origin_;
};

}  // namespace upstate::asio
