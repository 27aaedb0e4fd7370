// The main() of a fuzz target outside --config=fuzz: runs
// LLVMFuzzerTestOneInput once on each file named on the command line (a
// directory: on each regular file in it, in name order), so the targets
// build with any compiler and their corpora replay as ordinary tests, under
// --config=asan too. libFuzzer's own main() replaces this one under
// --config=fuzz (see bazel/fuzz.bzl).
//
//   bazel run //mock_pim/http:http_parser_fuzzer -- $PWD/mock_pim/http/http_parser_fuzzer_corpus
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

bool ReadFile(const std::filesystem::path& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  out->assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return !in.bad();
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::filesystem::path> inputs;
  for (int i = 1; i < argc; ++i) {
    const std::filesystem::path arg(argv[i]);
    std::error_code ec;
    if (std::filesystem::is_directory(arg, ec)) {
      std::vector<std::filesystem::path> files;
      for (const auto& entry : std::filesystem::directory_iterator(arg, ec)) {
        if (entry.is_regular_file()) files.push_back(entry.path());
      }
      std::sort(files.begin(), files.end());
      inputs.insert(inputs.end(), files.begin(), files.end());
    } else {
      inputs.push_back(arg);
    }
  }
  std::string data;
  for (const std::filesystem::path& input : inputs) {
    if (!ReadFile(input, &data)) {
      std::fprintf(stderr, "%s: cannot read %s\n", argv[0], input.c_str());
      return 2;
    }
    // A copy of exactly the input's size, so reads past its end are caught
    // under ASan as they are under libFuzzer.
    std::vector<uint8_t> bytes(data.begin(), data.end());
    LLVMFuzzerTestOneInput(bytes.data(), bytes.size());
  }
  std::fprintf(stderr, "%s: ran %zu inputs\n", argv[0], inputs.size());
  return inputs.empty() ? 1 : 0;
}
