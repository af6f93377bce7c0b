# SPDX-License-Identifier: MIT
# Hard-wired interlock inputs through the real essd on gpio-sim (label vm):
# a chattering OV line opens the charge path on its first low edge.
if(TARGET essd AND TARGET ess-sim AND TARGET essctl)
  add_test(NAME vm_daemon_interlock_inputs
           COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/proof/test_interlock_inputs.sh
                   $<TARGET_FILE_DIR:essd>)
  set_tests_properties(vm_daemon_interlock_inputs PROPERTIES LABELS vm SKIP_RETURN_CODE 77
                                                             TIMEOUT 600)
endif()
