// SPDX-License-Identifier: MIT
// TOML text -> Config, walking the key table; every problem with its line.
#include <fcntl.h>
#include <grp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <toml++/toml.h>
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <map>
#include <set>
#include <sstream>

#include "config/config.hpp"
#include "config/key_table.hpp"
#include "config/precheck.hpp"
#include "config/validators.hpp"
#include "essd/errno_text.hpp"
#include "essd/unique_fd.hpp"

namespace essd::config {
namespace {

using detail::KeyDef;
using detail::Kind;

int line_of(const toml::node& n) {
  return static_cast<int>(n.source().begin.line);
}

// An implicit table (e.g. "host" in [host.can]) has no position; use the
// first positioned node inside it.
int first_line(const toml::node& n) {
  if (int l = line_of(n); l > 0) return l;
  if (const auto* t = n.as_table()) {
    int best = 0;
    for (const auto& [k, v] : *t) {
      int l = first_line(v);
      if (l > 0 && (best == 0 || l < best)) best = l;
    }
    return best;
  }
  return 0;
}

std::string type_name(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a float";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
    default:
      return "nothing";
  }
}

std::string fmt_num(double v) {
  std::ostringstream o;
  o << v;
  return o.str();
}

bool default_group_exists(const std::string& name) {
  struct group gr {};
  struct group* res = nullptr;
  std::vector<char> buf(4096);
  for (;;) {
    int rc = getgrnam_r(name.c_str(), &gr, buf.data(), buf.size(), &res);
    if (rc == ERANGE && buf.size() < (1u << 20)) {
      buf.resize(buf.size() * 2);
      continue;
    }
    return rc == 0 && res != nullptr;
  }
}

class Parser {
 public:
  Parser(const std::string& src, const ParseOptions& opts) : src_(src), opts_(opts) {}

  LoadResult run(std::string_view text) {
    if (auto p = precheck_toml(text)) {
      error(p->line, std::string(p->reason));
      return finish();
    }
    toml::table root;
    try {
      root = toml::parse(text, src_);
    } catch (const toml::parse_error& e) {
      error(static_cast<int>(e.source().begin.line), std::string(e.description()));
      return finish();
    }
    for (const auto& [key, node] : root) {
      std::string name(key.str());
      if (name == "host" && node.is_table()) {
        for (const auto& [k2, n2] : *node.as_table()) {
          if (n2.is_table() || n2.is_array_of_tables())
            section("host." + std::string(k2.str()), n2);
          else
            error(line_of(n2), "unknown key \"" + std::string(k2.str()) + "\" in [host]");
        }
      } else if (node.is_table() || detail::is_section(name) || node.is_array_of_tables()) {
        section(name, node);
      } else {
        error(line_of(node), "unknown key \"" + name + "\" outside any section");
      }
    }
    cross_checks();
    return finish();
  }

 private:
  void error(int line, std::string reason) {
    result_.errors.push_back({src_, line, std::move(reason)});
  }
  void warning(int line, const std::string& reason) {
    result_.warnings.push_back(Problem{src_, line, reason}.format());
  }

  void section(const std::string& name, const toml::node& node) {
    if (!detail::is_section(name)) {
      error(first_line(node), "unknown section [" + name + "]");
      return;
    }
    const auto* tbl = node.as_table();
    if (!tbl) {
      error(first_line(node), "[" + name + "] must be a table, not " + type_name(node));
      return;
    }
    for (const auto& [key, value] : *tbl) {
      std::string k(key.str());
      const KeyDef* def = detail::find_key(name, k);
      if (!def) {
        error(first_line(value), "unknown key \"" + k + "\" in [" + name + "]");
        continue;
      }
      lines_[def->full_name()] = line_of(value);
      if (!apply(*def, value)) bad_.insert(def->full_name());
    }
  }

