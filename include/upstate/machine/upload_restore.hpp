#pragma once
// Upload::snapshot() and Upload::restore(): an upload carried across
// processes through a state file (upload_snapshot.hpp has the format). A
// restored machine starts in the idle state that matches how far the
// snapshot got (upload_transitions.hpp: idle, idle_put_unknown, idle_uploaded,
// idle_uploaded_v3), so what its start() sends is a row of the table.
#include "../detail/linkage.hpp"
#include "upload.hpp"
#include "upload_snapshot.hpp"

#ifndef UPSTATE_SEPARATE_COMPILATION
#include <upstate/impl/upload_restore.ipp>
#endif
