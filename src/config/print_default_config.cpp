// SPDX-License-Identifier: MIT
// Prints default_config_text(); used to regenerate config/essd.toml.
#include <iostream>

#include "config/config.hpp"

int main() {
  std::cout << essd::config::default_config_text();
  return 0;
}
