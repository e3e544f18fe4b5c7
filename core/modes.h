// Mode bits, with the values of OpenSSL's SSL_MODE_* so users keep their
// habits. Their meaning is the SSL_CTX_set_mode manual page (see README).
#pragma once

namespace sluice {

inline constexpr long kModeEnablePartialWrite = 0x001;
inline constexpr long kModeAcceptMovingWriteBuffer = 0x002;
inline constexpr long kModeAutoRetry = 0x004;
inline constexpr long kModeReleaseBuffers = 0x010;
inline constexpr long kModeSendFallbackScsv = 0x080;
inline constexpr long kModeAsync = 0x100;

inline constexpr long kAllModes = kModeEnablePartialWrite | kModeAcceptMovingWriteBuffer | kModeAutoRetry |
                                  kModeReleaseBuffers | kModeSendFallbackScsv | kModeAsync;

}  // namespace sluice
