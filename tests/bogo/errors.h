// BoringSSL-style error names (":NO_SHARED_CIPHER:") for sluice's errors,
// chosen from the Error's reason, its detail and the alert. The runner
// compares them with the error each test expects; config.json's ErrorMap
// covers the few where sluice's name differs from BoringSSL's.
#pragma once

#include <string>

#include "core/error.h"

namespace sluice::bogo {

// boringssl_name returns the name with its colons, e.g. ":DECODE_ERROR:".
std::string boringssl_name(const Error& e);

// alert_name is BoringSSL's reason for a fatal alert received from the
// peer, e.g. ":TLSV1_ALERT_DECODE_ERROR:" or ":SSLV3_ALERT_HANDSHAKE_FAILURE:".
std::string alert_name(uint8_t alert);

// describe_error is a one-line report: the BoringSSL name, then sluice's
// own words for the failure.
std::string describe_error(const Error& e);

}  // namespace sluice::bogo
