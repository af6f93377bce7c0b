// SPDX-License-Identifier: MIT
#pragma once
// Host CAN encoder (host::encode_pylontech) over a fuzzed SystemSnapshot:
// NaN/infinite/huge aggregates, inconsistent flags, modules without data.
// Invariants: only the protocol's identifiers, standard data frames of the
// documented lengths; the enable bits of 0x35C agree with the current limits
// of 0x351; the 0x359 "PN" marker and an 8-byte ASCII 0x35E name.
// Input: byte 0 options (bit 0 Victron frames), bytes 1-8 the manufacturer
// name (length from byte 9), then the snapshot recipe.
#include <cstdint>
#include <map>
#include <string>

#include "fuzz/targets/check.hpp"
#include "fuzz/targets/snapshot_builder.hpp"
#include "host/pylontech.hpp"

namespace essd::fuzz {

inline void run_pylontech(const std::uint8_t* data, std::size_t size) {
  constexpr const char* kName = "pylontech";
  ByteReader in(data, size);
  host::PylontechOptions opts;
  opts.victron_frames = in.boolean();
  std::string name;
  for (int i = 0; i < 8; ++i) name.push_back(static_cast<char>(in.u8()));
  name.resize(in.u8() % 12);  // sometimes longer than the 8 the frame holds
  opts.manufacturer_name = name;
  const SystemSnapshot snap = make_snapshot(in);

  const auto enc = host::encode_pylontech_checked(snap, opts);
  static const std::map<std::uint32_t, int> kLen{
      {host::kPylonLimitsId, 8},    {host::kPylonSocId, 4},     {host::kPylonMeasId, 6},
      {host::kPylonAlarmId, 8},     {host::kPylonRequestId, 2}, {host::kPylonNameId, 8},
      {host::kVictronModulesId, 8}, {host::kVictronCellsId, 8}, {host::kVictronCapacityId, 2}};
  std::map<std::uint32_t, CanFrame> seen;
  for (const auto& f : enc.frames) {
    ESSD_FUZZ_CHECK(kName, !f.extended && !f.remote);
    const auto it = kLen.find(f.id);
    ESSD_FUZZ_CHECK(kName, it != kLen.end());
    ESSD_FUZZ_CHECK(kName, f.len == it->second);
    ESSD_FUZZ_CHECK(kName, seen.count(f.id) == 0);
    const bool victron = f.id == host::kVictronModulesId || f.id == host::kVictronCellsId ||
                         f.id == host::kVictronCapacityId;
    ESSD_FUZZ_CHECK(kName, !victron || opts.victron_frames);
    seen[f.id] = f;
  }
  for (std::uint32_t id : {host::kPylonLimitsId, host::kPylonSocId, host::kPylonMeasId,
                           host::kPylonAlarmId, host::kPylonRequestId, host::kPylonNameId}) {
    ESSD_FUZZ_CHECK(kName, seen.count(id) == 1);
  }
  const auto& lim = seen[host::kPylonLimitsId].data;
  const auto ccl = static_cast<std::int16_t>(lim[2] | (lim[3] << 8));
  const auto dcl = static_cast<std::int16_t>(lim[4] | (lim[5] << 8));
  ESSD_FUZZ_CHECK(kName, ccl >= 0 && dcl >= 0);
  const auto req = seen[host::kPylonRequestId].data[0];
  ESSD_FUZZ_CHECK(kName, ((req & 0x80) != 0) == (ccl > 0));
  ESSD_FUZZ_CHECK(kName, ((req & 0x40) != 0) == (dcl > 0));
  const auto& alarm = seen[host::kPylonAlarmId].data;
  ESSD_FUZZ_CHECK(kName, alarm[5] == 'P' && alarm[6] == 'N');
  for (auto c : seen[host::kPylonNameId].data) ESSD_FUZZ_CHECK(kName, c < 0x80);
}

}  // namespace essd::fuzz
