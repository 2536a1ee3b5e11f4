/* An OUT attested with the simulated TEE, for programs that need a real one without a job: the
 * attestation benchmark and the bundle fuzz target. */
#ifndef TB_TESTS_SUPPORT_ATTEST_FIXTURE_H
#define TB_TESTS_SUPPORT_ATTEST_FIXTURE_H

#include "common/error.h"

/* Attest what OUT holds (its artifacts/ and logs/) as a solc build: start a private tee-sim in
 * sim_dir (its simulation PKI made there on first use), build the statement, make an ephemeral
 * key, sign, get the quote over the binding, and write OUT/provenance.json and the bundle. */
int attest_fixture_out(const char *out, const char *sim_dir, const char *teebuild_version, tb_error **err);

#endif
