#include "tools/sluice/credentials.h"

#include <cstdlib>
#include <string_view>

#include "pki/keys.h"
#include "pki/pem.h"
#include "pki/pinned_verifier.h"
#include "pki/webpki_verifier.h"
#include "pki/x509.h"

namespace sluice::tool {

namespace {

std::string describe_error(const Error& e) {
  std::string s(sluice::describe(e.reason));
  if (e.detail && *e.detail) {
    s += ": ";
    s += e.detail;
  }
  return s;
}

class NameOverride final : public CertificateVerifier {
 public:
  NameOverride(std::shared_ptr<const CertificateVerifier> inner, std::string sni, std::string name)
      : inner_(std::move(inner)), sni_(std::move(sni)), name_(std::move(name)) {}
  TlsResult<CertVerified> verify(const CertificateRequest& req) const override {
    CertificateRequest r = req;
    // Any other name is an ECH config's public name, checked when a server
    // declines ECH: that one is checked as it is.
    if (r.peer_is_server && r.server_name == sni_) r.server_name = name_;
    return inner_->verify(r);
  }

 private:
  std::shared_ptr<const CertificateVerifier> inner_;
  std::string sni_, name_;
};

}  // namespace

std::shared_ptr<const CertificateVerifier> verify_as(std::shared_ptr<const CertificateVerifier> inner,
                                                     std::string sni, std::string name) {
  return std::make_shared<NameOverride>(std::move(inner), std::move(sni), std::move(name));
}

bool ca_names(const std::string& ca_file, std::vector<std::vector<uint8_t>>& out, std::string& out_error) {
  auto text = pki::read_text_file(ca_file);
  if (!text) {
    out_error = ca_file + ": " + describe_error(text.error());
    return false;
  }
  auto certs = pki::pem_certificates(*text);
  if (!certs) {
    out_error = ca_file + ": " + describe_error(certs.error());
    return false;
  }
  for (const auto& der : *certs) {
    auto cert = pki::parse_certificate(der);
    if (!cert) {
      out_error = ca_file + ": " + describe_error(cert.error());
      return false;
    }
    out.emplace_back(cert->subject.begin(), cert->subject.end());
  }
  return true;
}

bool load_certified_key(const crypto::Provider& provider, const std::string& cert_path, const std::string& key_path,
                        CertifiedKey& out, std::string& out_error) {
  auto cert_text = pki::read_text_file(cert_path);
  if (!cert_text) {
    out_error = cert_path + ": " + describe_error(cert_text.error());
    return false;
  }
  auto chain = pki::pem_certificates(*cert_text);
  if (!chain) {
    out_error = cert_path + ": " + describe_error(chain.error());
    return false;
  }
  auto key_text = pki::read_text_file(key_path);
  if (!key_text) {
    out_error = key_path + ": " + describe_error(key_text.error());
    return false;
  }
  auto key = pki::parse_private_key_pem(*key_text);
  if (!key) {
    out_error = key_path + ": " + describe_error(key.error());
    return false;
  }
  auto signer = provider.new_signer(*key);
  if (!signer) {
    out_error = key_path + ": the provider cannot sign with this key";
    return false;
  }
  out.chain = std::move(*chain);
  out.signer = std::shared_ptr<crypto::Signer>(std::move(*signer));
  return true;
}

bool generate_self_signed(std::string& out_dir, std::string& out_error) {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base && *base ? base : "/tmp") + "/sluice-cert-XXXXXX";
  if (!::mkdtemp(tmpl.data())) {
    out_error = "mkdtemp failed";
    return false;
  }
  // The directory name comes from mkdtemp (no shell metacharacters), so it
  // is safe inside the command line.
  const std::string cmd = "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 7"
                          " -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1"
                          " -keyout " + tmpl + "/key.pem -out " + tmpl + "/cert.pem >/dev/null 2>&1";
  if (std::system(cmd.c_str()) != 0) {
    out_error = "could not run the openssl command line to make a certificate (give -cert and -key)";
    return false;
  }
  out_dir = tmpl;
  return true;
}

std::shared_ptr<const CertificateVerifier> make_verifier(std::shared_ptr<const crypto::Provider> provider,
                                                         const std::string& ca_file, const std::string& pin_file,
                                                         std::string& out_error, size_t max_intermediates) {
  if (!pin_file.empty()) {
    auto text = pki::read_text_file(pin_file);
    if (!text) {
      out_error = pin_file + ": " + describe_error(text.error());
      return nullptr;
    }
    auto pinned = pki::PinnedVerifier::from_pem(*text);
    if (!pinned) {
      out_error = pin_file + ": " + describe_error(pinned.error());
      return nullptr;
    }
    return std::make_shared<pki::PinnedVerifier>(std::move(*pinned));
  }
  auto v = ca_file.empty() ? pki::WebPkiVerifier::from_file(provider) : pki::WebPkiVerifier::from_file(provider, ca_file);
  if (!v) {
    out_error = (ca_file.empty() ? std::string(pki::kSystemBundlePath) : ca_file) + ": " + describe_error(v.error());
    return nullptr;
  }
  (*v)->set_max_intermediates(max_intermediates);
  return std::shared_ptr<const CertificateVerifier>(std::move(*v));
}

}  // namespace sluice::tool
