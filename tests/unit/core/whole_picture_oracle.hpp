// SPDX-License-Identifier: MIT
#pragma once
// An independent test oracle of the controller's interlock decisions,
// written from the text of the specification only (docs/core.md
// "Interlocks" and "The whole picture", docs/codec.md "Timing and
// validity, controller side"), without reading the core. It answers one question for each
// path: do the spec's necessary conditions for closing it hold now? A
// property test feeds the core and this oracle the same history and asserts
// at every step: core closed => oracle says "may close".
//
// "May" means necessary, not sufficient: where the spec leaves a timing
// detail open (a boundary millisecond, frame- or tick-based evaluation) the
// oracle takes the reading that lets a path close soonest, so that a correct
// core never fails against it. Every such choice is marked LENIENT in
// whole_picture_oracle.cpp.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/controller.hpp"
#include "essd/module_bus.hpp"
#include "essd/time.hpp"

namespace essd::oracle {

// B: "INFO | 1000 ms". The duplicate window and the "first INFO heard"
// grace are one INFO period.
inline constexpr MonoMs kInfoPeriodMs = 1000;

struct Verdict {
  bool may_close = false;
  std::vector<std::string> why_not;  // human-readable reasons when !may_close
};

class WholePictureOracle {
 public:
  WholePictureOracle(const core::CoreConfig& cfg, MonoMs now, bool restored_ov_latch,
                     bool restored_discharge_latch);

  void on_message(const bus::Message& m, MonoMs now);  // only frames that decoded as valid
  void tick(MonoMs now);                               // the 100 ms tick
  void advance(MonoMs now);                            // time passes without a tick
  void set_panel_inputs(const core::PanelInputs& in, MonoMs now);
  void set_heatsink(std::optional<double> celsius, MonoMs now);
  void set_maintenance(bool on, MonoMs now);
  void set_host_disconnect(bool on, MonoMs now);
  void reconfigure(const core::CoreConfig& cfg, MonoMs now);

  Verdict charge(MonoMs now) const;     // may the charge path be closed now?
  Verdict discharge(MonoMs now) const;  // may the discharge path be closed now?
  bool ov_latch_may_be_clear(MonoMs now) const;
  bool discharge_latch_may_be_clear(MonoMs now) const;

 private:
  // docs/codec.md: absent (never connected), connected, lost (was connected,
  // has not reconnected).
  enum class Link { absent, connected, lost };
  struct InfoSeen {
    MonoMs at = 0;
    std::uint8_t serial = 0;
  };
  struct Module {
    Link link = Link::absent;
    std::optional<bus::Status> status;
    MonoMs status_at = 0;
    std::optional<bus::Alarms> alarms;
    MonoMs alarms_at = 0;
    std::optional<MonoMs> info_at;
    std::optional<MonoMs> first_info_at;  // first INFO ever seen at this address
    std::vector<InfoSeen> recent_infos;   // INFOs of the last INFO period
    MonoMs lost_since = 0;                // frames at or after this count "afresh"
    int repeats = 0;                      // consecutive STATUS with an unchanged alive counter
    MonoMs fourth_repeat_at = 0;
  };
  struct OvercurrentTrack {
    int over_ticks = 0;               // consecutive ticks beyond the rating
    std::optional<MonoMs> last_trip;  // latest moment a trip certainly happened
  };
  enum class Dir { charge, discharge };

  // Updating state.
  void settle(MonoMs now);
  void declare_losses(MonoMs now);
  void lose(Module& m, MonoMs since);
  void try_connect(Module& m, MonoMs now);
  void on_status(const bus::Status& s, MonoMs now);
  void on_alarms(const bus::Alarms& a, MonoMs now);
  void on_info(const bus::Info& i, MonoMs now);
  void record_instant_trips(MonoMs now);
  void count_overcurrent_rounds(MonoMs now);

  // Judging (const, lazily correct at any later `now`).
  Link link_at(const Module& m, MonoMs now) const;
  bool talking(const Module& m, MonoMs now) const;
  std::vector<int> connected(MonoMs now) const;
  std::vector<std::string> picture_gaps(MonoMs now) const;
  std::vector<std::string> topology_errors(MonoMs now) const;
  std::vector<std::string> balance_failures(MonoMs now) const;
  bool balance_passed(MonoMs now) const;
  bool overcurrent_gating(MonoMs now) const;
  double system_current_a(MonoMs now) const;
  double system_voltage_v(MonoMs now) const;
  bool beyond(Dir d, double threshold_a, MonoMs now) const;
  bool overcurrent_blocks(Dir d, MonoMs now) const;
  bool heatsink_blocks() const;
  bool ov_clear_condition(MonoMs now) const;
  bool discharge_clear_condition(MonoMs now) const;
  void common_reasons(MonoMs now, std::vector<std::string>& why) const;

  core::CoreConfig cfg_;
  std::array<Module, bus::kMaxModules> modules_{};
  bool ov_latched_ = false;         // certainly latched (the core's latch must be set)
  bool discharge_latched_ = false;  // certainly latched
  bool balance_passed_ = false;     // passed since the last (re)connect
  OvercurrentTrack oc_charge_;
  OvercurrentTrack oc_discharge_;
  core::PanelInputs panel_;
  bool heatsink_read_ = false;  // any reading (or read error) reported yet
  std::optional<double> heatsink_c_;
  bool heatsink_tripped_ = false;
  bool maintenance_ = false;
  bool host_disconnect_ = false;
};

}  // namespace essd::oracle
