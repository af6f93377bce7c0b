// SPDX-License-Identifier: MIT
#pragma once
// Every fuzz entry function by corpus name (fuzz/corpus/<name>,
// fuzz/regress/<name>): the regression test runs each stored input through
// the same function the libFuzzer target calls.
#include <array>
#include <cstddef>
#include <cstdint>

#include "fuzz/targets/api_dispatcher.hpp"
#include "fuzz/targets/config.hpp"
#include "fuzz/targets/modbus_rtu.hpp"
#include "fuzz/targets/module_frame.hpp"
#include "fuzz/targets/pylontech.hpp"
#include "fuzz/targets/slcan.hpp"
#include "fuzz/targets/toml_precheck.hpp"

namespace essd::fuzz {

struct Target {
  const char* name;
  void (*run)(const std::uint8_t* data, std::size_t size);
};

inline constexpr std::array<Target, 7> kTargets{{
    {"slcan", run_slcan},
    {"module_frame", run_module_frame},
    {"api_dispatcher", run_api_dispatcher},
    {"config", run_config},
    {"modbus_rtu", run_modbus_rtu},
    {"pylontech", run_pylontech},
    {"toml_precheck", run_toml_precheck},
}};

}  // namespace essd::fuzz
