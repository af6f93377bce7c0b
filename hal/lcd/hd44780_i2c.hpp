// SPDX-License-Identifier: MIT
#pragma once
// Lcd on an HD44780 20x4 behind a PCF8574 backpack (hd44780_codec.hpp).
//
// Never blocks the loop for long: i2c-dev transfers are synchronous (the
// kernel ignores O_NONBLOCK there), so the work is bounded per loop turn
// instead: one transfer per handler (the init steps, or one run of at most
// 20 characters: <= 87 expander bytes, ~8 ms at 100 kHz), the next one
// posted, so other handlers run in between. Only changed characters are
// rewritten. A failed transfer is counted, and the display is initialised
// again and fully rewritten after a back-off (retry_ms, doubling up to 8x):
// a stuck or absent bus costs at most one adapter timeout per back-off.
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <memory>
#include <string>

#include "essd/lifetime.hpp"
#include "hal/lcd/hd44780_codec.hpp"
#include "hal/lcd/i2c_device.hpp"
#include "hal/lcd/lcd.hpp"

namespace essd::hal {

class Hd44780I2c final : public Lcd {
 public:
  struct Options {
    bool backlight = true;
    int retry_ms = 1000;
  };
  struct Stats {
    std::uint64_t transfers = 0;
    std::uint64_t bytes = 0;
    std::uint64_t errors = 0;
    std::uint64_t inits = 0;  // completed initialisations
    std::string last_error;
  };

  Hd44780I2c(boost::asio::io_context& io, std::unique_ptr<I2cDevice> dev, Options opt);
  ~Hd44780I2c() override;
  Hd44780I2c(const Hd44780I2c&) = delete;
  Hd44780I2c& operator=(const Hd44780I2c&) = delete;

  void show(const PanelView& view) override;
  std::string describe() const override;
  const Stats& stats() const { return stats_; }
  /// Nothing left to write (the display shows the last view).
  bool idle() const;

 private:
  enum class Phase { init, ready, backoff };
  void kick();
  void schedule(int wait_ms);
  void pump();
  bool transfer(const std::vector<std::uint8_t>& bytes);
  void fail();

  boost::asio::io_context& io_;
  std::unique_ptr<I2cDevice> dev_;
  Options opt_;
  boost::asio::steady_timer timer_;
  Phase phase_ = Phase::init;
  std::vector<hd44780::Step> init_;
  std::size_t init_pos_ = 0;
  hd44780::Frame shown_;  // '\0' = unknown cell
  hd44780::Frame want_;
  bool scheduled_ = false;
  int backoff_ms_;
  Stats stats_;
  Lifetime lifetime_;  // guards the handlers that capture this
};

}  // namespace essd::hal
