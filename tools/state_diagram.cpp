// Prints a machine's table as a Mermaid stateDiagram-v2, drawn from the
// table itself (the wildcard rows expanded; names from to_string). One edge
// per (from, to) pair, in table order, labelled with its triggers.
//
//   upstate-state-diagram [upload]     Upload: upstate::kAllTransitions
//   upstate-state-diagram dataset_fetch   DatasetFetch: upstate::kAllFetchTransitions
//   upstate-state-diagram batch        Batch: upstate::kAllBatchTransitions
//   upstate-state-diagram batch_file   a Batch's file stages: upstate::kAllBatchFileTransitions
//
// README's diagrams are this output; the CTest readme.state_diagram_fresh
// compares them (tests/check_state_diagram.sh).
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include <upstate/machine/dataset_fetch_transitions.hpp>
#include <upstate/machine/batch_transitions.hpp>
#include <upstate/machine/upload_transitions.hpp>

namespace {

// The state a row of kStates-like lists names (FileStageInfo calls it `stage`).
template <class Info>
auto state_of(const Info& info) -> decltype(info.state) {
  return info.state;
}
template <class Info>
auto state_of(const Info& info) -> decltype(info.stage) {
  return info.stage;
}

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
    if (info.awaits == upstate::Awaits::start) std::printf("    [*] --> %s\n", name(state_of(info)).c_str());
  for (const auto& e : edges)
    std::printf("    %s --> %s: %s\n", name(e.from).c_str(), name(e.to).c_str(), e.label.c_str());
  for (const auto& info : states)
    if (info.awaits == upstate::Awaits::nothing) std::printf("    %s --> [*]\n", name(state_of(info)).c_str());
}

}  // namespace

int main(int argc, char** argv) {
  const char* machine = argc > 1 ? argv[1] : "upload";
  if (std::strcmp(machine, "upload") == 0) {
    print(upstate::kStates, upstate::kAllTransitions);
  } else if (std::strcmp(machine, "dataset_fetch") == 0) {
    print(upstate::kFetchStates, upstate::kAllFetchTransitions);
  } else if (std::strcmp(machine, "batch") == 0) {
    print(upstate::kBatchStates, upstate::kAllBatchTransitions);
  } else if (std::strcmp(machine, "batch_file") == 0) {
    print(upstate::kFileStages, upstate::kAllBatchFileTransitions);
  } else {
    std::fprintf(stderr, "usage: upstate-state-diagram [upload|dataset_fetch|batch|batch_file]\n");
    return 2;
  }
  return 0;
}
