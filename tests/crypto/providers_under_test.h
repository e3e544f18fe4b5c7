// The one list of providers the crypto suites run against. Add a provider
// here (one line in providers_under_test.cc plus its BUILD dep) and every
// Wycheproof, cross-provider and bad-input test covers it.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "crypto/provider.h"

namespace sluice::testing {

struct ProviderUnderTest {
  std::string name;
  std::shared_ptr<const crypto::Provider> provider;
};

// providers_under_test returns every concrete provider this build links, in
// a fixed order. Built once per process.
const std::vector<ProviderUnderTest>& providers_under_test();

}  // namespace sluice::testing
