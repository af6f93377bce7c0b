// SPDX-License-Identifier: MIT
#pragma once
// API request handling (src/api/dispatcher.*): arbitrary request lines from
// privileged and unprivileged peers against a backend whose snapshot and
// display are themselves fuzzed (NaN aggregates, invalid UTF-8 on the LCD).
// Invariants: every line gets exactly one reply; the reply is one line of
// valid JSON, an object with a boolean "ok" and a known error code; an
// integer id is echoed; an unprivileged peer never reaches a privileged
// action; nesting of any depth is answered (bad_request beyond 32 levels).
// Input: byte 0 flags (bit 0 privileged, bit 1 history unavailable), byte 1
// the length of the snapshot recipe that follows, then request lines.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "api/dispatcher.hpp"
#include "fuzz/targets/check.hpp"
#include "fuzz/targets/snapshot_builder.hpp"

namespace essd::fuzz {

namespace api_detail {

class FuzzBackend : public api::Backend {
 public:
  SystemSnapshot snap;
  PanelView view;
  bool history_down = false;
  int actions = 0;

  std::string model_name() const override { return "IJ1001C"; }
  SystemSnapshot snapshot() override { return snap; }
  api::TimeRef time_ref() const override { return api::TimeRef{10'000, 1'764'093'600'000}; }
  std::int64_t uptime_s() const override { return 3600; }
  PanelView display() override { return view; }
  nlohmann::json counters() override { return {{"bus", {{"rx_frames", 7}}}}; }
  void events(std::optional<std::uint64_t> after, int limit, EventsDone done) override {
    if (history_down) {
      done({}, 0, "history unavailable");
      return;
    }
    std::vector<api::EventRecord> out;
    const std::uint64_t first = after.value_or(0) + 1;
    for (int i = 0; i < std::min(limit, 3); ++i) {
      api::EventRecord r;
      r.seq = first + static_cast<std::uint64_t>(i);
      r.time = "2026-11-25T18:00:00.000Z";
      r.kind = "path_open";
      r.message = view.lines[0];  // possibly invalid UTF-8
      out.push_back(std::move(r));
    }
    const std::uint64_t next = out.empty() ? after.value_or(0) : out.back().seq;
    done(std::move(out), next, "");
  }
  void audit(const api::Peer&, const std::string&, const std::string&, bool) override {}
  api::ActionResult maintenance(bool, const api::Peer&) override { return act(); }
  api::ActionResult button(essd::Press, const api::Peer&) override { return act(); }
  api::ActionResult reload(const api::Peer&) override { return act(); }

 private:
  api::ActionResult act() {
    ++actions;
    if (actions % 3 == 0) return api::ActionError{"unavailable", "busy"};
    return std::nullopt;
  }
};

// What the oracle needs of one JSON text, gathered by nlohmann's own SAX
// parser (strict: the whole text must be valid) without building a DOM: the
// DOM's allocations were half of the target's time, and 10 M executions
// need it fast. Duplicate keys: the last one counts, as in the DOM.
class TopLevel final : public nlohmann::json_sax<nlohmann::json> {
 public:
  enum class Kind { absent, integer, other };
  bool is_object = false;
  std::optional<bool> ok;           // "ok" when it is a boolean
  bool has_result = false;          // "result" of any type
  bool error_is_object = false;     // "error" is an object...
  std::optional<std::string> code;  // ...whose "code" is a string
  Kind id_kind = Kind::absent;
  nlohmann::json id;  // an integer "id"

  static TopLevel of(std::string_view text) {
    TopLevel t;
    t.valid = nlohmann::json::sax_parse(text.begin(), text.end(), &t);
    return t;
  }
  bool valid = false;

  bool null() override { return scalar(nullptr); }
  bool boolean(bool v) override { return scalar(v); }
  bool number_integer(number_integer_t v) override { return scalar(v); }
  bool number_unsigned(number_unsigned_t v) override { return scalar(v); }
  bool number_float(number_float_t v, const string_t&) override { return scalar(v); }
  bool string(string_t& v) override { return scalar(v); }
  bool binary(binary_t&) override { return scalar(nullptr); }
  bool start_object(std::size_t) override { return open(true); }
  bool start_array(std::size_t) override { return open(false); }
  bool end_object() override { return close(); }
  bool end_array() override { return close(); }
  bool key(string_t& k) override {
    if (depth_ == 1) top_key_ = k;
    if (depth_ == 2) inner_key_ = k;
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return false;
  }

 private:
  int depth_ = 0;
  std::string top_key_;
  std::string inner_key_;
  bool in_error_ = false;  // inside the top-level "error" object

  // A value of the top-level key, or of a key of the "error" object.
  void value_of_top(const nlohmann::json& v, bool object) {
    if (top_key_ == "ok") ok = v.is_boolean() ? std::optional<bool>(v.get<bool>()) : std::nullopt;
    if (top_key_ == "result") has_result = true;
    if (top_key_ == "error") {
      error_is_object = object;
      code.reset();
    }
    if (top_key_ == "id") {
      id_kind = v.is_number_integer() ? Kind::integer : Kind::other;
      id = v;
    }
  }
  bool scalar(const nlohmann::json& v) {
    if (depth_ == 1) value_of_top(v, false);
    if (depth_ == 2 && in_error_ && inner_key_ == "code")
      code = v.is_string() ? std::optional<std::string>(v.get<std::string>()) : std::nullopt;
    return true;
  }
  bool open(bool object) {
    if (depth_ == 0) is_object = object;
    if (depth_ == 1) {
      value_of_top(nullptr, object);
      in_error_ = object && top_key_ == "error";
    }
    if (depth_ == 2 && in_error_ && inner_key_ == "code") code.reset();
    ++depth_;
    return true;
  }
  bool close() {
    --depth_;
    if (depth_ == 1) in_error_ = false;
    return true;
  }
};

inline void check_reply(const std::string_view request, const api::Reply& reply) {
  constexpr const char* kName = "api_dispatcher";
  const std::string& line = reply.line;
  ESSD_FUZZ_CHECK(kName, !line.empty() && line.back() == '\n');
  ESSD_FUZZ_CHECK(kName, std::count(line.begin(), line.end(), '\n') == 1);
  const TopLevel j = TopLevel::of(line);
  ESSD_FUZZ_CHECK(kName, j.valid && j.is_object);
  ESSD_FUZZ_CHECK(kName, j.ok.has_value());
  if (!*j.ok) {
    static const std::set<std::string, std::less<>> kCodes{"bad_request",      "unknown_command",
                                                           "invalid_argument", "forbidden",
                                                           "unavailable",      "internal"};
    ESSD_FUZZ_CHECK(kName, j.error_is_object && j.code && kCodes.count(*j.code) == 1);
  } else {
    ESSD_FUZZ_CHECK(kName, j.has_result);
  }
  std::string_view req_text = request;
  if (!req_text.empty() && req_text.back() == '\r') req_text.remove_suffix(1);
  // The id echo: parse the request only when it may carry one.
  if (req_text.find("\"id\"") == std::string_view::npos &&
      req_text.find("\\u0069") == std::string_view::npos)
    return;
  if (!api::json_depth_within(req_text, api::kMaxJsonDepth)) return;  // bad_request, no id
  const TopLevel req = TopLevel::of(req_text);
  if (req.valid && req.is_object && req.id_kind == TopLevel::Kind::integer) {
    ESSD_FUZZ_CHECK(kName, j.id_kind == TopLevel::Kind::integer && j.id == req.id);
  }
}

}  // namespace api_detail

inline void run_api_dispatcher(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return;
  const std::uint8_t flags = data[0];
  const std::size_t recipe = std::min<std::size_t>(data[1], size - 2);
  ByteReader in(data + 2, recipe);
  api_detail::FuzzBackend backend;
  backend.snap = make_snapshot(in);
  for (auto& l : backend.view.lines) l = in.text(24);
  backend.view.item = in.text(10);
  backend.view.error_screen = in.text(10);
  backend.history_down = flags & 2;

  api::Peer peer;
  peer.privileged = flags & 1;
  peer.uid = peer.privileged ? 0 : 1000;
  api::Dispatcher dispatcher(backend);

  std::string_view rest(reinterpret_cast<const char*>(data) + 2 + recipe, size - 2 - recipe);
  int budget = 16;  // lines per input: many short inputs beat one long one
  while (!rest.empty() && budget-- > 0) {
    const auto nl = rest.find('\n');
    const auto line = rest.substr(0, nl);
    rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
    int calls = 0;
    dispatcher.handle(line, peer, [&](api::Reply reply) {
      ++calls;
      api_detail::check_reply(line, reply);
    });
    ESSD_FUZZ_CHECK("api_dispatcher", calls == 1);
    if (!peer.privileged) ESSD_FUZZ_CHECK("api_dispatcher", backend.actions == 0);
  }
}

}  // namespace essd::fuzz
