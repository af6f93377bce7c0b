// SPDX-License-Identifier: MIT
#include "api/dispatcher.hpp"

#include <exception>
#include <utility>

namespace essd::api {
namespace {

using nlohmann::json;

/// An integer argument, or nullopt when absent/null; `bad` set when present
/// but not an integer (3.5, "3", true are all rejected, not coerced).
std::optional<std::int64_t> int_arg(const json& req, const char* name, bool& bad) {
  auto it = req.find(name);
  if (it == req.end() || it->is_null()) return std::nullopt;
  if (it->is_number_unsigned()) {
    auto v = it->get<std::uint64_t>();
    if (v > static_cast<std::uint64_t>(INT64_MAX)) {
      bad = true;
      return std::nullopt;
    }
    return static_cast<std::int64_t>(v);
  }
  if (it->is_number_integer()) return it->get<std::int64_t>();
  bad = true;
  return std::nullopt;
}

std::optional<bool> bool_arg(const json& req, const char* name, bool& bad) {
  auto it = req.find(name);
  if (it == req.end() || it->is_null()) return std::nullopt;
  if (it->is_boolean()) return it->get<bool>();
  bad = true;
  return std::nullopt;
}

/// The checked arguments of a privileged command.
struct PrivilegedArgs {
  std::string detail;  // what the audit record says was asked for
  bool on = false;
  Press press = Press::short_press;
  std::string path;
};

/// Empty when `req`'s arguments for `cmd` are valid (then in `args`), else
/// the invalid_argument message.
std::string parse_privileged_args(const json& req, const std::string& cmd, PrivilegedArgs& args) {
  if (cmd == "maintenance" || cmd == "record") {
    bool bad = false;
    auto v = bool_arg(req, "on", bad);
    if (bad || !v) return "\"on\" must be true or false";
    args.on = *v;
    args.detail = args.on ? "on" : "off";
    if (cmd == "record" && args.on) {
      auto it = req.find("path");
      if (it == req.end() || !it->is_string() || it->get<std::string>().empty() ||
          it->get<std::string>().front() != '/' || it->get<std::string>().size() > 4096) {
        return "\"path\" must be an absolute file name";
      }
      args.path = it->get<std::string>();
      args.detail += " " + args.path;
    }
  } else if (cmd == "button") {
    auto it = req.find("press");
    if (it == req.end() || !it->is_string() ||
        (it->get<std::string>() != "short" && it->get<std::string>() != "long")) {
      return "\"press\" must be \"short\" or \"long\"";
    }
    args.press = it->get<std::string>() == "long" ? Press::long_press : Press::short_press;
    args.detail = it->get<std::string>();
  }
  return {};
}

/// `build` guarded: an exception costs this one reply, never the daemon.
std::function<std::string()> guarded(std::optional<json> id, std::function<Json()> build) {
  return [id = std::move(id), build = std::move(build)]() -> std::string {
    const json* idp = id ? &*id : nullptr;
    try {
      return Dispatcher::ok_line(idp, build());
    } catch (const std::exception& e) {
      return Dispatcher::error_line(idp, "internal", e.what());
    }
  };
}

std::function<void(std::string)> reply_with(const Dispatcher::Done& done) {
  return [done](std::string line) { done(Reply{std::move(line), false, std::nullopt}); };
}

}  // namespace

bool json_depth_within(std::string_view line, int max_depth) {
  int depth = 0;
  bool in_string = false, escaped = false;
  for (const char c : line) {
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) return false;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return true;
}

std::string Dispatcher::to_line(const Json& message) {
  std::string s = message.dump(-1, ' ', false, json::error_handler_t::replace);
  s.push_back('\n');
  return s;
}

std::string Dispatcher::error_line(const json* id, std::string_view code,
                                   std::string_view message) {
  Json j = Json::object();
  if (id) j["id"] = *id;
  j["ok"] = false;
  j["error"] = {{"code", code}, {"message", message}};
  return to_line(j);
}

std::string Dispatcher::ok_line(const json* id, Json result) {
  Json j = Json::object();
  if (id) j["id"] = *id;
  j["ok"] = true;
  j["result"] = std::move(result);
  return to_line(j);
}

Reply Dispatcher::line_too_long() {
  return Reply{error_line(nullptr, "bad_request",
                          "line longer than " + std::to_string(kMaxLineBytes) + " bytes"),
               true, std::nullopt};
}

void Dispatcher::handle(std::string_view line, const Peer& peer, const Done& done) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);  // tolerate CRLF clients
  if (!json_depth_within(line, kMaxJsonDepth)) {
    done(Reply{error_line(nullptr, "bad_request",
                          "JSON nested deeper than " + std::to_string(kMaxJsonDepth) + " levels"),
               false, std::nullopt});
    return;
  }
  json req = json::parse(line.begin(), line.end(), nullptr, /*allow_exceptions=*/false);
  if (req.is_discarded()) {
    done(Reply{error_line(nullptr, "bad_request", "not valid JSON"), false, std::nullopt});
    return;
  }
  if (!req.is_object()) {
    done(Reply{error_line(nullptr, "bad_request", "request is not a JSON object"), false,
               std::nullopt});
    return;
  }
  const json* id = req.contains("id") ? &req["id"] : nullptr;
  auto cmd_it = req.find("cmd");
  if (cmd_it == req.end() || !cmd_it->is_string()) {
    done(Reply{error_line(id, "bad_request", "missing \"cmd\" string"), false, std::nullopt});
    return;
  }
  const std::string cmd = cmd_it->get<std::string>();
  try {
    dispatch(req, id, cmd, peer, done);
  } catch (const std::exception& e) {
    // A backend bug must cost one reply, never the daemon.
    done(Reply{error_line(id, "internal", e.what()), false, std::nullopt});
  }
}

