// How far ahead of the PUTs a journaled batch starts its next sync
// (tools/upstate_upload/sync_lead.hpp): the ceiling until a PUT gap and a
// sync time were both seen, then one sync's time in PUTs (x 1.5, plus
// one), smoothed, never below 1 nor above the ceiling. Pure: times given.
#include <catch2/catch.hpp>

#include <chrono>

#include "upstate_upload/sync_lead.hpp"

using upstate_upload::SyncLead;
using std::chrono::microseconds;
using std::chrono::milliseconds;

namespace {

// PUTs `gap` apart, `count` of them, from `t`; returns the time after.
SyncLead::Clock::time_point puts(SyncLead& lead, SyncLead::Clock::time_point t, SyncLead::Clock::duration gap,
                                 int count) {
  for (int i = 0; i < count; ++i, t += gap) lead.on_put(t);
  return t;
}

}  // namespace

TEST_CASE("sync lead: the ceiling until both a PUT gap and a sync time are known", "[sync_lead]") {
  SyncLead lead(32);
  CHECK(lead.files() == 32);
  lead.on_put(SyncLead::Clock::time_point{});
  CHECK(lead.files() == 32);  // one PUT: no gap yet
  lead.on_sync(milliseconds(1));
  CHECK(lead.files() == 32);
  lead.on_put(SyncLead::Clock::time_point{} + microseconds(200));
  CHECK(lead.files() == 9);  // 1.5 x 1 ms / 0.2 ms, plus one
  CHECK(SyncLead(0).files() == 1);  // a ceiling of 0 is 1
}

TEST_CASE("sync lead: one sync's time in PUTs, within 1 and the ceiling, smoothed over samples", "[sync_lead]") {
  SyncLead lead(32);
  auto t = puts(lead, SyncLead::Clock::time_point{}, microseconds(500), 20);
  lead.on_sync(microseconds(500));
  CHECK(lead.files() == 3);  // 1.5 x 0.5 / 0.5 = 1.5 -> 2, plus one
  // A sync far slower than the PUTs: the ceiling.
  for (int i = 0; i < 50; ++i) lead.on_sync(milliseconds(100));
  CHECK(lead.files() == 32);
  // One fast sample does not undo it at once (smoothed over ~8).
  lead.on_sync(microseconds(10));
  CHECK(lead.files() == 32);
  // Fast syncs for a while, slow PUTs: 1.
  for (int i = 0; i < 200; ++i) lead.on_sync(microseconds(10));
  t = puts(lead, t, milliseconds(50), 100);
  CHECK(lead.files() == 2);  // 1.5 x 0.01 / 50 rounds up to 1, plus one
}
