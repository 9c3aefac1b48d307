// Prints a machine's table as a Mermaid stateDiagram-v2, drawn from the
// table itself (the wildcard rows expanded; names from to_string). One edge
// per (from, to) pair, in table order, labelled with its triggers.
//
//   upstate-state-diagram [upload]     Upload: upstate::kAllTransitions
//   upstate-state-diagram dataset_fetch   DatasetFetch: upstate::kAllFetchTransitions
//
// README's diagrams are this output; the CTest readme.state_diagram_fresh
// compares them (tests/check_state_diagram.sh).
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include <upstate/machine/dataset_fetch_transitions.hpp>
#include <upstate/machine/upload_transitions.hpp>

namespace {

// `states`: kStates-like (state, name, awaits); `rows`: from, trigger, to.
template <class States, class Rows>
void print(const States& states, const Rows& rows) {
  using StateT = decltype(rows[0].from);
  struct Edge {
    StateT from, to;
    std::string label;
  };
  std::vector<Edge> edges;
  for (const auto& t : rows) {
    Edge* edge = nullptr;
    for (auto& e : edges)
      if (e.from == t.from && e.to == t.to) edge = &e;
    if (edge == nullptr) edge = &edges.emplace_back(Edge{t.from, t.to, {}});
    if (!edge->label.empty()) edge->label += ", ";
    edge->label += upstate::to_string(t.trigger);
  }
  const auto name = [](StateT s) { return std::string(upstate::to_string(s)); };
  std::printf("stateDiagram-v2\n");
  // Every state that awaits start() is an entry (Upload: a new upload, or
  // one restored from a snapshot).
  for (const auto& info : states)
    if (info.awaits == upstate::Awaits::start) std::printf("    [*] --> %s\n", name(info.state).c_str());
  for (const auto& e : edges)
    std::printf("    %s --> %s: %s\n", name(e.from).c_str(), name(e.to).c_str(), e.label.c_str());
  for (const auto& info : states)
    if (info.awaits == upstate::Awaits::nothing) std::printf("    %s --> [*]\n", name(info.state).c_str());
}

}  // namespace

int main(int argc, char** argv) {
  const char* machine = argc > 1 ? argv[1] : "upload";
  if (std::strcmp(machine, "upload") == 0) {
    print(upstate::kStates, upstate::kAllTransitions);
  } else if (std::strcmp(machine, "dataset_fetch") == 0) {
    print(upstate::kFetchStates, upstate::kAllFetchTransitions);
  } else {
    std::fprintf(stderr, "usage: upstate-state-diagram [upload|dataset_fetch]\n");
    return 2;
  }
  return 0;
}
