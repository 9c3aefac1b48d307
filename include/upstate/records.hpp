#pragma once
// The record checkers, apart from the core (<upstate/upstate.hpp>) because
// they cost every translation unit compile time that most do not need:
// Preflight (the service's validation rules before an upload) and
// RejectedRecords (the rejected source records byte for byte).
#include "upstate.hpp"
#include "records/preflight.hpp"
#include "records/rejected_records.hpp"
