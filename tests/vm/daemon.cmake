# SPDX-License-Identifier: MIT
# Daemon VM tests (label vm): essd, ess-sim and essctl on real vcan, gpio-sim
# and i2c-stub, cross-checked with can-utils, the gpio-sim sysfs and the
# kernel's smbus trace. Shell scripts in proof/; run all of them in one VM
# boot with scripts/vm-test. Exit 77 = skipped (not inside the VM).
if(TARGET essd AND TARGET ess-sim AND TARGET essctl)
  foreach(t bus_socketcan host_can gpio lcd)
    add_test(NAME vm_daemon_${t}
             COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/proof/test_${t}.sh $<TARGET_FILE_DIR:essd>)
    set_tests_properties(vm_daemon_${t} PROPERTIES LABELS vm SKIP_RETURN_CODE 77 TIMEOUT 600)
  endforeach()
endif()
