#include "pki/webpki_verifier.h"

#include <algorithm>
#include <array>

#include "pki/hostname.h"
#include "pki/name_constraints.h"
#include "pki/pem.h"

namespace sluice::pki {
namespace {

// may_have_signed filters candidates by key identifier, as OpenSSL does: when
// both identifiers are present and differ, the candidate's key did not sign
// (a same-named CA with another key), so no signature check is spent on it.
bool may_have_signed(const Certificate& child, Bytes issuer_key_id) {
  return child.authority_key_id.empty() || issuer_key_id.empty() ||
         std::ranges::equal(child.authority_key_id, issuer_key_id);
}

// Path is the chain being built, leaf first. Search::build never extends it
// beyond the leaf and kMaxIntermediates (or the verifier's lower bound), so
// it needs no heap.
class Path {
 public:
  explicit Path(const Certificate& leaf) { push_back(&leaf); }
  size_t size() const { return size_; }
  const Certificate* operator[](size_t i) const { return certs_[i]; }
  const Certificate* back() const { return certs_[size_ - 1]; }
  bool contains(const Certificate* c) const {
    return std::find(certs_.begin(), certs_.begin() + size_, c) != certs_.begin() + size_;
  }
  void push_back(const Certificate* c) { certs_[size_++] = c; }
  void pop_back() { --size_; }

 private:
  std::array<const Certificate*, kMaxIntermediates + 1> certs_{};
  size_t size_ = 0;
};

Error bad(const char* d) { return Error(Reason::kBadCertificate, d); }
Error unsupported(const char* d) { return Error(Reason::kUnsupportedCertificate, d); }

size_t rsa_bits(const crypto::PublicKey& k) {
  size_t bits = k.rsa_n.size() * 8;
  for (uint8_t b : k.rsa_n) {
    if (b) {
      for (uint8_t top = 0x80; !(b & top); top >>= 1) --bits;
      break;
    }
    bits -= 8;
  }
  return bits;
}

TlsResult<void> check_key(const crypto::PublicKey& key, bool supported) {
  if (!supported) return Err(unsupported("webpki: unsupported public key algorithm"));
  if (crypto::is_rsa(key.type) && rsa_bits(key) < kMinRsaModulusBits)
    return Err(unsupported("webpki: RSA key smaller than 2048 bits"));
  return {};
}

TlsResult<void> check_validity(const Certificate& c, int64_t now) {
  if (now < c.not_before)
    return Err(Error(Reason::kCertificateNotYetValid, "webpki: certificate not yet valid"));
  if (now > c.not_after) return Err(Error(Reason::kCertificateExpired, "webpki: certificate expired"));
  return {};
}

TlsResult<void> check_eku(const Certificate& c, bool server) {
  if (!c.has_eku || c.eku_any) return {};
  if (server ? c.eku_server_auth : c.eku_client_auth) return {};
  return Err(unsupported(server ? "webpki: extendedKeyUsage lacks serverAuth"
                                : "webpki: extendedKeyUsage lacks clientAuth"));
}

// Search is one path-building attempt: the peer's certificates, the budget
// spent so far and the most telling error met on the way.
class Search {
 public:
  Search(const crypto::Provider& p, SignatureCache* cache, const std::vector<TrustAnchor>& anchors,
         std::span<const Certificate> pool, const CertificateRequest& req, size_t max_intermediates)
      : provider_(p), cache_(cache), anchors_(anchors), pool_(pool), req_(req), max_intermediates_(max_intermediates) {}

