// The adapter in twenty lines: one file, one dataset, on your io_context.
//   PROLIFIC_API_TOKEN=... asio_upload API_BASE DATASET_ID FILE
#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include <upstate/asio/client.hpp>

int main(int argc, char** argv) {
  if (argc != 4 || !std::getenv("PROLIFIC_API_TOKEN")) return std::fprintf(stderr, "usage: asio_upload API_BASE DATASET_ID FILE\n"), 64;
  struct stat st {};
  if (::stat(argv[3], &st) != 0) return std::perror(argv[3]), 66;

  upstate::UploadConfig config;
  config.api_base = argv[1];
  config.dataset_id = argv[2];
  config.token = std::getenv("PROLIFIC_API_TOKEN");
  std::string path = argv[3], name = path.substr(path.find_last_of('/') + 1);
  upstate::Upload upload{config, {name, static_cast<std::uint64_t>(st.st_size)}};

  asio::io_context io;
  upstate::asio::Client client{io};
  int rc = 5;
  client.start(upload, argv[3], [&rc](upstate::Outcome o) {
    if (o.report()) std::printf("%s\n", std::string(upstate::to_string(o.report()->status)).c_str());
    else std::printf("error: %s\n", upstate::to_string(*o.error()).c_str());
    rc = o.complete() ? 0 : 5;
  });
  io.run();
  return rc;
}
