/* Shared by the fuzz targets: the entry point libFuzzer (or replay.c) calls, and the real samples
 * from ../shared/testdata that targets hold fixed while they vary the rest. */
#ifndef TB_TESTS_FUZZ_H
#define TB_TESTS_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A testdata file's bytes, NUL-terminated and malloc'ed; aborts when missing (the target cannot
 * run without its sample). name is relative to $TB_TESTDATA/tdx. */
char *fuzz_sample(const char *name, size_t *len);

/* A sample quote (raw, hex or a GetQuote response), parsed once and kept for the process. */
struct tdx_quote;
const struct tdx_quote *fuzz_sample_quote(const char *name);

/* A directory of the process's own, made on first use and removed at exit: under $TMPDIR, else
 * /dev/shm (tmpfs keeps fuzzing fast), else /tmp. */
const char *fuzz_scratch_dir(void);

struct tb_error;
/* A fuzz target's failure, found or in its own set-up: says why on stderr (a replay under ctest
 * shows it), then aborts, which libFuzzer reports as a crash with the input. */
_Noreturn void fuzz_fail(const char *why, const struct tb_error *err);

/* The v4 sample's collateral is valid at this time (testdata/tdx/README.md). */
#define FUZZ_SAMPLE_TIME 1752919234

#endif
