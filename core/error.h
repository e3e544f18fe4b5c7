// The one error type of the engine. An Error carries the TLS alert that goes
// with it, so the alert and the reason can never disagree (STYLE.md (c)).
#pragma once

#include <cstdint>
#include <string_view>

#include "base/result.h"
#include "crypto/provider.h"

namespace sluice {

// TLS AlertDescription (RFC 8446 §6).
enum class Alert : uint8_t {
  kCloseNotify = 0,
  kUnexpectedMessage = 10,
  kBadRecordMac = 20,
  kRecordOverflow = 22,
  kHandshakeFailure = 40,
  kBadCertificate = 42,
  kUnsupportedCertificate = 43,
  kCertificateRevoked = 44,
  kCertificateExpired = 45,
  kCertificateUnknown = 46,
  kIllegalParameter = 47,
  kUnknownCa = 48,
  kAccessDenied = 49,
  kDecodeError = 50,
  kDecryptError = 51,
  kProtocolVersion = 70,
  kInsufficientSecurity = 71,
  kInternalError = 80,
  kInappropriateFallback = 86,
  kUserCanceled = 90,
  kNoRenegotiation = 100,
  kMissingExtension = 109,
  kUnsupportedExtension = 110,
  kUnrecognizedName = 112,
  kBadCertificateStatusResponse = 113,  // RFC 6066 §8: a stapled OCSP response refused
  kUnknownPskIdentity = 115,
  kCertificateRequired = 116,
  kNoApplicationProtocol = 120,
  kEchRequired = 121,  // draft-ietf-tls-esni §11.2: the server did not accept ECH
};
std::string_view name(Alert);

// Why an operation failed. Each reason has one default alert (alert_for).
enum class Reason : uint16_t {
  kNone = 0,
  // Decoding.
  kDecodeError,            // a length or field does not parse
  kTrailingData,           // bytes left over after a message or extension
  kDuplicateExtension,
  kIllegalParameter,       // a well-formed value that is not allowed
  kMissingExtension,
  kUnsupportedExtension,   // an extension the peer may not send here
  // Record layer.
  kRecordOverflow,
  kBadRecordMac,
  kBadRecordType,
  kBadRecordVersion,
  kTooManyEmptyRecords,
  kTooManyWarningAlerts,
  kSequenceExhausted,
  kTruncated,              // transport ended without close_notify
  kTooMuchEarlyData,       // rejected 0-RTT beyond what may be skipped
  kEarlyDataOverLimit,     // accepted 0-RTT beyond max_early_data_size
  // Handshake.
  kUnexpectedMessage,
  kHandshakeMessageTooLarge,
  kTooManyKeyUpdates,      // KeyUpdates faster than application data allows
  kUnofferedSelection,     // the peer selected something that was not offered
  kInvalidKeyShare,        // a key share that is not a valid public value
  kBadBinder,              // a PSK binder that does not verify
  kExtendedMasterSecretRequired,  // TLS 1.2 without RFC 7627
  kExtendedMasterSecretMismatch,  // a resumption or renegotiation that changes it (RFC 7627 §5.3)
  kRenegotiationRefused,   // TLS 1.2: too many renegotiation attempts
  kInsecureRenegotiation,  // RFC 5746 renegotiation_info does not check
  kNoClientCertificate,    // TLS 1.2: a required client certificate was not sent
  kNoSharedVersion,
  kNoSharedCipherSuite,
  kNoSharedGroup,
  kNoSharedSignatureScheme,
  kNoApplicationProtocol,
  kDowngradeDetected,
  kInappropriateFallback,
  kBadFinished,
  kBadSignature,
  kUnrecognizedName,
  // Encrypted Client Hello.
  kEchRejected,            // client: the server declined ECH (retry configs may follow)
  kEchDecryptFailed,       // server: a second ClientHello's ECH does not decrypt
  kInvalidClientHelloInner,  // server: a decrypted ClientHelloInner that is not allowed
  kInvalidOuterExtension,  // server: ech_outer_extensions names what it may not
  // Certificates.
  kCertificateRequired,
  kBadCertificate,
  kUnsupportedCertificate,
  kCertificateExpired,
  kCertificateNotYetValid,
  kUnknownCa,
  kCertificateNameMismatch,
  kCertificateUnknown,
  // Peer's alerts.
  kPeerAlert,              // a fatal alert received from the peer
  kCloseNotify,            // the peer closed cleanly (not a failure for read())
  // Local.
  kCrypto,                 // a provider operation failed
  kConfiguration,          // the Context or Connection was set up wrongly
  kBadWriteRetry,          // write() retried with a moved or shorter buffer
  kApiMisuse,              // a call that is not allowed in this state
  kInternal,
};
std::string_view describe(Reason);

// Who raised the alert of an Error.
enum class Origin : uint8_t {
  kLocal,     // detected here; `alert` is what we send
  kReceived,  // the peer sent `alert`
  kApi,       // a caller mistake; no alert is sent
};

struct Error {
  Reason reason = Reason::kNone;
  Alert alert = Alert::kInternalError;
  Origin origin = Origin::kLocal;
  // detail is a static string naming the exact check that failed.
  const char* detail = "";

  Error() = default;
  // The alert is alert_for(r); without a detail, describe(r) serves as one.
  explicit Error(Reason r, const char* d = nullptr);
  // A failed provider operation, as the Reason that fits it (an invalid
  // peer key share, a bad signature, a failed record MAC, else kCrypto).
  Error(crypto::CryptoError e);  // NOLINT: lets SLUICE_TRY pass provider errors up

  bool ok() const { return reason == Reason::kNone; }
  static Error received(Alert a);
  static Error api(Reason r, const char* d);
};

// alert_for is the single Reason -> Alert mapping.
Alert alert_for(Reason);

template <class T>
using TlsResult = Result<T, Error>;
using Status_ = Result<void, Error>;

}  // namespace sluice
