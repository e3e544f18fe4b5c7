#include "tools/sluice/session_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "base/hex.h"
#include "core/suites.h"
#include "tools/sluice/options.h"

namespace sluice::tool {

namespace {

// The first line names the format's version. Version 2 added the TLS 1.2
// key exchange group (a resumption reports it, having no key exchange of
// its own), whether its master secret is RFC 7627's (a resumption keeps
// that state) and the staples the full handshake was shown; a version 1 file
// still loads a TLS 1.3 session, which needs neither, but not a TLS 1.2
// one, which would report no group.
constexpr std::string_view kHeader = "# sluice session ";
constexpr int kVersion = 2;

// needs_group: a session of this suite came from a key exchange whose
// group its resumption reports (TLS 1.2 ECDHE).
bool needs_group(uint16_t cipher_suite) {
  const auto info = suite_info(cipher_suite);
  return info && info->version == wire::kTls12 && info->kx == KeyExchange::kEcdhe;
}

}  // namespace

bool write_session(const std::string& path, const Session& s, std::string& out_error) {
  std::string text =
      std::string(kHeader) + std::to_string(kVersion) + " (holds the resumption secret: keep it private)\n";
  text += "cipher_suite: " + std::to_string(s.cipher_suite) + "\n";
  text += "group: " + std::to_string(s.group) + "\n";
  text += "extended_master_secret: " + std::to_string(s.extended_master_secret ? 1 : 0) + "\n";
  text += "ticket: " + to_hex(s.ticket) + "\n";
  text += "session_id: " + to_hex(s.session_id) + "\n";
  text += "secret: " + to_hex(s.psk.span()) + "\n";
  text += "age_add: " + std::to_string(s.age_add) + "\n";
  text += "lifetime: " + std::to_string(s.lifetime) + "\n";
  text += "received_at_ms: " + std::to_string(s.received_at_ms) + "\n";
  text += "max_early_data: " + std::to_string(s.max_early_data) + "\n";
  text += "alpn: " + to_hex(std::span(reinterpret_cast<const uint8_t*>(s.alpn.data()), s.alpn.size())) + "\n";
  for (const auto& der : s.peer_chain) text += "peer_certificate: " + to_hex(der) + "\n";
  text += "ocsp_response: " + to_hex(s.peer_ocsp_response) + "\n";
  text += "sct_list: " + to_hex(s.peer_sct_list) + "\n";
  // Written to a temporary file and renamed, so a reader never sees half.
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) {
    out_error = "-sess_out: cannot write " + tmp + ": " + std::strerror(errno);
    return false;
  }
  const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ::close(fd);
  if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0) {
    out_error = "-sess_out: cannot write " + path;
    return false;
  }
  return true;
}

std::optional<Session> read_session(const std::string& path, std::string& out_error) {
  std::ifstream in(path);
  if (!in) {
    out_error = "-sess_in: cannot read " + path;
    return std::nullopt;
  }
  std::string line;
  if (!std::getline(in, line) || line.compare(0, kHeader.size(), kHeader) != 0) {
    out_error = "-sess_in: " + path + " is not a sluice session file (written by -sess_out)";
    return std::nullopt;
  }
  const std::string version_text = line.substr(kHeader.size(), line.find(' ', kHeader.size()) - kHeader.size());
  const auto version = parse_number(version_text, 1, 0xffff);
  if (!version || *version > kVersion) {
    out_error = "-sess_in: " + path + " is a session file of a format this sluice does not know (version " +
                version_text + "; it reads up to " + std::to_string(kVersion) + ")";
    return std::nullopt;
  }
  Session s;
  std::vector<std::vector<uint8_t>> chain;
  int line_no = 1;
  while (std::getline(in, line)) {
    ++line_no;
    const size_t colon = line.find(": ");
    const std::string key = line.substr(0, colon);
    const std::string value = colon == std::string::npos ? "" : line.substr(colon + 2);
    auto bad = [&] {
      out_error = "-sess_in: " + path + ":" + std::to_string(line_no) + ": bad value for '" + key + "'";
      return std::nullopt;
    };
    auto number = [&](uint64_t max) { return parse_number(value, 0, max); };
    if (key == "extended_master_secret") {
      auto v = number(1);
      if (!v) return bad();
      s.extended_master_secret = *v == 1;
    } else if (key == "cipher_suite" || key == "group" || key == "age_add" || key == "lifetime" ||
               key == "max_early_data" || key == "received_at_ms") {
      const bool u16 = key == "cipher_suite" || key == "group";
      auto v = number(u16 ? 0xffff : key == "received_at_ms" ? INT64_MAX : 0xffffffff);
      if (!v) return bad();
      if (key == "cipher_suite") s.cipher_suite = static_cast<uint16_t>(*v);
      if (key == "group") s.group = static_cast<uint16_t>(*v);
      if (key == "age_add") s.age_add = static_cast<uint32_t>(*v);
      if (key == "lifetime") s.lifetime = static_cast<uint32_t>(*v);
      if (key == "max_early_data") s.max_early_data = static_cast<uint32_t>(*v);
      if (key == "received_at_ms") s.received_at_ms = static_cast<int64_t>(*v);
    } else if (key == "ticket" || key == "session_id" || key == "secret" || key == "alpn" ||
               key == "peer_certificate" || key == "ocsp_response" || key == "sct_list") {
      auto bytes = from_hex(value);
      if (!bytes) return bad();
      if (key == "ticket") s.ticket = std::move(*bytes);
      if (key == "session_id") s.session_id = std::move(*bytes);
      if (key == "secret") s.psk.assign(*bytes);
      if (key == "alpn") s.alpn.assign(bytes->begin(), bytes->end());
      if (key == "peer_certificate") chain.push_back(std::move(*bytes));
      if (key == "ocsp_response") s.peer_ocsp_response = std::move(*bytes);
      if (key == "sct_list") s.peer_sct_list = std::move(*bytes);
    } else {
      out_error = "-sess_in: " + path + ":" + std::to_string(line_no) + ": unknown field '" + key + "'";
      return std::nullopt;
    }
  }
  if (s.psk.size() == 0 || s.cipher_suite == 0) {
    out_error = "-sess_in: " + path + " holds no secret or no cipher suite";
    return std::nullopt;
  }
  if (needs_group(s.cipher_suite) && s.group == 0) {
    out_error = "-sess_in: " + path + " holds a TLS 1.2 session without its key exchange group" +
                (*version < 2 ? " (a version 1 file: save the session again with -sess_out)" : "");
    return std::nullopt;
  }
  s.peer_chain = CertificateChain(std::move(chain));
  return s;
}

void SavingSessionStore::put(std::string_view server_name, Session s) {
  if (!path_.empty()) {
    std::string err;
    if (write_session(path_, s, err)) {
      ++saved_;
    } else {
      std::fprintf(stderr, "sluice: %s\n", err.c_str());
    }
  }
  memory_.put(server_name, std::move(s));
}

}  // namespace sluice::tool
