// SPDX-License-Identifier: MIT
#pragma once
#include <string_view>

namespace essd {
#ifndef ESSD_VERSION
#define ESSD_VERSION "0.1.0"
#endif
inline constexpr std::string_view kVersion = ESSD_VERSION;
inline constexpr int kApiVersion = 1;
}  // namespace essd
