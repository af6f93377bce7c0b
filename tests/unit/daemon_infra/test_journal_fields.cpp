// SPDX-License-Identifier: MIT
// journald fields for events, and log_event not crashing without journald.
#include <gtest/gtest.h>
#include <syslog.h>
#include <unistd.h>

#include "daemon/logging.hpp"

namespace essd::logging {
namespace {

TEST(JournalFields, PathEventCarriesAllFields) {
  Event e;
  e.severity = Severity::warning;
  e.kind = "path_open";
  e.message = "discharge path opened";
  e.module = 2;
  e.cause = "module_dis_line:2";
  e.path = "discharge";
  EXPECT_EQ(
      journal_fields(e),
      (std::vector<std::string>{"MESSAGE=discharge path opened (module 2)", "PRIORITY=4",
                                "SYSLOG_IDENTIFIER=essd", "ESSD_EVENT=path_open", "ESSD_MODULE=2",
                                "ESSD_CAUSE=module_dis_line:2", "ESSD_PATH=discharge"}));
}

TEST(JournalFields, OptionalFieldsOmitted) {
  Event e;
  e.kind = "start";
  e.message = "essd started";
  auto f = journal_fields(e);
  EXPECT_EQ(f.size(), 4u);
  EXPECT_EQ(f[1], "PRIORITY=6");
  for (const auto& s : f) {
    EXPECT_NE(s.rfind("ESSD_MODULE=", 0), 0u);
    EXPECT_NE(s.rfind("ESSD_CAUSE=", 0), 0u);
  }
  e.module = 0;  // module 0 is a real address
  EXPECT_EQ(journal_fields(e)[4], "ESSD_MODULE=0");
  EXPECT_EQ(journal_fields(e)[0], "MESSAGE=essd started (module 0)");
}

TEST(JournalFields, Priorities) {
  EXPECT_EQ(journal_priority(Severity::info), LOG_INFO);
  EXPECT_EQ(journal_priority(Severity::warning), LOG_WARNING);
  EXPECT_EQ(journal_priority(Severity::error), LOG_ERR);
}

TEST(Logging, LogEventRateLimitsWithoutJournal) {
  init_logging(false);
  Event e;
  e.kind = "test_flood";
  e.cause = "x";
  e.message = "flood";
  for (int i = 0; i < 20; ++i) log_event(e);
  // The window has not ended (real clock, far below 10 s): no summary yet.
  EXPECT_TRUE(log_housekeeping().empty());
  EXPECT_FALSE(journal_active());
}

TEST(Logging, ForcedJournalFallsBackWhenUnreachable) {
  init_logging(true);
  // Without journald (containers, CI) the logger must fall back to stderr.
  EXPECT_EQ(journal_active(), access("/run/systemd/journal/socket", W_OK) == 0);
  Event e;
  e.kind = "start";
  e.message = "journal or stderr";
  log_event(e);  // must not crash whether or not journald runs here
  init_logging(false);
}

}  // namespace
}  // namespace essd::logging
