#include "mock_pim/http/tls_certificate.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "openssl/bio.h"
#include "openssl/bn.h"
#include "openssl/ec.h"
#include "openssl/err.h"
#include "openssl/evp.h"
#include "openssl/pem.h"
#include "openssl/rand.h"
#include "openssl/x509.h"
#include "openssl/x509v3.h"

namespace pimsim::http {
namespace {

struct Free {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(X509* p) const { X509_free(p); }
  void operator()(X509_EXTENSION* p) const { X509_EXTENSION_free(p); }
  void operator()(BIO* p) const { BIO_free(p); }
  void operator()(BIGNUM* p) const { BN_free(p); }
};
template <typename T>
using Owned = std::unique_ptr<T, Free>;

absl::Status OpenSslFailure(absl::string_view what) {
  const unsigned long e = ERR_get_error();
  ERR_clear_error();
  const char* reason = e != 0 ? ERR_reason_error_string(e) : nullptr;
  return absl::InternalError(
      absl::StrCat("OpenSSL could not ", what, reason != nullptr ? ": " : "",
                   reason != nullptr ? reason : ""));
}

absl::StatusOr<Owned<EVP_PKEY>> NewKey() {
  Owned<EVP_PKEY> key(EVP_EC_gen("P-256"));
  if (key == nullptr) return OpenSslFailure("make an EC P-256 key");
  return key;
}

// A random positive 127-bit serial number, as RFC 5280 asks (unique per CA;
// at most 20 bytes).
absl::Status SetRandomSerial(X509* cert) {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) return OpenSslFailure("draw a serial number");
  bytes[0] &= 0x7f;
  Owned<BIGNUM> bn(BN_bin2bn(bytes, sizeof(bytes), nullptr));
  if (bn == nullptr || BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert)) == nullptr) {
    return OpenSslFailure("set a serial number");
  }
  return absl::OkStatus();
}

absl::Status AddExtension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  Owned<X509_EXTENSION> ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
  if (ext == nullptr || X509_add_ext(cert, ext.get(), -1) != 1) {
    return OpenSslFailure(absl::StrCat("add the extension ", OBJ_nid2sn(nid), " = ", value));
  }
  return absl::OkStatus();
}

// A certificate for `key` with subject CN `cn`, issued by `issuer` (null:
// self-issued), without its extensions and not yet signed.
absl::StatusOr<Owned<X509>> NewCertificate(EVP_PKEY* key, const std::string& cn, X509* issuer,
                                           const CertificateRequest& request) {
  Owned<X509> cert(X509_new());
  if (cert == nullptr || X509_set_version(cert.get(), 2) != 1) {
    return OpenSslFailure("make a certificate");
  }
  if (absl::Status s = SetRandomSerial(cert.get()); !s.ok()) return s;
  const int64_t from = absl::ToUnixSeconds(request.not_before - absl::Hours(1));
  const int64_t until = absl::ToUnixSeconds(request.not_before + request.validity);
  if (ASN1_TIME_set(X509_getm_notBefore(cert.get()), static_cast<time_t>(from)) == nullptr ||
      ASN1_TIME_set(X509_getm_notAfter(cert.get()), static_cast<time_t>(until)) == nullptr) {
    return OpenSslFailure("set the validity period");
  }
  X509_NAME* name = X509_get_subject_name(cert.get());
  if (X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                                 reinterpret_cast<const unsigned char*>("pimsim"), -1, -1,
                                 0) != 1 ||
      X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1,
                                 0) != 1) {
    return OpenSslFailure("set the subject name");
  }
  X509_NAME* issuer_name = issuer != nullptr ? X509_get_subject_name(issuer) : name;
  if (X509_set_issuer_name(cert.get(), issuer_name) != 1 ||
      X509_set_pubkey(cert.get(), key) != 1) {
    return OpenSslFailure("set the issuer and key");
  }
  return cert;
}

absl::StatusOr<std::string> Pem(X509* cert, EVP_PKEY* key) {
  Owned<BIO> bio(BIO_new(BIO_s_mem()));
  if (bio == nullptr) return OpenSslFailure("allocate a buffer");
  const int ok = cert != nullptr ? PEM_write_bio_X509(bio.get(), cert)
                                 : PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0,
                                                            nullptr, nullptr);
  if (ok != 1) return OpenSslFailure("write PEM");
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(n));
}

