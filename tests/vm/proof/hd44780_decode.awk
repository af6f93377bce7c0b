# Rebuilds what an HD44780 behind a PCF8574 shows from the bytes sent to the
# expander, as the kernel's smbus_write trace events record them (one SMBus
# send-byte per expander byte: "a=027 f=0000 c=XX BYTE"). Expander bits: P0
# RS, P2 E, P4-P7 D4-D7; the controller latches a nibble on E's falling edge.
# Output: "init N N N N" (the 8-bit-mode nibbles before 4-bit mode), "cmd XX"
# per command, then "row0".."row3" = the 20 visible characters of each row.
# Variables: addr (the expander address as in the trace, default 027).
function hex(s,   i, v) {
  v = 0; s = tolower(s)
  for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
  return v
}
function latch(b,   nib, rs, byte) {
  nib = int(b / 16); rs = b % 2
  if (mode8) {
    init = init " " sprintf("%X", nib)
    if (nib == 2) mode8 = 0
    return
  }
  if (!half) { hi = nib; half = 1; return }
  half = 0; byte = hi * 16 + nib
  if (!rs) {
    cmds = cmds sprintf(" %02X", byte)
    if (byte >= 128) ac = byte - 128
    else if (byte == 1) { for (i = 0; i < 128; i++) ram[i] = 32; ac = 0 }
    else if (byte == 2 || byte == 3) ac = 0
  } else {
    ram[ac] = byte; ac = (ac + 1) % 128
  }
}
BEGIN {
  if (addr == "") addr = "027"
  mode8 = 1; half = 0; ac = 0
  for (i = 0; i < 128; i++) ram[i] = 32
  split("0 64 20 84", base, " ")
}
/smbus_write:/ && $0 ~ ("a=" addr " ") && / BYTE / {
  for (i = 1; i <= NF; i++) if ($i ~ /^c=/) b = hex(substr($i, 3))
  if (havep && (pb % 8) >= 4 && (b % 8) < 4) latch(pb)  # E (bit 2) fell
  pb = b; havep = 1
}
END {
  print "init" init
  print "cmds" cmds
  for (r = 1; r <= 4; r++) {
    s = ""
    for (c = 0; c < 20; c++) s = s sprintf("%c", ram[base[r] + c])
    printf "row%d %s\n", r - 1, s
  }
}
