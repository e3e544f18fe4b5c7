#include "core/session.h"

namespace sluice {

Session Session::copy() const {
  Session s;
  s.ticket = ticket;
  s.session_id = session_id;
  s.psk = psk.copy();
  s.cipher_suite = cipher_suite;
  s.group = group;
  s.extended_master_secret = extended_master_secret;
  s.age_add = age_add;
  s.lifetime = lifetime;
  s.received_at_ms = received_at_ms;
  s.max_early_data = max_early_data;
  s.alpn = alpn;
  s.peer_chain = peer_chain;
  s.peer_ocsp_response = peer_ocsp_response;
  s.peer_sct_list = peer_sct_list;
  return s;
}

void InMemorySessionStore::put(std::string_view server_name, Session s) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& list = by_name_[std::string(server_name)];
  list.push_back(std::move(s));
  order_.emplace_back(server_name);
  ++count_;
  if (list.size() > per_server_) {
    list.pop_front();
    --count_;
  }
  // Evict the oldest entries of whichever names were inserted first.
  while (count_ > max_sessions_ && !order_.empty()) {
    auto it = by_name_.find(order_.front());
    order_.pop_front();
    if (it == by_name_.end() || it->second.empty()) continue;
    it->second.pop_front();
    --count_;
    if (it->second.empty()) by_name_.erase(it);
  }
}

std::optional<Session> InMemorySessionStore::take(std::string_view server_name) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = by_name_.find(server_name);
  if (it == by_name_.end() || it->second.empty()) return std::nullopt;
  Session s = std::move(it->second.back());
  it->second.pop_back();
  --count_;
  if (it->second.empty()) by_name_.erase(it);
  return s;
}

size_t InMemorySessionStore::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return count_;
}

}  // namespace sluice
