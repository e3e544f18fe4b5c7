#include "core/error.h"

namespace sluice {

Alert alert_for(Reason r) {
  switch (r) {
    case Reason::kNone: return Alert::kCloseNotify;
    case Reason::kDecodeError:
    case Reason::kTrailingData:
    // RFC 8446 §4.2 names no alert; a repeated extension is a block that
    // does not parse (decode_error, as BoringSSL and OpenSSL answer).
    case Reason::kDuplicateExtension: return Alert::kDecodeError;
    case Reason::kIllegalParameter: return Alert::kIllegalParameter;
    case Reason::kMissingExtension: return Alert::kMissingExtension;
    case Reason::kUnsupportedExtension: return Alert::kUnsupportedExtension;
    case Reason::kRecordOverflow: return Alert::kRecordOverflow;
    case Reason::kBadRecordMac: return Alert::kBadRecordMac;
    case Reason::kBadRecordType: return Alert::kUnexpectedMessage;
    case Reason::kBadRecordVersion: return Alert::kProtocolVersion;
    case Reason::kTooManyEmptyRecords:
    case Reason::kTooManyWarningAlerts: return Alert::kUnexpectedMessage;
    case Reason::kSequenceExhausted: return Alert::kInternalError;
    case Reason::kTruncated: return Alert::kCloseNotify;  // nothing is sent: the transport is gone
    case Reason::kTooMuchEarlyData: return Alert::kUnexpectedMessage;
    case Reason::kEarlyDataOverLimit: return Alert::kUnexpectedMessage;  // RFC 8446 §4.2.10
    case Reason::kTooManyKeyUpdates: return Alert::kUnexpectedMessage;
    case Reason::kUnofferedSelection:
    case Reason::kInvalidKeyShare: return Alert::kIllegalParameter;
    case Reason::kBadBinder: return Alert::kDecryptError;
    case Reason::kExtendedMasterSecretRequired:
    case Reason::kExtendedMasterSecretMismatch:
    case Reason::kInsecureRenegotiation: return Alert::kHandshakeFailure;
    case Reason::kRenegotiationRefused: return Alert::kNoRenegotiation;
    case Reason::kNoClientCertificate: return Alert::kHandshakeFailure;
    case Reason::kUnexpectedMessage: return Alert::kUnexpectedMessage;
    case Reason::kHandshakeMessageTooLarge: return Alert::kIllegalParameter;
    case Reason::kNoSharedVersion: return Alert::kProtocolVersion;
    case Reason::kNoSharedCipherSuite:
    case Reason::kNoSharedGroup:
    case Reason::kNoSharedSignatureScheme: return Alert::kHandshakeFailure;
    case Reason::kNoApplicationProtocol: return Alert::kNoApplicationProtocol;
    case Reason::kDowngradeDetected: return Alert::kIllegalParameter;
    case Reason::kInappropriateFallback: return Alert::kInappropriateFallback;
    case Reason::kBadFinished:
    case Reason::kBadSignature: return Alert::kDecryptError;
    case Reason::kUnrecognizedName: return Alert::kUnrecognizedName;
    case Reason::kEchRejected: return Alert::kEchRequired;
    case Reason::kEchDecryptFailed: return Alert::kDecryptError;
    case Reason::kInvalidClientHelloInner:
    case Reason::kInvalidOuterExtension: return Alert::kIllegalParameter;
    case Reason::kCertificateRequired: return Alert::kCertificateRequired;
    case Reason::kBadCertificate: return Alert::kBadCertificate;
    case Reason::kUnsupportedCertificate: return Alert::kUnsupportedCertificate;
    case Reason::kCertificateExpired:
    case Reason::kCertificateNotYetValid: return Alert::kCertificateExpired;
    case Reason::kUnknownCa: return Alert::kUnknownCa;
    case Reason::kCertificateNameMismatch:
    case Reason::kCertificateUnknown: return Alert::kCertificateUnknown;
    case Reason::kPeerAlert: return Alert::kCloseNotify;
    case Reason::kCloseNotify: return Alert::kCloseNotify;
    case Reason::kCrypto:
    case Reason::kConfiguration:
    case Reason::kBadWriteRetry:
    case Reason::kApiMisuse:
    case Reason::kInternal: return Alert::kInternalError;
  }
  return Alert::kInternalError;
}

Error::Error(Reason r, const char* d) : reason(r), alert(alert_for(r)), detail(d ? d : describe(r).data()) {}

namespace {
Reason reason_for(crypto::CryptoError e) {
  switch (e) {
    case crypto::CryptoError::kInvalidPeerPublic: return Reason::kInvalidKeyShare;
    case crypto::CryptoError::kBadSignature: return Reason::kBadSignature;
    case crypto::CryptoError::kAuthFailed: return Reason::kBadRecordMac;
    case crypto::CryptoError::kUnsupported:
    case crypto::CryptoError::kInvalidKey:
    case crypto::CryptoError::kInvalidInput:
    case crypto::CryptoError::kRandomFailed:
    case crypto::CryptoError::kInternal: return Reason::kCrypto;
  }
  return Reason::kCrypto;
}
}  // namespace

Error::Error(crypto::CryptoError e) : Error(reason_for(e), crypto::describe(e).data()) {}

Error Error::received(Alert a) {
  Error e(a == Alert::kCloseNotify ? Reason::kCloseNotify : Reason::kPeerAlert, "alert received");
  // The one place an alert is not alert_for(reason): it is the peer's.
  e.alert = a;
  e.origin = Origin::kReceived;
  return e;
}

Error Error::api(Reason r, const char* d) {
  Error e(r, d);
  e.origin = Origin::kApi;
  return e;
}

std::string_view name(Alert a) {
  switch (a) {
    case Alert::kCloseNotify: return "close_notify";
    case Alert::kUnexpectedMessage: return "unexpected_message";
    case Alert::kBadRecordMac: return "bad_record_mac";
    case Alert::kRecordOverflow: return "record_overflow";
    case Alert::kHandshakeFailure: return "handshake_failure";
    case Alert::kBadCertificate: return "bad_certificate";
    case Alert::kUnsupportedCertificate: return "unsupported_certificate";
    case Alert::kCertificateRevoked: return "certificate_revoked";
    case Alert::kCertificateExpired: return "certificate_expired";
    case Alert::kCertificateUnknown: return "certificate_unknown";
    case Alert::kIllegalParameter: return "illegal_parameter";
    case Alert::kUnknownCa: return "unknown_ca";
    case Alert::kAccessDenied: return "access_denied";
    case Alert::kDecodeError: return "decode_error";
    case Alert::kDecryptError: return "decrypt_error";
    case Alert::kProtocolVersion: return "protocol_version";
    case Alert::kInsufficientSecurity: return "insufficient_security";
    case Alert::kInternalError: return "internal_error";
    case Alert::kInappropriateFallback: return "inappropriate_fallback";
    case Alert::kUserCanceled: return "user_canceled";
    case Alert::kNoRenegotiation: return "no_renegotiation";
    case Alert::kMissingExtension: return "missing_extension";
    case Alert::kUnsupportedExtension: return "unsupported_extension";
    case Alert::kUnrecognizedName: return "unrecognized_name";
    case Alert::kBadCertificateStatusResponse: return "bad_certificate_status_response";
    case Alert::kUnknownPskIdentity: return "unknown_psk_identity";
    case Alert::kCertificateRequired: return "certificate_required";
    case Alert::kNoApplicationProtocol: return "no_application_protocol";
    case Alert::kEchRequired: return "ech_required";
  }
  return "unknown_alert";
}

std::string_view describe(Reason r) {
  switch (r) {
    case Reason::kNone: return "no error";
    case Reason::kDecodeError: return "malformed message";
    case Reason::kTrailingData: return "trailing data after message";
    case Reason::kDuplicateExtension: return "duplicate extension";
    case Reason::kIllegalParameter: return "illegal parameter";
    case Reason::kMissingExtension: return "missing extension";
    case Reason::kUnsupportedExtension: return "extension not allowed here";
    case Reason::kRecordOverflow: return "record too large";
    case Reason::kBadRecordMac: return "record authentication failed";
    case Reason::kBadRecordType: return "unexpected record content type";
    case Reason::kBadRecordVersion: return "bad record version";
    case Reason::kTooManyEmptyRecords: return "too many empty records";
    case Reason::kTooManyWarningAlerts: return "too many warning alerts";
    case Reason::kSequenceExhausted: return "record sequence number exhausted";
    case Reason::kTruncated: return "connection truncated (no close_notify)";
    case Reason::kTooMuchEarlyData: return "too much rejected early data";
    case Reason::kEarlyDataOverLimit: return "early data above max_early_data_size";
    case Reason::kTooManyKeyUpdates: return "too many KeyUpdates";
    case Reason::kUnofferedSelection: return "peer selected something that was not offered";
    case Reason::kInvalidKeyShare: return "invalid key share";
    case Reason::kBadBinder: return "PSK binder does not verify";
    case Reason::kExtendedMasterSecretRequired: return "extended master secret required";
    case Reason::kExtendedMasterSecretMismatch: return "extended master secret differs from the session's";
    case Reason::kRenegotiationRefused: return "renegotiation refused";
    case Reason::kInsecureRenegotiation: return "renegotiation_info does not check";
    case Reason::kNoClientCertificate: return "client certificate required";
    case Reason::kUnexpectedMessage: return "unexpected message";
    case Reason::kHandshakeMessageTooLarge: return "handshake message too large";
    case Reason::kNoSharedVersion: return "no shared protocol version";
    case Reason::kNoSharedCipherSuite: return "no shared cipher suite";
    case Reason::kNoSharedGroup: return "no shared key exchange group";
    case Reason::kNoSharedSignatureScheme: return "no shared signature scheme";
    case Reason::kNoApplicationProtocol: return "no shared application protocol";
    case Reason::kEchRejected: return "the server did not accept Encrypted Client Hello";
    case Reason::kEchDecryptFailed: return "Encrypted Client Hello does not decrypt";
    case Reason::kInvalidClientHelloInner: return "invalid ClientHelloInner";
    case Reason::kInvalidOuterExtension: return "invalid ech_outer_extensions";
    case Reason::kDowngradeDetected: return "downgrade detected";
    case Reason::kInappropriateFallback: return "inappropriate fallback";
    case Reason::kBadFinished: return "Finished does not verify";
    case Reason::kBadSignature: return "CertificateVerify signature does not verify";
    case Reason::kUnrecognizedName: return "unrecognized server name";
    case Reason::kCertificateRequired: return "certificate required";
    case Reason::kBadCertificate: return "bad certificate";
    case Reason::kUnsupportedCertificate: return "unsupported certificate";
    case Reason::kCertificateExpired: return "certificate expired";
    case Reason::kCertificateNotYetValid: return "certificate not yet valid";
    case Reason::kUnknownCa: return "unknown certificate authority";
    case Reason::kCertificateNameMismatch: return "certificate does not match the host name";
    case Reason::kCertificateUnknown: return "certificate not acceptable";
    case Reason::kPeerAlert: return "peer sent a fatal alert";
    case Reason::kCloseNotify: return "peer closed the connection";
    case Reason::kCrypto: return "crypto provider error";
    case Reason::kConfiguration: return "configuration error";
    case Reason::kBadWriteRetry: return "bad write retry";
    case Reason::kApiMisuse: return "API misuse";
    case Reason::kInternal: return "internal error";
  }
  return "?";
}

}  // namespace sluice
