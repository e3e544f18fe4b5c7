// What the shim's connections share (providers, the client's session store,
// the server's ticket keys, the clock) and how one connection's Context is
// built from its Config.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "core/context.h"
#include "core/session.h"
#include "crypto/provider.h"
#include "tests/bogo/flags.h"

namespace sluice::bogo {

// RecordingSessionStore is the client's store, shared by every connection
// of a test so that sessions reach the resumption; it remembers whether the
// newest session allows 0-RTT (-expect-ticket-supports-early-data).
class RecordingSessionStore final : public SessionStore {
 public:
  void put(std::string_view server_name, Session s) override;
  std::optional<Session> take(std::string_view server_name) override;
  bool any() const { return inner_.size() > 0; }
  bool last_allows_early_data() const { return last_early_.load(); }
  // stored counts the sessions ever put (-expect-no-session compares it).
  int stored() const { return stored_.load(); }

 private:
  InMemorySessionStore inner_;
  std::atomic<bool> last_early_{false};
  std::atomic<int> stored_{0};
};

class ShimState {
 public:
  // init makes the providers and shared objects; `out_why` starting with
  // "unimplemented: " means exit 89.
  bool init(const Config& initial, std::string& out_why);
  // advance_clock moves the clock every later connection sees by `seconds`
  // (-resumption-delay).
  void advance_clock(int seconds) { *clock_offset_ms_ += int64_t{seconds} * 1000; }
  bool has_session() const { return sessions_->any(); }
  bool last_session_allows_early_data() const { return sessions_->last_allows_early_data(); }
  int sessions_stored() const { return sessions_->stored(); }

  std::shared_ptr<const crypto::Provider> provider(bool async) const { return async ? async_ : base_; }
  std::shared_ptr<RecordingSessionStore> sessions() const { return sessions_; }
  std::shared_ptr<TicketSealer> tickets() const { return tickets_; }
  std::shared_ptr<SessionIdCache> session_ids() const { return session_ids_; }
  std::shared_ptr<std::atomic<int64_t>> clock_offset_ms() const { return clock_offset_ms_; }
  // start_ms is the wall clock when the shim started (milliseconds).
  int64_t start_ms() const { return start_ms_; }
  // The server name the verifier last checked a server's chain for.
  std::shared_ptr<std::string> verified_name() const { return verified_name_; }

  // The peer's signature scheme in the last full handshake.
  int full_handshake_scheme = 0;

 private:
  std::shared_ptr<const crypto::Provider> base_, async_;
  std::shared_ptr<RecordingSessionStore> sessions_ = std::make_shared<RecordingSessionStore>();
  std::shared_ptr<TicketSealer> tickets_ = std::make_shared<TicketKeys>();
  std::shared_ptr<SessionIdCache> session_ids_ = std::make_shared<SessionIdCache>();
  std::shared_ptr<std::atomic<int64_t>> clock_offset_ms_ = std::make_shared<std::atomic<int64_t>>(0);
  int64_t start_ms_ = 0;
  std::shared_ptr<std::string> verified_name_ = std::make_shared<std::string>();
};

// unsupported_config says why a parsed Config asks for what sluice cannot
// do ("" when it can): the reason an exit 89 reports.
std::string unsupported_config(const Config& c);

// base64_flag decodes a flag's base64 value (empty stays empty); exits 1
// on a bad one, naming the flag.
std::vector<uint8_t> base64_flag(const std::string& value, const char* flag);

// build_context makes the Context of one connection. Exits 89 (a key type
// sluice cannot load) or 1 (an unreadable file) itself.
std::shared_ptr<const Context> build_context(const Config& c, const ShimState& state);

}  // namespace sluice::bogo
