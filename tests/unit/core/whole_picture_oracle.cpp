// SPDX-License-Identifier: MIT
// The oracle's state: what arrived from each address and when, which
// modules are connected or lost, the latches, the balance pre-check, the
// overcurrent trips. Judgements (the const side) are in
// whole_picture_oracle_judge.cpp. Quoted rules: docs/core.md (C) and
// docs/codec.md (B).
#include "whole_picture_oracle.hpp"

#include <limits>
#include <type_traits>
#include <variant>

namespace essd::oracle {

WholePictureOracle::WholePictureOracle(const core::CoreConfig& cfg, MonoMs now,
                                       bool restored_ov_latch, bool restored_discharge_latch)
    : cfg_(cfg), ov_latched_(restored_ov_latch), discharge_latched_(restored_discharge_latch) {
  // C: "At start and after a restart both paths are open until the
  // conditions have been met from fresh data": a fresh oracle knows no
  // module (nothing connected, so nothing may close).
  // C: "what is restored can only keep a path open, never close one": a
  // restored latch is certainly set; a latch restored clear may still be set
  // by the core (e.g. an unreadable file restores both as set), so "clear"
  // is only ever a "may".
  settle(now);
}

void WholePictureOracle::on_message(const bus::Message& msg, MonoMs now) {
  // B: "In maintenance mode the controller keeps sending CTRL but ignores
  // module data": a module heard only in COMM OFF MODE was never seen.
  if (maintenance_) return;
  declare_losses(now);
  std::visit(
      [&](const auto& m) {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, bus::Status>) {
          on_status(m, now);
        } else if constexpr (std::is_same_v<T, bus::Alarms>) {
          on_alarms(m, now);
        } else if constexpr (std::is_same_v<T, bus::Info>) {
          on_info(m, now);
        }
        // CELL_V and CELL_T take no part in any interlock; CTRL is our own.
      },
      msg);
  settle(now);
}

void WholePictureOracle::on_status(const bus::Status& s, MonoMs now) {
  if (s.address >= bus::kMaxModules) return;
  Module& m = modules_[s.address];
  const bool was_connected = m.link == Link::connected;
  // B: "lost ... when 5 consecutive STATUS frames each carry the same alive
  // counter as the frame before them (frozen sender)". Counted only while
  // connected (LENIENT: a core counting repeats before the connection would
  // only lose it sooner).
  if (was_connected && m.status && m.status->alive == s.alive) {
    ++m.repeats;
    if (m.repeats == 4) m.fourth_repeat_at = now;
  } else {
    m.repeats = 0;
  }
  m.status = s;
  m.status_at = now;
  if (was_connected && m.repeats >= 5) {
    // Declared at the 5th repeat (the text's reading). LENIENT: frames from
    // the 4th repeat on count as "afresh" for the reconnection, so that a core
    // reading "5 equal frames" (4 repeats) does not reconnect before us.
    lose(m, m.fourth_repeat_at);
  }
  // C: "OV ERROR latches when any module reports Over Voltage (state 6 ...)";
  // "DISCHARGE ERROR latches on Over Discharge (state 7 ...)".
  // LENIENT: only a report from a module connected before this frame, and
  // not in COMM OFF MODE (B: "In maintenance mode the controller ... ignores
  // module data"), certainly latches.
  if (was_connected && m.link == Link::connected && !maintenance_) {
    if (s.state == bus::kOverVoltage) ov_latched_ = true;
    if (s.state == bus::kOverDischarge) discharge_latched_ = true;
  }
  try_connect(m, now);
  record_instant_trips(now);
}

void WholePictureOracle::on_alarms(const bus::Alarms& a, MonoMs now) {
  if (a.address >= bus::kMaxModules) return;
  Module& m = modules_[a.address];
  const bool was_connected = m.link == Link::connected;
  m.alarms = a;
  m.alarms_at = now;
  // C: OV ERROR on "alarm 0x8000"; DISCHARGE ERROR on "alarm 0x2000".
  if (was_connected && !maintenance_) {
    if ((a.bits & bus::kAlarmOverVoltage) != 0) ov_latched_ = true;
    if ((a.bits & bus::kAlarmUnderVoltage) != 0) discharge_latched_ = true;
  }
  try_connect(m, now);
}

void WholePictureOracle::on_info(const bus::Info& i, MonoMs now) {
  if (i.address >= bus::kMaxModules) return;
  Module& m = modules_[i.address];
  m.info_at = now;
  if (!m.first_info_at) m.first_info_at = now;
  // B: "Two different serial-number bytes seen at one address within one
  // INFO period mean two modules share an address". Keep only INFOs that can
  // still fall in a future window (now - period, now].
  std::erase_if(m.recent_infos,
                [&](const InfoSeen& seen) { return seen.at <= now - kInfoPeriodMs; });
  m.recent_infos.push_back({now, i.serial_byte});
  try_connect(m, now);
}

void WholePictureOracle::tick(MonoMs now) {
  if (!maintenance_) declare_losses(now);  // data is ignored, so is its absence
  count_overcurrent_rounds(now);
  settle(now);
}

void WholePictureOracle::advance(MonoMs now) {
  settle(now);
}

void WholePictureOracle::set_panel_inputs(const core::PanelInputs& in, MonoMs now) {
  // C: "the unsafe level acts at once; only the return to the safe level is
  // debounced". LENIENT: the oracle takes the level as given (a safe level
  // may close at once); the debounce is the inputs' business.
  panel_ = in;
  settle(now);
}

