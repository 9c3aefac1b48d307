// Sha256 (sha256.hpp) against the FIPS 180-4 / NIST CAVP example vectors,
// fed whole and in every slicing, so streaming it with the bytes a driver
// already reads gives the same digest as one call.
#include <catch2/catch.hpp>

#include <string>

#include <upstate/detail/rng.hpp>
#include <upstate/journal/sha256.hpp>

using upstate::Sha256;

TEST_CASE("sha256: NIST example vectors", "[sha256]") {
  CHECK(Sha256::hex_of("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(Sha256::hex_of("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(Sha256::hex_of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  CHECK(Sha256::hex_of("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrs"
                       "mnopqrstnopqrstu") == "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
  Sha256 million;
  const std::string thousand(1000, 'a');
  for (int i = 0; i < 1000; ++i) million.update(thousand);
  CHECK(Sha256::hex(million.finish()) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("sha256: any slicing of the input gives the one-call digest", "[sha256]") {
  upstate::Rng rng(11);
  for (std::size_t length : {55u, 56u, 63u, 64u, 65u, 119u, 120u, 1000u, 4097u}) {
    std::string data(length, '\0');
    for (char& c : data) c = static_cast<char>(rng.uniform(255));
    const std::string whole = Sha256::hex_of(data);
    Sha256 sliced;
    for (std::size_t at = 0; at < data.size();) {
      std::size_t n = std::min<std::size_t>(1 + rng.uniform(70), data.size() - at);
      sliced.update(data.data() + at, n);
      at += n;
    }
    CAPTURE(length);
    CHECK(Sha256::hex(sliced.finish()) == whole);
    // finish() resets: the object hashes the next input from scratch.
    sliced.update("abc");
    CHECK(Sha256::hex(sliced.finish()) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  }
}
