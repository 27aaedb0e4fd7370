// CommandLine: the flags of one `pimsim` subcommand.
//
// Each subcommand declares its flags (name, help, and where the value goes);
// Parse() accepts --name=value, --name value and, for booleans, --name and
// --noname. Unknown flags, missing values and bad numbers are errors naming
// the flag; Usage() prints the subcommand's help.
//
// Thread-safety: not thread-safe; used once at start-up.
//
//   CommandLine cl("serve", "Serves the mock PIM.");
//   cl.AddString("listen", "HOST:PORT to bind", &listen);
//   if (absl::Status s = cl.Parse(argc, argv); !s.ok()) ...
#ifndef PIMSIM_TOOLS_COMMAND_LINE_H_
#define PIMSIM_TOOLS_COMMAND_LINE_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace pimsim::tools {

class CommandLine {
 public:
  CommandLine(std::string command, std::string summary);

  void AddString(std::string name, std::string help, std::string* value);
  void AddInt(std::string name, std::string help, int64_t* value);
  void AddBool(std::string name, std::string help, bool* value);
  // A flag that may be given several times; each value is appended.
  void AddRepeated(std::string name, std::string help, std::vector<std::string>* values);
  // A flag whose value is checked by `set` (which returns an error message
  // naming what is wrong).
  void AddCustom(std::string name, std::string help, std::string default_text,
                 std::function<absl::Status(absl::string_view)> set);

  // Parses argv[0..argc) (the subcommand's own arguments, without the program
  // and subcommand names). Positional arguments are kept in positional().
  absl::Status Parse(int argc, char** argv);
  bool help_requested() const { return help_; }
  const std::vector<std::string>& positional() const { return positional_; }
  std::string Usage() const;

 private:
  struct Flag {
    std::string name;
    std::string help;
    std::string default_text;
    bool is_bool = false;
    std::function<absl::Status(absl::string_view)> set;
  };
  const Flag* Find(absl::string_view name) const;

  std::string command_;
  std::string summary_;
  std::vector<Flag> flags_;
  std::vector<std::string> positional_;
  bool help_ = false;
};

}  // namespace pimsim::tools

#endif  // PIMSIM_TOOLS_COMMAND_LINE_H_
