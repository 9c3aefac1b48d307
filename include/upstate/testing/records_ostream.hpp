#pragma once
// operator<< for the record checkers' enums (records/), beside
// <upstate/ostream.hpp>'s for the core: part of the testing kit, so that the
// record checkers' own headers stay free of <ostream>.
#include <ostream>

#include "../records/file_kind.hpp"
#include "../records/record_problem.hpp"

namespace upstate {

inline std::ostream& operator<<(std::ostream& os, FileKind k) { return os << to_string(k); }
inline std::ostream& operator<<(std::ostream& os, ProblemKind k) { return os << to_string(k); }

}  // namespace upstate
