# SPDX-License-Identifier: MIT
# The SocketCAN transport's own tests, for real on vcan0 (they skip on a
# kernel without AF_CAN, so the unit run cannot prove them). GTEST_FLAG
# fail_if_no_test... is not in GoogleTest 1.12: the wrapper checks that no
# test was skipped instead.
if(TARGET test_hal_can)
  add_test(NAME vm_socketcan_bus
           # The binary is $1, not pasted into the script: a checkout path with
           # a space must stay one word.
           COMMAND sh -c "out=$(\"$1\" --gtest_filter='SocketCan.*' 2>&1); rc=$?; echo \"$out\"; [ $rc = 0 ] || exit $rc; ! echo \"$out\" | grep -q '^\\[  SKIPPED \\]'"
                   sh $<TARGET_FILE:test_hal_can>)
  set_tests_properties(vm_socketcan_bus PROPERTIES LABELS vm TIMEOUT 120)
endif()
