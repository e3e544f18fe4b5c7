// The HTTP side of s_server: -www answers any GET with a page saying what
// the connection negotiated (as openssl's -www does); -WWW DIR serves files
// below DIR and refuses every path that would leave it. HTTP/1.x only, one
// request per connection: which is why -www offers only http/1.1 and
// http/1.0 in ALPN.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sluice::tool {

// kMaxRequestHead bounds the request head; larger is refused.
inline constexpr size_t kMaxRequestHead = 16 * 1024;

// request_complete says whether `head` holds a whole request head.
bool request_complete(std::string_view head);
// first_line is the request line ("GET / HTTP/1.1").
std::string first_line(std::string_view head);
// status_page answers -www with `body` (the report) as text/plain.
std::string status_page(std::string_view head, const std::string& body);
// file_response answers -WWW: the file named by the request path under
// `root`, 400/403/404 otherwise. `out_status` is the status code sent.
std::string file_response(std::string_view head, const std::string& root, int& out_status);

}  // namespace sluice::tool
