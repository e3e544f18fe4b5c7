// Issue 17: the `sluice` command line against real peers (openssl, gnutls
// and curl from Debian) on loopback: full-duplex bulk data, the report,
// sessions across processes, client authentication, KeyUpdate from each
// side, -www/-WWW, the event-loop servers, s_server's ticket, 0-RTT and
// per-SNI options, the flags for the rest of the engine (OCSP and SCT
// staples, the exporter, fragment size, key update interval, reverification,
// middlebox compatibility, renegotiation, HRR cookies, the ALPN selector, CA
// names), the -trace decoder, and option errors.
#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>

#include "crypto/algorithms.h"
#include "pki/pem.h"
#include "tests/interop/peer_process.h"
#include "tests/interop/sluice_cli.h"
#include "tests/interop/test_pki.h"
#include "tools/sluice/trace.h"

namespace sluice::interop {
namespace {

constexpr std::chrono::seconds kBulkTimeout{120};

std::string tmp_path(const std::string& name) {
  const char* t = std::getenv("TEST_TMPDIR");
  return std::string(t && *t ? t : "/tmp") + "/" + name;
}

void require_peers() {
  REQUIRE_MESSAGE(find_in_path("openssl"), "the openssl binary is missing: install the Debian package 'openssl'");
  REQUIRE_MESSAGE(find_in_path("curl"), "curl is missing: install the Debian package 'curl'");
  REQUIRE_MESSAGE(find_in_path("gnutls-cli"), "gnutls-cli is missing: install the Debian package 'gnutls-bin'");
}

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void write_all(const std::string& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary);
  out << data;
}

std::string sha256_of(const std::string& path) {
  const auto r = run_command({"sha256sum", path});
  REQUIRE_MESSAGE(r.status == 0, r.output);
  return r.output.substr(0, 64);
}

bool has(const std::string& haystack, const std::string& needle) { return haystack.find(needle) != std::string::npos; }
size_t count_of(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (size_t at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + 1)) ++n;
  return n;
}

std::string port_of(uint16_t p) { return std::to_string(p); }

// sluice_server starts `sluice s_server -accept 0` with `extra` options.
std::optional<PeerProcess> sluice_server(const std::vector<std::string>& extra, uint16_t& port) {
  std::vector<std::string> argv = {sluice_binary(), "s_server", "-accept", "0"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return start_listener(argv, port);
}

std::optional<PeerProcess> openssl_server(const std::vector<std::string>& extra, uint16_t& port) {
  const LeafFiles& leaf = leaf_for(crypto::KeyType::kEcdsaP256);
  std::vector<std::string> argv = {"openssl", "s_server", "-accept", "127.0.0.1:0", "-cert", leaf.cert_pem,
                                   "-key", leaf.key_pem};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return start_listener(argv, port);
}

// run_to_end runs a client with `input` on stdin (then EOF) and waits.
struct Ran {
  std::optional<int> status;
  std::string output;
};
Ran run_to_end(const std::vector<std::string>& argv, const std::string& input) {
  std::string err;
  auto p = PeerProcess::start(argv, err);
  REQUIRE_MESSAGE(p.has_value(), err);
  p->write_stdin(input);
  p->close_stdin();
  Ran r;
  r.status = p->wait_exit();
  r.output = p->output();
  return r;
}

std::vector<std::string> sluice_client(uint16_t port, const std::vector<std::string>& extra) {
  std::vector<std::string> argv = {sluice_binary(), "s_client", "-connect", "127.0.0.1:" + port_of(port),
                                   "-servername", "localhost", "-CAfile", leaf_for(crypto::KeyType::kEcdsaP256).ca_pem};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return argv;
}

// A shell command line for a sluice client whose stdin and stdout are
// files (paths from TEST_TMPDIR: no characters the shell would expand).
std::vector<std::string> client_with_files(uint16_t port, const std::string& in, const std::string& out) {
  std::string cmd = "exec";
  for (const auto& a : sluice_client(port, {"-quiet", "-nocommands"})) cmd += " '" + a + "'";
  cmd += " <" + in + " >" + out;
  return {"sh", "-c", cmd};
}

TEST_CASE("10 MB full duplex: sluice s_client through sluice s_server's echo, sha256 on both ends") {
  require_peers();
  const std::string in = tmp_path("bulk.in"), out = tmp_path("bulk.out");
  REQUIRE(run_command({"sh", "-c", "head -c 10000000 /dev/urandom >" + in}).status == 0);
  const LeafFiles& leaf = leaf_for(crypto::KeyType::kEcdsaP256);
  uint16_t port = 0;
  auto server = sluice_server({"-naccept", "1", "-quiet", "-cert", leaf.cert_pem, "-key", leaf.key_pem}, port);
  REQUIRE_MESSAGE(server.has_value(), "sluice s_server did not start");
  std::string err;
  auto client = PeerProcess::start(client_with_files(port, in, out), err);
  REQUIRE(client.has_value());
  // Before issue 17 the client read all of stdin before the socket: both
  // TCP windows filled and neither process ever exited.
  const auto status = client->wait_exit(kBulkTimeout);
  const auto server_status = server->wait_exit();
  INFO("client:\n" << tail(client->output()) << "\nserver:\n" << tail(server->output()));
  REQUIRE(status == 0);
  CHECK(server_status == 0);
  CHECK(sha256_of(out) == sha256_of(in));
  CHECK(has(server->output(), "CLOSE clean"));
}

TEST_CASE("10 MB full duplex: sluice s_client through openssl s_server -rev, sha256 on both ends") {
  require_peers();
  // openssl -rev answers each line reversed, as soon as it has read it.
  const std::string in = tmp_path("rev.in"), out = tmp_path("rev.out"), expected = tmp_path("rev.expected");
  REQUIRE(run_command({"sh", "-c", "head -c 5000000 /dev/urandom | od -An -v -tx1 -w1000 | tr -d ' ' >" + in})
              .status == 0);
  {
    std::istringstream lines(read_all(in));
    std::string line, want;
    while (std::getline(lines, line)) want += std::string(line.rbegin(), line.rend()) + "\n";
    REQUIRE(want.size() > 10'000'000);
    write_all(expected, want);
  }
  uint16_t port = 0;
  auto server = openssl_server({"-naccept", "1", "-rev"}, port);
  REQUIRE_MESSAGE(server.has_value(), "openssl s_server did not start");
  std::string err;
  auto client = PeerProcess::start(client_with_files(port, in, out), err);
  REQUIRE(client.has_value());
  const auto status = client->wait_exit(kBulkTimeout);
  server->wait_exit();
  INFO("client:\n" << tail(client->output()) << "\nopenssl:\n" << tail(server->output()));
  REQUIRE(status == 0);
  CHECK(sha256_of(out) == sha256_of(expected));
}

TEST_CASE("sessions across processes: -sess_out, then -sess_in with -early_data, against openssl s_server") {
  require_peers();
  uint16_t port = 0;
  auto server = openssl_server({"-naccept", "2", "-early_data"}, port);
  REQUIRE_MESSAGE(server.has_value(), "openssl s_server did not start");
  const std::string sess = tmp_path("openssl.sess"), early = tmp_path("early.txt");
  write_all(early, "zero-rtt-bytes\n");
  const Ran first = run_to_end(sluice_client(port, {"-sess_out", sess}), "first\n");
  INFO("first:\n" << tail(first.output));
  REQUIRE(first.status == 0);
  CHECK(has(first.output, "Resumed: no"));
  CHECK(has(first.output, "Signature: ecdsa_secp256r1_sha256"));
  CHECK(has(read_all(sess), "secret: "));
  const Ran second = run_to_end(sluice_client(port, {"-sess_in", sess, "-early_data", early}), "second\n");
  server->wait_exit();
  INFO("second:\n" << tail(second.output) << "\nopenssl:\n" << tail(server->output()));
  REQUIRE(second.status == 0);
  CHECK(has(second.output, "Resumed: yes"));
  CHECK(has(second.output, "Signature: (none)"));
  CHECK(has(second.output, "Early data: accepted"));
  CHECK(has(server->output(), "Reused session-id"));
  CHECK(has(server->output(), "zero-rtt-bytes"));
}

TEST_CASE("sessions across processes: sluice s_client twice against sluice s_server, and -reconnect") {
  require_peers();
  const LeafFiles& leaf = leaf_for(crypto::KeyType::kEd25519);
  uint16_t port = 0;
  auto server = sluice_server({"-naccept", "8", "-cert", leaf.cert_pem, "-key", leaf.key_pem}, port);
  REQUIRE_MESSAGE(server.has_value(), "sluice s_server did not start");
  const std::string sess = tmp_path("sluice.sess");
  const Ran first = run_to_end(sluice_client(port, {"-sess_out", sess}), "one\n");
  REQUIRE_MESSAGE(first.status == 0, first.output);
  const Ran second = run_to_end(sluice_client(port, {"-sess_in", sess}), "two\n");
  INFO("second:\n" << tail(second.output));
  REQUIRE(second.status == 0);
  CHECK(has(second.output, "Resumed: yes"));
  CHECK(has(second.output, "two"));
  // -reconnect: six connections, the last five resumed.
  const Ran again = run_to_end(sluice_client(port, {"-reconnect"}), "three\n");
  server->wait_exit();
  INFO("reconnect:\n" << tail(again.output, 6000));
  REQUIRE(again.status == 0);
  CHECK(count_of(again.output, "Resumed: yes") == 5);
  CHECK(has(server->output(), "Resumed: yes"));
}

// line_of is the line of `output` that starts with `prefix` (the first), or
// "" when none does.
std::string line_of(const std::string& output, const std::string& prefix) {
  std::istringstream in(output);
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with(prefix)) return line;
  }
  return "";
}

TEST_CASE("sessions across processes, TLS 1.2: the file keeps the group a resumption reports; old files are refused") {
  require_peers();
  // A P-384 key: in TLS 1.2 the client must offer the certificate's curve
  // (RFC 8422 §5.3), and P-384 is the only group it offers below.
  const LeafFiles& leaf = leaf_for(crypto::KeyType::kEcdsaP384);
  uint16_t port = 0;
  auto server = sluice_server({"-naccept", "2", "-cert", leaf.cert_pem, "-key", leaf.key_pem}, port);
  REQUIRE_MESSAGE(server.has_value(), "sluice s_server did not start");
  const std::string sess = tmp_path("sluice12.sess");
  // secp384r1, not the first group offered, so a default cannot pass for it.
  const Ran first = run_to_end(sluice_client(port, {"-tls1_2", "-groups", "P-384", "-sess_out", sess}), "one\n");
  REQUIRE_MESSAGE(first.status == 0, first.output);
  const std::string group = line_of(first.output, "Group: ");
  CHECK(group == "Group: secp384r1");
  const Ran second = run_to_end(sluice_client(port, {"-tls1_2", "-sess_in", sess}), "two\n");
  server->wait_exit();
  INFO("second:\n" << tail(second.output));
  REQUIRE(second.status == 0);
  CHECK(has(second.output, "Resumed: yes"));
  CHECK(line_of(second.output, "Group: ") == group);
  // A resumption keeps its session's extended master secret state.
  CHECK(has(read_all(sess), "extended_master_secret: 1"));
  CHECK(has(second.output, "Extended master secret: yes"));

  // The same session as the first format wrote it (no group line) is
  // refused by name rather than resumed with no group.
  std::istringstream saved(read_all(sess));
  std::string old_format;
  for (std::string line; std::getline(saved, line);) {
    if (line.starts_with("# sluice session ")) line = "# sluice session 1 (holds the resumption secret)";
    if (line.starts_with("group: ") || line.starts_with("ocsp_response: ") || line.starts_with("sct_list: ")) continue;
    old_format += line + "\n";
  }
  const std::string old_sess = tmp_path("sluice12_v1.sess");
  write_all(old_sess, old_format);
  const Ran old = run_to_end(sluice_client(port, {"-tls1_2", "-sess_in", old_sess}), "");
  CHECK(old.status != 0);
  CHECK(has(old.output, "without its key exchange group (a version 1 file: save the session again with -sess_out)"));
  // A file of a later format is refused too.
  write_all(old_sess, "# sluice session 99\n");
  const Ran later = run_to_end(sluice_client(port, {"-sess_in", old_sess}), "");
  CHECK(later.status != 0);
  CHECK(has(later.output, "version 99"));
}

