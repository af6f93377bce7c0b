// SPDX-License-Identifier: MIT
#pragma once
// Controller models and topologies (docs/core.md "Controller models").
#include <optional>
#include <string_view>

namespace essd {

enum class Model { ij1001c, ij1002c, ij4001c };
enum class Topology { parallel, series, series_parallel };

struct ModelSpec {
  int min_modules;  // for the topology in use
  int max_modules;
  double min_voltage_v;
  double max_voltage_v;
  double max_current_a;
};

constexpr std::string_view to_string(Model m) {
  switch (m) {
    case Model::ij1001c:
      return "IJ1001C";
    case Model::ij1002c:
      return "IJ1002C";
    case Model::ij4001c:
      return "IJ4001C";
  }
  return "?";
}
constexpr std::string_view to_string(Topology t) {
  switch (t) {
    case Topology::parallel:
      return "parallel";
    case Topology::series:
      return "series";
    case Topology::series_parallel:
      return "series-parallel";
  }
  return "?";
}
constexpr std::optional<Model> model_from_string(std::string_view s) {
  if (s == "IJ1001C") return Model::ij1001c;
  if (s == "IJ1002C") return Model::ij1002c;
  if (s == "IJ4001C") return Model::ij4001c;
  return std::nullopt;
}
constexpr std::optional<Topology> topology_from_string(std::string_view s) {
  if (s == "parallel") return Topology::parallel;
  if (s == "series") return Topology::series;
  if (s == "series-parallel") return Topology::series_parallel;
  return std::nullopt;
}

/// Only parallel is valid for IJ1001C/IJ1002C; only series and
/// series-parallel for IJ4001C.
constexpr bool topology_allowed(Model m, Topology t) {
  return m == Model::ij4001c ? t != Topology::parallel : t == Topology::parallel;
}

constexpr ModelSpec model_spec(Model m, Topology t) {
  switch (m) {
    case Model::ij1001c:
      return {1, 16, 30.0, 60.0, 50.0};
    case Model::ij1002c:
      return {1, 16, 30.0, 60.0, 100.0};
    case Model::ij4001c:
      if (t == Topology::series_parallel) return {4, 14, 60.0, 420.0, 50.0};
      return {2, 7, 60.0, 420.0, 50.0};
  }
  return {1, 16, 30.0, 60.0, 50.0};
}

/// Modules in series / in parallel for a module count under a topology.
constexpr int modules_in_series(Topology t, int count) {
  switch (t) {
    case Topology::parallel:
      return count > 0 ? 1 : 0;
    case Topology::series:
      return count;
    case Topology::series_parallel:
      return (count + 1) / 2;
  }
  return 0;
}
constexpr int modules_in_parallel(Topology t, int count) {
  switch (t) {
    case Topology::parallel:
      return count;
    case Topology::series:
      return count > 0 ? 1 : 0;
    case Topology::series_parallel:
      return count >= 2 ? 2 : count;
  }
  return 0;
}

}  // namespace essd
