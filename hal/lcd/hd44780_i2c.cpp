// SPDX-License-Identifier: MIT
#include "hal/lcd/hd44780_i2c.hpp"
#include "essd/teardown.hpp"

#include <boost/asio/post.hpp>
#include <chrono>

namespace essd::hal {

using hd44780::kCols;

Hd44780I2c::Hd44780I2c(boost::asio::io_context& io, std::unique_ptr<I2cDevice> dev, Options opt)
    : io_(io),
      dev_(std::move(dev)),
      opt_(opt),
      timer_(io),
      init_(hd44780::init_sequence(opt.backlight)),
      backoff_ms_(opt.retry_ms) {
  for (auto& row : shown_) row.assign(kCols, '\0');
  for (auto& row : want_) row.assign(kCols, ' ');
  kick();  // initialise at once, so the display is ready for the first view
}

Hd44780I2c::~Hd44780I2c() {
  lifetime_.end();
  essd::teardown_in_destructor("Hd44780I2c", [this] { timer_.cancel(); });
}

void Hd44780I2c::show(const PanelView& view) {
  for (std::size_t r = 0; r < want_.size(); ++r) {
    std::string line = view.lines[r];
    line.resize(kCols, ' ');
    want_[r] = std::move(line);
  }
  kick();
}

bool Hd44780I2c::idle() const {
  return phase_ == Phase::ready && !scheduled_ && hd44780::diff(shown_, want_).empty();
}

void Hd44780I2c::kick() {
  if (phase_ != Phase::backoff && !scheduled_) schedule(0);
}

void Hd44780I2c::schedule(int wait_ms) {
  scheduled_ = true;
  const auto run = lifetime_.guard([this] {
    scheduled_ = false;
    pump();
  });
  if (wait_ms <= 0) {
    boost::asio::post(io_, run);
    return;
  }
  timer_.expires_after(std::chrono::milliseconds(wait_ms));
  timer_.async_wait([run](const boost::system::error_code& ec) {
    if (!ec) run();
  });
}

bool Hd44780I2c::transfer(const std::vector<std::uint8_t>& bytes) {
  std::string error;
  if (!dev_->write(bytes, error)) {
    stats_.last_error = std::move(error);
    fail();
    return false;
  }
  ++stats_.transfers;
  stats_.bytes += bytes.size();
  return true;
}

void Hd44780I2c::fail() {
  ++stats_.errors;
  // The controller may have seen half a byte: initialise again (the 0x3
  // nibbles resynchronise it from any state) and rewrite every cell.
  phase_ = Phase::backoff;
  init_pos_ = 0;
  for (auto& row : shown_) row.assign(kCols, '\0');
  const int wait = backoff_ms_;
  backoff_ms_ = std::min(backoff_ms_ * 2, opt_.retry_ms * 8);
  schedule(wait);
}

void Hd44780I2c::pump() {
  if (phase_ == Phase::backoff) phase_ = Phase::init;
  if (phase_ == Phase::init) {
    const hd44780::Step& step = init_[init_pos_];
    if (!transfer(step.bytes)) return;
    if (++init_pos_ == init_.size()) {
      phase_ = Phase::ready;
      ++stats_.inits;
    }
    schedule(step.wait_ms);
    return;
  }
  const auto runs = hd44780::diff(shown_, want_);
  if (runs.empty()) return;
  const hd44780::Run& run = runs.front();
  if (!transfer(hd44780::encode_run(run, opt_.backlight))) return;
  backoff_ms_ = opt_.retry_ms;  // the bus works again
  shown_[static_cast<std::size_t>(run.row)].replace(static_cast<std::size_t>(run.col),
                                                    run.text.size(), run.text);
  if (runs.size() > 1) schedule(0);
}

std::string Hd44780I2c::describe() const {
  return "hd44780-i2c " + dev_->describe();
}

}  // namespace essd::hal
