// SPDX-License-Identifier: MIT
#include "host/pylontech.hpp"

#include <algorithm>
#include <cstdio>

#include "host/host_conditions.hpp"
#include "host/scaling.hpp"

namespace essd::host {
namespace {

class FrameBuilder {
 public:
  FrameBuilder(std::uint32_t id, std::uint8_t len, std::vector<std::string>& saturated)
      : saturated_(saturated) {
    frame_.id = id;
    frame_.len = len;
  }
  void byte(int at, std::uint8_t v) { frame_.data[static_cast<std::size_t>(at)] = v; }
  void u16le(int at, std::uint16_t v) {
    byte(at, static_cast<std::uint8_t>(v & 0xFF));
    byte(at + 1, static_cast<std::uint8_t>(v >> 8));
  }
  /// Scaled unsigned field; a negative value or one beyond 0xFFFF saturates.
  std::uint16_t u16(int at, double v, double factor, const char* name) {
    const Scaled s = scale_u16(v, factor);
    note(s, name);
    u16le(at, static_cast<std::uint16_t>(s.value));
    return static_cast<std::uint16_t>(s.value);
  }
  std::int16_t i16(int at, double v, double factor, const char* name) {
    const Scaled s = scale_i16(v, factor);
    note(s, name);
    u16le(at, i16_bits(s.value));
    return static_cast<std::int16_t>(s.value);
  }
  CanFrame frame() const { return frame_; }

 private:
  void note(const Scaled& s, const char* name) {
    if (!s.saturated) return;
    char id[8];
    std::snprintf(id, sizeof id, "0x%03X", static_cast<unsigned>(frame_.id));
    saturated_.push_back(std::string(id) + "." + name);
  }
  CanFrame frame_;
  std::vector<std::string>& saturated_;
};

std::uint8_t bit(bool on, int n) {
  return on ? static_cast<std::uint8_t>(1u << n) : 0;
}

CanFrame alarm_frame(const HostConditions& c, std::vector<std::string>& sat) {
  // 0x359 protection / warning flags.
  FrameBuilder al(kPylonAlarmId, 8, sat);
  al.byte(0, bit(c.over_voltage, 1) | bit(c.under_voltage, 2) | bit(c.over_temp, 3) |
                 bit(c.under_temp, 4) | bit(c.discharge_oc, 7));
  al.byte(1, bit(c.charge_oc, 0) | bit(c.system_error, 3));
  al.byte(2, bit(c.warn_over_voltage, 1) | bit(c.warn_under_voltage, 2) | bit(c.warn_over_temp, 3) |
                 bit(c.warn_under_temp, 4));
  al.byte(3, 0);
  al.byte(4, static_cast<std::uint8_t>(std::clamp(c.connected, 0, 255)));
  al.byte(5, 'P');
  al.byte(6, 'N');
  return al.frame();
}

CanFrame name_frame(const PylontechOptions& o, std::vector<std::string>& sat) {
  // 0x35E manufacturer name: printable ASCII, space padded to 8.
  FrameBuilder name(kPylonNameId, 8, sat);
  for (int i = 0; i < 8; ++i) {
    char ch = i < static_cast<int>(o.manufacturer_name.size())
                  ? o.manufacturer_name[static_cast<std::size_t>(i)]
                  : ' ';
    if (ch < 0x20 || ch > 0x7E) ch = '?';
    name.byte(i, static_cast<std::uint8_t>(ch));
  }
  return name.frame();
}

// Victron's extra frames: module counts, cell extremes, capacity.
void append_victron_frames(const HostConditions& c, std::vector<std::string>& sat,
                           std::vector<CanFrame>& frames) {
  FrameBuilder mods(kVictronModulesId, 8, sat);
  mods.u16le(0, static_cast<std::uint16_t>(c.connected));
  mods.u16le(2, static_cast<std::uint16_t>(c.blocking_charge));
  mods.u16le(4, static_cast<std::uint16_t>(c.blocking_discharge));
  mods.u16le(6, static_cast<std::uint16_t>(c.lost));
  frames.push_back(mods.frame());

  // Unknown values are sent as 0 (Victron shows them as absent).
  FrameBuilder cells(kVictronCellsId, 8, sat);
  cells.u16le(0, c.min_cell_mv.value_or(0));
  cells.u16le(2, c.max_cell_mv.value_or(0));
  cells.u16(4, c.min_temp_c ? *c.min_temp_c + 273.0 : 0.0, 1.0, "min_cell_temp");
  cells.u16(6, c.max_temp_c ? *c.max_temp_c + 273.0 : 0.0, 1.0, "max_cell_temp");
  frames.push_back(cells.frame());

  FrameBuilder cap(kVictronCapacityId, 2, sat);
  cap.u16(0, c.nominal_ah.value_or(0.0), 1.0, "capacity");
  frames.push_back(cap.frame());
}

}  // namespace

PylontechEncoding encode_pylontech_checked(const SystemSnapshot& s, const PylontechOptions& o) {
  PylontechEncoding out;
  auto& sat = out.saturated;
  const HostConditions c = derive_conditions(s);

  // 0x351 limits. Current limits are magnitudes: a negative limit means "none".
  FrameBuilder lim(kPylonLimitsId, 8, sat);
  std::uint16_t cvl = lim.u16(0, published_cvl_v(s), 10.0, "cvl");
  if (cvl == 0) {  // never 0, even for a nonsensical tiny limit
    cvl = 1;
    lim.u16le(0, cvl);
  }
  const std::int16_t ccl = lim.i16(2, std::max(0.0, s.limits.ccl_a), 10.0, "ccl");
  const std::int16_t dcl = lim.i16(4, std::max(0.0, s.limits.dcl_a), 10.0, "dcl");
  lim.u16(6, std::max(0.0, s.limits.dvl_v), 10.0, "dvl");
  out.frames.push_back(lim.frame());

  // 0x355 SOC / SOH, whole percent.
  FrameBuilder soc(kPylonSocId, 4, sat);
  soc.u16(0, s.rsoc_known ? std::clamp(s.rsoc_pct, 0.0, 100.0) : 0.0, 1.0, "soc");
  soc.u16(2, c.soh_pct.value_or(0.0), 1.0, "soh");
  out.frames.push_back(soc.frame());

  // 0x356 measurements; IJ4001C strings above 327.67 V saturate here.
  FrameBuilder meas(kPylonMeasId, 6, sat);
  meas.i16(0, s.voltage_v, 100.0, "voltage");
  meas.i16(2, s.current_a, 10.0, "current");
  meas.i16(4, c.mean_temp_c.value_or(0.0), 10.0, "temperature");
  out.frames.push_back(meas.frame());

  out.frames.push_back(alarm_frame(c, sat));

  // 0x35C request flags: enables follow the limits actually sent.
  FrameBuilder req(kPylonRequestId, 2, sat);
  req.byte(0, bit(ccl > 0, 7) | bit(dcl > 0, 6) | bit(s.discharge_error, 5));
  out.frames.push_back(req.frame());

  out.frames.push_back(name_frame(o, sat));
  if (o.victron_frames) append_victron_frames(c, sat, out.frames);
  return out;
}

std::vector<CanFrame> encode_pylontech(const SystemSnapshot& s, const PylontechOptions& o,
                                       std::vector<std::string>* saturated) {
  PylontechEncoding e = encode_pylontech_checked(s, o);
  if (saturated) *saturated = std::move(e.saturated);
  return std::move(e.frames);
}

}  // namespace essd::host
