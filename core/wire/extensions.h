// Walking an extensions block: every extension is visited once, duplicates
// are refused (RFC 8446 §4.2: "There MUST NOT be more than one extension of
// the same type"), and each body must be consumed exactly by its parser.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <type_traits>
#include <span>
#include <vector>

#include "core/bytes.h"
#include "core/error.h"
#include "core/wire/types.h"

namespace sluice::wire {

// ExtensionVisitor parses one extension body; it returns an Error to stop.
// It must consume the whole body (the walker checks that). It refers to the
// caller's callable without owning it, so it lives no longer than the
// parse_extensions call it is passed to. A std::function here made a heap
// call for every hello parsed: the parsers' lambdas capture more than its
// two words of inline storage.
class ExtensionVisitor {
 public:
  template <class F>
    requires(!std::is_same_v<std::remove_cvref_t<F>, ExtensionVisitor> &&
             std::is_invocable_r_v<Result<void, Error>, F&, uint16_t, ByteReader&>)
  ExtensionVisitor(F&& f)  // NOLINT: implicit, so a lambda can be passed as is
      : callable_(const_cast<void*>(static_cast<const void*>(std::addressof(f)))),
        call_([](void* callable, uint16_t type, ByteReader& body) -> Result<void, Error> {
          return (*static_cast<std::remove_reference_t<F>*>(callable))(type, body);
        }) {}

  Result<void, Error> operator()(uint16_t type, ByteReader& body) const { return call_(callable_, type, body); }

 private:
  void* callable_;
  Result<void, Error> (*call_)(void*, uint16_t, ByteReader&);
};

// CertificateStatus (RFC 6066 §8), the same in TLS 1.2's message and TLS
// 1.3's CertificateEntry extension: status_type ocsp, then a non-empty
// OCSPResponse. read_ocsp_status consumes it from `r` (decode_error if it
// is anything else); write_ocsp_status writes it.
TlsResult<Bytes> read_ocsp_status(ByteReader& r);
void write_ocsp_status(ByteWriter& w, Bytes response);

// check_sct_list: `body` is a SignedCertificateTimestampList (RFC 6962
// §3.3) with at least one entry, none empty; decode_error otherwise.
Result<void, Error> check_sct_list(Bytes body);

// parse_extensions reads a u16-prefixed extensions block from `r`.
Result<void, Error> parse_extensions(ByteReader& r, const ExtensionVisitor& visit);

// Helpers for list-shaped extension bodies.
Result<void, Error> read_u16_list(ByteReader& body, size_t min_bytes, std::vector<uint16_t>& out);

// compress_certificate (RFC 8879 §3), in a ClientHello or a
// CertificateRequest: CertificateCompressionAlgorithm algorithms<2..2^8-2>.
// read_compression_algorithms consumes it from `body`; an odd or empty
// list, or one naming an algorithm twice, is decode_error.
Result<void, Error> read_compression_algorithms(ByteReader& body, std::vector<uint16_t>& out);
void write_compression_algorithms(ByteWriter& w, std::span<const uint16_t> algorithms);

// ExtensionWriter writes `type` and a u16 length that is back-patched.
class ExtensionWriter {
 public:
  ExtensionWriter(ByteWriter& w, ExtensionType type) : w_(write_type(w, type)), len_(w_, 2) {}
  ByteWriter& body() { return w_; }

 private:
  // The type must be written before the length placeholder (members are
  // initialised in declaration order).
  static ByteWriter& write_type(ByteWriter& w, ExtensionType type) {
    w.u16(static_cast<uint16_t>(type));
    return w;
  }
  ByteWriter& w_;
  ByteWriter::Prefix len_;
};

}  // namespace sluice::wire