  bool apply(const KeyDef& d, const toml::node& v) {
    const int line = line_of(v);
    const std::string what = d.full_name() + ": ";
    switch (d.kind) {
      case Kind::integer: {
        const auto* i = v.as_integer();
        if (!i) return error(line, what + "expected an integer, got " + type_name(v)), false;
        const std::int64_t x = i->get();
        if (static_cast<double>(x) < d.lo || static_cast<double>(x) > d.hi)
          return error(line, what + std::to_string(x) + " is out of range [" + fmt_num(d.lo) +
                                 ", " + fmt_num(d.hi) + "]"),
                 false;
        if (d.check_int) {
          if (auto r = d.check_int(x); !r.empty()) return error(line, what + r), false;
        }
        d.set_int(cfg_, x);
        return true;
      }
      case Kind::number: {
        double x = 0;
        if (const auto* i = v.as_integer())
          x = static_cast<double>(i->get());
        else if (const auto* f = v.as_floating_point())
          x = f->get();
        else
          return error(line, what + "expected a number, got " + type_name(v)), false;
        if (!(x >= d.lo && x <= d.hi))  // also rejects nan
          return error(line, what + fmt_num(x) + " is out of range [" + fmt_num(d.lo) + ", " +
                                 fmt_num(d.hi) + "]"),
                 false;
        d.set_num(cfg_, x);
        return true;
      }
      case Kind::boolean: {
        const auto* b = v.as_boolean();
        if (!b) return error(line, what + "expected true or false, got " + type_name(v)), false;
        d.set_bool(cfg_, b->get());
        return true;
      }
      case Kind::string: {
        const auto* s = v.as_string();
        if (!s) return error(line, what + "expected a string, got " + type_name(v)), false;
        if (d.check_str) {
          if (auto r = d.check_str(s->get()); !r.empty()) return error(line, what + r), false;
        }
        d.set_str(cfg_, s->get());
        return true;
      }
    }
    return false;
  }

  bool good(const std::string& key) const { return !bad_.count(key); }
  bool written(const std::string& key) const { return lines_.count(key) != 0; }
  int line(const std::string& key) const {
    auto it = lines_.find(key);
    return it == lines_.end() ? 0 : it->second;
  }
  int line(const std::string& a, const std::string& b) const { return line(a) ? line(a) : line(b); }

  void cross_checks();
  void check_gpio_duplicates();
  void check_links();
  void check_groups();

  LoadResult finish() {
    // toml++ tables iterate in key order; operators read files top to bottom.
    std::stable_sort(result_.errors.begin(), result_.errors.end(),
                     [](const Problem& a, const Problem& b) { return a.line < b.line; });
    if (result_.errors.empty()) result_.config = cfg_;
    return std::move(result_);
  }

