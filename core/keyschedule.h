// The TLS 1.3 key schedule (RFC 8446 §7.1) as a typed progression: each step
// is named after the protocol event that allows it and refuses to run out of
// order, so a secret can never be derived from the wrong stage.
#pragma once

#include <optional>

#include <array>
#include <cstdint>
#include <string_view>

#include "base/secret.h"
#include "core/bytes.h"
#include "core/error.h"
#include "crypto/provider.h"

namespace sluice {

// hkdf_expand_label is HKDF-Expand-Label (RFC 8446 §7.1).
Result<void, Error> hkdf_expand_label(const crypto::Provider& p, crypto::HashAlg h, Bytes secret,
                                      std::string_view label, Bytes context, MutBytes out);

// LabelOutput is one HKDF-Expand-Label request: out.size() bytes for
// `label` and `context`.
struct LabelOutput {
  std::string_view label;
  Bytes context;
  MutBytes out;
};
// kMaxLabelsAtOnce bounds hkdf_expand_labels' requests (their HkdfLabels
// are encoded on the stack): the key schedule asks for at most three at a
// time (the Handshake and Master Secrets' expansions).
inline constexpr size_t kMaxLabelsAtOnce = 4;
// hkdf_expand_labels runs hkdf_expand_label for each of `outputs` (at most
// kMaxLabelsAtOnce) under `secret`, which the provider keys HMAC with once.
Result<void, Error> hkdf_expand_labels(const crypto::Provider& p, crypto::HashAlg h, Bytes secret,
                                       std::span<const LabelOutput> outputs);

// TrafficKeys are one direction's AEAD key and static IV (RFC 8446 §7.3).
struct TrafficKeys {
  SecretBytes key;
  SecretBytes iv;
};
TlsResult<TrafficKeys> derive_traffic_keys(const crypto::Provider& p, crypto::HashAlg h, crypto::AeadAlg a,
                                           Bytes traffic_secret);
// next_traffic_secret is the KeyUpdate step (RFC 8446 §7.2).
TlsResult<SecretBytes> next_traffic_secret(const crypto::Provider& p, crypto::HashAlg h, Bytes secret);
// resumption_psk derives a ticket's PSK (RFC 8446 §4.6.1).
TlsResult<SecretBytes> resumption_psk(const crypto::Provider& p, crypto::HashAlg h, Bytes resumption_master,
                                      Bytes ticket_nonce);
// finished_verify_data computes HMAC(finished_key(base_key), transcript_hash).
Result<void, Error> finished_verify_data(const crypto::Provider& p, crypto::HashAlg h, Bytes base_key,
                                         Bytes transcript_hash, MutBytes out);

// known_empty_hash is Hash("") for SHA-256 and SHA-384 (the TLS 1.3 suites'
// hashes), nullopt for others.
std::optional<Bytes> known_empty_hash(crypto::HashAlg h);

class KeySchedule {
 public:
  enum class Stage : uint8_t { kNone, kEarly, kHandshake, kMaster, kDone };

  KeySchedule(const crypto::Provider& p, crypto::HashAlg h) : p_(p), h_(h) {}
  crypto::HashAlg hash() const { return h_; }
  size_t hash_len() const { return crypto::hash_len(h_); }
  Stage stage() const { return stage_; }

  // start_early: Early Secret from a PSK (empty: no PSK, zeros are used).
  Result<void, Error> start_early(Bytes psk);
  // binder_key and client_early_traffic_secret derive from the Early Secret
  // (RFC 8446 §7.1), so only before the handshake secret exists.
  TlsResult<SecretBytes> binder_key();
  TlsResult<SecretBytes> client_early_traffic_secret(Bytes client_hello_hash);
  // advance_with_shared_secret: Handshake Secret from the (EC)DHE output;
  // yields the client and server handshake traffic secrets for CH..SH.
  struct Pair {
    SecretBytes client, server;
  };
  TlsResult<Pair> advance_with_shared_secret(Bytes ecdhe, Bytes hello_hash);
  // advance_to_master: Master Secret; yields the application traffic
  // secrets for CH..server Finished, and keeps the exporter secret.
  TlsResult<Pair> advance_to_master(Bytes server_finished_hash);
  // resumption_master_secret for CH..client Finished (RFC 8446 §7.1); ends
  // the schedule.
  TlsResult<SecretBytes> resumption_master(Bytes client_finished_hash);
  const SecretBytes& exporter_master() const { return exporter_; }

 private:
  TlsResult<SecretBytes> derive_secret(Bytes secret, std::string_view label, Bytes transcript_hash);
  TlsResult<SecretBytes> extract(Bytes salt, Bytes ikm);
  Result<void, Error> require(Stage s);

  Result<void, Error> ensure_empty_hash();

  const crypto::Provider& p_;
  crypto::HashAlg h_;
  Stage stage_ = Stage::kNone;
  // Hash("") is needed at every "derived" step: computed once.
  std::array<uint8_t, crypto::kMaxHashLen> empty_hash_{};
  bool have_empty_hash_ = false;
  // The current stage's secret; in kHandshake, the salt for the Master
  // Secret (the Handshake Secret itself is not needed after its stage).
  SecretBytes secret_;
  SecretBytes exporter_;
};

}  // namespace sluice
