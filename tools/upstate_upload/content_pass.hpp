#pragma once
// One read of a file for everything a run wants from its bytes before the
// PUT: the SHA-256 the journal records (--journal, --sync) and, when
// pre-flight is on, the pre-flight scan. So a file is read once before its
// PUT, not once per purpose (issue 15: "no extra read of the file").
//
// `for_each_chunk(each)` is the reader: it calls each(std::string_view) for
// every chunk of the file in order and returns "" or why it failed
// (file_chunks.hpp's for_each_chunk over a path or an open FileSource).
#include <openssl/evp.h>

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <upstate/records.hpp>
#include <upstate/journal/sha256.hpp>

namespace upstate_upload {

// SHA-256 through OpenSSL's EVP (linked for TLS already): it uses the
// CPU's SHA extensions where there are some, ~5x the portable
// upstate::Sha256 of the core, which stays the fallback when EVP cannot
// start. (Hashing 10,000 files was ~2 % of a journaled batch's CPU.)
class ContentHash {
 public:
  ContentHash() : ctx_(EVP_MD_CTX_new()) {
    evp_ = ctx_ != nullptr && sha256() != nullptr && EVP_DigestInit_ex(ctx_, sha256(), nullptr) == 1;
  }
  ContentHash(const ContentHash&) = delete;
  ContentHash& operator=(const ContentHash&) = delete;
  ~ContentHash() { EVP_MD_CTX_free(ctx_); }

  void update(std::string_view chunk) {
    if (!evp_) portable_.update(chunk);
    else if (EVP_DigestUpdate(ctx_, chunk.data(), chunk.size()) != 1) failed_ = true;
  }
  // 64 lower-case hex digits; "" if EVP failed midway (the file is then
  // treated as unread).
  std::string hex() {
    if (!evp_) return upstate::Sha256::hex(portable_.finish());
    upstate::Sha256::Digest digest{};
    unsigned int size = 0;
    if (failed_ || EVP_DigestFinal_ex(ctx_, digest.data(), &size) != 1 || size != digest.size()) return {};
    return upstate::Sha256::hex(digest);
  }

 private:
  // Fetched once: EVP_sha256() makes every EVP_DigestInit_ex look the
  // algorithm up in the provider store again (OpenSSL 3), once per file.
  static const EVP_MD* sha256() {
    static const EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    return md;
  }

  EVP_MD_CTX* ctx_;
  bool evp_ = false;
  bool failed_ = false;
  upstate::Sha256 portable_;
};

struct ContentPass {
  bool read = false;   // the whole file was read
  std::string sha256;  // 64 hex digits when read
  std::optional<upstate::PreflightReport> preflight;  // when a check was asked for and the file was read
};

template <class ForEachChunk>
ContentPass content_pass(ForEachChunk&& for_each_chunk, const std::optional<upstate::PreflightConfig>& check) {
  ContentPass out;
  ContentHash hash;
  std::optional<upstate::Preflight> preflight;
  if (check) preflight.emplace(*check);
  const std::string error = for_each_chunk([&](std::string_view chunk) {
    hash.update(chunk);
    if (preflight) preflight->feed(chunk);
  });
  if (!error.empty()) return out;
  out.sha256 = hash.hex();
  if (out.sha256.empty()) return out;
  out.read = true;
  if (preflight) out.preflight = preflight->finish();
  return out;
}

}  // namespace upstate_upload
