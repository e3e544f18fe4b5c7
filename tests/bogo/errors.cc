#include "tests/bogo/errors.h"

#include <cstring>
#include <string_view>

namespace sluice::bogo {

namespace {

// Where one sluice Reason covers several BoringSSL errors, the Error's
// detail (a static string naming the check) picks the name.
struct DetailName {
  Reason reason;
  const char* detail_part;
  const char* name;
};
constexpr DetailName kByDetail[] = {
    // The more specific first: the first match wins.
    {Reason::kIllegalParameter, "ServerHello suite differs", "WRONG_CIPHER_RETURNED"},
    {Reason::kIllegalParameter, "0-RTT accepted under another cipher suite", "CIPHER_MISMATCH_ON_EARLY_DATA"},
    {Reason::kBadCertificate, "OCSP callback", "OCSP_CB_ERROR"},
    {Reason::kInternal, "ALPN selector chose", "INVALID_ALPN_PROTOCOL"},
    {Reason::kDecodeError, "HelloRequest with a body", "BAD_HELLO_REQUEST"},
    {Reason::kIllegalParameter, "server certificate changed in a renegotiation", "SERVER_CERT_CHANGED"},
    {Reason::kDecodeError, "SCT list", "ERROR_PARSING_EXTENSION"},
    {Reason::kDecodeError, "SCT entry", "ERROR_PARSING_EXTENSION"},
    {Reason::kConfiguration, "SCT list is malformed", "INVALID_SCT_LIST"},
    {Reason::kIllegalParameter, "0-RTT accepted under another ALPN", "ALPN_MISMATCH_ON_EARLY_DATA"},
    {Reason::kIllegalParameter, "HelloRetryRequest that would change nothing", "EMPTY_HELLO_RETRY_REQUEST"},
    {Reason::kIllegalParameter, "ECH accepted in the HelloRetryRequest", "INCONSISTENT_ECH_NEGOTIATION"},
    {Reason::kIllegalParameter, "TLS 1.2 ServerHello after a HelloRetryRequest", "SECOND_SERVERHELLO_VERSION_MISMATCH"},
    {Reason::kIllegalParameter, "ec_point_formats without uncompressed", "ERROR_PARSING_EXTENSION"},
    {Reason::kDecodeError, "malformed change_cipher_spec", "BAD_CHANGE_CIPHER_SPEC"},
    {Reason::kUnexpectedMessage, "handshake message before ChangeCipherSpec", "UNEXPECTED_RECORD"},
    {Reason::kUnexpectedMessage, "promised NewSessionTicket", "UNEXPECTED_RECORD"},
    {Reason::kUnexpectedMessage, "other than HelloRequest", "BAD_HELLO_REQUEST"},
    {Reason::kNoSharedVersion, "after an offer of 0-RTT", "WRONG_VERSION_ON_EARLY_DATA"},
    {Reason::kUnsupportedCertificate, "does not fit the cipher suite", "WRONG_CERTIFICATE_TYPE"},
    {Reason::kIllegalParameter, "curve the client did not offer", "BAD_ECC_CERT"},
    {Reason::kUnexpectedMessage, "application data after ChangeCipherSpec", "UNEXPECTED_RECORD"},
    {Reason::kIllegalParameter, "second ClientHello without the requested key share", "WRONG_CURVE"},
    {Reason::kIllegalParameter, "ALPN", "INVALID_ALPN_PROTOCOL"},
    {Reason::kIllegalParameter, "ServerHello compression method", "DECODE_ERROR"},
    {Reason::kDecodeError, "alert length", "BAD_ALERT"},
    {Reason::kDecodeError, "warning alert in TLS 1.3", "BAD_ALERT"},
    {Reason::kIllegalParameter, "alert level", "UNKNOWN_ALERT_TYPE"},
    {Reason::kIllegalParameter, "ServerKeyExchange with a scheme", "WRONG_SIGNATURE_TYPE"},
    {Reason::kUnexpectedMessage, "application data inside a handshake message", "EXCESS_HANDSHAKE_DATA"},
    {Reason::kUnexpectedMessage, "application data inside a post-handshake message", "UNEXPECTED_RECORD"},
    {Reason::kDecodeError, "ALPN", "PARSE_TLSEXT"},
    {Reason::kMissingExtension, "CertificateRequest", "DECODE_ERROR"},
    {Reason::kMissingExtension, "ClientHello without signature_algorithms", "NO_COMMON_SIGNATURE_ALGORITHMS"},
    {Reason::kBadRecordMac, "record shorter than tag", "DECRYPTION_FAILED_OR_BAD_RECORD_MAC"},
    {Reason::kDecodeError, "extension", "ERROR_PARSING_EXTENSION"},
    {Reason::kIllegalParameter, "not allowed in EncryptedExtensions", "ERROR_PARSING_EXTENSION"},
    {Reason::kDecodeError, "empty server Certificate", "PEER_DID_NOT_RETURN_A_CERTIFICATE"},
    {Reason::kDecodeError, "EndOfEarlyData", "DECODE_ERROR"},
    {Reason::kTrailingData, "extensions", "DECODE_ERROR"},
    {Reason::kIllegalParameter, "CertificateVerify with a scheme", "WRONG_SIGNATURE_TYPE"},
    {Reason::kIllegalParameter, "CertificateVerify scheme", "WRONG_SIGNATURE_TYPE"},
    {Reason::kIllegalParameter, "HelloRetryRequest", "WRONG_CURVE"},
    {Reason::kIllegalParameter, "key share for a group", "WRONG_CURVE"},
    {Reason::kIllegalParameter, "two key shares", "DUPLICATE_KEY_SHARE"},
    {Reason::kIllegalParameter, "PSK binder count", "PSK_IDENTITY_BINDER_COUNT_MISMATCH"},
    {Reason::kIllegalParameter, "extension after pre_shared_key", "PRE_SHARED_KEY_MUST_BE_LAST"},
    {Reason::kIllegalParameter, "legacy_session_id_echo", "SERVER_ECHOED_INVALID_SESSION_ID"},
    {Reason::kIllegalParameter, "compression", "INVALID_COMPRESSION_LIST"},
    {Reason::kIllegalParameter, "second ClientHello", "INCONSISTENT_CLIENT_HELLO"},
    {Reason::kIllegalParameter, "version that was not offered", "UNSUPPORTED_PROTOCOL"},
    {Reason::kIllegalParameter, "KeyUpdate", "DECODE_ERROR"},
    {Reason::kIllegalParameter, "NUL in server name", "DECODE_ERROR"},
    {Reason::kIllegalParameter, "two host_name", "DECODE_ERROR"},
    {Reason::kUnofferedSelection, "cipher suite", "WRONG_CIPHER_RETURNED"},
    {Reason::kUnofferedSelection, "suite whose hash", "OLD_SESSION_PRF_HASH_MISMATCH"},
    {Reason::kUnofferedSelection, "group", "WRONG_CURVE"},
    {Reason::kUnofferedSelection, "PSK", "PSK_IDENTITY_NOT_FOUND"},
    {Reason::kUnexpectedMessage, "unprotected application data", "UNEXPECTED_RECORD"},
    {Reason::kUnexpectedMessage, "application data", "APPLICATION_DATA_INSTEAD_OF_HANDSHAKE"},
    {Reason::kUnexpectedMessage, "does not end its record", "EXCESS_HANDSHAKE_DATA"},
    {Reason::kUnexpectedMessage, "spans a key change", "EXCESS_HANDSHAKE_DATA"},
    {Reason::kUnexpectedMessage, "change_cipher_spec", "UNEXPECTED_RECORD"},
    {Reason::kUnexpectedMessage, "inner content type", "UNEXPECTED_RECORD"},
    {Reason::kUnexpectedMessage, "empty", "UNEXPECTED_RECORD"},
    {Reason::kUnexpectedMessage, "close_notify during the handshake", "UNEXPECTED_RECORD"},
    {Reason::kUnexpectedMessage, "no content type", "DECRYPTION_FAILED_OR_BAD_RECORD_MAC"},
    {Reason::kUnsupportedExtension, "early_data accepted", "UNEXPECTED_EXTENSION_ON_EARLY_DATA"},
    {Reason::kRecordOverflow, "record length above", "ENCRYPTED_LENGTH_TOO_LONG"},
    {Reason::kBadRecordType, "outer type", "INVALID_OUTER_RECORD_TYPE"},
    {Reason::kTruncated, "inside a record", "UNEXPECTED_EOF"},
    {Reason::kDecodeError, "server sent no certificate", "DECODE_ERROR"},
    {Reason::kBadCertificate, "key usage", "KEY_USAGE_BIT_INCORRECT"},
    {Reason::kDecodeError, "der:", "CANNOT_PARSE_LEAF_CERT"},
    {Reason::kBadCertificate, "der:", "CANNOT_PARSE_LEAF_CERT"},
    {Reason::kIllegalParameter, "CompressedCertificate: an algorithm", "UNKNOWN_CERT_COMPRESSION_ALG"},
    {Reason::kBadCertificate, "CompressedCertificate: uncompressed_length above", "UNCOMPRESSED_CERT_TOO_LARGE"},
    {Reason::kBadCertificate, "CompressedCertificate: does not decompress", "CERT_DECOMPRESSION_FAILED"},
};

const char* by_reason(Reason r) {
  switch (r) {
    case Reason::kNone: return "NO_ERROR";
    case Reason::kDecodeError: return "DECODE_ERROR";
    case Reason::kTrailingData: return "DECODE_ERROR";
    case Reason::kDuplicateExtension: return "DUPLICATE_EXTENSION";
    case Reason::kIllegalParameter: return "ILLEGAL_PARAMETER";
    case Reason::kMissingExtension: return "MISSING_EXTENSION";
    case Reason::kUnsupportedExtension: return "UNEXPECTED_EXTENSION";
    case Reason::kRecordOverflow: return "DATA_LENGTH_TOO_LONG";
    case Reason::kBadRecordMac: return "DECRYPTION_FAILED_OR_BAD_RECORD_MAC";
    case Reason::kBadRecordType: return "UNEXPECTED_RECORD";
    case Reason::kBadRecordVersion: return "WRONG_VERSION_NUMBER";
    case Reason::kTooManyEmptyRecords: return "TOO_MANY_EMPTY_FRAGMENTS";
    case Reason::kTooManyWarningAlerts: return "TOO_MANY_WARNING_ALERTS";
    case Reason::kSequenceExhausted: return "SEQUENCE_EXHAUSTED";
    case Reason::kTruncated: return "UNEXPECTED_EOF";
    case Reason::kTooMuchEarlyData: return "TOO_MUCH_SKIPPED_EARLY_DATA";
    case Reason::kEarlyDataOverLimit: return "TOO_MUCH_READ_EARLY_DATA";
    case Reason::kUnexpectedMessage: return "UNEXPECTED_MESSAGE";
    case Reason::kHandshakeMessageTooLarge: return "EXCESSIVE_MESSAGE_SIZE";
    case Reason::kTooManyKeyUpdates: return "TOO_MANY_KEY_UPDATES";
    case Reason::kUnofferedSelection: return "UNEXPECTED_EXTENSION";
    case Reason::kInvalidKeyShare: return "BAD_ECPOINT";
    case Reason::kBadBinder: return "DIGEST_CHECK_FAILED";
    case Reason::kNoSharedVersion: return "UNSUPPORTED_PROTOCOL";
    case Reason::kNoSharedCipherSuite: return "NO_SHARED_CIPHER";
    case Reason::kNoSharedGroup: return "NO_SHARED_GROUP";
    case Reason::kNoSharedSignatureScheme: return "NO_COMMON_SIGNATURE_ALGORITHMS";
    case Reason::kNoApplicationProtocol: return "NO_APPLICATION_PROTOCOL";
    case Reason::kDowngradeDetected: return "TLS13_DOWNGRADE";
    case Reason::kExtendedMasterSecretRequired: return "EXTENDED_MASTER_SECRET_REQUIRED";
    case Reason::kExtendedMasterSecretMismatch: return "EXTENDED_MASTER_SECRET_MISMATCH";
    case Reason::kRenegotiationRefused: return "NO_RENEGOTIATION";
    case Reason::kInsecureRenegotiation: return "RENEGOTIATION_MISMATCH";
    case Reason::kInappropriateFallback: return "INAPPROPRIATE_FALLBACK";
    case Reason::kBadFinished: return "DIGEST_CHECK_FAILED";
    case Reason::kBadSignature: return "BAD_SIGNATURE";
    case Reason::kUnrecognizedName: return "UNRECOGNIZED_NAME";
    case Reason::kEchRejected: return "ECH_REJECTED";
    case Reason::kEchDecryptFailed: return "DECRYPTION_FAILED";
    case Reason::kInvalidClientHelloInner: return "INVALID_CLIENT_HELLO_INNER";
    case Reason::kInvalidOuterExtension: return "INVALID_OUTER_EXTENSION";
    case Reason::kCertificateRequired: return "PEER_DID_NOT_RETURN_A_CERTIFICATE";
    case Reason::kNoClientCertificate: return "PEER_DID_NOT_RETURN_A_CERTIFICATE";
    case Reason::kBadCertificate:
    case Reason::kCertificateExpired:
    case Reason::kCertificateNotYetValid:
    case Reason::kUnknownCa:
    case Reason::kCertificateNameMismatch:
    case Reason::kCertificateUnknown: return "CERTIFICATE_VERIFY_FAILED";
    case Reason::kUnsupportedCertificate: return "UNKNOWN_CERTIFICATE_TYPE";
    case Reason::kPeerAlert: return "PEER_ALERT";
    case Reason::kCloseNotify: return "CLOSE_NOTIFY";
    case Reason::kCrypto: return "CRYPTO_ERROR";
    case Reason::kConfiguration: return "CONFIGURATION_ERROR";
    case Reason::kBadWriteRetry: return "BAD_WRITE_RETRY";
    case Reason::kApiMisuse: return "API_MISUSE";
    case Reason::kInternal: return "INTERNAL_ERROR";
  }
  return "UNKNOWN_ERROR";
}

}  // namespace

std::string alert_name(uint8_t alert) {
  switch (alert) {
    case 0: return ":SSLV3_ALERT_CLOSE_NOTIFY:";
    case 10: return ":SSLV3_ALERT_UNEXPECTED_MESSAGE:";
    case 20: return ":SSLV3_ALERT_BAD_RECORD_MAC:";
    case 21: return ":TLSV1_ALERT_DECRYPTION_FAILED:";
    case 22: return ":TLSV1_ALERT_RECORD_OVERFLOW:";
    case 30: return ":SSLV3_ALERT_DECOMPRESSION_FAILURE:";
    case 40: return ":SSLV3_ALERT_HANDSHAKE_FAILURE:";
    case 41: return ":SSLV3_ALERT_NO_CERTIFICATE:";
    case 42: return ":SSLV3_ALERT_BAD_CERTIFICATE:";
    case 43: return ":SSLV3_ALERT_UNSUPPORTED_CERTIFICATE:";
    case 44: return ":SSLV3_ALERT_CERTIFICATE_REVOKED:";
    case 45: return ":SSLV3_ALERT_CERTIFICATE_EXPIRED:";
    case 46: return ":SSLV3_ALERT_CERTIFICATE_UNKNOWN:";
    case 47: return ":SSLV3_ALERT_ILLEGAL_PARAMETER:";
    case 48: return ":TLSV1_ALERT_UNKNOWN_CA:";
    case 49: return ":TLSV1_ALERT_ACCESS_DENIED:";
    case 50: return ":TLSV1_ALERT_DECODE_ERROR:";
    case 51: return ":TLSV1_ALERT_DECRYPT_ERROR:";
    case 60: return ":TLSV1_ALERT_EXPORT_RESTRICTION:";
    case 70: return ":TLSV1_ALERT_PROTOCOL_VERSION:";
    case 71: return ":TLSV1_ALERT_INSUFFICIENT_SECURITY:";
    case 80: return ":TLSV1_ALERT_INTERNAL_ERROR:";
    case 86: return ":TLSV1_ALERT_INAPPROPRIATE_FALLBACK:";
    case 90: return ":TLSV1_ALERT_USER_CANCELLED:";
    case 100: return ":TLSV1_ALERT_NO_RENEGOTIATION:";
    case 109: return ":TLSV1_ALERT_MISSING_EXTENSION:";
    case 110: return ":TLSV1_ALERT_UNSUPPORTED_EXTENSION:";
    case 111: return ":TLSV1_ALERT_CERTIFICATE_UNOBTAINABLE:";
    case 112: return ":TLSV1_ALERT_UNRECOGNIZED_NAME:";
    case 113: return ":TLSV1_ALERT_BAD_CERTIFICATE_STATUS_RESPONSE:";
    case 114: return ":TLSV1_ALERT_BAD_CERTIFICATE_HASH_VALUE:";
    case 115: return ":TLSV1_ALERT_UNKNOWN_PSK_IDENTITY:";
    case 116: return ":TLSV1_ALERT_CERTIFICATE_REQUIRED:";
    case 120: return ":TLSV1_ALERT_NO_APPLICATION_PROTOCOL:";
    case 121: return ":TLSV1_ALERT_ECH_REQUIRED:";
  }
  return ":TLSV1_ALERT_UNKNOWN_" + std::to_string(alert) + ":";
}

std::string boringssl_name(const Error& e) {
  if (e.origin == Origin::kReceived || e.reason == Reason::kPeerAlert) {
    return alert_name(static_cast<uint8_t>(e.alert));
  }
  const std::string_view detail = e.detail ? e.detail : "";
  for (const DetailName& d : kByDetail) {
    if (d.reason == e.reason && detail.find(d.detail_part) != std::string_view::npos) {
      return std::string(":") + d.name + ":";
    }
  }
  return std::string(":") + by_reason(e.reason) + ":";
}

std::string describe_error(const Error& e) {
  std::string s = boringssl_name(e);
  s += " (sluice: ";
  s += describe(e.reason);
  if (e.detail && *e.detail) {
    s += ": ";
    s += e.detail;
  }
  s += ", alert ";
  s += name(e.alert);
  s += e.origin == Origin::kReceived ? " received)" : e.origin == Origin::kApi ? ", API)" : " sent)";
  return s;
}

}  // namespace sluice::bogo
