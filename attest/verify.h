/* Offline verification of an output directory (design.md "Verification"), check by check in the
 * design's order. Every check is recorded with its name, so the CLI can name the first failure
 * and --json can list them all; a check whose inputs a failed check should have provided is
 * recorded as failed with "not checked". */
#ifndef TB_ATTEST_VERIFY_H
#define TB_ATTEST_VERIFY_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"

#define TB_CHECK_BUNDLE "bundle"
#define TB_CHECK_SIGNATURE "envelope-signature"
#define TB_CHECK_BINDING "binding"
#define TB_CHECK_QUOTE "quote"
#define TB_CHECK_TEE "tee"
#define TB_CHECK_TCB "tcb-status"
#define TB_CHECK_MEASUREMENTS "measurements"
#define TB_CHECK_DSTACK_APP "dstack-app" /* only when builderDependencies name a dstack app */
#define TB_CHECK_KEY_CHAIN "key-chain"   /* only for bundles signed with --key dstack */
#define TB_CHECK_SUBJECTS "subjects"
#define TB_CHECK_PROVENANCE_FILE "provenance-file"
#define TB_CHECK_REBUILD "rebuild"
#define TB_CHECK_LINKS "links" /* only for outputs chained to another (attest/links.h) */

struct tb_verify_options {
  const char *out_dir;
  const json_t *policy;        /* policy.h's, or NULL for the defaults (tcbStatus UpToDate) */
  const char *collateral_json; /* for hardware quotes: QuoteCollateralV3 text, or NULL */
  const char *pccs_url;        /* else fetch it from this PCCS/PCS base URL (dcap_fetch_collateral) */
  int64_t now;                 /* Unix seconds at which certificates and collateral must be valid */
  bool allow_simulated;
  const char *sim_dir; /* the local simulation root: the only one simulated quotes may chain to */
};

struct tb_verify_check {
  const char *name;
  bool ok;
  char *detail;
};

#define TB_VERIFY_MAX_CHECKS 16

struct tb_verify_report {
  struct tb_verify_check checks[TB_VERIFY_MAX_CHECKS];
  size_t n_checks;
  size_t n_subjects;
  char tee[16];        /* provider named in the bundle */
  char tcb_status[48]; /* from DCAP, "" when not reached */
  bool simulated;      /* the quote verified to the local simulation root, not Intel's */
  json_t *statement;   /* the signed statement once its subjects matched, for callers that go on to
                          use what was verified (audit); else NULL */
};

/* Run every check. Returns 0 when all pass; otherwise TB_EXIT_VERIFY with "<check>: <why>" of the
 * first failure. The report is filled either way. */
int tb_verify(const struct tb_verify_options *opts, struct tb_verify_report *report, tb_error **err);
void tb_verify_report_clear(struct tb_verify_report *report);
/* Add a check made outside attest/ (the CLI's --rebuild); returns 0 or TB_EXIT_VERIFY like
 * tb_verify() when it failed. */
int tb_verify_report_add(struct tb_verify_report *report, const char *name, bool ok, const char *detail,
                         tb_error **err);
/* design.md's verify --json object. */
json_t *tb_verify_report_json(const struct tb_verify_report *report);

#endif
