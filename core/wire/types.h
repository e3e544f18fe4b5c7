// TLS code points used on the wire (RFC 8446 §4, §5, B.3).
#pragma once

#include <cstddef>
#include <cstdint>

namespace sluice::wire {

enum class ContentType : uint8_t {
  kInvalid = 0,
  kChangeCipherSpec = 20,
  kAlert = 21,
  kHandshake = 22,
  kApplicationData = 23,
};

enum class HandshakeType : uint8_t {
  kClientHello = 1,
  kServerHello = 2,
  kNewSessionTicket = 4,
  kEndOfEarlyData = 5,
  kEncryptedExtensions = 8,
  kCertificate = 11,
  kCertificateRequest = 13,
  kCertificateVerify = 15,
  kFinished = 20,
  kKeyUpdate = 24,
  kMessageHash = 254,
};

enum class ExtensionType : uint16_t {
  kServerName = 0,
  kSupportedGroups = 10,
  kSignatureAlgorithms = 13,
  kAlpn = 16,
  kPadding = 21,
  kRecordSizeLimit = 28,
  kSessionTicket = 35,
  kPreSharedKey = 41,
  kEarlyData = 42,
  kSupportedVersions = 43,
  kCookie = 44,
  kPskKeyExchangeModes = 45,
  kCertificateAuthorities = 47,
  kPostHandshakeAuth = 49,
  kSignatureAlgorithmsCert = 50,
  kKeyShare = 51,
  kRenegotiationInfo = 0xff01,
};

enum class CipherSuite : uint16_t {
  kAes128GcmSha256 = 0x1301,
  kAes256GcmSha384 = 0x1302,
  kChaCha20Poly1305Sha256 = 0x1303,
};
inline constexpr uint16_t kFallbackScsv = 0x5600;

inline constexpr uint16_t kTls10 = 0x0301;
inline constexpr uint16_t kTls12 = 0x0303;
inline constexpr uint16_t kTls13 = 0x0304;

// RFC 8446 §5.1: TLSPlaintext.fragment is at most 2^14 bytes; §5.2: a
// TLSCiphertext at most 2^14 + 256.
inline constexpr size_t kRecordHeaderLen = 5;
inline constexpr size_t kMaxPlaintext = 16384;
inline constexpr size_t kMaxCiphertext = kMaxPlaintext + 256;
inline constexpr size_t kMaxRecordLen = kRecordHeaderLen + kMaxCiphertext;
inline constexpr size_t kHandshakeHeaderLen = 4;
inline constexpr size_t kRandomLen = 32;

}  // namespace sluice::wire
