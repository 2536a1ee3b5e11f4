/* The command line: global options and one function per command (one file each: cmd_<name>.c). */
#ifndef TB_RUNNER_CLI_H
#define TB_RUNNER_CLI_H

#include <stdbool.h>

#include "common/error.h"

/* Options design.md calls global; accepted before or after the command name. */
struct tb_globals {
  const char *store_dir; /* --store, NULL for the default rules */
  const char *tee;       /* --tee auto|dstack|tappd|tsm|simulated|none; default "auto" */
  bool json;             /* --json: one result object on stdout, human text on stderr */
};

/* A command parses its own options from argv (argv[0] is the command name), does its work and
 * returns the process exit status (enum tb_exit). On failure it fills *err; main() prints it. */
typedef int (*tb_command_fn)(const struct tb_globals *g, int argc, char **argv, tb_error **err);

int cmd_build(const struct tb_globals *g, int argc, char **argv, tb_error **err);
int cmd_run(const struct tb_globals *g, int argc, char **argv, tb_error **err);
int cmd_toolchain(const struct tb_globals *g, int argc, char **argv, tb_error **err);
int cmd_verify(const struct tb_globals *g, int argc, char **argv, tb_error **err);
int cmd_tee_sim(const struct tb_globals *g, int argc, char **argv, tb_error **err);
int cmd_quote_raw(const struct tb_globals *g, int argc, char **argv, tb_error **err);
int cmd_quote(const struct tb_globals *g, int argc, char **argv, tb_error **err); /* verify, else cmd_quote_raw */
int cmd_audit(const struct tb_globals *g, int argc, char **argv, tb_error **err);

/* Fail with TB_EXIT_USAGE and a one-line message naming the command. */
int tb_usage_error(tb_error **err, const char *cmd, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
