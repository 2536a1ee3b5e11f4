/* SHA-384 as TDX measurement registers use it (an RTMR is extended as mr = SHA-384(mr || digest));
 * event-log replay itself lives in eventlog.h. */
#ifndef TB_ATTEST_RTMR_H
#define TB_ATTEST_RTMR_H

#include <stddef.h>

#define TB_SHA384_LEN 48

/* SHA-384 of a || b (b may be empty). */
void tb_sha384_2(const void *a, size_t a_len, const void *b, size_t b_len, unsigned char out[TB_SHA384_LEN]);

#endif
