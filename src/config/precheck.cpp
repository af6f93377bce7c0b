// SPDX-License-Identifier: MIT
// The TOML pre-check: a small state machine over the text that tracks only
// what the bounds need (strings, comments, key position, value nesting).
#include "config/precheck.hpp"

namespace essd::config {
namespace {

enum class Str { none, basic, literal, ml_basic, ml_literal };

class Scanner {
 public:
  explicit Scanner(std::string_view t) : t_(t) {}

  std::optional<PrecheckProblem> run() {
    std::size_t line_start = 0;
    for (i_ = 0; i_ < t_.size(); ++i_) {
      const char c = t_[i_];
      if (c == '\n') {
        if (i_ - line_start > kMaxLineBytes) return fail("line longer than 4096 bytes");
        line_start = i_ + 1;
        ++line_;
        comment_ = false;
        if (str_ == Str::basic || str_ == Str::literal) str_ = Str::none;  // toml++ reports it
        if (depth_ == 0 && str_ == Str::none) start_key();
        continue;
      }
      if (comment_) continue;
      if (str_ != Str::none) {
        in_string(c);
        continue;
      }
      if (auto p = normal(c)) return p;
    }
    if (t_.size() - line_start > kMaxLineBytes) return fail("line longer than 4096 bytes");
    return std::nullopt;
  }

 private:
  std::optional<PrecheckProblem> fail(std::string_view why) const {
    return PrecheckProblem{line_, why};
  }
  bool at(std::string_view s) const { return t_.substr(i_, s.size()) == s; }
  void start_key() {
    key_ = true;
    segments_ = 1;
  }

  void in_string(char c) {
    switch (str_) {
      case Str::basic:
        if (c == '\\')
          ++i_;  // skip the escaped character (a newline is handled as text)
        else if (c == '"')
          str_ = Str::none;
        break;
      case Str::literal:
        if (c == '\'') str_ = Str::none;
        break;
      case Str::ml_basic:
        if (c == '\\') {
          if (i_ + 1 < t_.size() && t_[i_ + 1] != '\n') ++i_;
        } else if (at("\"\"\"")) {
          i_ += 2;
          str_ = Str::none;
        }
        break;
      case Str::ml_literal:
        if (at("'''")) {
          i_ += 2;
          str_ = Str::none;
        }
        break;
      case Str::none:
        break;
    }
  }

  std::optional<PrecheckProblem> normal(char c) {
    switch (c) {
      case '#':
        comment_ = true;
        break;
      case '"':
        if (at("\"\"\"")) {
          i_ += 2;
          str_ = Str::ml_basic;
        } else {
          str_ = Str::basic;
        }
        break;
      case '\'':
        if (at("'''")) {
          i_ += 2;
          str_ = Str::ml_literal;
        } else {
          str_ = Str::literal;
        }
        break;
      case '.':
        if (key_ && ++segments_ > kMaxKeySegments) return fail("key with more than 8 parts");
        break;
      case '=':
        key_ = false;
        break;
      case '[':
      case '{':
        if (key_ && c == '[' && depth_ == 0) break;  // a [table] or [[array]] header
        if (++depth_ > kMaxValueNesting) return fail("value nested more than 16 levels");
        if (c == '{') start_key();
        table_bits_ = (table_bits_ << 1) | (c == '{' ? 1u : 0u);
        break;
      case ']':
      case '}':
        if (key_ && depth_ == 0) {
          key_ = false;  // end of a header; what follows is a comment or nothing
          break;
        }
        if (depth_ > 0) {
          --depth_;
          table_bits_ >>= 1;
        }
        break;
      case ',':
        if (depth_ > 0 && (table_bits_ & 1u)) start_key();  // next key of an inline table
        break;
      default:
        break;
    }
    return std::nullopt;
  }

  std::string_view t_;
  std::size_t i_ = 0;
  int line_ = 1;
  Str str_ = Str::none;
  bool comment_ = false;
  bool key_ = true;
  int segments_ = 1;
  int depth_ = 0;
  unsigned table_bits_ = 0;  // one bit per open container (1 = inline table), <= 16 deep
};

}  // namespace

std::optional<PrecheckProblem> precheck_toml(std::string_view text) {
  return Scanner(text).run();
}

}  // namespace essd::config
