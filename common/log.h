/* Human-readable progress on stderr; stdout is reserved for --json results. */
#ifndef TB_COMMON_LOG_H
#define TB_COMMON_LOG_H

enum tb_verbosity { TB_QUIET = -1, TB_NORMAL = 0, TB_VERBOSE = 1 };

void tb_log_set_verbosity(int level);
int tb_log_verbosity(void);
void tb_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));  /* hidden by -q */
void tb_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));  /* always shown */
void tb_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2))); /* only with -v */
/* A warning about what the result is worth (evidence from the simulator), not about the work:
 * kept until main() has printed the command's outcome (tb_log_print_later), so that a failure's
 * own line stays first. */
void tb_warn_later(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void tb_log_print_later(void);

#endif
