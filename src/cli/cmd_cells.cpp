// SPDX-License-Identifier: MIT
// essctl cells N: cell block voltages and cell temperatures of one module.
#include <algorithm>
#include <cstdio>
#include <memory>

#include "cli/essctl.hpp"

namespace essd::cli {

using nlohmann::json;

void add_cells(CLI::App& app, const Options& opt, Action& action) {
  auto* sub = app.add_subcommand("cells", "cell voltages and temperatures of one module");
  auto address = std::make_shared<int>(0);
  sub->add_option("N", *address, "module address 0-15")->required();
  sub->callback([&opt, &action, address] {
    action = [&opt, address] {
      json result;
      int rc = call(opt, json{{"cmd", "module"}, {"address", *address}}, result);
      if (rc != kOk) return rc;
      const json cells = result.value("cells_mv", json::array());
      const json temps = result.value("cell_temps_c", json::array());
      if (opt.json) {
        print_json(json{{"address", result.value("address", json())},
                        {"cells_mv", cells},
                        {"cell_temps_c", temps}});
        return rc;
      }
      std::printf("module %s\n%-5s %8s\n", str(result.value("address", json())).c_str(), "CELL",
                  "MV");
      int lo = 0, hi = 0;
      bool any = false;
      for (std::size_t i = 0; i < cells.size(); ++i) {
        std::printf("%-5zu %8s\n", i + 1, str(cells[i]).c_str());
        if (cells[i].is_number()) {
          int v = cells[i].get<int>();
          lo = any ? std::min(lo, v) : v;
          hi = any ? std::max(hi, v) : v;
          any = true;
        }
      }
      if (any) std::printf("spread %d mV (min %d, max %d)\n", hi - lo, lo, hi);
      std::printf("%-5s %8s\n", "TSENS", "C");
      for (std::size_t i = 0; i < temps.size(); ++i) {
        std::printf("%-5zu %8s\n", i + 1, str(temps[i]).c_str());
      }
      return rc;
    };
  });
}

}  // namespace essd::cli
