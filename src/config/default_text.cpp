// SPDX-License-Identifier: MIT
// The default configuration file, generated from the key table so that it
// lists every key with its default and comment (and cannot drift from the
// parser). config/essd.toml is this text; a test keeps them identical.
#include <charconv>
#include <cstdio>
#include <string>

#include "config/config.hpp"
#include "config/key_table.hpp"

namespace essd::config {
namespace {

std::string quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string number(double v) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v);  // shortest exact form
  std::string s(buf, r.ptr);
  if (s.find_first_of(".eEn") == std::string::npos) s += ".0";  // keep it a TOML float
  return s;
}

std::string value_text(const detail::KeyDef& d, const Config& c) {
  switch (d.kind) {
    case detail::Kind::integer:
      if (d.hex) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "0x%02llx", static_cast<unsigned long long>(d.get_int(c)));
        return buf;
      }
      return std::to_string(d.get_int(c));
    case detail::Kind::number:
      return number(d.get_num(c));
    case detail::Kind::boolean:
      return d.get_bool(c) ? "true" : "false";
    case detail::Kind::string:
      return quote(d.get_str(c));
  }
  return "";
}

void comment_block(std::string& out, std::string_view text) {
  while (!text.empty()) {
    auto nl = text.find('\n');
    out += "# ";
    out += text.substr(0, nl);
    out += '\n';
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
}

}  // namespace

std::string default_config_text() {
  const Config defaults;
  std::string out =
      "# essd configuration (TOML). Every key is optional; the values shown are the\n"
      "# built-in defaults. Unknown keys and sections are errors, so that a typo never\n"
      "# leaves a safety limit at its default. Check a file with: essd --check-config\n";
  for (const auto& sec : detail::sections()) {
    out += "\n";
    comment_block(out, sec.comment);
    out += "[" + std::string(sec.name) + "]\n";
    for (const auto& k : detail::key_table()) {
      if (k.section != sec.name) continue;
      std::string line = std::string(k.name) + " = " + value_text(k, defaults);
      if (!k.comment.empty()) {
        if (line.size() < 34) line.resize(34, ' ');
        line += "  # " + std::string(k.comment);
      }
      out += line + "\n";
    }
  }
  return out;
}

}  // namespace essd::config