absl::Status WriteFile(const std::string& path, const std::string& contents, mode_t mode) {
  // Replaced, not rewritten in place: a key file is never readable by others,
  // not even for a moment.
  ::unlink(path.c_str());
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) {
    return absl::UnavailableError(absl::StrCat("cannot write ", path, ": ", std::strerror(errno)));
  }
  size_t done = 0;
  while (done < contents.size()) {
    const ssize_t n = ::write(fd, contents.data() + done, contents.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int e = errno;
      ::close(fd);
      return absl::UnavailableError(absl::StrCat("cannot write ", path, ": ", std::strerror(e)));
    }
    done += static_cast<size_t>(n);
  }
  if (::close(fd) != 0) {
    return absl::UnavailableError(absl::StrCat("cannot write ", path, ": ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ServerCertificate> MakeServerCertificate(const CertificateRequest& request) {
  if (request.dns_names.empty() && request.ip_addresses.empty()) {
    return absl::InvalidArgumentError("a server certificate needs a DNS name or an IP address");
  }
  absl::StatusOr<Owned<EVP_PKEY>> ca_key = NewKey();
  if (!ca_key.ok()) return ca_key.status();
  absl::StatusOr<Owned<X509>> ca =
      NewCertificate(ca_key->get(), "pimsim throwaway CA", nullptr, request);
  if (!ca.ok()) return ca.status();
  X509* ca_cert = ca->get();
  for (const auto& [nid, value] : {std::pair<int, std::string>{NID_basic_constraints,
                                                                "critical,CA:TRUE,pathlen:0"},
                                   {NID_key_usage, "critical,keyCertSign,cRLSign"},
                                   {NID_subject_key_identifier, "hash"}}) {
    if (absl::Status s = AddExtension(ca_cert, ca_cert, nid, value); !s.ok()) return s;
  }
  if (X509_sign(ca_cert, ca_key->get(), EVP_sha256()) <= 0) {
    return OpenSslFailure("sign the CA certificate");
  }

  absl::StatusOr<Owned<EVP_PKEY>> key = NewKey();
  if (!key.ok()) return key.status();
  const std::string cn =
      request.dns_names.empty() ? request.ip_addresses.front() : request.dns_names.front();
  absl::StatusOr<Owned<X509>> server = NewCertificate(key->get(), cn, ca_cert, request);
  if (!server.ok()) return server.status();
  std::vector<std::string> names;
  for (const std::string& dns : request.dns_names) names.push_back(absl::StrCat("DNS:", dns));
  for (const std::string& ip : request.ip_addresses) names.push_back(absl::StrCat("IP:", ip));
  X509* server_cert = server->get();
  for (const auto& [nid, value] :
       {std::pair<int, std::string>{NID_basic_constraints, "critical,CA:FALSE"},
        {NID_key_usage, "critical,digitalSignature"},
        {NID_ext_key_usage, "serverAuth"},
        {NID_subject_alt_name, absl::StrJoin(names, ",")},
        {NID_subject_key_identifier, "hash"},
        {NID_authority_key_identifier, "keyid:always"}}) {
    if (absl::Status s = AddExtension(server_cert, ca_cert, nid, value); !s.ok()) return s;
  }
  if (X509_sign(server_cert, ca_key->get(), EVP_sha256()) <= 0) {
    return OpenSslFailure("sign the server certificate");
  }

  ServerCertificate out;
  absl::StatusOr<std::string> ca_pem = Pem(ca_cert, nullptr);
  absl::StatusOr<std::string> server_pem = Pem(server_cert, nullptr);
  absl::StatusOr<std::string> key_pem = Pem(nullptr, key->get());
  for (const absl::StatusOr<std::string>* pem : {&ca_pem, &server_pem, &key_pem}) {
    if (!pem->ok()) return pem->status();
  }
  out.ca_pem = *std::move(ca_pem);
  out.chain_pem = absl::StrCat(*server_pem, out.ca_pem);
  out.key_pem = *std::move(key_pem);
  return out;
}

absl::StatusOr<CertificateFiles> WriteCertificateFiles(const ServerCertificate& certificate,
                                                       const std::string& dir) {
  CertificateFiles files;
  files.ca_file = absl::StrCat(dir, "/ca.pem");
  files.chain_file = absl::StrCat(dir, "/server.pem");
  files.key_file = absl::StrCat(dir, "/server.key");
  if (absl::Status s = WriteFile(files.key_file, certificate.key_pem, 0600); !s.ok()) return s;
  if (absl::Status s = WriteFile(files.chain_file, certificate.chain_pem, 0644); !s.ok()) return s;
  if (absl::Status s = WriteFile(files.ca_file, certificate.ca_pem, 0644); !s.ok()) return s;
  return files;
}

}  // namespace pimsim::http
