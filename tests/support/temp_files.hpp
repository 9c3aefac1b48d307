#pragma once
// Real files for the tests that upload them (tests/net): a directory per
// test program under /tmp, made on first use, the files written into it, and
// the schema the sample records (data/sample/reviews.jsonl) follow.
#include <stdlib.h>  // mkdtemp

#include <fstream>
#include <string>

#include <catch2/catch.hpp>
#include <upstate/wire/dataset.hpp>

namespace test {

// A new directory /tmp/<prefix>.XXXXXX.
inline std::string make_temp_dir(const std::string& prefix) {
  std::string tmpl = "/tmp/" + prefix + ".XXXXXX";
  const char* d = ::mkdtemp(tmpl.data());
  REQUIRE(d != nullptr);
  return std::string(d);
}

// `content` written to `path` byte for byte; returns `path`.
inline std::string write_file(const std::string& path, const std::string& content) {
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

// prompt (required, text), response (text), category (metadata).
inline upstate::Schema reviews_schema() {
  return upstate::Schema{true, {{"prompt", "text", "Prompt"}, {"response", "text", ""}, {"category", "metadata", ""}}};
}

}  // namespace test