  // build extends `path` (leaf first) from its last certificate to an anchor.
  bool build(Path& path) {
    const Certificate& child = *path.back();
    for (const TrustAnchor& a : anchors_) {
      if (!std::ranges::equal(a.subject, child.issuer) || !may_have_signed(child, a.key_id)) continue;
      if (!note(check_signature(child, a.key)) || !note(anchor_constraints(a, path))) continue;
      return true;
    }
    if (path.size() > max_intermediates_) {
      note(Err(Error(Reason::kUnknownCa, "webpki: no anchor within the path length limit")));
      return false;
    }
    for (const Certificate& ca : pool_) {
      if (!std::ranges::equal(ca.subject, child.issuer) || !may_have_signed(child, ca.subject_key_id))
        continue;
      if (path.contains(&ca)) continue;  // no loops
      if (!note(check_issuer(ca, path)) || !note(check_signature(child, ca.public_key))) continue;
      path.push_back(&ca);
      if (build(path)) return true;
      path.pop_back();
      if (budget_spent_) return false;
    }
    return false;
  }

  Error error() const { return best_.ok() ? Error(Reason::kUnknownCa, "webpki: no path to a trust anchor") : best_; }

 private:
  // note keeps the first error that says more than "unknown CA".
  bool note(TlsResult<void> r) {
    if (r.ok()) return true;
    if (best_.ok() || (best_.reason == Reason::kUnknownCa && r.error().reason != Reason::kUnknownCa))
      best_ = r.error();
    return false;
  }

  TlsResult<void> check_signature(const Certificate& child, const crypto::PublicKey& key) {
    if (++sig_checks_ > kMaxSignatureChecks) {
      budget_spent_ = true;
      return Err(bad("webpki: signature check budget exhausted"));
    }
    SLUICE_TRY(check_key(key, true));
    if (!child.sig_alg_supported) return Err(unsupported("webpki: unsupported signature algorithm"));
    auto scheme = scheme_for(child.sig_alg, key.type);
    if (!scheme) return Err(unsupported("webpki: signature algorithm does not fit the issuer key"));
    std::optional<SignatureCache::Key> cache_key;
    if (cache_) cache_key = SignatureCache::key_for(provider_, *scheme, key, child.tbs, child.signature);
    if (cache_key && cache_->contains(*cache_key)) return {};
    auto v = provider_.verify(*scheme, key, child.tbs, child.signature);
    if (v.ok()) {
      if (cache_key) cache_->insert(*cache_key);
      return {};
    }
    if (v.error() == crypto::CryptoError::kUnsupported)
      return Err(unsupported("webpki: provider cannot verify this signature algorithm"));
    return Err(bad("webpki: certificate signature does not verify"));
  }

  // check_issuer applies RFC 5280 §6.1.4 to an intermediate about to sign
  // path.back(): a CA, allowed to sign certificates, within its path length.
  TlsResult<void> check_issuer(const Certificate& ca, const Path& path) {
    if (ca.unknown_critical_extension) return Err(unsupported("webpki: unknown critical extension in an issuer"));
    SLUICE_TRY(check_validity(ca, req_.now));
    if (!ca.has_basic_constraints || !ca.is_ca) return Err(bad("webpki: issuer is not a CA (CA:FALSE)"));
    if (!ca.allows(KeyUsageBit::kKeyCertSign)) return Err(bad("webpki: issuer keyUsage lacks keyCertSign"));
    // Intermediates below this one; self-issued ones do not count (§6.1.4 (l)).
    size_t below = 0;
    for (size_t i = 1; i < path.size(); ++i)
      if (!path[i]->self_issued()) ++below;
    if (ca.path_len && below > *ca.path_len) return Err(bad("webpki: path length constraint exceeded"));
    SLUICE_TRY(check_eku(ca, req_.peer_is_server));
    SLUICE_TRY(check_key(ca.public_key, ca.key_supported));
    if (ca.name_constraints) SLUICE_TRY(constrain(*ca.name_constraints, path));
    return {};
  }

  TlsResult<void> anchor_constraints(const TrustAnchor& a, const Path& path) {
    if (a.name_constraints) SLUICE_TRY(constrain(*a.name_constraints, path));
    return {};
  }

  // Name constraints apply to every certificate below the constraining CA,
  // except self-issued intermediates (§4.2.1.10).
  TlsResult<void> constrain(const NameConstraints& nc, const Path& path) {
    for (size_t i = 0; i < path.size(); ++i)
      if (i == 0 || !path[i]->self_issued()) SLUICE_TRY(check_name_constraints(nc, *path[i]));
    return {};
  }