TEST_CASE("-allow_no_ems: gnutls-cli without the extended master secret (%NO_SESSION_HASH) is refused, or taken") {
  require_peers();
  const LeafFiles& leaf = leaf_for(crypto::KeyType::kEcdsaP256);
  for (const bool allow : {false, true}) {
    CAPTURE(allow);
    uint16_t port = 0;
    std::vector<std::string> args = {"-naccept", "1", "-cert", leaf.cert_pem, "-key", leaf.key_pem};
    if (allow) args.push_back("-allow_no_ems");
    auto server = sluice_server(args, port);
    REQUIRE_MESSAGE(server.has_value(), "sluice s_server did not start");
    const Ran client = run_to_end({"gnutls-cli", "-p", port_of(port), "--x509cafile", leaf.ca_pem, "--priority",
                                   "NORMAL:-VERS-ALL:+VERS-TLS1.2:%NO_SESSION_HASH", "127.0.0.1"},
                                  "hello\n");
    server->wait_exit();
    INFO("gnutls-cli:\n" << tail(client.output) << "\nsluice:\n" << tail(server->output()));
    if (!allow) {
      CHECK(client.status != 0);
      CHECK(has(server->output(), "extended master secret required"));
    } else {
      CHECK(client.status == 0);
      CHECK(has(server->output(), "Protocol: TLSv1.2"));
      CHECK(has(server->output(), "Extended master secret: no"));
    }
  }
}

TEST_CASE("sessions: gnutls-cli --resume and openssl s_client -sess_out/-sess_in against sluice s_server") {
  require_peers();
  const LeafFiles& leaf = leaf_for(crypto::KeyType::kEcdsaP256);
  uint16_t port = 0;
  auto server = sluice_server({"-naccept", "4", "-cert", leaf.cert_pem, "-key", leaf.key_pem}, port);
  REQUIRE_MESSAGE(server.has_value(), "sluice s_server did not start");
  const Ran gnutls = run_to_end({"gnutls-cli", "--resume", "-p", port_of(port), "--x509cafile", leaf.ca_pem,
                                 "127.0.0.1"},
                                "");
  INFO("gnutls-cli:\n" << tail(gnutls.output));
  CHECK(gnutls.status == 0);
  CHECK(has(gnutls.output, "This is a resumed session"));
  const std::string sess = tmp_path("openssl-client.sess");
  const std::vector<std::string> base = {"openssl", "s_client", "-connect", "127.0.0.1:" + port_of(port),
                                         "-CAfile", leaf.ca_pem, "-ign_eof"};
  auto with = [&](std::vector<std::string> extra) {
    auto v = base;
    v.insert(v.end(), extra.begin(), extra.end());
    return v;
  };
  // -ign_eof: openssl waits for the echo (and the tickets) before closing.
  const Ran first = run_to_end(with({"-sess_out", sess}), "Q\n");
  const Ran second = run_to_end(with({"-sess_in", sess}), "Q\n");
  server->wait_exit();
  INFO("openssl second:\n" << tail(second.output) << "\nsluice:\n" << tail(server->output(), 6000));
  CHECK(has(second.output, "Reused, TLSv1.3"));
  CHECK(count_of(server->output(), "Resumed: yes") == 2);
}

TEST_CASE("client authentication: -Verify required, -verify requested, -cert/-key on s_client, and command c") {
  require_peers();
  const LeafFiles& leaf = leaf_for(crypto::KeyType::kEcdsaP256);
  const LeafFiles& client_leaf = client_leaf_for(crypto::KeyType::kEcdsaP256);
  const std::vector<std::string> serve = {"-naccept", "1", "-cert", leaf.cert_pem, "-key", leaf.key_pem,
                                          "-CAfile", leaf.ca_pem};
  auto openssl_client = [&](uint16_t port, std::vector<std::string> extra) {
    std::vector<std::string> v = {"openssl", "s_client", "-connect", "127.0.0.1:" + port_of(port), "-CAfile",
                                  leaf.ca_pem};
    v.insert(v.end(), extra.begin(), extra.end());
    return v;
  };
  SUBCASE("required and sent") {
    uint16_t port = 0;
    auto v = serve;
    v.insert(v.end(), {"-Verify", "1"});
    auto server = sluice_server(v, port);
    REQUIRE(server.has_value());
    const Ran c = run_to_end(openssl_client(port, {"-cert", client_leaf.cert_pem, "-key", client_leaf.key_pem}), "hi\n");
    const auto status = server->wait_exit();
    INFO("sluice:\n" << tail(server->output()) << "\nopenssl:\n" << tail(c.output));
    CHECK(status == 0);
    CHECK(has(server->output(), "Client certificate: verified (CN=sluice interop client"));
  }
  SUBCASE("required and missing: the handshake fails and the exit status says so") {
    uint16_t port = 0;
    auto v = serve;
    v.insert(v.end(), {"-Verify", "1"});
    auto server = sluice_server(v, port);
    REQUIRE(server.has_value());
    run_to_end(openssl_client(port, {}), "hi\n");
    const auto status = server->wait_exit();
    INFO("sluice:\n" << tail(server->output()));
    CHECK(status == 1);
    CHECK(has(server->output(), "certificate_required"));
  }
  SUBCASE("requested and missing") {
    uint16_t port = 0;
    auto v = serve;
    v.insert(v.end(), {"-verify", "1"});
    auto server = sluice_server(v, port);
    REQUIRE(server.has_value());
    run_to_end(openssl_client(port, {}), "hi\n");
    const auto status = server->wait_exit();
    INFO("sluice:\n" << tail(server->output()));
    CHECK(status == 0);
    CHECK(has(server->output(), "Client certificate: none sent"));
  }
  SUBCASE("sluice s_client -cert/-key against openssl s_server -Verify") {
    uint16_t port = 0;
    auto server = openssl_server({"-naccept", "1", "-Verify", "1", "-CAfile", leaf.ca_pem}, port);
    REQUIRE(server.has_value());
    const Ran c = run_to_end(sluice_client(port, {"-cert", client_leaf.cert_pem, "-key", client_leaf.key_pem}), "x\n");
    server->wait_exit();
    INFO("sluice:\n" << tail(c.output) << "\nopenssl:\n" << tail(server->output()));
    CHECK(c.status == 0);
    CHECK(has(server->output(), "CN = sluice interop client"));
  }
  SUBCASE("post-handshake: command c on s_server, openssl s_client -enable_pha") {
    uint16_t port = 0;
    auto server = sluice_server(serve, port);
    REQUIRE(server.has_value());
    std::string err;
    auto client = PeerProcess::start(
        openssl_client(port, {"-enable_pha", "-cert", client_leaf.cert_pem, "-key", client_leaf.key_pem}), err);
    REQUIRE(client.has_value());
    REQUIRE(server->wait_for_output("Client certificate: none sent"));
    server->write_stdin("c\n");
    REQUIRE(server->wait_for_output("CERTIFICATE REQUEST sent"));
    // A line through the echo after the request: openssl has answered it.
    client->write_stdin("after-pha\n");
    REQUIRE(client->wait_for_output("after-pha"));
    client->close_stdin();
    client->wait_exit();
    const auto status = server->wait_exit();
    INFO("sluice:\n" << tail(server->output()));
    CHECK(status == 0);
    CHECK(has(server->output(), "after the handshake:"));
    CHECK(has(server->output(), "Client certificate: verified (CN=sluice interop client"));
  }
}

TEST_CASE("s_server -verify names the -CAfile CAs in its request, as openssl's does; -no_ca_names leaves them out") {
  require_peers();
  const LeafFiles& leaf = leaf_for(crypto::KeyType::kEcdsaP256);
  for (const std::string version : {"-tls1_3", "-tls1_2"}) {
    for (const bool names : {true, false}) {
      CAPTURE(version);
      CAPTURE(names);
      uint16_t port = 0;
      std::vector<std::string> v = {"-naccept", "1", "-cert", leaf.cert_pem, "-key", leaf.key_pem,
                                    "-CAfile", leaf.ca_pem, "-verify", "1"};
      if (!names) v.push_back("-no_ca_names");
      auto server = sluice_server(v, port);
      REQUIRE(server.has_value());
      const Ran c = run_to_end({"openssl", "s_client", "-connect", "127.0.0.1:" + port_of(port), "-CAfile", leaf.ca_pem,
                                version},
                               "hi\n");
      CHECK(server->wait_exit() == 0);
      INFO("openssl:\n" << tail(c.output));
      if (names) {
        CHECK(has(c.output, "Acceptable client certificate CA names\nCN = sluice interop CA\n"));
      } else {
        CHECK(has(c.output, "No client certificate CA names sent"));
      }
    }
  }
}

TEST_CASE("-Verify N / -verify N: N bounds the client chain's intermediates, as openssl's depth does") {
  require_peers();
  const LeafFiles& leaf = leaf_for(crypto::KeyType::kEcdsaP256);
  const LeafFiles& deep = client_leaf_behind(2);
  struct Case {
    std::string option, depth;
    bool accepted;
  };
  for (const Case& c : {Case{"-Verify", "1", false}, Case{"-verify", "1", false}, Case{"-Verify", "2", true},
                        Case{"-verify", "5", true}}) {
    CAPTURE(c.option);
    CAPTURE(c.depth);
    uint16_t port = 0;
    auto server = sluice_server({"-naccept", "1", "-cert", leaf.cert_pem, "-key", leaf.key_pem, "-CAfile", leaf.ca_pem,
                                 c.option, c.depth},
                                port);
    REQUIRE(server.has_value());
    std::vector<std::string> argv = {"openssl", "s_client", "-connect", "127.0.0.1:" + port_of(port), "-CAfile",
                                     leaf.ca_pem, "-cert", deep.cert_pem, "-key", deep.key_pem, "-cert_chain",
                                     deep.intermediates_pem};
    // TLS 1.3: the alert follows openssl's Finished; -ign_eof has it read
    // on instead of leaving at its stdin's end.
    if (!c.accepted) argv.push_back("-ign_eof");
    const Ran client = run_to_end(argv, "hi\n");
    const auto status = server->wait_exit();
    INFO("sluice:\n" << tail(server->output()) << "\nopenssl:\n" << tail(client.output));
    if (c.accepted) {
      CHECK(status == 0);
      CHECK(has(server->output(), "Client certificate: verified (CN=sluice interop deep client"));
    } else {
      // Two intermediates under a depth of 1: no path, as openssl's
      // "certificate chain too long", which it too sends as unknown_ca.
      CHECK(status == 1);
      CHECK(has(server->output(), "unknown_ca"));
      CHECK(has(client.output, "alert unknown ca"));
    }
  }
}

TEST_CASE("KeyUpdate from each side: K on sluice s_client and on sluice s_server, against openssl") {
  require_peers();
  SUBCASE("sluice s_client sends K") {
    uint16_t port = 0;
    auto server = openssl_server({"-naccept", "1", "-msg"}, port);
    REQUIRE(server.has_value());
    std::string err;
    auto client = PeerProcess::start(sluice_client(port, {"-msg"}), err);
    REQUIRE(client.has_value());
    REQUIRE(client->wait_for_output("HANDSHAKE done"));
    client->write_stdin("K\n");
    REQUIRE(client->wait_for_output("KEYUPDATE sent (update_requested)"));
    // openssl answers the request with its own KeyUpdate when it next
    // writes: only once it has read the request, or the line goes first.
    REQUIRE(server->wait_for_output("<<< TLS 1.3, Handshake [length 0005], KeyUpdate"));
    server->write_stdin("from-openssl\n");
    CHECK(client->wait_for_output("from-openssl"));
    CHECK(client->wait_for_output("<<< Handshake KeyUpdate"));
    client->write_stdin("from-sluice\n");
    CHECK(server->wait_for_output("from-sluice"));
    client->close_stdin();
    const auto status = client->wait_exit();
    server->wait_exit();
    INFO("sluice:\n" << tail(client->output()) << "\nopenssl:\n" << tail(server->output()));
    CHECK(status == 0);
    CHECK(has(client->output(), ">>> Handshake KeyUpdate"));
    CHECK(has(server->output(), "<<< TLS 1.3, Handshake [length 0005], KeyUpdate"));
  }
  SUBCASE("sluice s_server sends K") {
    const LeafFiles& leaf = leaf_for(crypto::KeyType::kEcdsaP256);
    uint16_t port = 0;
    auto server = sluice_server({"-naccept", "1", "-msg", "-cert", leaf.cert_pem, "-key", leaf.key_pem}, port);
    REQUIRE(server.has_value());
    std::string err;
    auto client = PeerProcess::start({"openssl", "s_client", "-connect", "127.0.0.1:" + port_of(port), "-CAfile",
                                      leaf.ca_pem, "-msg"},
                                     err);
    REQUIRE(client.has_value());
    REQUIRE(server->wait_for_output("HANDSHAKE done"));
    server->write_stdin("K\n");
    REQUIRE(server->wait_for_output("KEYUPDATE sent (update_requested)"));
    REQUIRE(client->wait_for_output("<<< TLS 1.3, Handshake [length 0005], KeyUpdate"));  // read before it writes
    client->write_stdin("ping-after-update\n");
    CHECK(server->wait_for_output("<<< Handshake KeyUpdate"));
    // The echo comes back under the new keys.
    CHECK(client->wait_for_output("ping-after-update\n", kPeerTimeout));
    client->close_stdin();
    client->wait_exit();
    const auto status = server->wait_exit();
    INFO("sluice:\n" << tail(server->output()) << "\nopenssl:\n" << tail(client->output()));
    CHECK(status == 0);
    CHECK(has(client->output(), "KeyUpdate"));
    CHECK(has(server->output(), "CLOSE clean"));
  }
}

