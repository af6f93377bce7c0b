// SPDX-License-Identifier: MIT
#include "core/registry.hpp"

#include <type_traits>
#include <variant>

namespace essd::core {

namespace {
constexpr std::uint16_t bit(int a) {
  return static_cast<std::uint16_t>(1u << a);
}
}  // namespace

std::uint16_t Registry::mask_of(Link l) const {
  std::uint16_t m = 0;
  for (int a = 0; a < bus::kMaxModules; ++a)
    if (mods_[static_cast<std::size_t>(a)].link == l) m |= bit(a);
  return m;
}

std::uint16_t Registry::duplicate_mask() const {
  std::uint16_t m = 0;
  for (int a = 0; a < bus::kMaxModules; ++a)
    if (mods_[static_cast<std::size_t>(a)].duplicate) m |= bit(a);
  return m;
}

void Registry::count(const bus::DecodeResult& r) {
  ++counters_.frames_in;
  if (r.ok()) {
    ++counters_.frames_valid;
    return;
  }
  switch (r.error) {
    case bus::DecodeError::unknown_id:
      ++counters_.unknown_id;
      return;
    case bus::DecodeError::not_standard:
      ++counters_.not_standard;
      return;
    default:
      break;
  }
  const auto reason = static_cast<std::size_t>(r.error);
  if (reason >= static_cast<std::size_t>(bus::kInvalidReasonCount)) return;
  ++counters_.frames_invalid;
  ++counters_.invalid_by_reason[reason];
  if (r.address >= 0 && r.address < bus::kMaxModules)
    ++mods_[static_cast<std::size_t>(r.address)].invalid[reason];
}

bool Registry::apply(const bus::DecodeResult& r, MonoMs now) {
  count(r);
  // Invalid frames never change state; CTRL frames (another controller, or
  // an echo of ours) carry no module data.
  if (!r.ok() || r.address < 0 || r.address >= bus::kMaxModules) return false;
  const int a = r.address;
  ModuleRecord& m = mods_[static_cast<std::size_t>(a)];
  bool changed = !m.seen;
  m.seen = true;
  m.last_valid_ms = now;
  std::visit(
      [&](const auto& msg) {
        using T = std::decay_t<decltype(msg)>;
        if constexpr (std::is_same_v<T, bus::Status>) {
          changed |= apply_status(m, a, msg, now);
        } else if constexpr (std::is_same_v<T, bus::Alarms>) {
          changed |= !m.alarms || !(*m.alarms == msg);
          m.alarms = msg;
          m.last_alarms_ms = now;
          m.fresh_alarms = true;
        } else if constexpr (std::is_same_v<T, bus::Info>) {
          changed |= apply_info(m, a, msg, now);
        } else if constexpr (std::is_same_v<T, bus::CellVoltages>) {
          for (std::size_t k = 0; k < msg.mv.size(); ++k) {
            const std::size_t i = msg.index + k;
            if (i >= m.cells_mv.size()) break;
            const std::uint16_t v = msg.mv[k] == bus::kNoCell ? 0 : msg.mv[k];
            changed |= m.cells_mv[i] != v;
            m.cells_mv[i] = v;
          }
        } else if constexpr (std::is_same_v<T, bus::CellTemps>) {
          for (std::size_t k = 0; k < msg.c.size(); ++k) {
            const std::size_t i = msg.index + k;
            if (i >= m.cell_temps.size()) break;
            changed |= m.cell_temps[i] != msg.c[k];
            m.cell_temps[i] = msg.c[k];
            if (msg.c[k] != bus::kNoSensor && static_cast<int>(i) >= m.cell_temp_count)
              m.cell_temp_count = static_cast<int>(i) + 1;
          }
        }
      },
      *r.message);
  // A sender frozen before it ever connected, but that has sent STATUS,
  // ALARMS and INFO, is lost like a connected one: it was seen, so it must
  // not vanish from the picture when it falls silent.
  if (m.link == Link::absent && m.alive_repeats >= kFrozenRepeats && m.status && m.alarms &&
      m.info) {
    lose(m, a, true);
    changed = true;
  }
  if (m.link != Link::connected || m.reconfirm) {
    const bool before = m.link == Link::connected && !m.reconfirm;
    try_connect(m, a, now);
    changed |= before != (m.link == Link::connected && !m.reconfirm);
  }
  return changed;
}

bool Registry::apply_status(ModuleRecord& m, int a, const bus::Status& s, MonoMs now) {
  // The alive counter is only compared with a STATUS that is still current;
  // after a silence the old value says nothing about frames in between.
  const bool current = m.status && m.last_status_ms >= 0 && now - m.last_status_ms < timeout_ms_;
  if (current) {
    const int diff = (s.alive - m.status->alive) & 0x0F;
    if (diff == 0) {
      ++m.alive_repeats;
    } else {
      m.alive_repeats = 0;
      if (diff > 1) m.missed_frames += static_cast<std::uint64_t>(diff - 1);
    }
  } else {
    m.alive_repeats = 0;
  }
  const bool changed = !m.status || !(*m.status == s);
  m.status = s;
  m.last_status_ms = now;
  if (m.alive_repeats >= kFrozenRepeats) {
    // A frozen sender: lost if it was connected, and its STATUS frames do
    // not count towards (re)connection until the counter moves again.
    if (m.link == Link::connected) lose(m, a, true);
    // Nothing a hung sender says counts towards its reconnection: STATUS,
    // ALARMS and INFO must all come once its counter moves again.
    m.fresh_status = m.fresh_alarms = m.fresh_info = false;
    return true;
  }
  m.fresh_status = true;
  return changed;
}

bool Registry::apply_info(ModuleRecord& m, int a, const bus::Info& s, MonoMs now) {
  if (m.info && m.last_info_ms >= 0 && now - m.last_info_ms <= kDuplicateWindowMs &&
      m.info->serial_byte != s.serial_byte) {
    m.duplicate_last_ms = now;
    if (!m.duplicate) {
      m.duplicate = true;
      trans_.duplicate_set |= bit(a);
    }
  }
  const bool changed = !m.info || !(*m.info == s);
  m.info = s;
  m.last_info_ms = now;
  if (!m.fresh_info) m.first_info_ms = now;
  m.fresh_info = true;
  return changed || m.duplicate;
}

void Registry::try_connect(ModuleRecord& m, int a, MonoMs now) {
  // The STATUS must still be current: ALARMS and INFO alone do not prove
  // that the module is alive.
  const bool status_current = m.last_status_ms >= 0 && now - m.last_status_ms < timeout_ms_;
  if (m.fresh_status && m.fresh_alarms && m.fresh_info && status_current) {
    m.link = Link::connected;
    m.reconfirm = false;
    trans_.connected |= bit(a);
    trans_.lost &= static_cast<std::uint16_t>(~bit(a));
    trans_.lost_frozen &= static_cast<std::uint16_t>(~bit(a));
  }
}

void Registry::lose(ModuleRecord& m, int a, bool frozen) {
  m.link = Link::lost;
  m.reconfirm = false;
  m.fresh_status = m.fresh_alarms = m.fresh_info = false;
  trans_.lost |= bit(a);
  if (frozen) trans_.lost_frozen |= bit(a);
  trans_.connected &= static_cast<std::uint16_t>(~bit(a));
}

bool Registry::check(MonoMs now) {
  bool changed = false;
  for (int a = 0; a < bus::kMaxModules; ++a) {
    ModuleRecord& m = mods_[static_cast<std::size_t>(a)];
    const bool status_old = m.last_status_ms < 0 || now - m.last_status_ms >= timeout_ms_;
    if (m.link == Link::connected && status_old) {
      lose(m, a, false);
      changed = true;
    } else if (m.link != Link::connected && status_old) {
      // A STATUS that has timed out no longer counts towards connecting;
      // after such a silence the module may have been swapped, so its
      // ALARMS and INFO (serial byte) must come afresh too.
      m.fresh_status = false;
      if (m.last_status_ms >= 0) {
        const MonoMs silent_from = m.last_status_ms + timeout_ms_;
        if (m.last_alarms_ms < silent_from) m.fresh_alarms = false;
        if (m.last_info_ms < silent_from) m.fresh_info = false;
      }
    }
    if (m.duplicate && now - m.duplicate_last_ms >= kDuplicateClearMs) {
      m.duplicate = false;
      trans_.duplicate_clear |= bit(a);
      changed = true;
    }
  }
  return changed;
}

void Registry::forget_connections(MonoMs now) {
  for (auto& m : mods_) {
    m.fresh_status = m.fresh_alarms = m.fresh_info = false;
    m.alive_repeats = 0;
    m.reconfirm = m.link == Link::connected;
    // The timeout runs from leaving maintenance for a module that was in.
    m.last_status_ms = m.reconfirm ? now : -1;
  }
  trans_ = {};
}

std::uint16_t Registry::talking_mask(MonoMs now) const {
  std::uint16_t t = 0;
  for (int a = 0; a < bus::kMaxModules; ++a) {
    const ModuleRecord& m = mods_[static_cast<std::size_t>(a)];
    if (m.last_status_ms >= 0 && now - m.last_status_ms < timeout_ms_) t |= bit(a);
  }
  return t;
}

std::uint16_t Registry::settling_mask(MonoMs now) const {
  std::uint16_t t = 0;
  for (int a = 0; a < bus::kMaxModules; ++a) {
    const ModuleRecord& m = mods_[static_cast<std::size_t>(a)];
    if (m.link == Link::connected && (m.reconfirm || now - m.first_info_ms < kSettleMs))
      t |= bit(a);
  }
  return t;
}

std::optional<MonoMs> Registry::next_deadline(MonoMs after) const {
  std::optional<MonoMs> d;
  auto take = [&](MonoMs t) {
    if (t > after && (!d || t < *d)) d = t;
  };
  for (const auto& m : mods_) {
    if (m.last_status_ms >= 0) take(m.last_status_ms + timeout_ms_);  // lost / stops talking
    if (m.link == Link::connected) take(m.first_info_ms + kSettleMs);
    if (m.duplicate) take(m.duplicate_last_ms + kDuplicateClearMs);
  }
  return d;
}

}  // namespace essd::core
