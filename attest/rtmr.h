/* TDX runtime measurement registers as dstack uses them: an RTMR starts at zero and each event
 * extends it, mr = SHA-384(mr || digest). Replaying an event log must reproduce the quoted RTMR. */
#ifndef TB_ATTEST_RTMR_H
#define TB_ATTEST_RTMR_H

#include <jansson.h>
#include <stddef.h>

#include "common/error.h"

#define TB_SHA384_LEN 48

/* SHA-384 of a || b (b may be empty). */
void tb_sha384_2(const void *a, size_t a_len, const void *b, size_t b_len, unsigned char out[TB_SHA384_LEN]);

/* Replay the events of register imr from a dstack event log ([{"imr", "digest": hex48, ...}]). */
int tb_rtmr_replay(const json_t *event_log, int imr, unsigned char out[TB_SHA384_LEN], tb_error **err);

#endif
