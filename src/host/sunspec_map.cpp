// SPDX-License-Identifier: MIT
#include "host/sunspec_map.hpp"

#include <algorithm>
#include <cmath>

#include "host/host_conditions.hpp"
#include "host/scaling.hpp"

namespace essd::host {
namespace {

constexpr double kModuleNominalV = 51.2;     // IJ1001M nominal voltage
constexpr double kModuleChargeA = 24.0;      // IJ1001M charge current rating
constexpr double kModuleDischargeA = 50.0;   // IJ1001M discharge current rating
constexpr double kChargingThresholdA = 0.5;  // ChaSt CHARGING / DISCHARGING

double pow10(int e) {
  return std::pow(10.0, -e);
}  // factor that applies scale factor e

class Writer {
 public:
  explicit Writer(RegisterImage& img) : img_(img) {}
  void reg(std::size_t index, std::uint16_t v) { img_[index] = v; }
  void u32(std::size_t index, std::uint32_t v) {
    img_[index] = static_cast<std::uint16_t>(v >> 16);  // high word first
    img_[index + 1] = static_cast<std::uint16_t>(v & 0xFFFF);
  }
  /// SunSpec string: two characters per register, first in the high byte,
  /// NUL padded, truncated to the field.
  void str(std::size_t index, int regs, const std::string& s) {
    for (int r = 0; r < regs; ++r) {
      const auto at = 2 * static_cast<std::size_t>(r);
      const std::uint8_t hi = at < s.size() ? static_cast<std::uint8_t>(s[at]) : 0;
      const std::uint8_t lo = at + 1 < s.size() ? static_cast<std::uint8_t>(s[at + 1]) : 0;
      img_[index + static_cast<std::size_t>(r)] = static_cast<std::uint16_t>(hi << 8 | lo);
    }
  }
  /// Unsigned point with scale factor; nullopt -> not implemented.
  void u16(std::size_t index, std::optional<double> v, int scale_factor) {
    img_[index] =
        v ? static_cast<std::uint16_t>(scale_u16(*v, pow10(scale_factor)).value) : kNotImplU16;
  }
  void i16(std::size_t index, std::optional<double> v, int scale_factor) {
    img_[index] = v ? i16_bits(scale_i16(*v, pow10(scale_factor)).value) : kNotImplI16;
  }
  void sunssf(std::size_t index, int e) { img_[index] = i16_bits(e); }

