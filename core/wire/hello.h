// ClientHello and ServerHello (RFC 8446 §4.1.2, §4.1.3) with the
// extensions they carry, as plain structs with parse and serialize.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/bytes.h"
#include "core/error.h"
#include "core/wire/types.h"

namespace sluice::wire {

struct PskIdentity {
  std::vector<uint8_t> identity;  // the ticket
  uint32_t obfuscated_ticket_age = 0;
};

// The pre_shared_key extension of a ClientHello (RFC 8446 §4.2.11).
struct OfferedPsks {
  std::vector<PskIdentity> identities;
  std::vector<std::vector<uint8_t>> binders;
  // binders_len is the size of the binders list with its length prefix: the
  // ClientHello truncated by this many bytes is what binders cover.
  size_t binders_len() const;
};

// SessionId is a legacy_session_id, at most 32 bytes (RFC 8446 §4.1.2),
// held inline. Bytes past len stay zero, so comparing whole arrays is exact.
struct SessionId {
  static constexpr size_t kMaxLen = 32;
  std::array<uint8_t, kMaxLen> bytes{};
  uint8_t len = 0;

  bool empty() const { return len == 0; }
  Bytes view() const { return Bytes(bytes.data(), len); }
  // assign takes at most kMaxLen bytes (parsers bound the length first).
  void assign(Bytes b) {
    bytes.fill(0);
    len = static_cast<uint8_t>(std::min(b.size(), kMaxLen));
    std::copy_n(b.begin(), len, bytes.begin());
  }
  friend bool operator==(const SessionId&, const SessionId&) = default;
};

// KeyShareEntry's key is a view: into the parsed hello, or into the sender's
// KeyShare object, which outlives the hello it is sent in.
struct KeyShareEntry {
  uint16_t group = 0;
  Bytes key_exchange;
};

// The encrypted_client_hello extension of a ClientHello (draft-ietf-tls-esni
// §5): an outer hello's encrypted inner hello, or the inner hello's marker.
struct EchExtension {
  bool inner = false;
  uint16_t kdf = 0, aead = 0;
  uint8_t config_id = 0;
  std::vector<uint8_t> enc;
  std::vector<uint8_t> payload;
  // parsed: where payload starts in the hello's body (the AAD is the body
  // with the payload zeroed).
  size_t payload_offset = 0;
};

// Room reserved for an encoded ClientHello: padded hellos are 512 bytes and
// one carrying a ticket rarely passes 768, so the encode allocates once.
inline constexpr size_t kTypicalClientHelloLen = 768;

// Extensions of a ClientHello that sluice understands. Unknown extensions are
// skipped (RFC 8446 §4.2), but still checked for duplicates.
struct ClientHello {
  uint16_t legacy_version = kTls12;  // RFC 8446 §4.1.2: always 0x0303 from a TLS 1.3 client
  std::array<uint8_t, kRandomLen> random{};
  SessionId legacy_session_id;
  std::vector<uint16_t> cipher_suites;
  bool only_null_compression = true;           // parsed: legacy_compression_methods is exactly {0}
  std::string server_name;                     // empty: no SNI
  std::vector<uint16_t> supported_groups;
  std::vector<uint16_t> signature_algorithms;
  std::vector<uint16_t> signature_algorithms_cert;  // RFC 8446 §4.2.3; empty when absent
  std::vector<uint16_t> supported_versions;
  std::vector<KeyShareEntry> key_shares;
  std::vector<std::string> alpn;
  std::optional<uint16_t> record_size_limit;
  std::vector<uint8_t> psk_modes;
  std::vector<uint8_t> cookie;  // echoed from a HelloRetryRequest
  // Length of the padding extension's body (RFC 7685); 0 omits it.
  size_t padding_len = 0;
  bool early_data = false;
  bool post_handshake_auth = false;
  bool status_request = false;                 // OCSP stapling (RFC 6066 §8), no responder list
  bool signed_certificate_timestamp = false;   // RFC 6962 §3.3.1
  // Written after padding, so an outer hello (which has no PSK) ends with
  // the ECH payload.
  std::optional<EchExtension> ech;
  // compress_certificate (RFC 8879 §3): the algorithms the client can
  // decompress a server Certificate with; empty: absent.
  std::vector<uint16_t> compress_certificate;
  std::optional<OfferedPsks> psk;  // always the last extension
  // TLS 1.2 (RFC 7627, RFC 8422 §5.1.2, RFC 5746, RFC 5077).
  bool extended_master_secret = false;
  bool ec_point_formats = false;  // sends "uncompressed" only
  bool ec_point_uncompressed = false;  // parsed: the client's list has it
  bool renegotiation_info = false;     // an empty renegotiation_info (or, parsed, one is present)
  std::vector<uint8_t> renegotiated_connection;  // parsed: its contents
  bool session_ticket = false;
  std::vector<uint8_t> session_ticket_data;  // a TLS 1.2 ticket offered (RFC 5077)
  bool has_server_name = false;
  bool has_key_share = false;
  // RFC 8701: GREASE extensions, one empty first and one of a zero byte
  // last (before padding); 0 sends none.
  uint16_t grease_extension_first = 0, grease_extension_last = 0;

