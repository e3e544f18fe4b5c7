// A small driver for Wycheproof JSON files (read from ../shared/vectors at
// test time; nothing of them is in this repository): it loads a file from
// @shared_vectors, runs every test of every group against each provider under
// test that claims the file, checks the verdicts and prints a tally line
//   <file> <provider>: run=N passed=N acceptable_accepted=N not_applicable=N unclaimed=N
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>
#include <vector>

#include "crypto/provider.h"

namespace sluice::testing {

using Json = nlohmann::json;

// What a provider did with one vector.
enum class Outcome : uint8_t {
  kNotApplicable,  // a shape TLS never uses (e.g. a 16-byte GCM IV): not run
  kUnclaimed,      // the provider claims the file but not this vector's algorithm
  kAccepted,       // the operation succeeded and produced the expected output
  kRejected,       // the operation failed (error value, tag or signature mismatch)
  kWrongOutput,    // the operation succeeded but produced a different output
};

// Claims says whether a provider implements any algorithm a file covers.
using Claims = std::function<bool(const crypto::Provider&)>;
// RunVector runs one test of one group.
using RunVector = std::function<Outcome(const crypto::Provider&, const Json& group, const Json& test)>;

// run_wycheproof_file runs `file` (a name under the wycheproof vectors dir)
// and records doctest failures for: a vector whose outcome contradicts its
// "result", a claiming provider that ran zero vectors, a file no provider
// claims, and a file that cannot be read or parsed. With the vectors absent,
// or this one file missing from them, it prints NOT RUN and passes, unless
// SLUICE_REQUIRE_VECTORS=1.
void run_wycheproof_file(std::string_view file, const Claims& claims, const RunVector& run);

// hex_field decodes test[key] as hex; nullopt if missing or malformed.
std::optional<std::vector<uint8_t>> hex_field(const Json& object, const char* key);
// int_field reads object[key] as an integer; -1 if missing.
int64_t int_field(const Json& object, const char* key);
// string_field reads object[key] as a string; empty if missing.
std::string string_field(const Json& object, const char* key);

// outcome_of maps a success flag plus an output comparison onto an Outcome.
inline Outcome outcome_of(bool succeeded, bool output_matches) {
  if (!succeeded) return Outcome::kRejected;
  return output_matches ? Outcome::kAccepted : Outcome::kWrongOutput;
}

}  // namespace sluice::testing
