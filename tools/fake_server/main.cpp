// upstate-fake-server: testing::FakeService behind HTTP/1.1 on loopback.
// See cli.hpp for the command line and server.hpp for the server.
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "cli.hpp"
#include "server.hpp"

namespace {

constexpr std::size_t kMaxInputFile = 16u << 20;

bool read_file(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream s;
  s << in.rdbuf();
  if (!in && !in.eof()) return false;
  out = s.str();
  return out.size() <= kMaxInputFile;
}

int fail(int code, const std::string& message) {
  std::cerr << "upstate-fake-server: " << message << "\n";
  return code;
}

int run(const std::vector<std::string>& args) {
  using namespace upstate;
  using namespace upstate::tools;
  auto cli = parse_cli(args);
  if (!cli) {
    std::cerr << "upstate-fake-server: " << cli.error().message << "\n" << kUsage;
    return kExitUsage;
  }
  if (cli->help) {
    std::cout << kUsage;
    return 0;
  }
  FakeServerOptions options = cli->server;
  for (const DatasetArg& d : cli->datasets) {
    testing::FakeDatasetSpec spec{d.id, d.id, std::nullopt, d.legacy};
    if (d.schema_file) {
      std::string text;
      if (!read_file(*d.schema_file, text)) return fail(kExitNoInput, "cannot read " + *d.schema_file);
      auto schema = parse_schema(text);
      if (!schema) return fail(kExitDataErr, *d.schema_file + ": " + to_string(schema.error()));
      spec.schema = std::move(schema.value());
    }
    options.datasets.push_back(std::move(spec));
  }
  for (const std::string& file : cli->datasets_files) {
    std::string text;
    if (!read_file(file, text)) return fail(kExitNoInput, "cannot read " + file);
    auto specs = parse_datasets_json(text);
    if (!specs) return fail(kExitDataErr, file + ": " + specs.error().message + " at " + specs.error().path);
    for (auto& s : specs.value()) options.datasets.push_back(std::move(s));
  }

  ::asio::io_context io;
  std::optional<FakeServer> server;
  try {
    server.emplace(io, std::move(options));
  } catch (const std::invalid_argument& e) {
    return fail(kExitUsage, e.what());
  } catch (const std::exception& e) {
    return fail(kExitStartup, std::string("cannot start: ") + e.what());
  }
  ::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](std::error_code ec, int) {
    if (!ec) server->stop();
  });
  std::cout << "listening on " << server->base_url() << std::endl;  // one line, flushed: tests wait for it
  io.run();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);
  std::vector<std::string> args(argv + 1, argv + argc);
  try {
    return run(args);
  } catch (const std::exception& e) {
    return fail(70, std::string("internal error: ") + e.what());
  }
}
