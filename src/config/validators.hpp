// SPDX-License-Identifier: MIT
#pragma once
// Validators for the key table; each returns "" if fine, else the reason.
#include <cstdint>
#include <string>
#include <string_view>

namespace essd::config::detail {

std::string check_abs_path(std::string_view v);
std::string check_abs_path_or_empty(std::string_view v);
std::string check_socket_path(std::string_view v);
std::string check_ifname(std::string_view v);
std::string check_group_name(std::string_view v);
std::string check_gpio(std::string_view v);
std::string check_transport(std::string_view v);
std::string check_lcd(std::string_view v);
std::string check_parity(std::string_view v);
std::string check_model(std::string_view v);
std::string check_topology(std::string_view v);
std::string check_name8(std::string_view v);
std::string check_text32(std::string_view v);
std::string check_text32_or_empty(std::string_view v);
std::string check_tty_baud(std::int64_t v);
std::string check_can_bitrate(std::int64_t v);

}  // namespace essd::config::detail
