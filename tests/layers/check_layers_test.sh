#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# scripts/check-layers fails on each kind of break it exists for, and passes
# on a tree that keeps the rules (a small tree of its own in a temp dir).
set -euo pipefail
check=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

tree() {  # a clean tree: core includes codec's public types, hal includes types
  rm -rf "$tmp/t"
  mkdir -p "$tmp/t"/{include/essd,src/core,src/codec,src/panel,src/daemon,hal/lcd}
  echo '#pragma once' >"$tmp/t/include/essd/can_frame.hpp"
  printf '#pragma once\n#include "essd/can_frame.hpp"\n#include <vector>\n' >"$tmp/t/src/core/controller.hpp"
  printf '#pragma once\n#include "essd/can_frame.hpp"\n' >"$tmp/t/src/panel/panel_model.hpp"
  printf '#include "essd/can_frame.hpp"\n#include <termios.h>\n' >"$tmp/t/hal/lcd/lcd.cpp"
  printf '#include "core/controller.hpp"\n#include "hal/lcd/lcd.cpp"\n#include <unistd.h>\n' >"$tmp/t/src/daemon/app.cpp"
}

expect() {  # expect OUTCOME TEXT: run the check, compare the outcome, grep its report
  local want=$1 text=$2 rc=0
  "$check" --root "$tmp/t" >"$tmp/out" 2>&1 || rc=$?
  if [ "$want" = pass ] && [ $rc != 0 ]; then
    echo "FAIL: clean tree refused:"; cat "$tmp/out"; fail=1
  elif [ "$want" = fail ] && { [ $rc = 0 ] || ! grep -q -- "$text" "$tmp/out"; }; then
    echo "FAIL: expected a refusal naming '$text', got (rc $rc):"; cat "$tmp/out"; fail=1
  fi
}

tree; expect pass ""
tree; echo '#include "panel/panel_model.hpp"' >>"$tmp/t/hal/lcd/lcd.cpp"
expect fail "hal/lcd/lcd.cpp:3: hal may not include panel"
tree; echo '#include "src/daemon/app.cpp"' >>"$tmp/t/src/core/controller.hpp"
expect fail "src/core/controller.hpp:4: core may not include daemon"
tree; echo '#include <modbus.h>' >>"$tmp/t/src/daemon/app.cpp"
expect fail "src/daemon/app.cpp:4: daemon includes <modbus.h>: hardware headers belong in hal/"
tree; echo '#include <linux/can.h>' >>"$tmp/t/src/daemon/app.cpp"
expect fail "daemon includes <linux/can.h>"
tree; echo '#include <boost/asio/io_context.hpp>' >>"$tmp/t/src/core/controller.hpp"
expect fail "core is sans-IO and includes <boost/asio/io_context.hpp>"
tree; echo '#include <unistd.h>' >>"$tmp/t/src/panel/panel_model.hpp"
expect fail "panel is sans-IO and includes <unistd.h>"
tree; echo '#pragma once' >"$tmp/t/include/essd/unique_fd.hpp"
echo '#include "essd/unique_fd.hpp"' >>"$tmp/t/src/core/controller.hpp"
expect fail "core is sans-IO and includes include/essd/unique_fd.hpp"
worker() { printf '#pragma once\n#include <thread>\n' >"$tmp/t/include/essd/blocking_worker.hpp"; }
tree; worker; echo '#include "essd/blocking_worker.hpp"' >>"$tmp/t/hal/lcd/lcd.cpp"
expect pass ""  # the blocking worker is util: hal/ may use it
tree; worker; echo '#include "essd/blocking_worker.hpp"' >>"$tmp/t/src/core/controller.hpp"
expect fail "core is sans-IO and includes include/essd/blocking_worker.hpp"
tree; mkdir -p "$tmp/t/src/newlib"; echo '' >"$tmp/t/src/newlib/x.cpp"
expect fail "src/newlib/x.cpp:1: not in any layer"
[ $fail = 0 ] && echo "check-layers: all 11 cases as expected"
exit $fail
