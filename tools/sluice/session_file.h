// Sessions on disk for -sess_out / -sess_in: one Session as "key: value"
// text lines (hex for bytes), so a second process can resume what the
// first negotiated. The file holds the resumption secret: it is written
// with mode 0600.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "core/session.h"

namespace sluice::tool {

// write_session / read_session save and load one session; false or nullopt
// with a message naming the file (and the line) on failure. Files are
// versioned (the first line): read_session takes older versions where they
// hold all a resumption reports, and refuses the rest by name.
[[nodiscard]] bool write_session(const std::string& path, const Session& s, std::string& out_error);
[[nodiscard]] std::optional<Session> read_session(const std::string& path, std::string& out_error);

// SavingSessionStore keeps sessions in memory like the default store and
// also writes the newest to `path` (when not empty) as it arrives.
class SavingSessionStore final : public SessionStore {
 public:
  explicit SavingSessionStore(std::string path) : path_(std::move(path)) {}
  void put(std::string_view server_name, Session s) override;
  std::optional<Session> take(std::string_view server_name) override { return memory_.take(server_name); }
  int saved() const { return saved_; }

 private:
  std::string path_;
  InMemorySessionStore memory_;
  int saved_ = 0;
};

}  // namespace sluice::tool
