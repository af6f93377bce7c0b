// SPDX-License-Identifier: MIT
#pragma once
// The panel's screens as pure functions of the snapshot: the seven items and
// the error screens, each four lines of exactly 20 characters
// (docs/panel.md "Display"). Used by PanelModel; tested with literal screens.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "essd/system_state.hpp"
#include "panel/panel_model.hpp"

namespace essd::panel {

inline constexpr std::size_t kLineWidth = 20;
using Lines = std::array<std::string, 4>;

enum class ErrorScreen : std::uint8_t {
  comm_error,
  ov_error,
  discharge_error,
  no_module,
  topology,
  maintenance
};
std::string_view to_string(ErrorScreen e);

/// The error screen that stands, most severe first; nullopt when none.
std::optional<ErrorScreen> standing_error(const SystemSnapshot& s);

/// Bit i set = module address i is connected.
std::uint16_t connected_mask(const SystemSnapshot& s);

/// The item's four lines; `module` is the module shown on per-module items
/// (ignored when no module is connected: M_NO=--).
Lines item_lines(Item item, const SystemSnapshot& s, int module);
Lines error_lines(ErrorScreen e, const SystemSnapshot& s);

/// Pads with spaces or cuts to exactly 20 characters; with `clamped` the
/// last character becomes '*'.
std::string fit_line(std::string text, bool clamped = false);

}  // namespace essd::panel