  const crypto::Provider& provider_;
  SignatureCache* cache_;  // null: every signature is checked
  const std::vector<TrustAnchor>& anchors_;
  std::span<const Certificate> pool_;
  const CertificateRequest& req_;
  const size_t max_intermediates_;
  size_t sig_checks_ = 0;
  bool budget_spent_ = false;
  Error best_;
};

}  // namespace

TlsResult<std::unique_ptr<WebPkiVerifier>> WebPkiVerifier::from_certificates(
    std::shared_ptr<const crypto::Provider> provider, std::span<const std::vector<uint8_t>> roots) {
  if (!provider) return Err(Error(Reason::kConfiguration, "webpki: no provider"));
  std::unique_ptr<WebPkiVerifier> v(new WebPkiVerifier(std::move(provider)));
  for (const auto& der : roots) {
    auto c = parse_certificate(der);
    if (!c || !c->key_supported) {
      ++v->skipped_;
      continue;
    }
    // The anchor outlives the parsed certificate, so it copies what it uses.
    TrustAnchor a;
    a.subject.assign(c->subject.begin(), c->subject.end());
    a.key = std::move(c->public_key);
    a.key_id.assign(c->subject_key_id.begin(), c->subject_key_id.end());
    a.cn.assign(c->subject_cn);
    if (c->name_constraints) {
      // The constraints view the DER: moving the vector keeps its buffer.
      a.name_constraints = std::move(c->name_constraints);
      a.der = std::move(c->der);
    }
    v->anchors_.push_back(std::move(a));
  }
  if (v->anchors_.empty()) return Err(Error(Reason::kConfiguration, "webpki: no usable trust anchor"));
  return v;
}

TlsResult<std::unique_ptr<WebPkiVerifier>> WebPkiVerifier::from_pem(
    std::shared_ptr<const crypto::Provider> provider, std::string_view pem) {
  std::vector<std::vector<uint8_t>> roots = SLUICE_TRY(pem_certificates(pem));
  return from_certificates(std::move(provider), roots);
}

TlsResult<std::unique_ptr<WebPkiVerifier>> WebPkiVerifier::from_file(
    std::shared_ptr<const crypto::Provider> provider, const std::string& path) {
  std::string text = SLUICE_TRY(read_text_file(path));
  return from_pem(std::move(provider), text);
}

TlsResult<CertVerified> WebPkiVerifier::verify(const CertificateRequest& req) const {
  if (req.chain.empty()) return Err(bad("webpki: empty certificate chain"));
  if (req.chain.size() > kMaxChainLength) return Err(bad("webpki: certificate chain too long"));
  if (req.peer_is_server && req.server_name.empty())
    return Err(Error(Reason::kCertificateNameMismatch, "webpki: no server name to verify against"));
  Certificate leaf = SLUICE_TRY(parse_certificate(req.chain.front()));
  if (leaf.unknown_critical_extension) return Err(unsupported("webpki: unknown critical extension"));
  SLUICE_TRY(check_validity(leaf, req.now));
  SLUICE_TRY(check_eku(leaf, req.peer_is_server));
  SLUICE_TRY(check_key(leaf.public_key, leaf.key_supported));
  // Other certificates are candidates only: one that does not parse may be
  // an unrelated extra, so it is skipped rather than fatal.
  std::vector<Certificate> pool;
  pool.reserve(req.chain.size() - 1);
  for (size_t i = 1; i < req.chain.size(); ++i)
    if (auto c = parse_certificate(req.chain[i])) pool.push_back(std::move(c).value());
  Search search(*provider_, cache_signatures_ ? &signature_cache_ : nullptr, anchors_, pool, req,
                max_intermediates_);
  Path path(leaf);
  if (!search.build(path)) return Err(search.error());
  if (req.peer_is_server) SLUICE_TRY(verify_hostname(leaf, req.server_name));
  return CertVerified::assertion(std::move(leaf.public_key));
}

}  // namespace sluice::pki
