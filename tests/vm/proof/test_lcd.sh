#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# essd's HD44780 on i2c-stub at 0x27: the kernel's smbus_write trace records
# every expander byte; decoded, they must hold the 4-bit init sequence and
# then exactly the four lines the API's display command reports.
. "$(dirname "$0")/lib.sh"

bus=""
for d in /sys/class/i2c-dev/*; do
  grep -q stub "$d/name" 2>/dev/null && bus=/dev/$(basename "$d")
done
[ -n "$bus" ] || skip "no i2c-stub (scripts/vm/run-in-vm -i 0x27)"
tr=/sys/kernel/debug/tracing
[ -d "$tr/events/smbus" ] || skip "no smbus trace events"
echo 0 >"$tr/tracing_on"
echo >"$tr/trace"
echo 4096 >"$tr/buffer_size_kb"
echo 1 >"$tr/events/smbus/smbus_write/enable"
CLEANUPS+=("echo 0 > $tr/events/smbus/smbus_write/enable")
echo 1 >"$tr/tracing_on"

PANEL="lcd = \"hd44780-i2c\"
i2c_bus = \"$bus\"
i2c_address = 0x27"
write_config "$T/essd.toml"
start_sim 1
start_essd "$T/essd.toml"
wait_closed 1
decode() { awk -f "$(dirname "$0")/hd44780_decode.awk" "$tr/trace"; }
# The LCD follows the model within a few transfers; the values may move
# between two reads, so compare until both agree (deadline 10 s).
same() {
  decode >"$T/lcd.txt"
  ctl display >"$T/display.json"
  local want
  want="\"lines\":[\"$(sed -n 's/^row0 //p' "$T/lcd.txt")\",\"$(sed -n 's/^row1 //p' "$T/lcd.txt")\",\"$(sed -n 's/^row2 //p' "$T/lcd.txt")\",\"$(sed -n 's/^row3 //p' "$T/lcd.txt")\"]"
  grep -qF -- "$want" "$T/display.json"
}
wait_for 10 "LCD rows equal the API's display lines" same
cat "$T/lcd.txt"
grep -q '^init 3 3 3 2$' "$T/lcd.txt" || fail "init nibbles: $(grep ^init "$T/lcd.txt")"
grep -q '^cmds 28 08 01 06 0C' "$T/lcd.txt" || fail "init commands: $(grep ^cmds "$T/lcd.txt" | cut -c1-40)"
n=$(grep -c 'a=027' "$tr/trace")
echo "$n expander bytes traced"
ok "HD44780 over i2c-stub: init 3 3 3 2 / 28 08 01 06 0C, rows equal the display command"
