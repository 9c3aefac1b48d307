// The version a program sees in the headers is the one CMake's project()
// declares (and so the one find_package() checks and the single headers'
// banner prints): one number, two places, kept equal by this test.
#include <catch2/catch.hpp>

#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#include <upstate/version.hpp>

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

TEST_CASE("version: the header matches CMakeLists.txt's project(VERSION)", "[version]") {
  const std::string cmake = read_file(std::string(UPSTATE_SOURCE_DIR) + "/CMakeLists.txt");
  std::smatch m;
  REQUIRE(std::regex_search(cmake, m, std::regex(R"(project\(upstate VERSION ([0-9]+)\.([0-9]+)\.([0-9]+))")));
  CHECK(std::stoi(m[1]) == UPSTATE_VERSION_MAJOR);
  CHECK(std::stoi(m[2]) == UPSTATE_VERSION_MINOR);
  CHECK(std::stoi(m[3]) == UPSTATE_VERSION_PATCH);
  CHECK(std::string(UPSTATE_VERSION_STRING) == m[1].str() + "." + m[2].str() + "." + m[3].str());
  CHECK(upstate::kVersion.major == UPSTATE_VERSION_MAJOR);
  CHECK(upstate::kVersion.minor == UPSTATE_VERSION_MINOR);
  CHECK(upstate::kVersion.patch == UPSTATE_VERSION_PATCH);
  CHECK(std::string(upstate::kVersion.string) == UPSTATE_VERSION_STRING);
  CHECK(UPSTATE_VERSION == UPSTATE_VERSION_MAJOR * 10000 + UPSTATE_VERSION_MINOR * 100 + UPSTATE_VERSION_PATCH);
}

TEST_CASE("version: CHANGELOG.md has a section for this version", "[version]") {
  const std::string changelog = read_file(std::string(UPSTATE_SOURCE_DIR) + "/CHANGELOG.md");
  CHECK(changelog.find(std::string("## ") + UPSTATE_VERSION_STRING) != std::string::npos);
}