void Dispatcher::dispatch(const json& req, const json* id, const std::string& cmd, const Peer& peer,
                          const Done& done) {
  auto ok = [&](Json result, std::optional<bool> watch = std::nullopt) {
    done(Reply{ok_line(id, std::move(result)), false, watch});
  };
  auto fail = [&](std::string_view code, std::string_view msg) {
    done(Reply{error_line(id, code, msg), false, std::nullopt});
  };

  if (cmd == "status") {
    ok(status_json(backend_.snapshot(), backend_.time_ref(), backend_.uptime_s()));
  } else if (cmd == "modules") {
    modules(id, done);
  } else if (cmd == "module") {
    bool bad = false;
    auto addr = int_arg(req, "address", bad);
    if (bad || !addr || *addr < 0 || *addr >= bus::kMaxModules) {
      fail("invalid_argument", "\"address\" must be an integer 0-15");
      return;
    }
    auto snap = backend_.snapshot();
    const auto& m = snap.modules[static_cast<std::size_t>(*addr)];
    if (!m.seen) {
      fail("unavailable", "no module has been seen at address " + std::to_string(*addr));
      return;
    }
    ok(module_json(m));
  } else if (cmd == "events") {
    events(req, id, done);
  } else if (cmd == "display") {
    ok(display_json(backend_.display()));
  } else if (cmd == "counters") {
    ok(Json(backend_.counters()));
  } else if (cmd == "watch") {
    bool bad = false;
    auto enable = bool_arg(req, "enable", bad);
    if (bad) {
      fail("invalid_argument", "\"enable\" must be true or false");
      return;
    }
    bool on = enable.value_or(true);  // a bare {"cmd":"watch"} means "start watching"
    ok(Json{{"watch", on}}, on);
  } else if (cmd == "maintenance" || cmd == "button" || cmd == "reload" || cmd == "record") {
    privileged(req, id, cmd, peer, done);
  } else {
    fail("unknown_command", "unknown command \"" + cmd + "\"");
  }
}

void Dispatcher::privileged(const json& req, const json* id, const std::string& cmd,
                            const Peer& peer, const Done& done) {
  auto fail = [&](std::string_view code, std::string_view msg) {
    done(Reply{error_line(id, code, msg), false, std::nullopt});
  };
  // Validate first so that the audit record names what was asked for.
  PrivilegedArgs args;
  if (std::string bad = parse_privileged_args(req, cmd, args); !bad.empty()) {
    fail("invalid_argument", bad);
    return;
  }
  const std::string& detail = args.detail;
  const bool on = args.on;
  const std::string& path = args.path;
  backend_.audit(peer, cmd, detail, peer.privileged);
  if (!peer.privileged) {
    fail("forbidden", "\"" + cmd + "\" needs root or membership of the admin group");
    return;
  }
  ActionResult r;
  Json result;
  if (cmd == "maintenance") {
    r = backend_.maintenance(on, peer);
    result = {{"maintenance", on}};
  } else if (cmd == "record") {
    r = backend_.record_bus(on, path, peer);
    result = {{"record", on}};
    if (on) result["path"] = path;
  } else if (cmd == "button") {
    r = backend_.button(args.press, peer);
    result = {{"press", detail}};
  } else {
    r = backend_.reload(peer);
    result = {{"reloaded", true}};
  }
  if (r) {
    fail(r->code, r->message);
    return;
  }
  done(Reply{ok_line(id, std::move(result)), false, std::nullopt});
}

void Dispatcher::modules(const json* id, const Done& done) {
  // The snapshot is taken now (on the loop); the JSON (every cell of every
  // module) is built off it.
  auto snap = std::make_shared<SystemSnapshot>(backend_.snapshot());
  std::optional<json> id_copy;
  if (id) id_copy = *id;
  backend_.render(guarded(std::move(id_copy), [snap] { return modules_json(*snap); }),
                  reply_with(done));
}

void Dispatcher::events(const json& req, const json* id, const Done& done) {
  bool bad_after = false, bad_limit = false;
  auto after = int_arg(req, "after", bad_after);
  auto limit = int_arg(req, "limit", bad_limit);
  if (bad_after || (after && *after < 0)) {
    done(Reply{error_line(id, "invalid_argument", "\"after\" must be a sequence number >= 0"),
               false, std::nullopt});
    return;
  }
  if (bad_limit || (limit && *limit < 1)) {
    done(Reply{error_line(id, "invalid_argument", "\"limit\" must be an integer 1-1000"), false,
               std::nullopt});
    return;
  }
  int n =
      limit ? static_cast<int>(std::min<std::int64_t>(*limit, kMaxEventLimit)) : kDefaultEventLimit;
  std::optional<std::uint64_t> after_u;
  if (after) after_u = static_cast<std::uint64_t>(*after);
  // The id must outlive `req`: copy it into the completion.
  std::optional<json> id_copy;
  if (id) id_copy = *id;
  Backend& backend = backend_;
  backend_.events(after_u, n,
                  [done, id_copy, &backend](std::vector<EventRecord> records, std::uint64_t next,
                                            const std::string& error) {
                    const json* idp = id_copy ? &*id_copy : nullptr;
                    if (!error.empty()) {
                      done(Reply{error_line(idp, "unavailable", error), false, std::nullopt});
                      return;
                    }
                    auto recs = std::make_shared<std::vector<EventRecord>>(std::move(records));
                    backend.render(
                        guarded(id_copy,
                                [recs, next] {
                                  Json list = Json::array();
                                  for (const auto& r : *recs) list.push_back(event_json(r));
                                  return Json{{"events", std::move(list)}, {"next", next}};
                                }),
                        reply_with(done));
                  });
}

}  // namespace essd::api
