#include "tools/sluice/http.h"

#include <climits>
#include <cstdlib>
#include <fstream>
#include <iterator>

namespace sluice::tool {

namespace {

std::string response(std::string_view version, int code, std::string_view reason, std::string_view type,
                     std::string_view body) {
  std::string r = std::string(version) + " " + std::to_string(code) + " " + std::string(reason) + "\r\n";
  r += "Content-Type: " + std::string(type) + "\r\nContent-Length: " + std::to_string(body.size()) +
       "\r\nConnection: close\r\n\r\n";
  r += body;
  return r;
}

// The version to answer with: the request's own HTTP/1.x.
std::string_view version_of(std::string_view line) {
  return line.ends_with("HTTP/1.1") ? "HTTP/1.1" : "HTTP/1.0";
}

std::string error_response(std::string_view version, int code, std::string_view reason, int& out_status) {
  out_status = code;
  return response(version, code, reason, "text/plain", std::string(reason) + "\n");
}

}  // namespace

bool request_complete(std::string_view head) {
  return head.find("\r\n\r\n") != std::string_view::npos || head.find("\n\n") != std::string_view::npos;
}

std::string first_line(std::string_view head) { return std::string(head.substr(0, head.find_first_of("\r\n"))); }

std::string status_page(std::string_view head, const std::string& body) {
  return response(version_of(first_line(head)), 200, "ok", "text/plain", "sluice s_server\n" + body);
}

std::string file_response(std::string_view head, const std::string& root, int& out_status) {
  const std::string line = first_line(head);
  const std::string_view version = version_of(line);
  // "GET /path HTTP/1.x"
  const size_t sp1 = line.find(' '), sp2 = line.rfind(' ');
  if (sp1 == std::string::npos || sp2 <= sp1 || line.substr(0, sp1) != "GET")
    return error_response(version, 400, "Bad Request", out_status);
  std::string path = line.substr(sp1 + 1, sp2 - sp1 - 1);
  if (const size_t q = path.find('?'); q != std::string::npos) path.resize(q);
  if (path.empty() || path[0] != '/') return error_response(version, 400, "Bad Request", out_status);
  // Percent-escapes could spell "..": none are decoded, and a path holding
  // '%' or a ".." segment is refused before the file system sees it.
  if (path.find('%') != std::string::npos || path.find('\\') != std::string::npos)
    return error_response(version, 403, "Forbidden", out_status);
  std::string segment;
  for (size_t i = 1; i <= path.size(); ++i) {
    if (i == path.size() || path[i] == '/') {
      if (segment == "..") return error_response(version, 403, "Forbidden", out_status);
      segment.clear();
    } else {
      segment += path[i];
    }
  }
  if (path.back() == '/') path += "index.html";
  // A symbolic link inside DIR may still point outside it: compare the
  // resolved path with the resolved root.
  char real_root[PATH_MAX], real_file[PATH_MAX];
  if (!::realpath(root.c_str(), real_root)) return error_response(version, 404, "Not Found", out_status);
  const std::string candidate = std::string(real_root) + path;
  if (!::realpath(candidate.c_str(), real_file)) return error_response(version, 404, "Not Found", out_status);
  const std::string resolved = real_file, prefix = std::string(real_root) + "/";
  if (resolved.compare(0, prefix.size(), prefix) != 0) return error_response(version, 403, "Forbidden", out_status);
  std::ifstream in(resolved, std::ios::binary);
  if (!in) return error_response(version, 404, "Not Found", out_status);
  const std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return error_response(version, 404, "Not Found", out_status);
  out_status = 200;
  const bool html = resolved.ends_with(".html") || resolved.ends_with(".htm");
  return response(version, 200, "ok", html ? "text/html" : "text/plain", body);
}

}  // namespace sluice::tool
