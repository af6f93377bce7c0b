// SPDX-License-Identifier: MIT
#pragma once
// A scripted SLCAN adapter on the master side of a pty pair: the bus under
// test opens the slave path like a real /dev/ttyACM0. Replies per command are
// configurable; everything the bus wrote is recorded line by line.
#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <cstdlib>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "essd/lifetime.hpp"
#include "hal/serial/tty.hpp"

namespace essd::hal::testing {

class PtyAdapter {
 public:
  explicit PtyAdapter(boost::asio::io_context& io) : master_(io) {
    const int fd = ::posix_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0 || ::grantpt(fd) != 0 || ::unlockpt(fd) != 0) throw std::runtime_error("openpt");
    char name[64];
    if (::ptsname_r(fd, name, sizeof name) != 0) throw std::runtime_error("ptsname");
    slave_path_ = name;
    termios tio{};
    ::tcgetattr(fd, &tio);
    ::cfmakeraw(&tio);  // no echo, no CR translation before the bus sets it raw itself
    ::tcsetattr(fd, TCSANOW, &tio);
    master_.assign(fd);
    // Hold the slave open too: otherwise the master reads EIO whenever the
    // bus closes its end (between set-up attempts), and the peer would stop.
    slave_.reset(::open(name, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC));
    read_more();
  }

  const std::string& slave_path() const { return slave_path_; }

  /// Reply for a command (first char or whole line); "t" covers every frame line.
  std::map<std::string, std::string> replies{{"C", "\a"}, {"S6", "\r"}, {"O", "\r"}, {"t", "z\r"}};
  std::vector<std::string> received;  // lines the bus wrote, without '\r'

  void write(const std::string& bytes) {
    if (::write(master_.native_handle(), bytes.data(), bytes.size()) !=
        static_cast<ssize_t>(bytes.size())) {
      throw std::runtime_error("pty write");
    }
  }
  /// Simulates the adapter vanishing: the bus's end reads EIO.
  void unplug() {
    slave_.reset();
    if (master_.is_open()) master_.close();
  }
  std::size_t count(const std::string& line) const {
    std::size_t n = 0;
    for (const auto& l : received) n += l == line;
    return n;
  }

 private:
  void read_more() {
    master_.async_read_some(boost::asio::buffer(buf_),
                            lifetime_.guard([this](boost::system::error_code ec, std::size_t n) {
                              if (ec) return;  // EIO while no slave is open: stop reading
                              for (std::size_t i = 0; i < n; ++i) {
                                if (buf_[i] != '\r') {
                                  partial_ += buf_[i];
                                  continue;
                                }
                                received.push_back(partial_);
                                auto it = replies.find(partial_);
                                if (it == replies.end() && !partial_.empty())
                                  it = replies.find(partial_.substr(0, 1));
                                if (it != replies.end() && !it->second.empty()) write(it->second);
                                partial_.clear();
                              }
                              read_more();
                            }));
  }

  boost::asio::posix::stream_descriptor master_;
  UniqueFd slave_;
  std::string slave_path_;
  std::string partial_;
  std::array<char, 256> buf_{};
  Lifetime lifetime_;  // guards the handlers that capture this
};

}  // namespace essd::hal::testing