 private:
  RegisterImage& img_;
};

constexpr std::size_t idx(std::uint16_t addr) {
  return addr - kSunSpecBase;
}
constexpr std::size_t reg1(int offset) {
  return idx(kModel1Addr) + static_cast<std::size_t>(offset);
}

}  // namespace

ChargeStatus charge_status(const SystemSnapshot& s) {
  if (s.off_mode || s.mode == SystemMode::off) return ChargeStatus::off;
  if (s.discharge_error) return ChargeStatus::empty;
  if (derive_conditions(s).charge_terminate) return ChargeStatus::full;
  if (s.current_a > kChargingThresholdA) return ChargeStatus::charging;
  if (s.current_a < -kChargingThresholdA) return ChargeStatus::discharging;
  return ChargeStatus::holding;
}

BatState battery_state(const SystemSnapshot& s) {
  if (s.modules_connected <= 0) return BatState::disconnected;
  if (s.starting) return BatState::initializing;
  if (s.topology_error != TopologyError::none || s.comm_error) return BatState::fault;
  if (s.ov_error || s.discharge_error) return BatState::soc_protection;
  if (!s.charge.closed && !s.discharge.closed) return BatState::standby;
  return BatState::connected;
}

std::uint32_t evt1_bits(const SystemSnapshot& s) {
  const HostConditions c = derive_conditions(s);
  std::uint32_t e = 0;
  if (s.comm_error) e |= evt1::kCommError;
  if (c.over_temp) e |= evt1::kOverTemp;
  if (c.under_temp) e |= evt1::kUnderTemp;
  if (c.charge_oc) e |= evt1::kOverChargeCurrent;
  if (c.discharge_oc) e |= evt1::kOverDischargeCurrent;
  if (c.over_voltage) e |= evt1::kOverVoltage;
  if (c.under_voltage) e |= evt1::kUnderVoltage;
  if (c.cell_unbalance) e |= evt1::kImbalance;
  if (c.topology_error) e |= evt1::kConfiguration;
  return e;
}

namespace {

// The common model (1): identity strings and the device address.
void write_model1(Writer& out, const SunSpecIdentity& id) {
  out.reg(0, 0x5375);  // "Su"
  out.reg(1, 0x6E53);  // "nS"

  out.reg(reg1(0), 1);
  out.reg(reg1(1), kModel1Len);
  out.str(reg1(m1::kMn), 16, id.manufacturer);
  out.str(reg1(m1::kMd), 16, id.model);
  out.str(reg1(m1::kOpt), 8, id.options);
  out.str(reg1(m1::kVr), 8, id.version);
  out.str(reg1(m1::kSN), 16, id.serial);
  out.reg(reg1(m1::kDA), id.device_address);
  out.reg(reg1(m1::kPad), 0x8000);
}

// Model 802 header and nameplate ratings (from the modules' INFO and the
// IJ1001M ratings).
void write_802_ratings(Writer& out, const SystemSnapshot& s, const HostConditions& c) {
  using namespace m802;
  out.reg(reg802(0), 802);
  out.reg(reg802(1), kModel802Len);

  const int series = modules_in_series(s.topology, c.connected);
  const int parallel = modules_in_parallel(s.topology, c.connected);
  const double rating_a = model_spec(s.model, s.topology).max_current_a;
  std::optional<double> wh, wcha, wdis;
  if (c.connected > 0) {
    const double nominal_v = kModuleNominalV * series;
    if (c.nominal_ah) wh = *c.nominal_ah * nominal_v;
    wcha = std::min(kModuleChargeA * parallel, rating_a) * nominal_v;
    wdis = std::min(kModuleDischargeA * parallel, rating_a) * nominal_v;
  }
  out.u16(reg802(AHRtg), c.nominal_ah, sf::kAHRtg);
  out.u16(reg802(WHRtg), wh, sf::kWHRtg);
  out.u16(reg802(WChaRteMax), wcha, sf::kWChaDisChaMax);
  out.u16(reg802(WDisChaRteMax), wdis, sf::kWChaDisChaMax);
  out.reg(reg802(DisChaRte), kNotImplU16);
  out.u16(reg802(SoCMax), 100.0, sf::kSoC);
  out.u16(reg802(SoCMin), 0.0, sf::kSoC);
  out.reg(reg802(SocRsvMax), kNotImplU16);
  out.reg(reg802(SoCRsvMin), kNotImplU16);
}

// Model 802 state of charge, health, status, heartbeats and events.
void write_802_state(Writer& out, const SystemSnapshot& s, const HostConditions& c,
                     const SunSpecWritable& w) {
  using namespace m802;
  std::optional<double> soc;
  if (s.rsoc_known && c.connected > 0) soc = std::clamp(s.rsoc_pct, 0.0, 100.0);
  out.u16(reg802(SoC), soc, sf::kSoC);
  out.u16(reg802(DoD), soc ? std::optional<double>(100.0 - *soc) : std::nullopt, sf::kDoD);
  out.u16(reg802(SoH), c.soh_pct, sf::kSoH);
  out.u32(reg802(NCyc), c.max_cycles.value_or(kNotImplU32));
  out.reg(reg802(ChaSt), static_cast<std::uint16_t>(charge_status(s)));
  out.reg(reg802(LocRemCtl), kLocRemLocal);
  // Heartbeat: seconds of the controller's monotonic time, so it advances each second.
  out.reg(reg802(Hb), static_cast<std::uint16_t>((s.now_ms / 1000) & 0xFFFF));
  out.reg(reg802(CtrlHb), w.ctrl_hb);
  out.reg(reg802(AlmRst), 0);  // SunSpec: reads 0 once the reset is done
  out.reg(reg802(Typ), kTypLithiumIon);
  out.reg(reg802(State), static_cast<std::uint16_t>(battery_state(s)));
  out.reg(reg802(StateVnd), kNotImplU16);
  out.u32(reg802(WarrDt), kNotImplU32);
  out.u32(reg802(Evt1), evt1_bits(s));
  out.u32(reg802(Evt2), kNotImplU32);
  out.u32(reg802(EvtVnd1), c.alarm_bits_or);  // OR of the connected modules' alarm bits
  out.u32(reg802(EvtVnd2), kNotImplU32);
}

// Model 802 voltages, cell extremes, current, power and the control points.
void write_802_measurements(Writer& out, const SystemSnapshot& s, const HostConditions& c) {
  using namespace m802;
  const bool have = c.connected > 0;
  out.u16(reg802(V), have ? std::optional<double>(s.voltage_v) : std::nullopt, sf::kV);
  out.u16(reg802(VMax), published_cvl_v(s), sf::kV);
  out.u16(reg802(VMin), s.limits.dvl_v > 0 ? std::optional<double>(s.limits.dvl_v) : std::nullopt,
          sf::kV);
  auto mv = [](std::optional<std::uint16_t> v) {
    return v ? std::optional<double>(*v / 1000.0) : std::nullopt;
  };
  out.u16(reg802(CellVMax), mv(c.max_cell_mv), sf::kCellV);
  out.reg(reg802(CellVMaxStr), kNotImplU16);
  out.reg(reg802(CellVMaxMod),
          c.max_cell_mv ? static_cast<std::uint16_t>(c.max_cell_module) : kNotImplU16);
  out.u16(reg802(CellVMin), mv(c.min_cell_mv), sf::kCellV);
  out.reg(reg802(CellVMinStr), kNotImplU16);
  out.reg(reg802(CellVMinMod),
          c.min_cell_mv ? static_cast<std::uint16_t>(c.min_cell_module) : kNotImplU16);
  out.u16(reg802(CellVAvg),
          c.avg_cell_mv ? std::optional<double>(*c.avg_cell_mv / 1000.0) : std::nullopt,
          sf::kCellV);
  out.i16(reg802(A), have ? std::optional<double>(s.current_a) : std::nullopt, sf::kA);
  out.u16(reg802(AChaMax), std::max(0.0, s.limits.ccl_a), sf::kAMax);
  out.u16(reg802(ADisChaMax), std::max(0.0, s.limits.dcl_a), sf::kAMax);
  out.i16(reg802(W), have ? std::optional<double>(s.voltage_v * s.current_a) : std::nullopt,
          sf::kW);
  out.reg(reg802(ReqInvState), kNotImplU16);
  out.reg(reg802(ReqW), kNotImplI16);
  out.reg(reg802(SetOp), s.host_disconnect ? kSetOpDisconnect : kSetOpConnect);
  out.reg(reg802(SetInvState), kNotImplU16);
}

void write_802_scale_factors(Writer& out) {
  using namespace m802;
  out.sunssf(reg802(AHRtg_SF), sf::kAHRtg);
  out.sunssf(reg802(WHRtg_SF), sf::kWHRtg);
  out.sunssf(reg802(WChaDisChaMax_SF), sf::kWChaDisChaMax);
  out.reg(reg802(DisChaRte_SF), kNotImplI16);
  out.sunssf(reg802(SoC_SF), sf::kSoC);
  out.sunssf(reg802(DoD_SF), sf::kDoD);
  out.sunssf(reg802(SoH_SF), sf::kSoH);
  out.sunssf(reg802(V_SF), sf::kV);
  out.sunssf(reg802(CellV_SF), sf::kCellV);
  out.sunssf(reg802(A_SF), sf::kA);
  out.sunssf(reg802(AMax_SF), sf::kAMax);
  out.sunssf(reg802(W_SF), sf::kW);
}

}  // namespace

RegisterImage build_sunspec_image(const SystemSnapshot& s, const SunSpecIdentity& id,
                                  const SunSpecWritable& w) {
  RegisterImage img{};
  Writer out(img);
  const HostConditions c = derive_conditions(s);
  write_model1(out, id);
  write_802_ratings(out, s, c);
  write_802_state(out, s, c, w);
  write_802_measurements(out, s, c);
  write_802_scale_factors(out);
  out.reg(idx(kEndAddr), 0xFFFF);
  out.reg(idx(kEndAddr) + 1, 0);
  return img;
}

}  // namespace essd::host
