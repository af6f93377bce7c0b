// SPDX-License-Identifier: MIT
#pragma once
// The web panel's files, embedded at build time (web/CMakeLists.txt,
// web/embed.cmake). Bodies live in static storage for the program's life.
#include <cstddef>
#include <span>
#include <string_view>

namespace essd::web {

struct EmbeddedAsset {
  std::string_view path;          // URL path, e.g. "/assets/main.js"
  std::string_view content_type;  // e.g. "text/javascript; charset=utf-8"
  std::string_view etag;          // quoted strong validator from the content's hash
  std::string_view body;
  std::string_view gzip;  // the gzip form, empty when it would not be smaller
};

std::span<const EmbeddedAsset> embedded_assets();

}  // namespace essd::web