  const std::string& src_;
  const ParseOptions& opts_;
  Config cfg_;
  LoadResult result_;
  std::map<std::string, int> lines_;  // key -> line where written
  std::set<std::string> bad_;         // keys with an error of their own
};

void Parser::cross_checks() {
  const auto& s = cfg_.system;
  if (good("system.model") && good("system.topology")) {
    if (!topology_allowed(s.model, s.topology)) {
      error(line("system.topology", "system.model"),
            "system.topology: \"" + std::string(to_string(s.topology)) + "\" is not valid for " +
                std::string(to_string(s.model)) +
                (s.model == Model::ij4001c ? " (series | series-parallel)" : " (parallel only)"));
    } else if (good("system.modules") && s.modules != 0) {
      const auto spec = model_spec(s.model, s.topology);
      const std::string combo =
          std::string(to_string(s.model)) + " " + std::string(to_string(s.topology));
      if (s.modules < spec.min_modules || s.modules > spec.max_modules)
        error(line("system.modules"), "system.modules: " + std::to_string(s.modules) +
                                          " is outside " + std::to_string(spec.min_modules) + "-" +
                                          std::to_string(spec.max_modules) + " for " + combo);
      else if (s.topology == Topology::series_parallel && s.modules % 2 != 0)
        error(line("system.modules"), "system.modules: " + std::to_string(s.modules) +
                                          " is odd; series-parallel needs complete pairs");
    }
  }
  const auto& l = cfg_.limits;
  if (good("limits.heatsink_trip_c") && good("limits.heatsink_clear_c") &&
      l.heatsink_clear_c > l.heatsink_trip_c - 5)
    error(line("limits.heatsink_clear_c", "limits.heatsink_trip_c"),
          "limits.heatsink_clear_c: " + fmt_num(l.heatsink_clear_c) +
              " must be at most heatsink_trip_c - 5 (" + fmt_num(l.heatsink_trip_c - 5) + ")");
  check_gpio_duplicates();
  check_links();
  check_groups();
}

// Two roles on one GPIO line (say both paths on one relay) would defeat the
// interlocks: reject it. "17" and "gpiochip0:17" name the same line.
void Parser::check_gpio_duplicates() {
  std::map<std::string, std::string> seen;  // normalized spec -> key
  for (const auto& d : detail::key_table()) {
    if (d.check_str != detail::check_gpio) continue;
    const std::string key = d.full_name();
    if (!good(key)) continue;
    std::string v = d.get_str(cfg_);
    if (v.empty()) continue;
    if (v.front() == '!') v.erase(0, 1);
    if (v.find(':') == std::string::npos && !v.empty() &&
        v.find_first_not_of("0123456789") == std::string::npos)
      v = "gpiochip0:" + std::to_string(std::stoi(v));
    if (v.rfind("/dev/", 0) == 0) v.erase(0, 5);
    auto [it, fresh] = seen.emplace(v, key);
    if (!fresh) error(line(key), key + ": line \"" + v + "\" is already used by " + it->second);
  }
}

// An enabled host link must not share the module bus or the other link.
void Parser::check_links() {
  const auto& b = cfg_.bus;
  const auto& hc = cfg_.host_can;
  const auto& hm = cfg_.host_modbus;
  auto endpoint = [](const std::string& transport, const std::string& iface,
                     const std::string& dev) { return transport == "socketcan" ? iface : dev; };
  const std::string bus_ep = endpoint(b.transport, b.interface, b.device);
  if (hc.enabled) {
    const std::string ep = endpoint(hc.transport, hc.interface, hc.device);
    if (ep == bus_ep)
      error(line(hc.transport == "socketcan" ? "host.can.interface" : "host.can.device",
                 "host.can.enabled"),
            "host.can: \"" + ep + "\" is the module bus; the host link needs its own");
  }
  if (hm.enabled) {
    if (hm.device == bus_ep)
      error(line("host.modbus.device", "host.modbus.enabled"),
            "host.modbus.device: \"" + hm.device + "\" is the module bus");
    else if (hc.enabled && hc.transport == "slcan" && hc.device == hm.device)
      error(line("host.modbus.device", "host.modbus.enabled"),
            "host.modbus.device: \"" + hm.device + "\" is also host.can.device");
  }
}

// docs/configuration.md "File": a missing default group is a warning (the socket keeps the
// daemon's group; only root is privileged); a missing named group an error.
void Parser::check_groups() {
  // A key that restates the default name counts as the default: the output of
  // --print-default-config (which writes every key) must pass --check-config
  // on a machine where the installer has not created the groups yet.
  auto& a = cfg_.api;
  const ApiConfig defaults;
  a.group_explicit = written("api.group") && a.group != defaults.group;
  a.admin_group_explicit = written("api.admin_group") && a.admin_group != defaults.admin_group;
  auto exists = opts_.group_exists ? opts_.group_exists : default_group_exists;
  auto check = [&](const std::string& key, const std::string& name, bool is_explicit) {
    if (!good(key) || exists(name)) return;
    if (is_explicit)
      error(line(key), key + ": group \"" + name + "\" does not exist");
    else
      warning(0, key + ": default group \"" + name + "\" does not exist" +
                     (key == "api.group" ? "; the socket keeps the daemon's own group"
                                         : "; only root may use privileged commands"));
  };
  check("api.group", a.group, a.group_explicit);
  check("api.admin_group", a.admin_group, a.admin_group_explicit);
}

}  // namespace

std::string Problem::format() const {
  return file + ":" + std::to_string(line) + ": " + reason;
}

LoadResult parse(std::string_view text, const std::string& source_name) {
  return parse(text, source_name, ParseOptions{});
}

LoadResult parse(std::string_view text, const std::string& source_name, const ParseOptions& opts) {
  return Parser(source_name, opts).run(text);
}

LoadResult load_file(const std::string& path) {
  return load_file(path, ParseOptions{});
}

LoadResult load_file(const std::string& path, const ParseOptions& opts) {
  constexpr std::size_t kMaxSize = 1 << 20;  // a config file is a few KiB
  auto fail = [&](std::string reason) {
    LoadResult r;
    r.errors.push_back({path, 0, std::move(reason)});
    return r;
  };
  // O_NONBLOCK: a FIFO or device named by mistake must not hang the daemon.
  const UniqueFd file(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (!file) return fail(errno_text("cannot open"));
  const int raw = file.get();
  struct stat st {};
  if (::fstat(raw, &st) != 0 || !S_ISREG(st.st_mode)) return fail("not a regular file");
  if (static_cast<std::size_t>(st.st_size) > kMaxSize) return fail("file larger than 1 MiB");
  std::string text;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(raw, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail(errno_text("read error"));
    if (n == 0) break;
    text.append(buf, static_cast<std::size_t>(n));
    if (text.size() > kMaxSize) return fail("file larger than 1 MiB");
  }
  return parse(text, path, opts);
}

}  // namespace essd::config
