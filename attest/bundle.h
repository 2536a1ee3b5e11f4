/* teebuild.bundle.json (design.md "Signing and the binding to the quote"): the DSSE envelope, the
 * public key that signed it, and the TEE evidence whose report_data binds both. */
#ifndef TB_ATTEST_BUNDLE_H
#define TB_ATTEST_BUNDLE_H

#include <jansson.h>
#include <openssl/evp.h>
#include <stddef.h>

#include "attest/tee.h"
#include "common/error.h"

#define TB_BUNDLE_MEDIA_TYPE "application/vnd.teebuild.bundle.v1+json"
#define TB_BUNDLE_FILE "teebuild.bundle.json"
#define TB_PROVENANCE_FILE "provenance.json"

/* Sign payload with key, ask tee for a quote over the binding, and assemble the bundle. */
int tb_bundle_seal(struct tb_tee *tee, EVP_PKEY *key, const char *payload, size_t len, json_t **bundle,
                   tb_error **err);

/* Carry a --key dstack signature chain (attest/key_chain.h) as tee.keySignatureChain. */
void tb_bundle_add_key_chain(json_t *bundle, const json_t *chain);

/* Write OUT/provenance.json (the exact payload bytes) and OUT/teebuild.bundle.json. */
int tb_bundle_write(const char *out_dir, const char *payload, size_t len, const json_t *bundle, tb_error **err);

#endif
