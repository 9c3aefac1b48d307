// Prints upstate's state machine as a Mermaid stateDiagram-v2, drawn from the
// table itself (upstate::kAllTransitions, the wildcard rows expanded; names from to_string). One edge per
// (from, to) pair, in table order, labelled with its triggers. README's
// "The state machine" diagram is this output; the CTest
// readme.state_diagram_fresh compares the two (tests/check_state_diagram.sh).
#include <cstdio>
#include <string>
#include <vector>

#include <upstate/transitions.hpp>

int main() {
  struct Edge {
    upstate::State from, to;
    std::string label;
  };
  std::vector<Edge> edges;
  for (const auto& t : upstate::kAllTransitions) {
    Edge* edge = nullptr;
    for (auto& e : edges)
      if (e.from == t.from && e.to == t.to) edge = &e;
    if (edge == nullptr) edge = &edges.emplace_back(Edge{t.from, t.to, {}});
    if (!edge->label.empty()) edge->label += ", ";
    edge->label += upstate::to_string(t.trigger);
  }

  const auto name = [](upstate::State s) { return std::string(upstate::to_string(s)); };
  std::printf("stateDiagram-v2\n");
  // Every state that awaits start() is an entry: a new upload, or one
  // restored from a snapshot.
  for (const auto& info : upstate::kStates)
    if (info.awaits == upstate::Awaits::start) std::printf("    [*] --> %s\n", name(info.state).c_str());
  for (const auto& e : edges)
    std::printf("    %s --> %s: %s\n", name(e.from).c_str(), name(e.to).c_str(), e.label.c_str());
  for (const auto& info : upstate::kStates)
    if (info.awaits == upstate::Awaits::nothing) std::printf("    %s --> [*]\n", name(info.state).c_str());
  return 0;
}
