// SPDX-License-Identifier: MIT
#pragma once
// Per-address module registry (docs/codec.md "Timing and validity,
// controller side"). Pure and allocation-free on the frame path: fed with
// decoded frames and a time value, it tracks each address's link state
// (absent / connected / lost), its last values, the assembled cell data,
// invalid-frame counters and duplicate-address detection. Link transitions
// are accumulated as bit masks that the controller takes after each input.
#include <array>
#include <cstdint>
#include <optional>

#include "essd/module_bus.hpp"
#include "essd/system_state.hpp"
#include "essd/time.hpp"

namespace essd::core {

/// Frames seen by the registry, by outcome (mirrors Controller::Counters).
struct FrameCounters {
  std::uint64_t frames_in = 0;
  std::uint64_t frames_valid = 0;
  std::uint64_t frames_invalid = 0;
  std::uint64_t unknown_id = 0;
  std::uint64_t not_standard = 0;
  std::array<std::uint64_t, bus::kInvalidReasonCount> invalid_by_reason{};
};

/// Sensors addressable by CELL_T: index (uint8) + 7 per frame.
inline constexpr int kMaxCellTemps = 256 + 7;

struct ModuleRecord {
  Link link = Link::absent;
  bool seen = false;          // any valid frame ever
  MonoMs last_valid_ms = -1;  // any valid frame
  MonoMs last_status_ms = -1;
  MonoMs last_info_ms = -1;
  MonoMs last_alarms_ms = -1;
  MonoMs first_info_ms = -1;  // first INFO since the module was last absent/lost
  std::optional<bus::Status> status;
  std::optional<bus::Alarms> alarms;
  std::optional<bus::Info> info;
  std::array<std::uint16_t, bus::kCellBlocks> cells_mv{};  // 0 = unknown
  std::array<std::int8_t, kMaxCellTemps> cell_temps{};
  int cell_temp_count = 0;  // sensors reported so far (highest index + 1)
  std::array<std::uint64_t, bus::kInvalidReasonCount> invalid{};
  std::uint64_t missed_frames = 0;
  // Connection bookkeeping: what arrived since the module was last absent/lost.
  bool fresh_status = false, fresh_alarms = false, fresh_info = false;
  // Connected before COMM OFF MODE: must send STATUS, ALARMS and INFO afresh
  // before it counts again, and is lost if it stays silent for the timeout.
  bool reconfirm = false;
  int alive_repeats = 0;  // consecutive STATUS frames repeating the alive counter
  bool duplicate = false;
  MonoMs duplicate_last_ms = -1;  // last time two serial bytes alternated
};

/// Link and duplicate transitions since the last take_transitions().
struct Transitions {
  std::uint16_t connected = 0;
  std::uint16_t lost = 0;
  std::uint16_t lost_frozen = 0;  // subset of `lost`: frozen alive counter
  std::uint16_t duplicate_set = 0;
  std::uint16_t duplicate_clear = 0;
  bool any() const { return (connected | lost | duplicate_set | duplicate_clear) != 0; }
};

class Registry {
 public:
  /// Frames of 5 consecutive repeats of the alive counter mean a frozen sender.
  static constexpr int kFrozenRepeats = 5;
  /// Two serial bytes within one INFO period (1000 ms) plus 250 ms jitter
  /// tolerance mean a duplicate address.
  static constexpr MonoMs kDuplicateWindowMs = 1250;
  /// A duplicate clears after three INFO periods without alternating serials.
  static constexpr MonoMs kDuplicateClearMs = 3000;
  /// A newly connected module counts only once a second serial byte at its
  /// address could have shown: its first INFO is a whole duplicate window old.
  static constexpr MonoMs kSettleMs = kDuplicateWindowMs;

  explicit Registry(int comm_timeout_ms = 500) : timeout_ms_(comm_timeout_ms) {}

  void set_comm_timeout(int ms) { timeout_ms_ = ms; }
  int comm_timeout() const { return timeout_ms_; }

  /// Counts a frame and, if valid and from a module, applies it. Returns
  /// true when anything stored (values or link state) changed.
  bool apply(const bus::DecodeResult& r, MonoMs now);
  /// Counts a frame without applying its data (maintenance mode).
  void count(const bus::DecodeResult& r);
  /// Timeouts and duplicate clearing; returns true when anything changed.
  bool check(MonoMs now);
  /// Leaving maintenance at `now`: nothing from before is trusted. A
  /// connected module must send STATUS, ALARMS and INFO afresh before it
  /// counts again (it is settling until then) and is lost if no STATUS comes
  /// within the timeout; a lost module stays lost until it reconnects. Last
  /// values and counters are kept.
  void forget_connections(MonoMs now);

  Transitions take_transitions() {
    Transitions t = trans_;
    trans_ = {};
    return t;
  }

  const ModuleRecord& module(int address) const { return mods_[static_cast<std::size_t>(address)]; }
  std::uint16_t connected_mask() const { return mask_of(Link::connected); }
  std::uint16_t lost_mask() const { return mask_of(Link::lost); }
  std::uint16_t duplicate_mask() const;
  /// Modules whose latest valid STATUS is younger than the timeout.
  std::uint16_t talking_mask(MonoMs now) const;
  /// Connected modules whose first INFO is younger than kSettleMs, or that
  /// have not reconfirmed since COMM OFF MODE.
  std::uint16_t settling_mask(MonoMs now) const;
  /// The earliest time after `after` at which a loss, the end of talking
  /// or of settling changes the picture; nullopt when none is pending.
  std::optional<MonoMs> next_deadline(MonoMs after) const;
  const FrameCounters& counters() const { return counters_; }

 private:
  std::uint16_t mask_of(Link l) const;
  bool apply_status(ModuleRecord& m, int a, const bus::Status& s, MonoMs now);
  bool apply_info(ModuleRecord& m, int a, const bus::Info& s, MonoMs now);
  void try_connect(ModuleRecord& m, int a, MonoMs now);
  void lose(ModuleRecord& m, int a, bool frozen);

  int timeout_ms_;
  std::array<ModuleRecord, bus::kMaxModules> mods_{};
  FrameCounters counters_;
  Transitions trans_;
};

}  // namespace essd::core
