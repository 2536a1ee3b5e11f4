/* The command line: global options and one function per command (one file each: cmd_<name>.c). */
#ifndef TB_RUNNER_CLI_H
#define TB_RUNNER_CLI_H

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
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
int cmd_reprotest(const struct tb_globals *g, int argc, char **argv, tb_error **err);

/* getopt_long for a command's options, the one parser every command uses. Options may follow
 * operands (getopt permutes: `teebuild verify OUT --allow-simulated`, as design.md writes it).
 * getopt's own messages are off: an unknown option or a missing value sets *err to one usage line
 * naming cmd and returns '?'. Returns -1 after the last option. Set optind = 0 before the first
 * call of a command, so getopt starts over whatever parsed before. */
int tb_getopt(int argc, char **argv, const char *cmd, const char *shortopts, const struct option *longopts,
              tb_error **err);

/* A command's result went to stdout: a failed write (a closed pipe, a full disk) is an error. */
int tb_flush_stdout(tb_error **err);
/* The one result object of --json on stdout, canonical and newline-terminated. Takes result. */
int tb_print_json(json_t *result, tb_error **err);
/* The same for a result printed on the way out of a failing command, whose own error is what it
 * reports: a failed write is not. Does not take result. */
void tb_print_json_result(const json_t *result);

/* Fail with TB_EXIT_USAGE and a one-line message naming the command; evaluates to -EINVAL (a
 * macro, like tb_error_set, so that analysers see the failure is negative). */
void tb_usage_record(tb_error **err, const char *cmd, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
#define tb_usage_error(err, cmd, ...) __extension__({ tb_usage_record((err), (cmd), __VA_ARGS__); -EINVAL; })

#endif
