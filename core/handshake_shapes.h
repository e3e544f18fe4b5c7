// The legal handshake message sequences of each TLS 1.3 shape (RFC 8446 §2,
// STYLE.md practice 5), as data: who sends which message, in wire order.
// The machines in client13.cc and server13.cc are written state by state;
// tests/engine/shapes_test.cc runs every shape through them and checks what
// goes over the wire against this table, and checks properties of the table.
#pragma once

#include <array>
#include <span>
#include <string_view>

#include "core/wire/types.h"

namespace sluice {

struct ShapeStep {
  bool from_client;
  wire::HandshakeType type;
};

struct HandshakeShape {
  std::string_view name;
  std::span<const ShapeStep> steps;
};

namespace shapes_detail {
using wire::HandshakeType;
inline constexpr bool C = true, S = false;
inline constexpr ShapeStep kFull[] = {
    {C, HandshakeType::kClientHello},         {S, HandshakeType::kServerHello},
    {S, HandshakeType::kEncryptedExtensions}, {S, HandshakeType::kCertificate},
    {S, HandshakeType::kCertificateVerify},   {S, HandshakeType::kFinished},
    {C, HandshakeType::kFinished},
};
inline constexpr ShapeStep kClientAuth[] = {
    {C, HandshakeType::kClientHello},        {S, HandshakeType::kServerHello},
    {S, HandshakeType::kEncryptedExtensions}, {S, HandshakeType::kCertificateRequest},
    {S, HandshakeType::kCertificate},        {S, HandshakeType::kCertificateVerify},
    {S, HandshakeType::kFinished},           {C, HandshakeType::kCertificate},
    {C, HandshakeType::kCertificateVerify},  {C, HandshakeType::kFinished},
};
inline constexpr ShapeStep kClientAuthEmpty[] = {
    {C, HandshakeType::kClientHello},        {S, HandshakeType::kServerHello},
    {S, HandshakeType::kEncryptedExtensions}, {S, HandshakeType::kCertificateRequest},
    {S, HandshakeType::kCertificate},        {S, HandshakeType::kCertificateVerify},
    {S, HandshakeType::kFinished},           {C, HandshakeType::kCertificate},
    {C, HandshakeType::kFinished},
};
inline constexpr ShapeStep kPsk[] = {
    {C, HandshakeType::kClientHello}, {S, HandshakeType::kServerHello}, {S, HandshakeType::kEncryptedExtensions},
    {S, HandshakeType::kFinished},    {C, HandshakeType::kFinished},
};
inline constexpr ShapeStep kPskEarlyData[] = {
    {C, HandshakeType::kClientHello},       {S, HandshakeType::kServerHello}, {S, HandshakeType::kEncryptedExtensions},
    {S, HandshakeType::kFinished},          {C, HandshakeType::kEndOfEarlyData},
    {C, HandshakeType::kFinished},
};
inline constexpr ShapeStep kRetry[] = {
    {C, HandshakeType::kClientHello},       {S, HandshakeType::kServerHello},  // the HelloRetryRequest
    {C, HandshakeType::kClientHello},       {S, HandshakeType::kServerHello},
    {S, HandshakeType::kEncryptedExtensions}, {S, HandshakeType::kCertificate},
    {S, HandshakeType::kCertificateVerify}, {S, HandshakeType::kFinished},
    {C, HandshakeType::kFinished},
};
}  // namespace shapes_detail

inline constexpr std::array<HandshakeShape, 6> kTls13Shapes = {{
    {"full", shapes_detail::kFull},
    {"client-auth", shapes_detail::kClientAuth},
    {"client-auth, empty certificate", shapes_detail::kClientAuthEmpty},
    {"psk", shapes_detail::kPsk},
    {"psk, early data", shapes_detail::kPskEarlyData},
    {"hello-retry", shapes_detail::kRetry},
}};

}  // namespace sluice
