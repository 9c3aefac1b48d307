#pragma once
// The core of upstate: wire types, parsing, policies, the upload machines.
// Needs RapidJSON and the standard library only. Every translation unit of a
// user pays for this file, so what only some need has an umbrella of its own
// (bench/compile_time.sh measures each):
//   <upstate/records.hpp>      Preflight, RejectedRecords (the record checkers)
//   <upstate/testing.hpp>      the offline testing kit (FakeService, ...)
//   <upstate/ostream.hpp>      operator<< for the public types
//   <upstate/asio/client.hpp>  the Asio adapter
#include "version.hpp"
#include "action.hpp"
#include "api_access.hpp"
#include "ascii.hpp"
#include "batch.hpp"
#include "batch_drive.hpp"
#include "batch_outcome.hpp"
#include "classify.hpp"
#include "concurrency_limit.hpp"
#include "crc32.hpp"
#include "config.hpp"
#include "dataset_fetch.hpp"
#include "drive.hpp"
#include "error.hpp"
#include "http.hpp"
#include "http_date.hpp"
#include "import_status.hpp"
#include "journal.hpp"
#include "outcome.hpp"
#include "poll_policy.hpp"
#include "presigned_url.hpp"
#include "result.hpp"
#include "retry_policy.hpp"
#include "rng.hpp"
#include "sha256.hpp"
#include "text.hpp"
#include "time.hpp"
#include "transitions.hpp"
#include "upload.hpp"
#include "url.hpp"
#include "wire/dataset.hpp"
#include "wire/error_body.hpp"
#include "wire/import_report.hpp"
#include "wire/limits.hpp"
#include "wire/s3_error.hpp"
#include "wire/upload_url.hpp"
