/* Verification policy: which TCB statuses and which measurements a verifier accepts.
 *
 * A JSON object; every key optional, each a list of accepted values (measurements as lowercase or
 * uppercase hex, compared case-insensitively):
 *   "tcbStatus":   ["UpToDate", ...]   default ["UpToDate"]
 *   "mrtd", "rtmr0", "rtmr1", "rtmr2", "rtmr3": [hex48, ...]
 *   "composeHash", "osImageHash": [hex, ...]   dstack's RTMR3 events, checked through the event log
 *                                              (which must first replay to the quote's RTMRs)
 *   "kmsRoot": [hex33, ...]            dstack KMS root keys (compressed secp256k1) that a --key dstack
 *                                      signature chain may end at (from the DstackKms contract's
 *                                      kmsInfo().k256Pubkey, or pinned by you)
 * Unknown keys are an error (a misspelt key must not silently weaken a policy). */
#ifndef TB_ATTEST_POLICY_H
#define TB_ATTEST_POLICY_H

#include <jansson.h>
#include <stdbool.h>

#include "attest/quote_tdx.h"
#include "common/error.h"

#define POLICY_CHECK_TCB "tcb-status"
#define POLICY_CHECK_MEASUREMENTS "measurements"

int policy_load(const char *path, json_t **policy, tb_error **err);
int policy_parse(json_t *doc, const char *what, tb_error **err);

/* policy may be NULL (the defaults). */
int policy_check_tcb(const json_t *policy, const char *status, tb_error **err);

/* MRTD and RTMR0-3 against the pinned lists; composeHash/osImageHash against the named events of
 * events (NULL when there is no event log: then any pinned event fails). */
int policy_check_measurements(const json_t *policy, const struct tdx_quote *q, const json_t *events, tb_error **err);

/* Whether the policy has "kmsRoot": a bundle must then carry a key chain ending at one of them. */
bool policy_pins_kms_root(const json_t *policy);
/* 1 when hex is one of the policy's "kmsRoot" keys, 0 when it is not, -1 when none is pinned. */
int policy_kms_root_listed(const json_t *policy, const char *hex);

#endif
