/* Certificate chains to the pinned root, with CRLs, at a fixed time: OpenSSL's X509_STORE does the
 * path building, signature, validity-window and revocation checks (CRL windows included). */
#include <openssl/x509_vfy.h>

#include "attest/dcap_internal.h"

int dcap_x509_err_is_crl(int e) {
  switch (e) {
  case X509_V_ERR_UNABLE_TO_GET_CRL:
  case X509_V_ERR_UNABLE_TO_DECRYPT_CRL_SIGNATURE:
  case X509_V_ERR_CRL_SIGNATURE_FAILURE:
  case X509_V_ERR_CRL_NOT_YET_VALID:
  case X509_V_ERR_CRL_HAS_EXPIRED:
  case X509_V_ERR_ERROR_IN_CRL_LAST_UPDATE_FIELD:
  case X509_V_ERR_ERROR_IN_CRL_NEXT_UPDATE_FIELD:
  case X509_V_ERR_CERT_REVOKED:
  case X509_V_ERR_UNABLE_TO_GET_CRL_ISSUER:
  case X509_V_ERR_KEYUSAGE_NO_CRL_SIGN:
  case X509_V_ERR_DIFFERENT_CRL_SCOPE:
  case X509_V_ERR_CRL_PATH_VALIDATION_ERROR:
    return 1;
  default:
    return 0;
  }
}

int dcap_chain_verify(X509 *root, STACK_OF(X509) *chain, X509_CRL *root_crl, X509_CRL *pck_crl, int64_t now,
                      int *x509_err, int *depth) {
  X509_STORE *store = X509_STORE_new();
  X509_STORE_CTX *ctx = X509_STORE_CTX_new();
  STACK_OF(X509) *untrusted = sk_X509_new_null();
  for (int i = 1; i < sk_X509_num(chain); i++)
    sk_X509_push(untrusted, sk_X509_value(chain, i));
  X509_STORE_add_cert(store, root);
  X509_STORE_add_crl(store, root_crl);
  X509_STORE_add_crl(store, pck_crl);
  int ok = X509_STORE_CTX_init(ctx, store, sk_X509_value(chain, 0), untrusted) == 1;
  if (ok) {
    X509_VERIFY_PARAM *param = X509_STORE_CTX_get0_param(ctx);
    X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL);
    X509_VERIFY_PARAM_set_time(param, (time_t)now);
    ok = X509_verify_cert(ctx) == 1;
  }
  *x509_err = ok ? X509_V_OK : X509_STORE_CTX_get_error(ctx);
  *depth = ok ? 0 : X509_STORE_CTX_get_error_depth(ctx);
  sk_X509_free(untrusted);
  X509_STORE_CTX_free(ctx);
  X509_STORE_free(store);
  return ok ? 0 : -1;
}
