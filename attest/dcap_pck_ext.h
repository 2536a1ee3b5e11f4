/* The Intel SGX extension of a PCK certificate (OID 1.2.840.113741.1.13.1): a SEQUENCE of
 * (OID, value) pairs holding the platform's PPID, TCB (16 component SVNs, PCESVN, CPUSVN), PCE-ID and
 * FMSPC. Read and written with OpenSSL's generic ASN.1 types; the simulated PCK certificate uses the
 * writer so that real and simulated certificates go through the same reader. */
#ifndef TB_ATTEST_DCAP_PCK_EXT_H
#define TB_ATTEST_DCAP_PCK_EXT_H

#include <openssl/x509.h>
#include <stdint.h>

#include "common/error.h"

#define SGX_EXT_OID "1.2.840.113741.1.13.1"

struct pck_ext {
  unsigned char ppid[16];
  unsigned char cpu_svn[16]; /* the TCB components, in order */
  uint16_t pce_svn;
  unsigned char pce_id[2];
  unsigned char fmspc[6];
};

/* Fails with TB_EXIT_VERIFY "pck-chain: ..." when the extension is missing or malformed. */
int pck_ext_read(X509 *pck, struct pck_ext *out, tb_error **err);

/* DER of the extension value, for a certificate being built; *der is OPENSSL_malloc'ed. */
int pck_ext_encode(const struct pck_ext *e, unsigned char **der, int *der_len, tb_error **err);

#endif
