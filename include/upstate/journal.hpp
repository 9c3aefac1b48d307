#pragma once
// The batch journal, apart from the core (<upstate/upstate.hpp>) because
// only a driver that keeps a journal needs it: the record format
// (journal/format.hpp), Sha256 that names a file's content in it, and the
// crc32 that checks each record. Pure code like the core: the driver does
// the file I/O. The single header single_include/upstate_journal.hpp is this
// file, made by tools/amalgamate.
#include "upstate.hpp"
#include "journal/crc32.hpp"
#include "journal/format.hpp"
#include "journal/sha256.hpp"
