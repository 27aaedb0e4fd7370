#include "tools/command_line.h"

#include <optional>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/match.h"

namespace pimsim::tools {

CommandLine::CommandLine(std::string command, std::string summary)
    : command_(std::move(command)), summary_(std::move(summary)) {}

void CommandLine::AddString(std::string name, std::string help, std::string* value) {
  flags_.push_back({std::move(name), std::move(help), *value, false,
                    [value](absl::string_view v) {
                      *value = std::string(v);
                      return absl::OkStatus();
                    }});
}

void CommandLine::AddInt(std::string name, std::string help, int64_t* value) {
  std::string flag = name;
  flags_.push_back({std::move(name), std::move(help), absl::StrCat(*value), false,
                    [value, flag](absl::string_view v) {
                      if (!absl::SimpleAtoi(v, value)) {
                        return absl::InvalidArgumentError(
                            absl::StrCat("--", flag, ": not an integer: \"", v, "\""));
                      }
                      return absl::OkStatus();
                    }});
}

void CommandLine::AddBool(std::string name, std::string help, bool* value) {
  std::string flag = name;
  flags_.push_back({std::move(name), std::move(help), *value ? "true" : "false", true,
                    [value, flag](absl::string_view v) {
                      if (!absl::SimpleAtob(v, value)) {
                        return absl::InvalidArgumentError(
                            absl::StrCat("--", flag, ": not a boolean: \"", v, "\""));
                      }
                      return absl::OkStatus();
                    }});
}

void CommandLine::AddRepeated(std::string name, std::string help,
                              std::vector<std::string>* values) {
  flags_.push_back({std::move(name), std::move(help), "", false,
                    [values](absl::string_view v) {
                      values->emplace_back(v);
                      return absl::OkStatus();
                    }});
}

void CommandLine::AddCustom(std::string name, std::string help, std::string default_text,
                            std::function<absl::Status(absl::string_view)> set) {
  flags_.push_back({std::move(name), std::move(help), std::move(default_text), false,
                    std::move(set)});
}

const CommandLine::Flag* CommandLine::Find(absl::string_view name) const {
  for (const Flag& f : flags_) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

absl::Status CommandLine::Parse(int argc, char** argv) {
  for (int i = 0; i < argc; ++i) {
    absl::string_view arg = argv[i];
    if (arg == "--") {
      for (++i; i < argc; ++i) positional_.emplace_back(argv[i]);
      break;
    }
    if (!absl::StartsWith(arg, "-") || arg == "-") {
      positional_.emplace_back(arg);
      continue;
    }
    arg.remove_prefix(absl::StartsWith(arg, "--") ? 2 : 1);
    if (arg == "help" || arg == "h") {
      help_ = true;
      continue;
    }
    absl::string_view name = arg;
    std::optional<absl::string_view> value;
    if (size_t eq = arg.find('='); eq != absl::string_view::npos) {
      name = arg.substr(0, eq);
      value = arg.substr(eq + 1);
    }
    const Flag* flag = Find(name);
    if (flag == nullptr && !value && absl::StartsWith(name, "no")) {
      const Flag* negated = Find(name.substr(2));
      if (negated != nullptr && negated->is_bool) {
        if (absl::Status s = negated->set("false"); !s.ok()) return s;
        continue;
      }
    }
    if (flag == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown flag --", name, " for `pimsim ", command_, "` (see --help)"));
    }
    if (!value) {
      if (flag->is_bool) {
        value = "true";
      } else if (i + 1 < argc) {
        value = argv[++i];
      } else {
        return absl::InvalidArgumentError(absl::StrCat("--", name, " needs a value"));
      }
    }
    if (absl::Status s = flag->set(*value); !s.ok()) return s;
  }
  return absl::OkStatus();
}

std::string CommandLine::Usage() const {
  std::string out = absl::StrCat("usage: pimsim ", command_, " [flags]\n\n", summary_, "\n\nflags:\n");
  for (const Flag& f : flags_) {
    absl::StrAppend(&out, absl::StrFormat("  --%-18s %s", f.name, f.help));
    if (!f.default_text.empty()) absl::StrAppend(&out, " (default: ", f.default_text, ")");
    absl::StrAppend(&out, "\n");
  }
  return out;
}

}  // namespace pimsim::tools
