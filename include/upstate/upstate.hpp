#pragma once
// The core of upstate: wire types, parsing, policies, the Upload machine
// (one file through the three steps) and its driver. Needs RapidJSON and the
// standard library only. Every translation unit of a user pays for this
// file, so what only some need has an umbrella of its own
// (bench/compile_time.sh measures each):
//   <upstate/batch.hpp>        many files into one dataset: Batch, drive_batch,
//                              ConcurrencyLimit, DatasetFetch
//   <upstate/records.hpp>      Preflight, RejectedRecords (the record checkers)
//   <upstate/journal.hpp>      the batch journal's format, Sha256, crc32
//   <upstate/testing.hpp>      the offline testing kit (FakeService, ...)
//   <upstate/ostream.hpp>      operator<< for the public types
//   <upstate/asio/client.hpp>  the Asio adapter
//   <upstate/http1/http1.hpp>  the HTTP/1.1 codec alone (needs llhttp, not Asio)
#include "version.hpp"

// Vocabulary: the values a program hands in and gets back.
#include "vocabulary/action.hpp"
#include "vocabulary/config.hpp"
#include "vocabulary/error.hpp"
#include "vocabulary/http.hpp"
#include "vocabulary/import_status.hpp"
#include "vocabulary/outcome.hpp"
#include "vocabulary/result.hpp"
#include "vocabulary/time.hpp"

// Policies: how long to wait, how often to ask.
#include "policy/poll_policy.hpp"
#include "policy/retry_policy.hpp"

// The Upload machine (a sans-I/O step function) and its blocking driver.
#include "machine/drive.hpp"
#include "machine/upload.hpp"
#include "machine/upload_transitions.hpp"

// The wire: the service's answers parsed into values.
#include "wire/dataset.hpp"
#include "wire/error_body.hpp"
#include "wire/import_report.hpp"
#include "wire/limits.hpp"
#include "wire/s3_error.hpp"
#include "wire/upload_url.hpp"

// Internals the machines use (no API promise), included so the single
// header holds them.
#include "detail/api_access.hpp"
#include "detail/ascii.hpp"
#include "detail/classify.hpp"
#include "detail/excerpt.hpp"
#include "detail/http_date.hpp"
#include "detail/presigned_url.hpp"
#include "detail/rng.hpp"
#include "detail/url.hpp"
