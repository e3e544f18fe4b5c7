// PEM (RFC 7468) decoding and encoding, strict and bounded.
//
// Text outside BEGIN/END lines is ignored (bundles carry comments). Inside a
// block only base64 lines are allowed: RFC 1421 headers (encrypted PEM) are
// refused, padding must be canonical, and BEGIN and END labels must match.
// Errors are Reason::kConfiguration: PEM comes from local files.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.h"
#include "core/error.h"

namespace sluice::pki {

// The largest PEM text accepted: the system bundle is about 220 KB, so
// 16 MiB leaves room for any real bundle while bounding memory.
inline constexpr size_t kMaxPemInput = 16 * 1024 * 1024;
// The most blocks in one text (the Mozilla bundle holds about 150).
inline constexpr size_t kMaxPemBlocks = 4096;

// PemBlock is one decoded block: its label ("CERTIFICATE", "PRIVATE KEY"...)
// and its contents.
struct PemBlock {
  std::string label;
  std::vector<uint8_t> der;
};

// parse_pem decodes every block of `text`, in order. An empty result is not
// an error here; callers decide whether they needed a block.
[[nodiscard]] TlsResult<std::vector<PemBlock>> parse_pem(std::string_view text);

// pem_certificates returns the DER of every CERTIFICATE block (other labels
// are skipped) and fails when there is none.
[[nodiscard]] TlsResult<std::vector<std::vector<uint8_t>>> pem_certificates(std::string_view text);

// pem_encode writes one block with 64-character lines.
std::string pem_encode(std::string_view label, Bytes der);

// base64_decode decodes canonical, padded base64 with no whitespace.
[[nodiscard]] TlsResult<std::vector<uint8_t>> base64_decode(std::string_view text);
std::string base64_encode(Bytes data);

// read_text_file reads a whole file of at most kMaxPemInput bytes.
[[nodiscard]] TlsResult<std::string> read_text_file(const std::string& path);

}  // namespace sluice::pki
