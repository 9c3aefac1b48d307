#pragma once
// Many files into one dataset, apart from the core (<upstate/upstate.hpp>)
// because only a program that uploads batches needs it, and every
// translation unit that includes the core would otherwise pay for its
// compile time (bench/compile_time.sh, row "batch"):
//   Batch, drive_batch   the batch machine (one Upload per file, a shared
//                        concurrency limit, the dataset's totals) and its driver
//   ConcurrencyLimit     AIMD: fewer requests at once after a 429 / 503
//   DatasetFetch         reads a dataset (its totals and imports) with retries
//   BatchOutcome         what a batch reports, per file and in total
// Pure code like the core: no sockets, files or clocks. The single header
// single_include/upstate_batch.hpp is this file, made by tools/amalgamate;
// the Asio adapter (<upstate/asio/client.hpp>) includes it.
#include "upstate.hpp"

#include "vocabulary/batch_outcome.hpp"
#include "policy/concurrency_limit.hpp"
#include "machine/dataset_fetch.hpp"
#include "machine/batch.hpp"
#include "machine/batch_drive.hpp"
