#include "mock_pim/http/tls_certificate.h"

#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "openssl/bio.h"
#include "openssl/pem.h"
#include "openssl/x509.h"
#include "openssl/x509v3.h"

namespace pimsim::http {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1'800'000'000);

struct Free {
  void operator()(X509* p) const { X509_free(p); }
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(X509_STORE* p) const { X509_STORE_free(p); }
  void operator()(X509_STORE_CTX* p) const { X509_STORE_CTX_free(p); }
  void operator()(BIO* p) const { BIO_free(p); }
};

std::unique_ptr<X509, Free> ReadCert(const std::string& pem, int index = 0) {
  std::unique_ptr<BIO, Free> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  X509* cert = nullptr;
  for (int i = 0; i <= index; ++i) {
    X509_free(cert);
    cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr);
  }
  return std::unique_ptr<X509, Free>(cert);
}

// X509_verify_cert of `leaf` against `ca` alone, at `when`, for the host or IP.
int Verify(X509* ca, X509* leaf, absl::Time when, const std::string& host, const std::string& ip) {
  std::unique_ptr<X509_STORE, Free> store(X509_STORE_new());
  X509_STORE_add_cert(store.get(), ca);
  std::unique_ptr<X509_STORE_CTX, Free> ctx(X509_STORE_CTX_new());
  X509_STORE_CTX_init(ctx.get(), store.get(), leaf, nullptr);
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
  X509_VERIFY_PARAM_set_time(param, static_cast<time_t>(absl::ToUnixSeconds(when)));
  X509_VERIFY_PARAM_set_purpose(param, X509_PURPOSE_SSL_SERVER);
  if (!host.empty()) X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size());
  if (!ip.empty()) X509_VERIFY_PARAM_set1_ip_asc(param, ip.c_str());
  if (X509_verify_cert(ctx.get()) == 1) return X509_V_OK;
  return X509_STORE_CTX_get_error(ctx.get());
}

TEST(TlsCertificateTest, ServerCertificateVerifiesAgainstTheCaForLocalhostAnd127001) {
  absl::StatusOr<ServerCertificate> made = MakeServerCertificate({.not_before = kNow});
  ASSERT_TRUE(made.ok()) << made.status();
  auto ca = ReadCert(made->ca_pem);
  auto leaf = ReadCert(made->chain_pem);
  auto chained_ca = ReadCert(made->chain_pem, 1);
  ASSERT_NE(ca, nullptr);
  ASSERT_NE(leaf, nullptr);
  ASSERT_NE(chained_ca, nullptr);
  EXPECT_EQ(X509_cmp(ca.get(), chained_ca.get()), 0) << "the chain ends with the CA";
  EXPECT_EQ(Verify(ca.get(), leaf.get(), kNow, "localhost", ""), X509_V_OK);
  EXPECT_EQ(Verify(ca.get(), leaf.get(), kNow, "", "127.0.0.1"), X509_V_OK);
  EXPECT_EQ(Verify(ca.get(), leaf.get(), kNow, "pim.example.com", ""),
            X509_V_ERR_HOSTNAME_MISMATCH);
  EXPECT_EQ(Verify(ca.get(), leaf.get(), kNow, "", "127.0.0.2"), X509_V_ERR_IP_ADDRESS_MISMATCH);
  EXPECT_EQ(X509_check_ca(leaf.get()), 0) << "the server certificate is no CA";
  EXPECT_GE(X509_check_ca(ca.get()), 1);
}

TEST(TlsCertificateTest, ValidFromAnHourBeforeForTheRequestedPeriod) {
  absl::StatusOr<ServerCertificate> made =
      MakeServerCertificate({.not_before = kNow, .validity = absl::Hours(48)});
  ASSERT_TRUE(made.ok()) << made.status();
  auto ca = ReadCert(made->ca_pem);
  auto leaf = ReadCert(made->chain_pem);
  EXPECT_EQ(Verify(ca.get(), leaf.get(), kNow - absl::Minutes(59), "localhost", ""), X509_V_OK);
  EXPECT_EQ(Verify(ca.get(), leaf.get(), kNow - absl::Minutes(61), "localhost", ""),
            X509_V_ERR_CERT_NOT_YET_VALID);
  EXPECT_EQ(Verify(ca.get(), leaf.get(), kNow + absl::Hours(47), "localhost", ""), X509_V_OK);
  EXPECT_EQ(Verify(ca.get(), leaf.get(), kNow + absl::Hours(49), "localhost", ""),
            X509_V_ERR_CERT_HAS_EXPIRED);
}

TEST(TlsCertificateTest, KeyMatchesTheServerCertificateAndIsEcP256) {
  absl::StatusOr<ServerCertificate> made = MakeServerCertificate({.not_before = kNow});
  ASSERT_TRUE(made.ok()) << made.status();
  std::unique_ptr<BIO, Free> bio(
      BIO_new_mem_buf(made->key_pem.data(), static_cast<int>(made->key_pem.size())));
  std::unique_ptr<EVP_PKEY, Free> key(
      PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  ASSERT_NE(key, nullptr);
  EXPECT_TRUE(EVP_PKEY_is_a(key.get(), "EC"));
  EXPECT_EQ(EVP_PKEY_get_bits(key.get()), 256);
  auto leaf = ReadCert(made->chain_pem);
  EXPECT_EQ(X509_check_private_key(leaf.get(), key.get()), 1);
  auto ca = ReadCert(made->ca_pem);
  EXPECT_EQ(X509_check_private_key(ca.get(), key.get()), 0) << "the CA has its own key";
}

TEST(TlsCertificateTest, EachCallMakesANewCa) {
  absl::StatusOr<ServerCertificate> a = MakeServerCertificate({.not_before = kNow});
  absl::StatusOr<ServerCertificate> b = MakeServerCertificate({.not_before = kNow});
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->ca_pem, b->ca_pem);
  auto ca_a = ReadCert(a->ca_pem);
  auto leaf_b = ReadCert(b->chain_pem);
  EXPECT_NE(Verify(ca_a.get(), leaf_b.get(), kNow, "localhost", ""), X509_V_OK);
}

TEST(TlsCertificateTest, MalformedAddressIsAnError) {
  absl::StatusOr<ServerCertificate> made =
      MakeServerCertificate({.ip_addresses = {"127.0.0.300"}, .not_before = kNow});
  EXPECT_FALSE(made.ok());
  EXPECT_FALSE(MakeServerCertificate({.dns_names = {}, .ip_addresses = {}, .not_before = kNow})
                   .ok());
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(TlsCertificateTest, WritesThreeFilesTheKeyReadableByTheOwnerOnly) {
  absl::StatusOr<ServerCertificate> made = MakeServerCertificate({.not_before = kNow});
  ASSERT_TRUE(made.ok()) << made.status();
  const std::string dir = std::getenv("TEST_TMPDIR");
  absl::StatusOr<CertificateFiles> files = WriteCertificateFiles(*made, dir);
  ASSERT_TRUE(files.ok()) << files.status();
  EXPECT_EQ(files->ca_file, dir + "/ca.pem");
  EXPECT_EQ(Slurp(files->ca_file), made->ca_pem);
  EXPECT_EQ(Slurp(files->chain_file), made->chain_pem);
  EXPECT_EQ(Slurp(files->key_file), made->key_pem);
  struct stat st;
  ASSERT_EQ(stat(files->key_file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  // Again over the same files.
  EXPECT_TRUE(WriteCertificateFiles(*made, dir).ok());
  EXPECT_FALSE(WriteCertificateFiles(*made, dir + "/missing").ok());
}

}  // namespace
}  // namespace pimsim::http