  // serialize writes the whole handshake message (header included).
  [[nodiscard]] bool serialize(std::vector<uint8_t>& out) const;
  // parse reads a message body (no handshake header).
  static TlsResult<ClientHello> parse(Bytes body);
};

// A ServerHello (or a HelloRetryRequest, told apart by its random).
struct ServerHello {
  uint16_t legacy_version = kTls12;
  std::array<uint8_t, kRandomLen> random{};
  SessionId legacy_session_id_echo;
  uint16_t cipher_suite = 0;
  uint16_t selected_version = 0;  // from supported_versions; 0 when absent
  std::optional<KeyShareEntry> key_share;
  std::optional<uint16_t> hrr_selected_group;  // key_share in an HRR
  std::optional<uint16_t> selected_psk;        // pre_shared_key
  std::vector<uint8_t> cookie;
  // encrypted_client_hello in a HelloRetryRequest: the acceptance signal
  // (draft-ietf-tls-esni §7.2.1). Written last, so it ends the message.
  std::optional<std::array<uint8_t, 8>> ech_confirmation;
  size_t ech_confirmation_offset = 0;  // parsed: where it is in the body
  // TLS 1.2 ServerHello extensions (RFC 7627, RFC 8422, RFC 5746, RFC 5077,
  // RFC 7301, RFC 6066, RFC 8449). A TLS 1.3 client refuses them.
  bool extended_master_secret = false;
  bool ec_point_formats = false;
  bool renegotiation_info = false;
  std::vector<uint8_t> renegotiated_connection;
  bool session_ticket = false;
  std::string alpn;
  bool server_name_ack = false;
  std::optional<uint16_t> record_size_limit;
  bool supported_groups = false;  // some TLS 1.2 servers send it; ignored there
  bool status_request = false;    // a CertificateStatus follows the Certificate (RFC 6066 §8)
  std::vector<uint8_t> sct_list;  // RFC 6962 §3.3.1; empty when absent
  // has_tls12_extensions: any of the above was present.
  bool has_tls12_extensions() const {
    return extended_master_secret || ec_point_formats || renegotiation_info || session_ticket || !alpn.empty() ||
           server_name_ack || record_size_limit.has_value() || supported_groups || status_request || !sct_list.empty();
  }

  bool is_hello_retry_request() const;
  [[nodiscard]] bool serialize(std::vector<uint8_t>& out) const;
  static TlsResult<ServerHello> parse(Bytes body);
};

// RawExtension is one extension of a serialized hello as it is on the wire:
// its type and its bytes, header included.
struct RawExtension {
  uint16_t type;
  Bytes whole;
};
// split_client_hello splits a ClientHello body (no handshake header) into
// its fixed part (legacy_version through compression methods) and its
// extensions, in order; extension bodies are not looked into. nullopt when
// the fixed part or the extensions' framing does not parse.
std::optional<Bytes> split_client_hello(Bytes body, std::vector<RawExtension>& extensions);

// retry_invariant is what a second ClientHello (after a HelloRetryRequest)
// must repeat of the first (RFC 8446 §4.1.2): every field and every
// extension but key_share, early_data, cookie, pre_shared_key and padding,
// which may change, with the extensions in type order. `body` must have
// parsed as a ClientHello.
std::vector<uint8_t> retry_invariant(Bytes body);

// f5_padding_len is the padding extension body length for a ClientHello of
// `hello_len` bytes (header included) without padding; 0 when none is needed.
size_t f5_padding_len(size_t hello_len);

// RFC 8446 §4.1.3: the fixed random of a HelloRetryRequest.
extern const std::array<uint8_t, kRandomLen> kHelloRetryRandom;
// RFC 8446 §4.1.3: downgrade sentinels in the last 8 bytes of ServerHello.random.
extern const std::array<uint8_t, 8> kDowngradeTls12;
extern const std::array<uint8_t, 8> kDowngradeTls11;

}  // namespace sluice::wire