TEST_CASE("R on sluice s_client renegotiates TLS 1.2 with openssl s_server, or is declined; data flows after either") {
  require_peers();
  // OpenSSL 3.0 declines a client's renegotiation with a no_renegotiation
  // warning unless -client_renegotiation allows it.
  for (const bool allowed : {true, false}) {
    CAPTURE(allowed);
    uint16_t port = 0;
    std::vector<std::string> extra = {"-naccept", "1", "-tls1_2", "-msg"};
    if (allowed) extra.push_back("-client_renegotiation");
    auto server = openssl_server(extra, port);
    REQUIRE_MESSAGE(server.has_value(), "openssl s_server did not start");
    std::string err;
    auto client = PeerProcess::start(sluice_client(port, {}), err);
    REQUIRE_MESSAGE(client.has_value(), err);
    REQUIRE(client->wait_for_output("HANDSHAKE done"));
    client->write_stdin("R\n");
    REQUIRE(client->wait_for_output("RENEGOTIATING (ClientHello sent)"));
    REQUIRE(client->wait_for_output(allowed ? "RENEGOTIATION done (1 on this connection)"
                                            : "RENEGOTIATION declined by the server"));
    client->write_stdin("after-renegotiation\n");
    CHECK(server->wait_for_output("after-renegotiation"));
    server->write_stdin("from-openssl\n");
    CHECK(client->wait_for_output("from-openssl"));
    client->close_stdin();
    const auto status = client->wait_exit();
    server->wait_exit();
    INFO("sluice:\n" << tail(client->output()) << "\nopenssl:\n" << tail(server->output()));
    CHECK(status == 0);
    CHECK(has(client->output(), "CLOSE clean"));
    // openssl saw both hellos, and answered the second with its Finished
    // or its warning.
    CHECK(count_of(server->output(), "], ClientHello") == 2);
    CHECK(count_of(server->output(), ">>> TLS 1.2, Handshake [length 0010], Finished") == (allowed ? 2u : 1u));
    CHECK(has(server->output(), "warning no_renegotiation") == !allowed);
  }
}

TEST_CASE("-www -alpn h2,http/1.1 never negotiates h2; -WWW DIR serves files and refuses traversal") {
  require_peers();
  const LeafFiles& leaf = leaf_for(crypto::KeyType::kEcdsaP256);
  {
    uint16_t port = 0;
    auto server = sluice_server({"-naccept", "1", "-www", "-alpn", "h2,http/1.1", "-cert", leaf.cert_pem, "-key",
                                 leaf.key_pem},
                                port);
    REQUIRE(server.has_value());
    const Ran curl = run_to_end({"curl", "-sS", "--max-time", "20", "--http2", "--cacert", leaf.ca_pem,
                                 "https://127.0.0.1:" + port_of(port) + "/"},
                                "");
    server->wait_exit();
    INFO("curl:\n" << tail(curl.output) << "\nsluice:\n" << tail(server->output()));
    CHECK(curl.status == 0);
    CHECK(has(curl.output, "ALPN: http/1.1"));
    CHECK(has(server->output(), "not offering 'h2'"));
  }
  const std::string root = tmp_path("www-root"), outside = tmp_path("www-secret.txt");
  REQUIRE(run_command({"mkdir", "-p", root}).status == 0);
  write_all(root + "/hello.txt", "hello from -WWW\n");
  write_all(outside, "must not be served\n");
  run_command({"ln", "-sf", outside, root + "/link.txt"});
  uint16_t port = 0;
  auto server = sluice_server({"-naccept", "3", "-WWW", root, "-cert", leaf.cert_pem, "-key", leaf.key_pem}, port);
  REQUIRE(server.has_value());
  auto fetch = [&](const std::string& path) {
    return run_to_end({"curl", "-sS", "--max-time", "20", "--path-as-is", "-w", "\nstatus=%{http_code}", "--cacert",
                       leaf.ca_pem, "https://127.0.0.1:" + port_of(port) + path},
                      "");
  };
  const Ran ok = fetch("/hello.txt");
  const Ran traversal = fetch("/../www-secret.txt");
  const Ran link = fetch("/link.txt");
  server->wait_exit();
  INFO("sluice:\n" << tail(server->output()));
  CHECK(has(ok.output, "hello from -WWW"));
  CHECK(has(ok.output, "status=200"));
  CHECK(has(traversal.output, "status=403"));
  CHECK_FALSE(has(traversal.output, "must not be served"));
  CHECK(has(link.output, "status=403"));
  CHECK_FALSE(has(link.output, "must not be served"));
}

TEST_CASE("-loop epoll and -loop uring serve several openssl clients at once") {
  require_peers();
  const LeafFiles& leaf = leaf_for(crypto::KeyType::kEcdsaP256);
  for (const char* kind : {"epoll", "uring"}) {
    CAPTURE(kind);
    uint16_t port = 0;
    auto server = sluice_server({"-loop", kind, "-naccept", "3", "-cert", leaf.cert_pem, "-key", leaf.key_pem}, port);
    REQUIRE(server.has_value());
    std::vector<PeerProcess> clients;
    for (int i = 0; i < 3; ++i) {
      std::string err;
      auto c = PeerProcess::start({"openssl", "s_client", "-connect", "127.0.0.1:" + port_of(port), "-CAfile",
                                   leaf.ca_pem},
                                  err);
      REQUIRE(c.has_value());
      clients.push_back(std::move(*c));
    }
    // Every client is answered while all three are connected: a server
    // taking one connection at a time would leave two without an echo.
    for (int i = 0; i < 3; ++i) {
      clients[i].write_stdin("line-" + std::to_string(i) + "\n");
      CHECK(clients[i].wait_for_output("line-" + std::to_string(i) + "\n"));
    }
    for (auto& c : clients) c.close_stdin();
    for (auto& c : clients) c.wait_exit();
    const auto status = server->wait_exit();
    INFO("sluice:\n" << tail(server->output()));
    CHECK(status == 0);
    CHECK(has(server->output(), "HANDSHAKE done (connection"));
  }
}

TEST_CASE("-loop epoll and -loop uring report the client certificate: verified with -Verify, none sent with -verify") {
  require_peers();
  const LeafFiles& leaf = leaf_for(crypto::KeyType::kEcdsaP256);
  const LeafFiles& client_leaf = client_leaf_for(crypto::KeyType::kEcdsaP256);
  struct Case {
    const char* option;
    bool send_certificate;
    const char* report;
  };
  for (const char* kind : {"epoll", "uring"}) {
    for (const Case& c : {Case{"-Verify", true, "Client certificate: verified (CN=sluice interop client"},
                          Case{"-verify", false, "Client certificate: none sent"}}) {
      CAPTURE(kind);
      CAPTURE(c.option);
      uint16_t port = 0;
      auto server = sluice_server({"-loop", kind, "-naccept", "1", "-cert", leaf.cert_pem, "-key", leaf.key_pem,
                                   "-CAfile", leaf.ca_pem, c.option, "1"},
                                  port);
      REQUIRE(server.has_value());
      std::vector<std::string> client = {"openssl", "s_client", "-connect", "127.0.0.1:" + port_of(port), "-CAfile",
                                         leaf.ca_pem};
      if (c.send_certificate) client.insert(client.end(), {"-cert", client_leaf.cert_pem, "-key", client_leaf.key_pem});
      const Ran r = run_to_end(client, "hi\n");
      const auto status = server->wait_exit();
      INFO("sluice:\n" << tail(server->output()) << "\nopenssl:\n" << tail(r.output));
      CHECK(status == 0);
      CHECK(has(server->output(), c.report));
      CHECK_FALSE(has(server->output(), "Client certificate: not requested"));
    }
  }
}

