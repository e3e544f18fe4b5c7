// The IPsec MB provider table: AEADs only; every other request answers
// kUnsupported so a composite takes it from the next member.
#include "crypto/ipsecmb/ipsecmb_provider.h"

#include "crypto/ipsecmb/internal.h"
#include "crypto/narrow_provider.h"

namespace sluice::crypto {
namespace ipsecmb {
namespace {

// The instructions below which the library's code is no faster than the
// composite's other members: AES-NI and PCLMULQDQ for GCM, AVX2 for the
// wide ChaCha20 and GHASH code.
constexpr uint64_t kNeededFeatures = IMB_FEATURE_AESNI | IMB_FEATURE_PCLMULQDQ | IMB_FEATURE_AVX2;

bool usable(const IMB_MGR& mgr, IMB_ARCH arch) {
  if (arch < IMB_ARCH_AVX2 || (mgr.features & kNeededFeatures) != kNeededFeatures) return false;
  // The library runs known-answer tests when a manager is set up; a
  // library built with them and failing them is not used.
  if ((mgr.features & IMB_FEATURE_SELF_TEST) && !(mgr.features & IMB_FEATURE_SELF_TEST_PASS)) return false;
  return imb_get_errno(const_cast<IMB_MGR*>(&mgr)) == 0;
}

}  // namespace

const IMB_MGR* manager() {
  // Built once, never freed: the keys of connections still open at exit
  // point into its table.
  static const IMB_MGR* const mgr = []() -> const IMB_MGR* {
    IMB_MGR* m = alloc_mb_mgr(0);
    if (m == nullptr) return nullptr;
    IMB_ARCH arch = IMB_ARCH_NONE;
    init_mb_mgr_auto(m, &arch);
    if (!usable(*m, arch)) {
      free_mb_mgr(m);
      return nullptr;
    }
    return m;
  }();
  return mgr;
}

}  // namespace ipsecmb

namespace {

class IpsecMbProvider final : public NarrowProvider {
 public:
  explicit IpsecMbProvider(const IMB_MGR& mgr) : mgr_(mgr) {}

  std::string_view name() const override { return "ipsec-mb"; }
  bool supports(AeadAlg) const override { return true; }
  CResult<std::unique_ptr<AeadKey>> new_aead(AeadAlg alg, Bytes key) const override {
    return ipsecmb::new_aead(mgr_, alg, key);
  }

 private:
  const IMB_MGR& mgr_;
};

}  // namespace

std::unique_ptr<Provider> make_ipsecmb_provider() {
  const IMB_MGR* mgr = ipsecmb::manager();
  if (mgr == nullptr) return nullptr;
  return std::make_unique<IpsecMbProvider>(*mgr);
}

}  // namespace sluice::crypto
