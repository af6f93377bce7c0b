// SPDX-License-Identifier: MIT
// essd's bus recorder: candump lines off the loop, rotation, failures.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

#include "daemon/bus_recorder.hpp"
#include "essd/candump_log.hpp"

namespace essd::daemon {
namespace {

namespace fs = std::filesystem;

struct TempDir {
  TempDir() {
    std::string t = (fs::temp_directory_path() / "essd-rec-XXXXXX").string();
    path = ::mkdtemp(t.data());
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string path;
};

/// Collects the worker's reports; waits for one with a deadline.
struct Reports {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<RecorderReport> got;
  std::function<void(RecorderReport)> sink() {
    return [this](RecorderReport r) {
      std::lock_guard lk(mu);
      got.push_back(std::move(r));
      cv.notify_all();
    };
  }
  bool wait_for(const std::string& kind) {
    std::unique_lock lk(mu);
    return cv.wait_for(lk, std::chrono::seconds(10), [&] {
      for (const auto& r : got)
        if (r.kind == kind) return true;
      return false;
    });
  }
};

std::vector<std::string> lines_of(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> out;
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

CanFrame status_frame(std::uint8_t n) {
  return CanFrame::make(0x100 + (n % 16), {0xC8, 0x14, 0x10, 0xFF, 0x50, 0x53, n, 0x13});
}

TEST(BusRecorder, WritesCandumpLinesInOrderAndFsyncsOnStop) {
  TempDir dir;
  Reports reports;
  const std::string file = dir.path + "/bus.log";
  BusRecorder rec(reports.sink());
  rec.start(file, 64u << 20, "can0", "essd test recording");
  EXPECT_TRUE(rec.active());
  rec.frame(1700000000000000LL, status_frame(1));
  rec.heatsink(1700000000050000LL, 41.5);
  rec.heatsink(1700000000060000LL, 41.52);  // < 0.1 degC change: not written
  rec.frame(1700000000100000LL, CanFrame::make(0x080, {0, 0, 0x2A, 0, 0, 0, 0, 0}));
  rec.stop();
  EXPECT_FALSE(rec.active());
  rec.frame(1700000000200000LL, status_frame(2));  // after stop: not recorded
  rec.flush();
  ASSERT_TRUE(reports.wait_for("record_start"));
  ASSERT_TRUE(reports.wait_for("record_stop"));
  const auto lines = lines_of(file);
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0], "# essd test recording");
  EXPECT_EQ(lines[1], "(1700000000.000000) can0 101#C81410FF50530113");
  EXPECT_EQ(lines[2], "# heatsink (1700000000.050000) 41.500");
  EXPECT_EQ(lines[3], "(1700000000.100000) can0 080#00002A0000000000");
  const auto c = rec.counters();
  EXPECT_EQ(c.frames_written, 2u);
  EXPECT_EQ(c.frames_dropped, 0u);
}

TEST(BusRecorder, RotatesBySizeKeepingTheNewest) {
  TempDir dir;
  Reports reports;
  const std::string file = dir.path + "/bus.log";
  BusRecorder rec(reports.sink());
  rec.start(file, 8192, "can0", "rotation test");  // each file at most 4096 bytes
  constexpr int kFrames = 1000;                    // ~45 bytes each: ~11 files' worth
  for (int i = 0; i < kFrames; ++i) rec.frame(1700000000000000LL + i * 1000, status_frame(i));
  rec.stop();
  rec.flush();
  EXPECT_LE(fs::file_size(file), 4096u);
  EXPECT_LE(fs::file_size(file + ".1"), 4096u);
  EXPECT_FALSE(fs::exists(file + ".2"));
  EXPECT_GE(rec.counters().rotations, 5u);
  // FILE.1 then FILE hold the newest frames, contiguous, the last one last.
  std::vector<std::int64_t> times;
  for (const auto& name : {file + ".1", file}) {
    const auto lines = lines_of(name);
    ASSERT_FALSE(lines.empty());
    EXPECT_EQ(lines[0], "# rotation test");  // every file starts with the header
    for (const auto& l : lines) {
      auto p = parse_candump_line(l);
      if (p.kind == CandumpLine::Kind::frame) times.push_back(p.logged.time_us);
    }
  }
  ASSERT_GT(times.size(), 100u);
  EXPECT_EQ(times.back(), 1700000000000000LL + (kFrames - 1) * 1000);
  for (std::size_t i = 1; i < times.size(); ++i) EXPECT_EQ(times[i] - times[i - 1], 1000);
}

TEST(BusRecorder, AFileThatCannotBeOpenedIsReportedAndNothingBlocks) {
  TempDir dir;
  Reports reports;
  BusRecorder rec(reports.sink());
  rec.start(dir.path + "/no/such/dir/bus.log", 1u << 20, "can0", "x");
  for (int i = 0; i < 100; ++i) rec.frame(i, status_frame(i));
  rec.flush();
  ASSERT_TRUE(reports.wait_for("record_error"));
  {
    std::lock_guard lk(reports.mu);
    bool found = false;
    for (const auto& r : reports.got) {
      if (r.kind == "record_error") {
        EXPECT_TRUE(r.error);
        EXPECT_NE(r.message.find("no/such/dir"), std::string::npos) << r.message;
        found = true;
      }
    }
    EXPECT_TRUE(found);
  }
  EXPECT_EQ(rec.counters().frames_dropped, 100u);
  EXPECT_EQ(rec.counters().frames_written, 0u);
}

TEST(BusRecorder, RefusesWhatIsNotARegularFile) {
  TempDir dir;
  Reports reports;
  BusRecorder rec(reports.sink());
  rec.start(dir.path, 1u << 20, "can0", "x");  // a directory
  rec.flush();
  ASSERT_TRUE(reports.wait_for("record_error"));
  rec.start("/dev/null", 1u << 20, "can0", "x");
  rec.frame(1, status_frame(1));
  rec.flush();
  std::lock_guard lk(reports.mu);
  int errors = 0;
  for (const auto& r : reports.got) errors += r.kind == "record_error";
  EXPECT_EQ(errors, 2);
}

TEST(BusRecorder, ABurstNeverBlocksAndEveryFrameIsAccountedFor) {
  TempDir dir;
  Reports reports;
  const std::string file = dir.path + "/bus.log";
  BusRecorder rec(reports.sink());
  rec.start(file, 64u << 20, "can0", "burst");
  constexpr std::uint64_t kFrames = 200000;
  for (std::uint64_t i = 0; i < kFrames; ++i)
    rec.frame(static_cast<std::int64_t>(i), status_frame(1));
  rec.stop();
  rec.flush();
  const auto c = rec.counters();
  EXPECT_EQ(c.frames_queued + c.frames_dropped, kFrames);
  EXPECT_EQ(c.frames_written, c.frames_queued);
  EXPECT_LE(c.max_queue_depth, BusRecorder::kQueueCapacity);
  EXPECT_EQ(lines_of(file).size(), c.frames_written + 1);  // + header
}

TEST(BusRecorder, AppendsToAnExistingRecording) {
  TempDir dir;
  Reports reports;
  const std::string file = dir.path + "/bus.log";
  { std::ofstream(file) << "(0000000001.000000) can0 100#00\n"; }
  BusRecorder rec(reports.sink());
  rec.start(file, 1u << 20, "can0", "second run");
  rec.frame(2000000, status_frame(3));
  rec.stop();
  rec.flush();
  const auto lines = lines_of(file);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0], "(0000000001.000000) can0 100#00");
  EXPECT_EQ(lines[1], "# second run");
}

}  // namespace
}  // namespace essd::daemon
