// The TLS 1.3 handshake messages after the hellos (RFC 8446 §4.3-§4.6), as
// plain structs with parse (body without the 4-byte header) and serialize
// (whole message with header).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/bytes.h"
#include "core/error.h"
#include "core/wire/types.h"

namespace sluice::wire {

// MessageWriter writes a handshake header whose length is back-patched when
// it goes out of scope.
class MessageWriter {
 public:
  MessageWriter(ByteWriter& w, HandshakeType t) : w_(write_type(w, t)), len_(w_, 3) {}

 private:
  // The type precedes the length placeholder (members initialise in order).
  static ByteWriter& write_type(ByteWriter& w, HandshakeType t) {
    w.u8(static_cast<uint8_t>(t));
    return w;
  }
  ByteWriter& w_;
  ByteWriter::Prefix len_;
};

struct EncryptedExtensions {
  // The order of serialization matches the RFC 8448 traces.
  std::vector<uint16_t> supported_groups;  // informational (RFC 8446 §4.2.7)
  std::optional<uint16_t> record_size_limit;
  bool server_name_ack = false;
  std::string alpn;  // empty: none selected
  bool early_data = false;
  // encrypted_client_hello: the retry configs (an ECHConfigList) of a
  // server that did not accept ECH (draft-ietf-tls-esni §5); unchecked here.
  std::optional<std::vector<uint8_t>> ech_retry_configs;

  [[nodiscard]] bool serialize(std::vector<uint8_t>& out) const;
  static TlsResult<EncryptedExtensions> parse(Bytes body);
};

struct Certificate {
  std::vector<uint8_t> request_context;
  std::vector<std::vector<uint8_t>> certificates;  // DER, end-entity first
  // The end-entity entry's stapled OCSP response (RFC 8446 §4.4.2.1) and
  // SignedCertificateTimestampList (RFC 6962 §3.3); empty when absent.
  std::vector<uint8_t> ocsp_response;
  std::vector<uint8_t> sct_list;

  [[nodiscard]] bool serialize(std::vector<uint8_t>& out) const;
  static TlsResult<Certificate> parse(Bytes body);
};

// CertificateView serializes a Certificate message straight from a chain
// the caller keeps (a context's own), without copying it first.
struct CertificateView {
  Bytes request_context;
  std::span<const std::vector<uint8_t>> certificates;
  Bytes ocsp_response;  // stapled to the end-entity entry when not empty
  Bytes sct_list;

  [[nodiscard]] bool serialize(std::vector<uint8_t>& out) const;
};

struct CertificateRequest {
  std::vector<uint8_t> request_context;
  std::vector<uint16_t> signature_algorithms;
  std::vector<std::vector<uint8_t>> certificate_authorities;  // DER names
  // compress_certificate (RFC 8879 §3): what the server can decompress a
  // client Certificate with; empty: absent.
  std::vector<uint16_t> compress_certificate;

  [[nodiscard]] bool serialize(std::vector<uint8_t>& out) const;
  static TlsResult<CertificateRequest> parse(Bytes body);
};

// CompressedCertificate (RFC 8879 §4) stands in for a TLS 1.3 Certificate:
// the Certificate message's body compressed with `algorithm`. `compressed`
// is a view: into the parsed body, or the sender's storage.
struct CompressedCertificate {
  uint16_t algorithm = 0;
  uint32_t uncompressed_length = 0;  // uint24 on the wire
  Bytes compressed;                  // <1..2^24-1>

  [[nodiscard]] bool serialize(std::vector<uint8_t>& out) const;
  static TlsResult<CompressedCertificate> parse(Bytes body);
};

// CertificateVerify and Finished hold views: into the parsed body, or into
// the caller's storage when serialized.
struct CertificateVerify {
  uint16_t scheme = 0;
  Bytes signature;

  [[nodiscard]] bool serialize(std::vector<uint8_t>& out) const;
  static TlsResult<CertificateVerify> parse(Bytes body);
};

struct Finished {
  Bytes verify_data;

  [[nodiscard]] bool serialize(std::vector<uint8_t>& out) const;
  // parse needs the expected length (the hash length of the suite).
  static TlsResult<Finished> parse(Bytes body, size_t hash_len);
};

struct NewSessionTicket {
  uint32_t lifetime = 0;
  uint32_t age_add = 0;
  Bytes nonce;  // a view: into the parsed body, or the sender's storage
  std::vector<uint8_t> ticket;
  std::optional<uint32_t> max_early_data;
  uint16_t grease_extension = 0;  // RFC 8701: an empty one, ignored by the client

  [[nodiscard]] bool serialize(std::vector<uint8_t>& out) const;
  static TlsResult<NewSessionTicket> parse(Bytes body);
};

struct KeyUpdate {
  bool update_requested = false;

  [[nodiscard]] bool serialize(std::vector<uint8_t>& out) const;
  static TlsResult<KeyUpdate> parse(Bytes body);
};

}  // namespace sluice::wire
