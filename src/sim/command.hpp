// SPDX-License-Identifier: MIT
#pragma once
// The fault-injection language shared by scenario files and ess-sim's
// control socket: one command per line, e.g. "drop 3", "load 30",
// "load 1500W", "charger on". Parsing is separate from applying so that a
// scenario file is checked completely when it is loaded.
#include <optional>
#include <string>
#include <string_view>

namespace essd::sim {

enum class Verb {
  drop,           // drop M: module M's cable is cut (no frames out, no CTRL in)
  restore,        // restore M | restore all: undo faults (all: also noise, silence)
  freeze,         // freeze M: alive counter stuck
  garbage,        // garbage M: every frame invalid
  ov,             // ov M: every block measures 3.80 V
  overdischarge,  // overdischarge M: every block measures 2.30 V
  overtemp,       // overtemp M: thermistors read 50 degC high
  overcurrent,    // overcurrent M [charge|discharge]: measures +35 A / -60 A
  duplicate,      // duplicate A: the highest other module also answers at A
  gap,            // gap M: module M moves above the top address
  address,        // address M A: module M's rotary switch set to A
  imbalance,      // imbalance M [mV]: block 5 measures mV low (default 350)
  noise,          // noise S: Gaussian noise, sigma S V / S A / 10*S degC
  silence,        // silence MS: no module frame on the bus for MS ms
  load,           // load A | load <P>W | load off
  charger,        // charger on|off [A]
  ambient,        // ambient C
  soc,            // soc [M] PCT: set state of charge (all modules, or M)
  heatsink,       // heatsink C | heatsink auto
  power_on,       // power on: wake modules after a shut-down request
  status,         // status: one line summary (control channel)
};

struct Command {
  Verb verb = Verb::status;
  int module = -1;    // -1 = all / not applicable
  int target = -1;    // address for duplicate/address
  double value = 0;   // amps, watts, volts, ms, percent, degC
  bool flag = false;  // load: value is watts; charger: on; heatsink: auto; overcurrent: charge
};

struct ParsedCommand {
  std::optional<Command> command;
  std::string error;  // set when !command
};

/// Parses one line (surrounding blanks ignored; case-sensitive keywords).
ParsedCommand parse_command(std::string_view line);

}  // namespace essd::sim