TEST_CASE("s_client options against openssl s_server -www: versions, suites, groups, sigalgs, ALPN, modes, trace") {
  require_peers();
  const LeafFiles& rsa = leaf_for(crypto::KeyType::kRsa);
  struct Case {
    std::vector<std::string> server, client;
    std::vector<std::string> expect;  // in sluice's output
  };
  const std::string keylog = tmp_path("keys.log");
  const std::vector<Case> cases = {
      {{"-groups", "secp384r1"}, {"-groups", "x25519,secp384r1"}, {"Group: secp384r1", "HelloRetryRequest: yes"}},
      {{}, {"-groups", "secp384r1"}, {"Group: secp384r1", "HelloRetryRequest: no"}},
      {{}, {"-tls1_2", "-cipher", "ECDHE-RSA-AES256-GCM-SHA384"},
       {"Protocol: TLSv1.2", "Cipher: TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "Cipher is ECDHE-RSA-AES256-GCM-SHA384"}},
      {{}, {"-ciphersuites", "TLS_CHACHA20_POLY1305_SHA256"}, {"Cipher: TLS_CHACHA20_POLY1305_SHA256"}},
      {{}, {"-sigalgs", "rsa_pss_rsae_sha384"}, {"Signature: rsa_pss_rsae_sha384"}},
      {{"-alpn", "http/1.1"}, {"-alpn", "h2,http/1.1"}, {"ALPN: http/1.1"}},
      {{}, {"-max_protocol", "TLSv1.2"}, {"Protocol: TLSv1.2"}},
      {{}, {"-mode", "partial_write,moving_buffer,auto_retry,release_buffers,async", "-padding", "256",
            "-record_size_limit", "1024"},
       {"Protocol: TLSv1.3", "CLOSE clean"}},
      {{}, {"-msg", "-keylogfile", keylog}, {">>> Handshake ClientHello", "<<< Handshake ServerHello",
                                             "<<< Handshake Finished", ">>> Alert close_notify"}},
      {{}, {"-noservername", "-verify_hostname", "localhost"}, {"Server name: (none)"}},
      {{}, {"-brief"}, {"Resumed: no"}},
  };
  for (const auto& c : cases) {
    std::string tag;
    for (const auto& a : c.client) tag += a + " ";
    CAPTURE(tag);
    uint16_t port = 0;
    std::vector<std::string> argv = {"openssl", "s_server", "-accept", "127.0.0.1:0", "-naccept", "1", "-www",
                                     "-cert", rsa.cert_pem, "-key", rsa.key_pem};
    argv.insert(argv.end(), c.server.begin(), c.server.end());
    auto server = start_listener(argv, port);
    REQUIRE_MESSAGE(server.has_value(), "openssl s_server did not start");
    std::vector<std::string> client = {sluice_binary(), "s_client", "-connect", "127.0.0.1:" + port_of(port),
                                       "-CAfile", rsa.ca_pem, "-ign_eof"};
    if (c.client.front() != "-noservername") client.insert(client.end(), {"-servername", "localhost"});
    client.insert(client.end(), c.client.begin(), c.client.end());
    const Ran r = run_to_end(client, "GET / HTTP/1.0\r\n\r\n");
    server->wait_exit();
    INFO("sluice:\n" << tail(r.output));
    CHECK(r.status == 0);
    CHECK(has(r.output, "HTTP/1.0 200 ok"));
    for (const auto& e : c.expect) CHECK_MESSAGE(has(r.output, e), e);
  }
  CHECK(has(read_all(keylog), "CLIENT_TRAFFIC_SECRET_0 "));
}

TEST_CASE("-trace decodes hellos, certificates and alerts, against openssl; -msg keeps to one line a message") {
  require_peers();
  const LeafFiles& leaf = leaf_for(crypto::KeyType::kEcdsaP256);
  const std::string kGet = "GET / HTTP/1.0\r\n\r\n";
  auto against_openssl = [&](const std::vector<std::string>& client) {
    uint16_t port = 0;
    auto server = openssl_server({"-naccept", "1", "-www", "-alpn", "http/1.1"}, port);
    REQUIRE_MESSAGE(server.has_value(), "openssl s_server did not start");
    const Ran r = run_to_end(sluice_client(port, client), kGet);
    server->wait_exit();
    return r;
  };
  const std::vector<std::string> options = {"-ign_eof", "-alpn", "h2,http/1.1", "-groups", "x25519,secp384r1",
                                            "-ciphersuites", "TLS_CHACHA20_POLY1305_SHA256"};
  SUBCASE("sluice s_client -trace") {
    auto argv = options;
    argv.push_back("-trace");
    const Ran r = against_openssl(argv);
    INFO("sluice:\n" << tail(r.output, 5000));
    CHECK(r.status == 0);
    for (const char* line : {">>> Handshake ClientHello [length ", "\n    versions: TLSv1.3, TLSv1.2\n",
                             "\n    groups: x25519, secp384r1\n", "\n    key share groups: x25519\n",
                             "\n    ALPN: h2, http/1.1\n", "\n    server name: localhost\n",
                             "]\n    version: TLSv1.3\n    cipher suite: TLS_CHACHA20_POLY1305_SHA256\n"
                             "    group: x25519\n",
                             "<<< Handshake Certificate [length ",
                             "\n    certificate 0: CN=localhost, ECDSA P-256 key",
                             ">>> Alert close_notify (0)\n    level: warning (1), description: close_notify (0)\n"})
      CHECK_MESSAGE(has(r.output, line), line);
    const size_t server_hello = r.output.find("<<< Handshake ServerHello [length ");
    REQUIRE(server_hello != std::string::npos);
    CHECK(r.output.find("\n    cipher suite: TLS_CHACHA20_POLY1305_SHA256\n") > server_hello);
    CHECK(has(r.output, "\n    cipher suites: TLS_CHACHA20_POLY1305_SHA256, TLS_ECDHE_"));
  }
  SUBCASE("sluice s_client -msg: the same lines without the fields") {
    auto argv = options;
    argv.push_back("-msg");
    const Ran r = against_openssl(argv);
    INFO("sluice:\n" << tail(r.output, 5000));
    CHECK(r.status == 0);
    CHECK(has(r.output, "<<< Handshake ServerHello [length "));
    CHECK(has(r.output, ">>> Alert close_notify (0)\n"));
    CHECK_FALSE(has(r.output, "    cipher suite: "));
    CHECK_FALSE(has(r.output, "    level: "));
  }
  SUBCASE("sluice s_server -trace: openssl's two hellos around a HelloRetryRequest") {
    uint16_t port = 0;
    auto server = sluice_server(
        {"-naccept", "1", "-www", "-trace", "-groups", "secp384r1", "-cert", leaf.cert_pem, "-key", leaf.key_pem}, port);
    REQUIRE(server.has_value());
    run_to_end({"openssl", "s_client", "-connect", "127.0.0.1:" + port_of(port), "-CAfile", leaf.ca_pem,
                "-servername", "localhost", "-groups", "x25519:secp384r1", "-ign_eof"},
               kGet);
    server->wait_exit();
    const std::string out = server->output();
    INFO("sluice:\n" << tail(out, 6000));
    const size_t first = out.find("<<< Handshake ClientHello");
    const size_t retry = out.find(">>> Handshake ServerHello", first);
    const size_t second = out.find("<<< Handshake ClientHello", retry);
    REQUIRE(second != std::string::npos);
    const std::string first_hello = out.substr(first, retry - first);
    const std::string second_hello = out.substr(second, out.find(">>> ", second) - second);
    CHECK(has(first_hello, "\n    key share groups: x25519\n"));
    CHECK(has(first_hello, "\n    server name: localhost\n"));
    CHECK(has(first_hello, "\n    versions: TLSv1.3, TLSv1.2"));
    CHECK(has(out.substr(retry, 200), "\n    HelloRetryRequest\n    version: TLSv1.3\n"));
    CHECK(has(out.substr(retry, 200), "\n    group: secp384r1\n"));
    CHECK(has(second_hello, "\n    key share groups: secp384r1\n"));
    CHECK(has(out, ">>> Handshake Certificate [length "));
  }
  SUBCASE("sluice s_client -trace -tls1_2 refusing openssl's certificate: the certificate, then the fatal alert") {
    auto argv = std::vector<std::string>{"-tls1_2", "-trace", "-CAfile", client_leaf_for(crypto::KeyType::kEd25519).cert_pem};
    const Ran r = against_openssl(argv);
    INFO("sluice:\n" << tail(r.output, 5000));
    CHECK(r.status == 1);
    CHECK(has(r.output, "\n    versions: TLSv1.2\n"));
    CHECK(has(r.output, "\n    certificate 0: CN=localhost, ECDSA P-256 key"));
    CHECK(has(r.output, "\n>>> Alert unknown_ca (48)\n    level: fatal (2), description: unknown_ca (48)\n"));
    CHECK(r.output.find("<<< Handshake Certificate") < r.output.find(">>> Alert unknown_ca"));
  }
}

TEST_CASE("-trace reads a Certificate in the negotiated version's form: a body both forms parse, read two ways") {
  // TLS 1.2's form (a chain) and TLS 1.3's (a request context, then
  // entries with extensions) overlap: this body is a valid TLS 1.2 chain of
  // one 327677-byte certificate and a valid TLS 1.3 Certificate with a
  // 5-byte request context and one 327669-byte certificate.
  constexpr size_t kLength = 327683;
  std::vector<uint8_t> body(kLength, 0x41);
  auto put24 = [&body](size_t at, size_t v) {
    body[at] = static_cast<uint8_t>(v >> 16);
    body[at + 1] = static_cast<uint8_t>(v >> 8);
    body[at + 2] = static_cast<uint8_t>(v);
  };
  put24(0, kLength - 3);   // TLS 1.2: the chain's length (0x050000); TLS 1.3: context length 5, then 2 bytes of it
  put24(3, kLength - 6);   // TLS 1.2: the certificate's length; TLS 1.3: the rest of the context
  put24(6, kLength - 9);   // TLS 1.3: the entries' length
  put24(9, kLength - 14);  // TLS 1.3: the certificate's length
  body[kLength - 2] = body[kLength - 1] = 0;  // TLS 1.3: no extensions
  MessageInfo m{false, wire::ContentType::kHandshake, static_cast<uint8_t>(wire::HandshakeType::kCertificate),
                body.size(), body};
  m.version = wire::kTls12;
  CHECK(tool::describe_fields(m) == std::vector<std::string>{"certificate 0: (327677 bytes, not decodable)"});
  m.version = wire::kTls13;
  CHECK(tool::describe_fields(m) ==
        std::vector<std::string>{"request context: 5 bytes", "certificate 0: (327669 bytes, not decodable)"});
  m.version = 0;
  CHECK(tool::describe_fields(m) == std::vector<std::string>{"(not decoded: no version negotiated yet)"});
}

TEST_CASE("OCSP stapling: s_client -status and s_server -status_file against openssl's, TLS 1.3 and 1.2") {
  require_peers();
  const LeafFiles& leaf = leaf_for(crypto::KeyType::kEcdsaP256);
  const std::string& response = ocsp_response_for(leaf);
  const std::string size = std::to_string(read_all(response).size());
  for (const std::string version : {"-tls1_3", "-tls1_2"}) {
    CAPTURE(version);
    {
      uint16_t port = 0;
      auto server = openssl_server({"-naccept", "2", "-status_file", response}, port);
      REQUIRE_MESSAGE(server.has_value(), "openssl s_server did not start");
      const Ran asked = run_to_end(sluice_client(port, {version, "-status", "-trace"}), "hi\n");
      const Ran not_asked = run_to_end(sluice_client(port, {version}), "hi\n");
      server->wait_exit();
      INFO("-status:\n" << tail(asked.output, 6000) << "\nwithout:\n" << tail(not_asked.output));
      CHECK(asked.status == 0);
      CHECK(has(asked.output, "\nOCSP response: " + size + " bytes\n"));
      // TLS 1.3 staples in the end entity's CertificateEntry, TLS 1.2 in a
      // CertificateStatus message of its own.
      if (version == "-tls1_3") {
        CHECK(has(asked.output, "\n    OCSP response stapled: " + size + " bytes\n"));
      } else {
        CHECK(has(asked.output, "<<< Handshake CertificateStatus [length "));
        CHECK(has(asked.output, "\n    OCSP response: " + size + " bytes\n"));
      }
      CHECK(not_asked.status == 0);
      CHECK(has(not_asked.output, "\nOCSP response: (none)\n"));
    }
    {
      uint16_t port = 0;
      auto server = sluice_server({"-naccept", "2", "-cert", leaf.cert_pem, "-key", leaf.key_pem, "-status_file", response},
                                  port);
      REQUIRE(server.has_value());
      const std::vector<std::string> client = {"openssl", "s_client", "-connect", "127.0.0.1:" + port_of(port),
                                               "-CAfile", leaf.ca_pem, version};
      auto with_status = client;
      with_status.push_back("-status");
      const Ran asked = run_to_end(with_status, "hi\n");
      const Ran not_asked = run_to_end(client, "hi\n");
      const auto status = server->wait_exit();
      INFO("sluice:\n" << tail(server->output()) << "\nopenssl -status:\n" << tail(asked.output));
      CHECK(status == 0);
      CHECK(has(asked.output, "OCSP Response Status: successful"));
      CHECK(has(asked.output, "Responder Id: CN = sluice interop CA"));
      CHECK_FALSE(has(not_asked.output, "OCSP Response Status"));
    }
  }
}

// sct_list is a SignedCertificateTimestampList (RFC 6962 §3.3) of one v1
// SCT from a log that does not exist (id 0x11...; openssl shows it as an
// unknown log), 55 bytes in all.
std::string sct_list() {
  std::string sct(1, '\0');                          // v1
  sct += std::string(32, '\x11');                    // log id
  sct += std::string("\x00\x00\x01\x8b\xd0\x3d\x28\x00", 8);  // timestamp (ms)
  sct += std::string("\x00\x00", 2);                 // no extensions
  sct += std::string("\x04\x03\x00\x04\x30\x02\x00\x00", 8);  // ecdsa_sha256, a 4-byte signature
  auto u16 = [](size_t n) { return std::string{static_cast<char>(n >> 8), static_cast<char>(n & 0xff)}; };
  return u16(sct.size() + 2) + u16(sct.size()) + sct;
}

TEST_CASE("SCTs: s_client -ct against openssl s_server -serverinfo, s_server -sct_file against openssl s_client -ct") {
  require_peers();
  const LeafFiles& leaf = leaf_for(crypto::KeyType::kEcdsaP256);
  const std::string list = sct_list();
  REQUIRE(list.size() == 55);
  const std::string sct_file = tmp_path("scts.bin");
  write_all(sct_file, list);
  // openssl's serverinfo: a PEM "SERVERINFOV2" block of a 4-byte context
  // (ClientHello, TLS 1.2 ServerHello, TLS 1.3 Certificate, not on
  // resumption) and the extension (signed_certificate_timestamp, 18).
  const std::string raw = tmp_path("serverinfo.bin"), serverinfo = tmp_path("serverinfo.pem");
  write_all(raw, std::string("\x00\x00\x11\xc0\x00\x12\x00", 7) + static_cast<char>(list.size()) + list);
  const auto b64 = run_command({"openssl", "base64", "-in", raw});
  REQUIRE(b64.status == 0);
  write_all(serverinfo, "-----BEGIN SERVERINFOV2 FOR sluice-----\n" + b64.output + "-----END SERVERINFOV2 FOR sluice-----\n");
  // openssl s_client -ct wants a log list; none is trusted.
  const std::string logs = tmp_path("ct_logs.cnf");
  write_all(logs, "enabled_logs =\n");
  for (const std::string version : {"-tls1_3", "-tls1_2"}) {
    CAPTURE(version);
    {
      uint16_t port = 0;
      auto server = openssl_server({"-naccept", "2", "-serverinfo", serverinfo}, port);
      REQUIRE_MESSAGE(server.has_value(), "openssl s_server did not start");
      const Ran asked = run_to_end(sluice_client(port, {version, "-ct", "-trace"}), "hi\n");
      const Ran not_asked = run_to_end(sluice_client(port, {version}), "hi\n");
      server->wait_exit();
      INFO("-ct:\n" << tail(asked.output, 5000) << "\nwithout:\n" << tail(not_asked.output));
      CHECK(asked.status == 0);
      CHECK(has(asked.output, "\nSCT list: 55 bytes\n"));
      if (version == "-tls1_3") CHECK(has(asked.output, "\n    SCT list stapled: 55 bytes\n"));
      CHECK(not_asked.status == 0);
      CHECK(has(not_asked.output, "\nSCT list: (none)\n"));
    }
    {
      uint16_t port = 0;
      auto server = sluice_server({"-naccept", "2", "-cert", leaf.cert_pem, "-key", leaf.key_pem, "-sct_file", sct_file},
                                  port);
      REQUIRE(server.has_value());
      const std::vector<std::string> client = {"openssl", "s_client", "-connect", "127.0.0.1:" + port_of(port),
                                               "-CAfile", leaf.ca_pem, version};
      auto with_ct = client;
      with_ct.insert(with_ct.end(), {"-ct", "-ctlogfile", logs});
      const Ran asked = run_to_end(with_ct, "hi\n");
      const Ran not_asked = run_to_end(client, "hi\n");
      const auto status = server->wait_exit();
      INFO("sluice:\n" << tail(server->output()) << "\nopenssl -ct:\n" << tail(asked.output));
      CHECK(status == 0);
      CHECK(has(asked.output, "SCTs present (1)"));
      CHECK(has(asked.output, "Log ID    : 11:11:11:11"));
      CHECK_FALSE(has(not_asked.output, "SCTs present"));
    }
  }
}

// keying_material is the hex after openssl's "Keying material: " (sluice
// prints the same block).
std::string keying_material(const std::string& output) {
  const size_t at = output.find("Keying material: ");
  if (at == std::string::npos) return "";
  const size_t from = at + std::string("Keying material: ").size();
  return output.substr(from, output.find('\n', from) - from);
}

TEST_CASE("-keymatexport LABEL -keymatexportlen N: what openssl exports at the other end, both roles, TLS 1.3 and 1.2") {
  require_peers();
  const LeafFiles& leaf = leaf_for(crypto::KeyType::kEcdsaP256);
  const std::vector<std::string> exporter = {"-keymatexport", "EXPERIMENTAL-sluice-cli", "-keymatexportlen", "48"};
  for (const std::string version : {"-tls1_3", "-tls1_2"}) {
    CAPTURE(version);
    {
      uint16_t port = 0;
      auto v = exporter;
      v.push_back("-naccept");
      v.push_back("1");
      auto server = openssl_server(v, port);
      REQUIRE_MESSAGE(server.has_value(), "openssl s_server did not start");
      auto client = exporter;
      client.push_back(version);
      const Ran r = run_to_end(sluice_client(port, client), "hi\n");
      server->wait_exit();
      INFO("sluice:\n" << tail(r.output) << "\nopenssl:\n" << tail(server->output()));
      CHECK(r.status == 0);
      CHECK(has(r.output, "Label: 'EXPERIMENTAL-sluice-cli'\n    Length: 48 bytes\n"));
      CHECK(keying_material(r.output).size() == 96);
      CHECK(keying_material(r.output) == keying_material(server->output()));
    }
    {
      uint16_t port = 0;
      auto v = exporter;
      v.insert(v.end(), {"-naccept", "1", "-cert", leaf.cert_pem, "-key", leaf.key_pem});
      auto server = sluice_server(v, port);
      REQUIRE(server.has_value());
      std::vector<std::string> client = {"openssl", "s_client", "-connect", "127.0.0.1:" + port_of(port), "-CAfile",
                                         leaf.ca_pem, version};
      client.insert(client.end(), exporter.begin(), exporter.end());
      const Ran r = run_to_end(client, "hi\n");
      const auto status = server->wait_exit();
      INFO("sluice:\n" << tail(server->output()) << "\nopenssl:\n" << tail(r.output));
      CHECK(status == 0);
      CHECK(keying_material(server->output()).size() == 96);
      CHECK(keying_material(server->output()) == keying_material(r.output));
    }
  }
}

// received_record_lengths reads openssl -msg's record headers of
// application data records it received ("<<< ... RecordHeader" followed
// by "17 03 03 HH LL").
std::vector<size_t> received_record_lengths(const std::string& output) {
  std::vector<size_t> lengths;
  const std::string header = "<<< TLS 1.2, RecordHeader [length 0005]\n    17 03 03 ";
  for (size_t at = output.find(header); at != std::string::npos; at = output.find(header, at + 1)) {
    const std::string hex = output.substr(at + header.size(), 5);  // "HH LL"
    lengths.push_back(std::stoul(hex.substr(0, 2), nullptr, 16) * 256 + std::stoul(hex.substr(3, 2), nullptr, 16));
  }
  return lengths;
}

TEST_CASE("-max_send_frag N: openssl receives the echo of 3000 bytes in records of at most N bytes of plaintext") {
  require_peers();
  const LeafFiles& leaf = leaf_for(crypto::KeyType::kEcdsaP256);
  for (const std::string version : {"-tls1_3", "-tls1_2"}) {
    CAPTURE(version);
    uint16_t port = 0;
    auto server = sluice_server({"-naccept", "1", "-max_send_frag", "512", "-cert", leaf.cert_pem, "-key", leaf.key_pem,
                                 "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256", "-ciphersuites", "TLS_AES_128_GCM_SHA256"},
                                port);
    REQUIRE(server.has_value());
    std::string err;
    auto client = PeerProcess::start({"openssl", "s_client", "-connect", "127.0.0.1:" + port_of(port), "-CAfile",
                                      leaf.ca_pem, version, "-msg", "-ign_eof"},
                                     err);
    REQUIRE_MESSAGE(client.has_value(), err);
    const std::string line = std::string(3000, 'f') + "\n";
    client->write_stdin(line);
    REQUIRE(client->wait_for_output("ffff\n"));
    client->close_stdin();
    client->wait_exit();
    server->wait_exit();
    // TLS 1.3 records hide their type: openssl's header says 1.2 either way.
    // AES-128-GCM adds 8 (TLS 1.2's explicit nonce) or 1 (TLS 1.3's inner
    // type) and a 16-byte tag to the plaintext.
    const size_t overhead = version == "-tls1_3" ? 17 : 24;
    const auto lengths = received_record_lengths(client->output());
    INFO("openssl:\n" << tail(client->output(), 3000));
    size_t plaintext = 0;
    for (size_t n : lengths) {
      CHECK(n <= 512 + overhead);
      plaintext += n - overhead;
    }
    // The echo (and, in TLS 1.3, the tickets) came in pieces of 512.
    CHECK(plaintext >= line.size());
    CHECK(lengths.size() >= 6);
  }
}

TEST_CASE("s_client -reverify_on_resume: a resumed session's chain is checked against today's -CAfile") {
  require_peers();
  const LeafFiles& leaf = leaf_for(crypto::KeyType::kEcdsaP256);
  uint16_t port = 0;
  auto server = sluice_server({"-naccept", "3", "-cert", leaf.cert_pem, "-key", leaf.key_pem}, port);
  REQUIRE(server.has_value());
  const std::string sess = tmp_path("reverify.sess");
  const Ran first = run_to_end(sluice_client(port, {"-sess_out", sess}), "one\n");
  REQUIRE_MESSAGE(first.status == 0, first.output);
  // Another anchor than the one the session's chain leads to.
  auto with_other_anchor = [&](std::vector<std::string> extra) {
    auto argv = sluice_client(port, {"-sess_in", sess, "-CAfile", client_leaf_for(crypto::KeyType::kEd25519).cert_pem});
    argv.insert(argv.end(), extra.begin(), extra.end());
    return run_to_end(argv, "two\n");
  };
  const Ran trusting = with_other_anchor({});
  const Ran rechecking = with_other_anchor({"-reverify_on_resume"});
  server->wait_exit();
  INFO("without:\n" << tail(trusting.output) << "\nwith -reverify_on_resume:\n" << tail(rechecking.output));
  CHECK(trusting.status == 0);
  CHECK(has(trusting.output, "Resumed: yes"));
  CHECK(rechecking.status == 1);
  CHECK_FALSE(has(rechecking.output, "Resumed: yes"));
  CHECK(has(rechecking.output, "unknown_ca"));
}

TEST_CASE("the report gives why 0-RTT was not used: a ticket that does not allow it, and no -early_data at all") {
  require_peers();
  const LeafFiles& leaf = leaf_for(crypto::KeyType::kEcdsaP256);
  uint16_t port = 0;
  auto server = sluice_server({"-naccept", "2", "-cert", leaf.cert_pem, "-key", leaf.key_pem}, port);  // no -early_data
  REQUIRE(server.has_value());
  const std::string sess = tmp_path("no-early.sess"), early = tmp_path("no-early.txt");
  write_all(early, "early-bytes\n");
  const Ran first = run_to_end(sluice_client(port, {"-sess_out", sess}), "one\n");
  const Ran second = run_to_end(sluice_client(port, {"-sess_in", sess, "-early_data", early}), "two\n");
  server->wait_exit();
  INFO("first:\n" << tail(first.output) << "\nsecond:\n" << tail(second.output));
  CHECK(has(first.output, "Early data: not accepted (disabled)"));
  CHECK(second.status == 0);
  CHECK(has(second.output, "Resumed: yes"));
  CHECK(has(second.output, "Early data: not accepted (unsupported_for_session)"));
  CHECK(has(second.output, "early-bytes"));  // sent after the handshake instead, and echoed
}

TEST_CASE("s_client -middlebox_compat: a 32-byte session id and a change_cipher_spec, seen by openssl s_server -trace") {
  require_peers();
  for (const bool compat : {true, false}) {
    CAPTURE(compat);
    uint16_t port = 0;
    auto server = openssl_server({"-naccept", "1", "-trace"}, port);
    REQUIRE_MESSAGE(server.has_value(), "openssl s_server did not start");
    std::vector<std::string> extra = {"-tls1_3", "-trace"};
    if (compat) extra.push_back("-middlebox_compat");
    const Ran r = run_to_end(sluice_client(port, extra), "hi\n");
    server->wait_exit();
    INFO("sluice:\n" << tail(r.output) << "\nopenssl:\n" << tail(server->output()));
    CHECK(r.status == 0);
    CHECK(has(r.output, compat ? "\n    session id: 32 bytes\n" : "\n    session id: 0 bytes\n"));
    CHECK(has(server->output(), compat ? "session_id (len=32)" : "session_id (len=0)"));
    // RFC 8446 §D.4: the client's dummy change_cipher_spec before its
    // second flight (openssl's server sends its own either way).
    CHECK(has(server->output(), "Received Record\nHeader:\n  Version = TLS 1.2 (0x303)\n"
                                "  Content Type = ChangeCipherSpec (20)") == compat);
  }
}

TEST_CASE("s_server -hrr_cookie: the HelloRetryRequest carries a cookie and openssl's second hello echoes it") {
  require_peers();
  const LeafFiles& leaf = leaf_for(crypto::KeyType::kEcdsaP256);
  for (const bool cookie : {true, false}) {
    CAPTURE(cookie);
    uint16_t port = 0;
    std::vector<std::string> v = {"-naccept", "1", "-trace", "-strict_groups", "-groups", "secp384r1,x25519",
                                  "-cert", leaf.cert_pem, "-key", leaf.key_pem};
    if (cookie) v.push_back("-hrr_cookie");
    auto server = sluice_server(v, port);
    REQUIRE(server.has_value());
    const Ran c = run_to_end({"openssl", "s_client", "-connect", "127.0.0.1:" + port_of(port), "-CAfile", leaf.ca_pem,
                              "-groups", "x25519:secp384r1"},
                             "hi\n");
    const auto status = server->wait_exit();
    const std::string out = server->output();
    INFO("sluice:\n" << tail(out, 5000));
    CHECK(status == 0);
    CHECK(has(out, "HelloRetryRequest: yes"));
    const size_t retry = out.find("\n    HelloRetryRequest\n");
    const size_t second_hello = out.find("<<< Handshake ClientHello", retry);
    REQUIRE(retry != std::string::npos);
    REQUIRE(second_hello != std::string::npos);
    CHECK(has(out.substr(retry, second_hello - retry), "\n    cookie: 32 bytes\n") == cookie);
    CHECK(has(out.substr(second_hello, 1000), "\n    cookie: 32 bytes\n") == cookie);
  }
}

TEST_CASE("-key_update_interval N: sluice s_server updates its key every N records, seen by openssl s_client -msg") {
  require_peers();
  const LeafFiles& leaf = leaf_for(crypto::KeyType::kEcdsaP256);
  for (const bool interval : {true, false}) {
    CAPTURE(interval);
    uint16_t port = 0;
    std::vector<std::string> v = {"-naccept", "1", "-cert", leaf.cert_pem, "-key", leaf.key_pem};
    if (interval) v.insert(v.end(), {"-key_update_interval", "3"});
    auto server = sluice_server(v, port);
    REQUIRE(server.has_value());
    std::string err;
    auto client = PeerProcess::start({"openssl", "s_client", "-connect", "127.0.0.1:" + port_of(port), "-CAfile",
                                      leaf.ca_pem, "-tls1_3", "-msg"},
                                     err);
    REQUIRE_MESSAGE(client.has_value(), err);
    // One line at a time, each echoed before the next: a record each.
    for (int i = 0; i < 8; ++i) {
      const std::string line = "line-" + std::to_string(i) + "\n";
      client->write_stdin(line);
      REQUIRE(client->wait_for_output(line));
    }
    client->close_stdin();
    client->wait_exit();
    CHECK(server->wait_exit() == 0);
    INFO("openssl:\n" << tail(client->output(), 3000));
    // The tickets and eight echoes under the first key: at least two updates.
    const size_t updates = count_of(client->output(), "<<< TLS 1.3, Handshake [length 0005], KeyUpdate");
    if (interval) {
      CHECK(updates >= 2);
    } else {
      CHECK(updates == 0);
    }
  }
}

TEST_CASE("s_client -renegotiation once answers openssl s_server's HelloRequest (command r); by default it is refused") {
  require_peers();
  for (const bool accept : {true, false}) {
    CAPTURE(accept);
    uint16_t port = 0;
    auto server = openssl_server({"-naccept", "1", "-tls1_2"}, port);
    REQUIRE_MESSAGE(server.has_value(), "openssl s_server did not start");
    std::vector<std::string> extra = {"-msg"};
    if (accept) extra.insert(extra.end(), {"-renegotiation", "once"});
    std::string err;
    auto client = PeerProcess::start(sluice_client(port, extra), err);
    REQUIRE_MESSAGE(client.has_value(), err);
    REQUIRE(client->wait_for_output("HANDSHAKE done"));
    server->write_stdin("r\n");
    REQUIRE(server->wait_for_output("SSL_do_handshake -> 1"));
    REQUIRE(client->wait_for_output("<<< Handshake HelloRequest"));
    if (accept) {
      // openssl reads it once the new handshake is over.
      client->write_stdin("after-renegotiation\n");
      CHECK(server->wait_for_output("after-renegotiation"));
    }
    client->close_stdin();
    const auto status = client->wait_exit();
    server->wait_exit();
    INFO("sluice:\n" << tail(client->output()) << "\nopenssl:\n" << tail(server->output()));
    if (accept) {
      CHECK(status == 0);
      CHECK(count_of(client->output(), ">>> Handshake ClientHello") == 2);
    } else {
      // openssl ends the connection when refused (handshake_failure).
      CHECK(status == 1);
      CHECK(has(client->output(), ">>> Alert no_renegotiation (100)"));
      CHECK(count_of(client->output(), ">>> Handshake ClientHello") == 1);
    }
  }
}

TEST_CASE("s_server -alpn_mismatch decline: a client offering none of -alpn gets no ALPN; refuse (the default) ends it") {
  require_peers();
  const LeafFiles& leaf = leaf_for(crypto::KeyType::kEcdsaP256);
  for (const std::string what : {"decline", "refuse"}) {
    CAPTURE(what);
    uint16_t port = 0;
    auto server = sluice_server({"-naccept", "1", "-alpn", "http/1.1", "-alpn_mismatch", what, "-cert", leaf.cert_pem,
                                 "-key", leaf.key_pem},
                                port);
    REQUIRE(server.has_value());
    const Ran c = run_to_end({"openssl", "s_client", "-connect", "127.0.0.1:" + port_of(port), "-CAfile", leaf.ca_pem,
                              "-alpn", "h2"},
                             "hi\n");
    const auto status = server->wait_exit();
    INFO("sluice:\n" << tail(server->output()) << "\nopenssl:\n" << tail(c.output));
    if (what == "decline") {
      CHECK(status == 0);
      CHECK(has(server->output(), "ALPN: (none)"));
      CHECK(has(c.output, "No ALPN negotiated"));
    } else {
      CHECK(status == 1);
      CHECK(has(server->output(), "no_application_protocol"));
      CHECK(has(c.output, "no application protocol"));
    }
  }
}

TEST_CASE("s_client -enable_pha without -cert: offered, and a post-handshake request (command c) is answered empty") {
  require_peers();
  const LeafFiles& leaf = leaf_for(crypto::KeyType::kEcdsaP256);
  for (const bool offer : {true, false}) {
    CAPTURE(offer);
    uint16_t port = 0;
    auto server = sluice_server({"-naccept", "1", "-cert", leaf.cert_pem, "-key", leaf.key_pem, "-CAfile", leaf.ca_pem},
                                port);
    REQUIRE(server.has_value());
    std::string err;
    auto client = PeerProcess::start(sluice_client(port, offer ? std::vector<std::string>{"-enable_pha"}
                                                                : std::vector<std::string>{}),
                                     err);
    REQUIRE_MESSAGE(client.has_value(), err);
    REQUIRE(server->wait_for_output("Client certificate: none sent"));
    server->write_stdin("c\n");
    REQUIRE(server->wait_for_output(offer ? "CERTIFICATE REQUEST sent" : "sluice: ERROR"));
    // The echo still works after the request: the empty answer was taken.
    client->write_stdin("after-request\n");
    CHECK(client->wait_for_output("after-request\n"));
    client->close_stdin();
    CHECK(client->wait_exit() == 0);
    CHECK(server->wait_exit() == 0);
    INFO("sluice s_server:\n" << tail(server->output()));
  }
}

TEST_CASE("failures exit non-zero: verification, a fallback SCSV refused, a name mismatch") {
  require_peers();
  const LeafFiles& leaf = leaf_for(crypto::KeyType::kEcdsaP256);
  const LeafFiles& other = client_leaf_for(crypto::KeyType::kEd25519);
  struct Case {
    std::vector<std::string> client;
    std::string expect;
  };
  const std::vector<Case> cases = {
      // A leaf is no trust anchor: the chain does not verify.
      {{"-CAfile", other.cert_pem}, "ERROR handshake"},
      {{"-CAfile", leaf.ca_pem, "-verify_hostname", "wrong.example"}, "ERROR handshake"},
      // RFC 7507: openssl speaks TLS 1.3, so a 1.2 hello with the SCSV is refused.
      {{"-CAfile", leaf.ca_pem, "-tls1_2", "-mode", "fallback_scsv"}, "inappropriate_fallback"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.expect);
    uint16_t port = 0;
    auto server = openssl_server({"-naccept", "1"}, port);
    REQUIRE(server.has_value());
    std::vector<std::string> argv = {sluice_binary(), "s_client", "-connect", "127.0.0.1:" + port_of(port),
                                     "-servername", "localhost"};
    argv.insert(argv.end(), c.client.begin(), c.client.end());
    const Ran r = run_to_end(argv, "");
    server->wait_exit();
    INFO("sluice:\n" << tail(r.output));
    CHECK(r.status == 1);
    CHECK(has(r.output, c.expect));
  }
}

TEST_CASE("loopback by name and IPv6: [::1] and localhost, openssl on ::1") {
  require_peers();
  const LeafFiles& leaf = leaf_for(crypto::KeyType::kEcdsaP256);
  uint16_t port = 0;
  auto server = start_listener({"openssl", "s_server", "-accept", "[::1]:0", "-naccept", "1", "-www", "-cert",
                                leaf.cert_pem, "-key", leaf.key_pem},
                               port);
  REQUIRE_MESSAGE(server.has_value(), "openssl s_server did not start on ::1");
  const Ran r = run_to_end({sluice_binary(), "s_client", "-connect", "[::1]:" + port_of(port), "-servername",
                            "localhost", "-CAfile", leaf.ca_pem, "-ign_eof"},
                           "GET / HTTP/1.0\r\n\r\n");
  server->wait_exit();
  INFO(tail(r.output));
  CHECK(r.status == 0);
  CHECK(has(r.output, "HTTP/1.0 200 ok"));
  CHECK(has(r.output, "Server name: localhost"));

  auto own = sluice_server({"-naccept", "1", "-cert", leaf.cert_pem, "-key", leaf.key_pem}, port);
  REQUIRE(own.has_value());
  const Ran by_name = run_to_end({sluice_binary(), "s_client", "-connect", "localhost:" + port_of(port), "-CAfile",
                                  leaf.ca_pem},
                                 "by-name\n");
  own->wait_exit();
  INFO(tail(by_name.output));
  CHECK(by_name.status == 0);
  CHECK(has(by_name.output, "by-name"));
  CHECK(has(by_name.output, "Server name: localhost"));
}

TEST_CASE("-help lists every option; a bad value is named with its option; no address but loopback") {
  const Ran client_help = run_to_end({sluice_binary(), "s_client", "-help"}, "");
  CHECK(client_help.status == 0);
  for (const char* o : {"-connect", "-servername", "-noservername", "-verify_hostname", "-CAfile", "-pin", "-cert",
                        "-key", "-sess_out", "-sess_in", "-reconnect", "-early_data", "-tls1_2", "-tls1_3",
                        "-min_protocol", "-max_protocol", "-ciphersuites", "-cipher", "-groups", "-sigalgs", "-alpn",
                        "-mode", "-record_size_limit", "-padding", "-keylogfile", "-msg", "-trace", "-quiet",
                        "-ign_eof", "-brief", "-status", "-ct", "-reverify_on_resume", "-max_send_frag",
                        "-keymatexport", "-keymatexportlen", "-enable_pha", "-middlebox_compat", "-renegotiation",
                        "-key_update_interval", "-ech_config_list", "-ech_retry_out", "-ech_grease", "-grease",
                        "-cert_comp", "-max_cert_decomp"})
    CHECK_MESSAGE(has(client_help.output, std::string(o) + " "), o);
  const Ran server_help = run_to_end({sluice_binary(), "s_server", "-help"}, "");
  CHECK(server_help.status == 0);
  for (const char* o : {"-accept", "-cert", "-key", "-cert_sni", "-verify", "-Verify", "-CAfile", "-num_tickets",
                        "-ticket_lifetime", "-no_ticket", "-psk_ke", "-early_data", "-loop", "-naccept", "-www",
                        "-WWW", "-groups", "-sigalgs", "-mode", "-status_file", "-sct_file", "-max_send_frag", "-keymatexport",
                        "-hrr_cookie", "-alpn_mismatch", "-key_update_interval", "-no_ca_names", "-ech_key",
                        "-ech_config", "-ech_retry", "-cert_comp", "-max_cert_decomp"})
    CHECK_MESSAGE(has(server_help.output, std::string(o) + " "), o);
  const Ran keygen_help = run_to_end({sluice_binary(), "ech_keygen", "-help"}, "");
  CHECK(keygen_help.status == 0);
  for (const char* o : {"-public_name", "-config_id", "-max_name_length", "-out_key", "-out_config", "-out_list"})
    CHECK_MESSAGE(has(keygen_help.output, std::string(o) + " "), o);

  struct Bad {
    std::vector<std::string> args;
    std::string expect;
  };
  for (const Bad& b : {Bad{{"s_client", "-connect", "127.0.0.1:1", "-groups", "x25519,ffdhe9"}, "-groups: unknown group 'ffdhe9'"},
                       Bad{{"s_client", "-connect", "127.0.0.1:1", "-mode", "turbo"}, "-mode: unknown mode 'turbo'"},
                       Bad{{"s_client", "-connect", "127.0.0.1:1", "-min_protocol", "TLSv9"}, "-min_protocol: unknown version 'TLSv9'"},
                       Bad{{"s_client", "-connect", "127.0.0.1:1", "-ciphersuites", "RC4"}, "-ciphersuites: unknown TLS 1.3 suite 'RC4'"},
                       Bad{{"s_client", "-connect", "192.0.2.1:443"}, "'192.0.2.1' is not a loopback address"},
                       Bad{{"s_server", "-accept", "0", "-naccept", "many"}, "-naccept: 'many'"},
                       Bad{{"s_server", "-accept", "0", "-sigalgs", "md5"}, "-sigalgs: unknown signature scheme 'md5'"},
                       Bad{{"s_server", "-key", "k.pem"}, "-key 'k.pem' has no -cert before it"},
                       Bad{{"s_server", "-accept", "0", "-Verify", "deep"}, "-Verify: 'deep' is not a depth"},
                       Bad{{"s_client", "-connect", "127.0.0.1:1", "-max_send_frag", "100"}, "-max_send_frag: '100' is not in 512..16384"},
                       Bad{{"s_client", "-connect", "127.0.0.1:1", "-keymatexportlen", "8"}, "-keymatexportlen without -keymatexport"},
                       Bad{{"s_server", "-accept", "0", "-keymatexport", "L", "-keymatexportlen", "0"}, "-keymatexportlen: '0' is not in 1..8160"},
                       Bad{{"s_client", "-connect", "127.0.0.1:1", "-renegotiation", "always"}, "-renegotiation: 'always' is not never, once or freely"},
                       Bad{{"s_server", "-accept", "0", "-alpn_mismatch", "ignore"}, "-alpn_mismatch: 'ignore' is not refuse or decline"},
                       Bad{{"s_client", "-connect", "127.0.0.1:1", "-cert_comp", "brotli"}, "-cert_comp: unknown algorithm 'brotli'"},
                       Bad{{"s_server", "-accept", "0", "-max_cert_decomp", "0"}, "-max_cert_decomp: '0' is not in 1..262144"},
                       Bad{{"s_client", "-connect", "127.0.0.1:1", "-ech_config_list", "not base64!"}, "-ech_config_list: cannot read not base64!"},
                       Bad{{"s_client", "-connect", "127.0.0.1:1", "-ech_config_list", "AAAA"}, "-ech_config_list: AAAA is not an ECHConfigList"},
                       Bad{{"s_server", "-accept", "0", "-ech_config", "c.bin"}, "-ech_config has no -ech_key before it"},
                       Bad{{"s_server", "-accept", "0", "-ech_key", "k.bin"}, "-ech_key 'k.bin' has no -ech_config after it"},
                       Bad{{"ech_keygen", "-public_name", "p.example", "-out_key", "k", "-out_list", "l", "-config_id", "256"}, "-config_id: '256' is not in 0..255"},
                       Bad{{"s_client", "-frobnicate"}, "unknown option '-frobnicate'"}}) {
    std::vector<std::string> argv = {sluice_binary()};
    argv.insert(argv.end(), b.args.begin(), b.args.end());
    const Ran r = run_to_end(argv, "");
    CAPTURE(b.expect);
    INFO(r.output);
    CHECK(r.status == 2);
    CHECK(has(r.output, b.expect));
  }
}

TEST_CASE("s_server with RSA, ECDSA and Ed25519 keys at once: each client gets the key its signature list allows") {
  require_peers();
  const LeafFiles& rsa = leaf_for(crypto::KeyType::kRsa);
  const LeafFiles& ec = leaf_for(crypto::KeyType::kEcdsaP256);
  const LeafFiles& ed = leaf_for(crypto::KeyType::kEd25519);
  uint16_t port = 0;
  auto server = sluice_server({"-naccept", "3", "-cert", rsa.cert_pem, "-key", rsa.key_pem, "-cert", ec.cert_pem,
                               "-key", ec.key_pem, "-cert", ed.cert_pem, "-key", ed.key_pem},
                              port);
  REQUIRE(server.has_value());
  struct Case {
    std::string sigalgs;
    std::string openssl_says;
  };
  for (const Case& c : {Case{"rsa_pss_rsae_sha256", "Peer signature type: RSA-PSS"},
                        Case{"ecdsa_secp256r1_sha256", "Peer signature type: ECDSA"},
                        Case{"ed25519", "Peer signature type: ed25519"}}) {
    CAPTURE(c.sigalgs);
    const Ran r = run_to_end({"openssl", "s_client", "-connect", "127.0.0.1:" + port_of(port), "-CAfile", rsa.ca_pem,
                              "-sigalgs", c.sigalgs},
                             "");
    INFO(r.output.substr(0, 3000));
    CHECK(has(r.output, c.openssl_says));
    CHECK(has(r.output, "Verify return code: 0 (ok)"));
  }
  server->wait_exit();
}

TEST_CASE("s_server ticket, 0-RTT, HRR and per-SNI certificate options, seen by openssl s_client") {
  require_peers();
  const LeafFiles& rsa = leaf_for(crypto::KeyType::kRsa);
  const LeafFiles& ec = leaf_for(crypto::KeyType::kEcdsaP256);
  auto openssl_client = [&](uint16_t port, std::vector<std::string> extra) {
    std::vector<std::string> v = {"openssl", "s_client", "-connect", "127.0.0.1:" + port_of(port), "-CAfile",
                                  ec.ca_pem, "-ign_eof"};
    v.insert(v.end(), extra.begin(), extra.end());
    return v;
  };
  const std::string kGet = "GET / HTTP/1.0\r\n\r\n";
  SUBCASE("-num_tickets 3, then -no_ticket") {
    for (const auto& [option, tickets] : {std::pair<std::vector<std::string>, size_t>{{"-num_tickets", "3"}, 3},
                                          std::pair<std::vector<std::string>, size_t>{{"-no_ticket"}, 0}}) {
      CAPTURE(option.front());
      uint16_t port = 0;
      std::vector<std::string> v = {"-naccept", "1", "-www", "-cert", ec.cert_pem, "-key", ec.key_pem};
      v.insert(v.end(), option.begin(), option.end());
      auto server = sluice_server(v, port);
      REQUIRE(server.has_value());
      const Ran c = run_to_end(openssl_client(port, {}), kGet);
      server->wait_exit();
      INFO(tail(c.output));
      CHECK(has(c.output, "HTTP/1.0 200 ok"));
      CHECK(count_of(c.output, "Post-Handshake New Session Ticket arrived") == tickets);
    }
  }
  SUBCASE("-early_data: openssl resumes with 0-RTT and sluice reports it accepted") {
    uint16_t port = 0;
    auto server =
        sluice_server({"-naccept", "2", "-www", "-early_data", "-cert", ec.cert_pem, "-key", ec.key_pem}, port);
    REQUIRE(server.has_value());
    const std::string sess = tmp_path("openssl-early.sess"), early = tmp_path("openssl-early.txt");
    write_all(early, "GET /early-from-openssl HTTP/1.0\r\n\r\n");
    run_to_end(openssl_client(port, {"-sess_out", sess}), kGet);
    const Ran second = run_to_end(openssl_client(port, {"-sess_in", sess, "-early_data", early}), "");
    server->wait_exit();
    INFO("openssl:\n" << tail(second.output) << "\nsluice:\n" << tail(server->output(), 5000));
    CHECK(has(second.output, "Early data was accepted"));
    CHECK(has(server->output(), "Early data: accepted"));
    CHECK(has(server->output(), "REQUEST GET /early-from-openssl HTTP/1.0"));
    CHECK(has(second.output, "Early data: accepted"));  // the page, answering the 0-RTT request
  }
  SUBCASE("-groups secp384r1: openssl's x25519 share is retried, and the report says so on every loop") {
    // The event loops serve connections at once; the report reads the
    // retry from the connection, so they know it too.
    for (const char* loop : {"blocking", "epoll", "uring"}) {
      CAPTURE(loop);
      uint16_t port = 0;
      auto server = sluice_server({"-naccept", "1", "-loop", loop, "-www", "-groups", "secp384r1", "-cert",
                                   ec.cert_pem, "-key", ec.key_pem},
                                  port);
      REQUIRE(server.has_value());
      const Ran c = run_to_end(openssl_client(port, {}), kGet);
      server->wait_exit();
      INFO(tail(server->output()));
      CHECK(has(c.output, "HelloRetryRequest: yes"));  // the -www page
      CHECK(has(server->output(), "Group: secp384r1"));
      CHECK(has(server->output(), "HelloRetryRequest: yes"));
    }
    // Without a retry the same report says no.
    uint16_t port = 0;
    auto server = sluice_server({"-naccept", "1", "-loop", "epoll", "-www", "-cert", ec.cert_pem, "-key", ec.key_pem},
                                port);
    REQUIRE(server.has_value());
    run_to_end(openssl_client(port, {}), kGet);
    server->wait_exit();
    INFO(tail(server->output()));
    CHECK(has(server->output(), "HelloRetryRequest: no"));
  }
  SUBCASE("-cert_sni: the ECDSA chain serves other.test, the RSA one every other name") {
    uint16_t port = 0;
    auto server = sluice_server({"-naccept", "2", "-www", "-cert", rsa.cert_pem, "-key", rsa.key_pem, "-cert", ec.cert_pem,
                                 "-key", ec.key_pem, "-cert_sni", "other.test"},
                                port);
    REQUIRE(server.has_value());
    const Ran plain = run_to_end(openssl_client(port, {"-servername", "localhost"}), kGet);
    const Ran other = run_to_end(openssl_client(port, {"-servername", "other.test"}), kGet);
    server->wait_exit();
    INFO(tail(server->output(), 5000));
    CHECK(has(plain.output, "Peer signature type: RSA-PSS"));
    CHECK(has(other.output, "Peer signature type: ECDSA"));
    CHECK(has(server->output(), "Server name: other.test"));
  }
}


TEST_CASE("s_server -ticket_lifetime: the lifetime openssl s_client and a sluice client's saved session see") {
  require_peers();
  const LeafFiles& leaf = leaf_for(crypto::KeyType::kEcdsaP256);
  uint16_t port = 0;
  auto server = sluice_server(
      {"-naccept", "2", "-www", "-ticket_lifetime", "300", "-cert", leaf.cert_pem, "-key", leaf.key_pem}, port);
  REQUIRE(server.has_value());
  const Ran openssl = run_to_end({"openssl", "s_client", "-connect", "127.0.0.1:" + port_of(port), "-CAfile",
                                  leaf.ca_pem, "-ign_eof"},
                                 "GET / HTTP/1.0\r\n\r\n");
  const std::string sess = tmp_path("lifetime.sess");
  const Ran sluice = run_to_end(sluice_client(port, {"-ign_eof", "-sess_out", sess}), "GET / HTTP/1.0\r\n\r\n");
  server->wait_exit();
  INFO("openssl:\n" << tail(openssl.output) << "\nsluice:\n" << tail(sluice.output));
  // Two tickets (the default count), each with the lifetime asked for
  // rather than the default 7200.
  CHECK(count_of(openssl.output, "TLS session ticket lifetime hint: 300 (seconds)") == 2);
  CHECK(sluice.status == 0);
  CHECK(has(read_all(sess), "\nlifetime: 300\n"));
}

TEST_CASE("s_server -psk_ke: gnutls-cli offering psk_ke only resumes without a key exchange, and only with it") {
  require_peers();
  const LeafFiles& leaf = leaf_for(crypto::KeyType::kEcdsaP256);
  // A priority with plain PSK and no (EC)DHE-PSK makes gnutls offer only
  // psk_ke; it then wants PSK credentials of its own, which sluice does
  // not know (its ticket is what resumes).
  const auto gnutls = [&](uint16_t port) {
    return run_to_end({"gnutls-cli", "--resume", "-p", port_of(port), "--x509cafile", leaf.ca_pem, "--priority",
                       "NORMAL:+PSK:-ECDHE-PSK:-DHE-PSK", "--pskusername", "nobody", "--pskkey",
                       "00112233445566778899aabbccddeeff", "127.0.0.1"},
                      "");
  };
  SUBCASE("with -psk_ke") {
    uint16_t port = 0;
    auto server = sluice_server({"-naccept", "2", "-psk_ke", "-cert", leaf.cert_pem, "-key", leaf.key_pem}, port);
    REQUIRE(server.has_value());
    const Ran client = gnutls(port);
    server->wait_exit();
    INFO("gnutls-cli:\n" << tail(client.output) << "\nsluice:\n" << tail(server->output(), 5000));
    CHECK(client.status == 0);
    CHECK(has(client.output, "This is a resumed session"));
    // gnutls names the key exchange between the dashes; psk_ke has none.
    CHECK(has(client.output, "(TLS1.3-X.509)--("));
    // The first handshake had a group, the resumed one none.
    CHECK(count_of(server->output(), "Group: x25519") == 1);
    CHECK(count_of(server->output(), "Group: (none)\nResumed: yes") == 1);
  }
  SUBCASE("without it, the same client gets a full handshake") {
    uint16_t port = 0;
    auto server = sluice_server({"-naccept", "2", "-cert", leaf.cert_pem, "-key", leaf.key_pem}, port);
    REQUIRE(server.has_value());
    const Ran client = gnutls(port);
    server->wait_exit();
    INFO("gnutls-cli:\n" << tail(client.output) << "\nsluice:\n" << tail(server->output(), 5000));
    CHECK_FALSE(has(client.output, "This is a resumed session"));
    CHECK(count_of(server->output(), "Resumed: no") == 2);
    CHECK_FALSE(has(server->output(), "Group: (none)"));
  }
}

// An ECH key made by `sluice ech_keygen`, with its files.
struct EchFiles {
  std::string key, config, list;
  std::string list_base64;  // what ech_keygen printed
};

EchFiles ech_keygen(const std::string& name, const std::string& public_name, const std::string& config_id) {
  EchFiles f{tmp_path(name + ".key"), tmp_path(name + ".config"), tmp_path(name + ".list"), ""};
  const Ran r = run_to_end({sluice_binary(), "ech_keygen", "-public_name", public_name, "-config_id", config_id,
                            "-out_key", f.key, "-out_config", f.config, "-out_list", f.list},
                           "");
  REQUIRE_MESSAGE(r.status == 0, r.output);
  f.list_base64 = r.output.substr(0, r.output.find('\n'));
  return f;
}

uint16_t u16_at(const std::string& s, size_t at) {
  return static_cast<uint16_t>(static_cast<uint8_t>(s[at]) << 8 | static_cast<uint8_t>(s[at + 1]));
}

// The server's certificate is for localhost: the public name is the name a
// declining server authenticates as, so the tests make it localhost, and
// the hidden name (secret.example) is checked as localhost too
// (-verify_hostname).
std::vector<std::string> ech_client(uint16_t port, const std::vector<std::string>& extra) {
  std::vector<std::string> options = {"-servername", "secret.example", "-verify_hostname", "localhost"};
  options.insert(options.end(), extra.begin(), extra.end());
  return sluice_client(port, options);
}

TEST_CASE("ECH: sluice ech_keygen's files; s_client -ech_config_list to s_server -ech_key is accepted, the real name only inside") {
  const EchFiles ech = ech_keygen("ech-accept", "localhost", "7");
  // draft-ietf-tls-esni-18 §4: version 0xfe0d, length, config_id, DHKEM(X25519), a 32-byte key, two suites.
  const std::string config = read_all(ech.config), list = read_all(ech.list);
  REQUIRE(config.size() > 10);
  CHECK(u16_at(config, 0) == 0xfe0d);
  CHECK(u16_at(config, 2) == config.size() - 4);
  CHECK(static_cast<uint8_t>(config[4]) == 7);
  CHECK(u16_at(config, 5) == 0x0020);
  CHECK(u16_at(config, 7) == 32);
  CHECK(u16_at(config, 41) == 8);  // (HKDF-SHA256, AES-128-GCM) and (HKDF-SHA256, ChaCha20-Poly1305)
  CHECK(config.substr(43, 8) == std::string("\0\1\0\1\0\1\0\3", 8));
  CHECK(has(config, std::string("\x09") + "localhost"));
  CHECK(read_all(ech.key).size() == 32);
  CHECK(u16_at(list, 0) == list.size() - 2);
  CHECK(list.substr(2) == config);
  const auto printed = pki::base64_decode(ech.list_base64);
  REQUIRE(printed.ok());
  CHECK(std::string(printed->begin(), printed->end()) == list);

  const LeafFiles& leaf = leaf_for(crypto::KeyType::kEcdsaP256);
  uint16_t port = 0;
  auto server = sluice_server({"-naccept", "2", "-cert", leaf.cert_pem, "-key", leaf.key_pem, "-ech_key", ech.key,
                               "-ech_config", ech.config},
                              port);
  REQUIRE_MESSAGE(server.has_value(), "sluice s_server did not start");
  const Ran from_file = run_to_end(ech_client(port, {"-ech_config_list", ech.list, "-trace"}), "hidden\n");
  // The list as DNS shows it: base64 on the command line.
  const Ran from_base64 = run_to_end(ech_client(port, {"-ech_config_list", ech.list_base64}), "again\n");
  server->wait_exit();
  INFO("client:\n" << tail(from_file.output) << "\nbase64 client:\n" << tail(from_base64.output) << "\nserver:\n"
                   << tail(server->output()));
  REQUIRE(from_file.status == 0);
  CHECK(has(from_file.output, "ECH: accepted"));
  CHECK(has(from_file.output, "Server name: secret.example"));
  // On the wire: the public name, and the real hello sealed. The trace
  // shows the sealed hello too, marked, just before the outer one.
  const std::string& out = from_file.output;
  const size_t inner_at = out.find(">>> Handshake ClientHello (ECH inner, sealed in the outer hello) [length ");
  const size_t outer_at = out.find(">>> Handshake ClientHello [length ");
  REQUIRE(inner_at != std::string::npos);
  REQUIRE(outer_at != std::string::npos);
  CHECK(inner_at < outer_at);
  const std::string inner = out.substr(inner_at, outer_at - inner_at);
  const std::string outer = out.substr(outer_at, out.find("<<<", outer_at) - outer_at);
  CHECK(has(inner, "server name: secret.example"));
  CHECK(has(inner, "encrypted_client_hello (0xfe0d): inner"));
  CHECK(has(outer, "server name: localhost"));
  CHECK(has(outer, "encrypted_client_hello (0xfe0d): outer, config_id 7"));
  CHECK(count_of(out, "server name: secret.example") == 1);
  CHECK(has(from_file.output, "hidden"));
  CHECK(from_base64.status == 0);
  CHECK(has(from_base64.output, "ECH: accepted"));
  CHECK(count_of(server->output(), "ECH: accepted") == 2);
  CHECK(count_of(server->output(), "Server name: secret.example") == 2);
}

TEST_CASE("ECH rejected: a server with another key fails the client with ech_required; -ech_retry_out's configs then work") {
  const EchFiles stale = ech_keygen("ech-stale", "localhost", "9");
  const EchFiles current = ech_keygen("ech-current", "localhost", "9");
  const LeafFiles& leaf = leaf_for(crypto::KeyType::kEcdsaP256);
  uint16_t port = 0;
  const EchFiles elsewhere = ech_keygen("ech-elsewhere", "public.example", "9");
  auto server = sluice_server({"-naccept", "3", "-cert", leaf.cert_pem, "-key", leaf.key_pem, "-ech_key",
                               current.key, "-ech_config", current.config, "-ech_retry"},
                              port);
  REQUIRE_MESSAGE(server.has_value(), "sluice s_server did not start");
  const std::string retry = tmp_path("ech-retry.list");
  const Ran rejected =
      run_to_end(ech_client(port, {"-ech_config_list", stale.list, "-ech_retry_out", retry, "-trace"}), "x\n");
  const Ran retried = run_to_end(ech_client(port, {"-ech_config_list", retry}), "y\n");
  // A declining server must prove the public name; -verify_hostname stands
  // in for the hidden name only, so a certificate for localhost fails here.
  const Ran wrong_public_name = run_to_end(ech_client(port, {"-ech_config_list", elsewhere.list}), "z\n");
  server->wait_exit();
  INFO("rejected:\n" << tail(rejected.output) << "\nretried:\n" << tail(retried.output) << "\nserver:\n"
                     << tail(server->output()));
  CHECK(rejected.status == 1);
  CHECK(has(rejected.output, "ech_required"));
  CHECK(has(rejected.output, "ECH: rejected (retry configs: " + std::to_string(read_all(current.list).size()) + " bytes)"));
  CHECK(read_all(retry) == read_all(current.list));
  // They arrive in EncryptedExtensions, the ECHConfigList whole.
  CHECK(has(rejected.output, "encrypted_client_hello (0xfe0d): retry configs, " +
                                 std::to_string(read_all(current.list).size()) + " bytes"));
  REQUIRE(retried.status == 0);
  CHECK(has(retried.output, "ECH: accepted"));
  CHECK(has(server->output(), "Server name: secret.example"));
  INFO("public.example:\n" << tail(wrong_public_name.output));
  CHECK(wrong_public_name.status == 1);
  CHECK(has(wrong_public_name.output, "certificate does not match the host name"));
  CHECK_FALSE(has(wrong_public_name.output, "ECH: rejected"));
}

TEST_CASE("GREASE: s_client -grease and -ech_grease against openssl s_server, which ignores them") {
  require_peers();
  uint16_t port = 0;
  auto server = openssl_server({"-naccept", "2"}, port);
  REQUIRE_MESSAGE(server.has_value(), "openssl s_server did not start");
  const Ran grease = run_to_end(sluice_client(port, {"-grease", "-trace"}), "grease-data\n");
  const Ran ech_grease = run_to_end(sluice_client(port, {"-ech_grease", "-trace"}), "ech-grease-data\n");
  server->wait_exit();
  INFO("-grease:\n" << tail(grease.output) << "\n-ech_grease:\n" << tail(ech_grease.output) << "\nopenssl:\n"
                    << tail(server->output()));
  REQUIRE(grease.status == 0);
  CHECK(has(grease.output, "GREASE: suite 0x"));
  CHECK(has(grease.output, ", group 0x"));
  CHECK(has(grease.output, ", version 0x"));
  CHECK(has(grease.output, "Protocol: TLSv1.3"));
  CHECK_FALSE(has(grease.output, "encrypted_client_hello"));
  REQUIRE(ech_grease.status == 0);
  CHECK(has(ech_grease.output, "encrypted_client_hello (0xfe0d): outer"));
  CHECK(has(ech_grease.output, "ECH: not offered (GREASE sent)"));
  CHECK_FALSE(has(ech_grease.output, "GREASE: "));
  CHECK(has(server->output(), "grease-data"));
  CHECK(has(server->output(), "ech-grease-data"));
}


TEST_CASE("-cert_comp zlib: sluice s_server and s_client send their certificates compressed (RFC 8879), both ways") {
  require_peers();
  const LeafFiles& leaf = leaf_for(crypto::KeyType::kEcdsaP256);
  const LeafFiles& client_leaf = client_leaf_for(crypto::KeyType::kEcdsaP256);
  uint16_t port = 0;
  auto server = sluice_server({"-naccept", "3", "-cert", leaf.cert_pem, "-key", leaf.key_pem, "-cert_comp", "zlib",
                               "-Verify", "1", "-CAfile", leaf.ca_pem, "-msg"},
                              port);
  REQUIRE_MESSAGE(server.has_value(), "sluice s_server did not start");
  const std::vector<std::string> client_cert = {"-cert", client_leaf.cert_pem, "-key", client_leaf.key_pem};
  auto compressing = client_cert;
  compressing.insert(compressing.end(), {"-cert_comp", "zlib", "-trace"});
  const Ran both = run_to_end(sluice_client(port, compressing), "zipped\n");
  auto plain = client_cert;
  plain.push_back("-msg");
  const Ran neither = run_to_end(sluice_client(port, plain), "plain\n");
  // The server's certificate decompresses to a few hundred bytes: above
  // a bound of 100, the client refuses it.
  auto bounded = compressing;
  bounded.insert(bounded.end(), {"-max_cert_decomp", "100"});
  const Ran too_big = run_to_end(sluice_client(port, bounded), "never\n");
  server->wait_exit();
  INFO("compressing client:\n" << tail(both.output) << "\nplain client:\n" << tail(neither.output) << "\nserver:\n"
                               << tail(server->output(), 6000));
  REQUIRE(both.status == 0);
  CHECK(has(both.output, "compress_certificate: zlib"));
  CHECK(has(both.output, "<<< Handshake CompressedCertificate"));
  CHECK(has(both.output, "algorithm: zlib (1)"));
  CHECK(has(both.output, ">>> Handshake CompressedCertificate"));  // the client's, asked for by the server
  CHECK_FALSE(has(both.output, "<<< Handshake Certificate "));
  // A client without -cert_comp gets the plain Certificate, and answers the
  // server's request (which offered zlib) with a plain one.
  REQUIRE(neither.status == 0);
  CHECK(has(neither.output, "<<< Handshake Certificate "));
  CHECK_FALSE(has(neither.output, "CompressedCertificate"));
  CHECK(count_of(server->output(), "<<< Handshake CompressedCertificate") == 1);
  CHECK(count_of(server->output(), "<<< Handshake Certificate ") == 1);
  CHECK(count_of(server->output(), "Client certificate: verified") == 2);
  INFO("-max_cert_decomp 100:\n" << tail(too_big.output));
  CHECK(too_big.status == 1);
  CHECK(has(too_big.output, "<<< Handshake CompressedCertificate"));
  CHECK(has(too_big.output, ">>> Alert bad_certificate"));
}

TEST_CASE("-cert_comp zlib against openssl 3.0, which has no RFC 8879: offered, ignored, the plain Certificate is used") {
  require_peers();
  uint16_t port = 0;
  auto server = openssl_server({"-naccept", "1"}, port);
  REQUIRE_MESSAGE(server.has_value(), "openssl s_server did not start");
  const Ran r = run_to_end(sluice_client(port, {"-cert_comp", "zlib", "-trace"}), "hello\n");
  server->wait_exit();
  INFO(tail(r.output));
  REQUIRE(r.status == 0);
  CHECK(has(r.output, "compress_certificate: zlib"));
  CHECK(has(r.output, "<<< Handshake Certificate "));
  CHECK_FALSE(has(r.output, "CompressedCertificate"));
}
}  // namespace
}  // namespace sluice::interop
