// A throwaway certificate authority and a server certificate it signed, made
// with OpenSSL when the mock starts serving HTTPS without a certificate of
// its own (`pimsim serve --tls`).
//
// The CA certificate is what a client trusts (curl --cacert, Python's
// ssl.create_default_context(cafile=...), NODE_EXTRA_CA_CERTS); the server
// presents the server certificate, issued for the given names
// (subjectAltName DNS:localhost, IP:127.0.0.1 by default), with the CA's
// after it. Two certificates rather than one self-signed: verifiers that
// refuse a CA certificate as a server's own (rustls/webpki, and so reqwest
// or Deno) or a self-signed server certificate as a trust anchor accept
// this pair, as they accept mkcert's. Both keys are EC P-256; the CA's key
// is never written anywhere and is gone when the call returns, so nothing
// else can ever be signed by the CA a client was told to trust.
//
// Thread-safety: the functions are safe to call from several threads.
//
//   CertificateRequest request;
//   request.not_before = clock->Now();
//   auto cert = MakeServerCertificate(request);
//   auto files = WriteCertificateFiles(*cert, dir);
//   options.tls = TlsOptions{files->chain_file, files->key_file};
#ifndef PIMSIM_MOCK_PIM_HTTP_TLS_CERTIFICATE_H_
#define PIMSIM_MOCK_PIM_HTTP_TLS_CERTIFICATE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace pimsim::http {

struct CertificateRequest {
  // subjectAltName entries; the first DNS name is also the subject's CN.
  std::vector<std::string> dns_names = {"localhost"};
  std::vector<std::string> ip_addresses = {"127.0.0.1"};
  // Both certificates are valid from an hour before this (clients' clocks
  // differ) for `validity`.
  absl::Time not_before;
  absl::Duration validity = absl::Hours(24 * 30);
};

struct ServerCertificate {
  std::string ca_pem;     // The CA's certificate: what clients trust.
  std::string chain_pem;  // The server's certificate, then the CA's.
  std::string key_pem;    // The server's private key (PKCS#8, unencrypted).
};

// Fails only if OpenSSL does (or a name or address is malformed).
absl::StatusOr<ServerCertificate> MakeServerCertificate(const CertificateRequest& request);

struct CertificateFiles {
  std::string ca_file;     // "<dir>/ca.pem"
  std::string chain_file;  // "<dir>/server.pem"
  std::string key_file;    // "<dir>/server.key", mode 0600
};

// Writes the three PEM files into `dir`, which must exist; replaces files of
// those names.
absl::StatusOr<CertificateFiles> WriteCertificateFiles(const ServerCertificate& certificate,
                                                       const std::string& dir);

}  // namespace pimsim::http

#endif  // PIMSIM_MOCK_PIM_HTTP_TLS_CERTIFICATE_H_
