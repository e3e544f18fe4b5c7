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
  kHelloRequest = 0,
  kClientHello = 1,
  kServerHello = 2,
  kNewSessionTicket = 4,
  kEndOfEarlyData = 5,
  kEncryptedExtensions = 8,
  kCertificate = 11,
  kServerKeyExchange = 12,
  kCertificateRequest = 13,
  kServerHelloDone = 14,
  kCertificateVerify = 15,
  kClientKeyExchange = 16,
  kFinished = 20,
  kCertificateStatus = 22,
  kKeyUpdate = 24,
  kCompressedCertificate = 25,  // RFC 8879 §4
  kMessageHash = 254,
};

enum class ExtensionType : uint16_t {
  kServerName = 0,
  kStatusRequest = 5,
  kSupportedGroups = 10,
  kEcPointFormats = 11,
  kSignatureAlgorithms = 13,
  kAlpn = 16,
  kSignedCertificateTimestamp = 18,
  kPadding = 21,
  kExtendedMasterSecret = 23,
  kCompressCertificate = 27,  // RFC 8879 §3
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
  kEchOuterExtensions = 0xfd00,   // draft-ietf-tls-esni §5.1
  kEncryptedClientHello = 0xfe0d,  // draft-ietf-tls-esni §5
  kRenegotiationInfo = 0xff01,
};

enum class CipherSuite : uint16_t {
  // TLS 1.3 (RFC 8446 §B.4).
  kAes128GcmSha256 = 0x1301,
  kAes256GcmSha384 = 0x1302,
  kChaCha20Poly1305Sha256 = 0x1303,
  // TLS 1.2 ECDHE with AEAD (RFC 5289, RFC 7905).
  kEcdheEcdsaAes128GcmSha256 = 0xc02b,
  kEcdheEcdsaAes256GcmSha384 = 0xc02c,
  kEcdheRsaAes128GcmSha256 = 0xc02f,
  kEcdheRsaAes256GcmSha384 = 0xc030,
  kEcdheRsaChaCha20Poly1305Sha256 = 0xcca8,
  kEcdheEcdsaChaCha20Poly1305Sha256 = 0xcca9,
};
// RFC 5746 §3.3: a client may signal secure renegotiation with this SCSV.
inline constexpr uint16_t kEmptyRenegotiationInfoScsv = 0x00ff;
inline constexpr uint16_t kFallbackScsv = 0x5600;

// RFC 8701: GREASE values (0x0A0A, 0x1A1A, ... 0xFAFA) for cipher suites,
// groups, extensions and versions, which a peer must ignore. grease_value
// makes the k-th (k mod 16).
inline constexpr uint16_t grease_value(unsigned k) { return static_cast<uint16_t>(0x0A0A + 0x1010 * (k % 16)); }
inline constexpr bool is_grease(uint16_t v) { return (v & 0x0F0F) == 0x0A0A && (v >> 12) == ((v >> 4) & 0xF); }

inline constexpr uint16_t kTls10 = 0x0301;
inline constexpr uint16_t kTls12 = 0x0303;
inline constexpr uint16_t kTls13 = 0x0304;

// RFC 8446 §5.1: TLSPlaintext.fragment is at most 2^14 bytes; §5.2: a
// TLSCiphertext at most 2^14 + 256.
inline constexpr size_t kRecordHeaderLen = 5;
inline constexpr size_t kMaxPlaintext = 16384;
inline constexpr size_t kMaxCiphertext = kMaxPlaintext + 256;
// RFC 5246 §6.2.3: a TLS 1.2 TLSCiphertext fragment is at most 2^14 + 2048.
inline constexpr size_t kMaxCiphertext12 = kMaxPlaintext + 2048;
inline constexpr size_t kMaxRecordLen = kRecordHeaderLen + kMaxCiphertext;
inline constexpr size_t kMaxRecordLen12 = kRecordHeaderLen + kMaxCiphertext12;
inline constexpr size_t kHandshakeHeaderLen = 4;
inline constexpr size_t kRandomLen = 32;

}  // namespace sluice::wire
