# SPDX-License-Identifier: MIT
# Panel HAL VM tests (label vm): gpio-sim and i2c-stub, run through
# scripts/vm/run-in-vm -i 0x27 -- <build>/tests/test_vm_panel
essd_add_gtest(NAME test_vm_panel LABEL vm SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_vm_panel.cpp
               LIBS essd_hal_panel)
