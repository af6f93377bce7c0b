// SPDX-License-Identifier: MIT
#include "sim/module.hpp"

#include <algorithm>
#include <cmath>

#include "essd/module_bus.hpp"

namespace essd::sim {
namespace {

constexpr std::uint16_t kFirmwareVersion = 0x0102;

template <class T>
T clamp_round(double x, double lo, double hi) {
  return static_cast<T>(std::lround(std::clamp(x, lo, hi)));
}

}  // namespace

SimModule::SimModule(const ModuleParams& p, std::uint32_t seed)
    : index_(p.index),
      address_(p.index),
      // 7 is odd, so the low bytes of the 16 serial numbers are distinct.
      serial_(static_cast<std::uint8_t>(0x40 + p.index * 7 + seed * 13)),
      phase_ms_(p.phase_ms),
      pack_([&] {
        Rng rng(seed * 1000003u + static_cast<std::uint32_t>(p.index) * 7919u + 1u);
        const int cycles = static_cast<int>(rng.uniform(20, 300));
        Pack pack(rng, p.soc, p.ambient_c, cycles);
        if (p.capacity_factor != 1) pack.scale_capacity(p.capacity_factor);
        if (p.cell_spread != 1) pack.widen_spread(p.cell_spread, p.soc);
        return pack;
      }()),
      fw_(p.boot_at + kBootMs),
      boot_at_(p.boot_at) {
  Rng rng(seed * 31u + static_cast<std::uint32_t>(p.index) * 101u + 7u);
  for (auto& o : sensor_offset_) o = rng.uniform(-0.4, 0.4);
}

bool SimModule::conducting(MonoMs now) const {
  return !shutdown_ && last_ctrl_ >= 0 && now - last_ctrl_ <= kCtrlTimeoutMs;
}

void SimModule::hear_ctrl(std::uint8_t mode, MonoMs now) {
  if (shutdown_ || faults_.dropped) return;
  last_ctrl_ = now;
  // A module still booting does not act on a shutdown request yet: one the
  // bus delivers late (queued before the module woke) must not put it back
  // to sleep. A controller that goes on asking still does, once it is up.
  if (mode == bus::kCtrlShutdown && now >= boot_at_ + kBootMs) {
    shutdown_ = true;
    current_a_ = 0;
  }
}

void SimModule::power_on(MonoMs now) {
  if (!shutdown_) return;
  shutdown_ = false;
  boot_at_ = now;
  fw_.reboot(now + kBootMs);
  alive_ = 0;
  last_ctrl_ = -1;
}

void SimModule::start(MonoMs now) {
  boot_at_ = now;
  fw_.reboot(now + kBootMs);
}

void SimModule::apply(double current_a, double dt_s, double ambient_c) {
  current_a_ = current_a;
  pack_.apply(current_a, dt_s, ambient_c);
}

Measured SimModule::measure(double noise, Rng& rng) const {
  Measured m;
  const auto& blocks = pack_.blocks();
  double v = current_a_ * kInterconnectOhm;
  for (int i = 0; i < kBlocks; ++i) {
    m.cell_v[i] = blocks[i].terminal_v(current_a_) + rng.normal(noise / 4);
  }
  // Forced over-/under-voltage: every block reads it (a coherent module,
  // not a cell unbalance as well).
  for (double& c : m.cell_v) {
    if (faults_.ov) c = 3.80 + rng.normal(noise / 4);
    if (faults_.od) c = 2.30 + rng.normal(noise / 4);
  }
  m.cell_v[5] -= faults_.imbalance_mv / 1000.0;
  for (double c : m.cell_v) v += c;
  m.voltage_v = v;
  m.current_a = current_a_ + rng.normal(noise);
  if (faults_.oc > 0) m.current_a = 35.0;
  if (faults_.oc < 0) m.current_a = -60.0;
  for (std::size_t s = 0; s < m.temp_c.size(); ++s) {
    m.temp_c[s] = (blocks[2 * s].temp_c + blocks[2 * s + 1].temp_c) / 2 + sensor_offset_[s] +
                  (faults_.ot ? 50.0 : 0.0) + rng.normal(noise * 10);
  }
  m.rsoc = pack_.rsoc();
  return m;
}

void SimModule::emit(MonoMs now, double noise, Rng& rng, std::vector<CanFrame>& out) {
  if (shutdown_) return;
  const MonoMs r = now - boot_at_ - phase_ms_;
  if (r < 0 || r % kFastPeriodMs != 0) return;
  emit_fast(now, noise, rng, out);
  emit_slow(static_cast<int>((r / kFastPeriodMs) % (kSlowPeriodMs / kFastPeriodMs)), out);
}

void SimModule::emit_fast(MonoMs now, double noise, Rng& rng, std::vector<CanFrame>& out) {
  last_ = measure(noise, rng);
  const FirmwareOutput& fw = fw_.evaluate(last_, now);
  const auto addr = static_cast<std::uint8_t>(address_);

  bus::Status st;
  st.address = addr;
  st.voltage_10mv = clamp_round<std::uint16_t>(last_.voltage_v * 100, 0, 65535);
  st.current_100ma = clamp_round<std::int16_t>(last_.current_a * 10, -32768, 32767);
  st.rsoc =
      fw_.ready(now) ? clamp_round<std::uint8_t>(last_.rsoc * 100, 0, 100) : bus::kRsocUnknown;
  st.state = fw.state;
  st.prev_state = fw.prev_state;
  st.chg = fw.chg;
  st.dis = fw.dis;
  st.ov = fw.ov;
  if (!faults_.frozen) alive_ = static_cast<std::uint8_t>((alive_ + 1) & 0x0F);
  st.alive = alive_;
  push(bus::encode(st), out);

  bus::Alarms al;
  al.address = addr;
  al.bits = fw.alarms;
  const auto [lo, hi] = std::minmax_element(last_.temp_c.begin(), last_.temp_c.end());
  double sum = 0;
  for (double t : last_.temp_c) sum += t;
  al.temp_avg_decic = clamp_round<std::int16_t>(sum / kSensors * 10, -32768, 32767);
  al.temp_min_c = clamp_round<std::int8_t>(*lo, -128, 126);
  al.temp_max_c = clamp_round<std::int8_t>(*hi, -128, 126);
  al.cycles = static_cast<std::uint16_t>(std::min(pack_.cycles(), 65535));
  push(bus::encode(al), out);
}

void SimModule::emit_slow(int slot, std::vector<CanFrame>& out) {
  const auto addr = static_cast<std::uint8_t>(address_);
  if (slot == 0) {
    bus::Info in;
    in.address = addr;
    in.firmware = kFirmwareVersion;
    in.nominal_dah = static_cast<std::uint16_t>(kNominalAh * 10);
    in.full_dah = clamp_round<std::uint16_t>(pack_.full_charge_ah() * 10, 0, 65535);
    in.cell_blocks = kBlocks;
    in.serial_byte = serial_;
    push(bus::encode(in), out);
  } else if (slot <= 6) {
    bus::CellVoltages cv;
    cv.address = addr;
    cv.index = static_cast<std::uint8_t>((slot - 1) * 3);
    for (int k = 0; k < 3; ++k) {
      const int b = cv.index + k;
      cv.mv[k] =
          b < kBlocks ? clamp_round<std::uint16_t>(last_.cell_v[b] * 1000, 0, 65534) : bus::kNoCell;
    }
    push(bus::encode(cv), out);
  } else if (slot <= 8) {
    bus::CellTemps ct;
    ct.address = addr;
    ct.index = static_cast<std::uint8_t>((slot - 7) * 7);
    for (int k = 0; k < 7; ++k) {
      const int s = ct.index + k;
      ct.c[k] =
          s < kSensors ? clamp_round<std::int8_t>(last_.temp_c[s], -128, 126) : bus::kNoSensor;
    }
    push(bus::encode(ct), out);
  }
}

void SimModule::push(CanFrame f, std::vector<CanFrame>& out) {
  if (faults_.dropped) return;
  if (faults_.garbage) {
    // Each frame made invalid in a way the spec names; STATUS cycles through
    // the reasons so a controller's per-reason counters all move.
    const std::uint32_t base = f.id & ~0x0Fu;
    if (base == bus::kStatusBase) {
      switch (garbage_n_++ % 4) {
        case 0:
          f.data[7] &= 0x0F;
          break;  // protocol version 0
        case 1:
          f.data[4] = 150;
          break;  // RSOC out of range
        case 2:
          f.len = 7;
          break;  // bad length
        default:
          f.data[6] |= 0x08;
          break;  // reserved signal bit
      }
    } else if (base == bus::kCellVBase) {
      f.data[0] = 1;  // bad multiplex index
    } else {
      f.len = 5;
    }
  }
  out.push_back(f);
}

}  // namespace essd::sim
