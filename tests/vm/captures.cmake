# SPDX-License-Identifier: MIT
# Golden captures on vcan0 with can-utils' canplayer (label vm).
if(TARGET essd AND TARGET ess-sim AND TARGET essctl)
  add_test(NAME vm_captures_canplayer
           COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/proof/test_captures.sh $<TARGET_FILE_DIR:essd>)
  set_tests_properties(vm_captures_canplayer PROPERTIES LABELS vm SKIP_RETURN_CODE 77 TIMEOUT 600)
endif()