void WholePictureOracle::set_heatsink(std::optional<double> celsius, MonoMs now) {
  heatsink_read_ = true;
  heatsink_c_ = celsius;
  if (celsius) {
    // C: "heatsink below 85 degC (config), re-closing only below 75 degC".
    // LENIENT at both boundaries: exactly the trip value does not certainly
    // trip, exactly the clear value may re-close.
    if (*celsius > cfg_.limits.heatsink_trip_c) heatsink_tripped_ = true;
    if (*celsius <= cfg_.limits.heatsink_clear_c) heatsink_tripped_ = false;
  }
  settle(now);
}

void WholePictureOracle::set_maintenance(bool on, MonoMs now) {
  // C: "A module is lost until it reconnects, also across COMM OFF MODE":
  // nothing about the modules is forgotten here.
  if (maintenance_ && !on) {
    // LENIENT (the text is silent on when the timeout starts again): a
    // module connected before COMM OFF MODE is given the timeout from its
    // end, since its frames in between were ignored, not missing.
    for (Module& m : modules_) {
      if (m.link == Link::connected) m.status_at = now;
    }
  }
  if (!maintenance_) declare_losses(now);
  maintenance_ = on;
  settle(now);
}

void WholePictureOracle::set_host_disconnect(bool on, MonoMs now) {
  // docs/host-links.md: "SetOp 2 DISCONNECT opens both paths until SetOp 1
  // CONNECT". LENIENT: the 5 s minimum before a CONNECT takes effect is left
  // to whoever reports the setting (the host link may enforce it).
  host_disconnect_ = on;
  settle(now);
}

void WholePictureOracle::reconfigure(const core::CoreConfig& cfg, MonoMs now) {
  declare_losses(now);  // with the timeout that was in force until now
  // C: "A module is lost until it reconnects, also across ... a reload".
  // LENIENT: connections and a passed balance pre-check are kept too.
  cfg_ = cfg;
  settle(now);
}

// --- module links -----------------------------------------------------------

void WholePictureOracle::declare_losses(MonoMs now) {
  for (Module& m : modules_) {
    // C: "A loss is declared when the timeout runs out, not at the next tick."
    if (m.link == Link::connected && link_at(m, now) == Link::lost) {
      lose(m, m.status_at + cfg_.limits.comm_timeout_ms);
    }
  }
}

void WholePictureOracle::lose(Module& m, MonoMs since) {
  m.link = Link::lost;
  m.lost_since = since;
  m.repeats = 0;  // LENIENT: a frozen count starts over after a loss
}

void WholePictureOracle::try_connect(Module& m, MonoMs now) {
  if (m.link == Link::connected) return;
  // B: "connected once a valid STATUS, a valid ALARMS and a valid INFO have
  // arrived"; after a loss "until it is connected again (STATUS, ALARMS and
  // INFO afresh)". LENIENT: a frame arriving in the very millisecond of the
  // loss counts as afresh.
  const MonoMs since = m.link == Link::lost ? m.lost_since : std::numeric_limits<MonoMs>::min();
  if (!m.status || !m.alarms || !m.info_at) return;
  if (m.status_at < since || m.alarms_at < since || *m.info_at < since) return;
  // LENIENT: a STATUS already past the timeout does not connect (a core that
  // connects it would lose it at once).
  if (now - m.status_at > cfg_.limits.comm_timeout_ms) return;
  m.link = Link::connected;
  m.repeats = 0;
  // C: balance pre-check "again whenever a module (re)connects".
  balance_passed_ = false;
}

// --- evaluation after every input -------------------------------------------

void WholePictureOracle::settle(MonoMs now) {
  declare_losses(now);
  // C: "The whole picture ... no latch clears" while the picture is partial;
  // LENIENT: a latch may clear at any input at which its clear condition
  // holds (the core re-evaluates on every frame and tick).
  if (ov_latched_ && ov_clear_condition(now)) ov_latched_ = false;
  if (discharge_latched_ && discharge_clear_condition(now)) discharge_latched_ = false;
  // C: "while it fails both paths stay open and it is re-evaluated on every
  // frame ...; once passed it is not checked again until the next
  // (re)connect."
  if (!balance_passed_ && balance_passed(now)) balance_passed_ = true;
}

// --- overcurrent --------------------------------------------------------------

void WholePictureOracle::record_instant_trips(MonoMs now) {
  if (!overcurrent_gating(now)) return;
  const double rating = model_spec(cfg_.model, cfg_.topology).max_current_a;
  // C: "at once when beyond 110 % of the rating (config)": certain at the
  // STATUS that makes (or keeps) the system current beyond it.
  const double instant = rating * cfg_.limits.overcurrent_instant_pct / 100.0;
  if (beyond(Dir::charge, instant, now)) oc_charge_.last_trip = now;
  if (beyond(Dir::discharge, instant, now)) oc_discharge_.last_trip = now;
}

void WholePictureOracle::count_overcurrent_rounds(MonoMs now) {
  const double rating = model_spec(cfg_.model, cfg_.topology).max_current_a;
  const bool gate = overcurrent_gating(now);
  for (Dir d : {Dir::charge, Dir::discharge}) {
    OvercurrentTrack& t = d == Dir::charge ? oc_charge_ : oc_discharge_;
    // C: "or when beyond the rating on 3 consecutive 100 ms ticks (config)".
    if (gate && beyond(d, rating, now)) {
      ++t.over_ticks;
    } else {
      t.over_ticks = 0;
    }
    // LENIENT by one tick (+1 round): whether the tick that first sees the
    // current beyond counts as round 1 is a detail of the core.
    if (t.over_ticks >= cfg_.limits.overcurrent_rounds + 1) t.last_trip = now;
  }
}

}  // namespace essd::oracle
