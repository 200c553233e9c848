/* Logging: levels, stderr or syslog, and rate limiting for messages that
 * network input can trigger (so a flood of bad packets cannot flood the log).
 */
#ifndef DMVPN_LOG_H
#define DMVPN_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

enum log_level {
	LOG_LVL_DEBUG = 0,
	LOG_LVL_INFO,
	LOG_LVL_NOTICE,
	LOG_LVL_WARNING,
	LOG_LVL_ERROR,
};

enum log_dest { LOG_DEST_STDERR, LOG_DEST_SYSLOG, LOG_DEST_NONE };

void log_init(const char *ident, enum log_dest dest, enum log_level level);
void log_set_level(enum log_level level);
enum log_level log_get_level(void);
/* "debug" ... "error" <-> enum; returns -1 for an unknown name. */
int log_level_parse(const char *name);
const char *log_level_name(enum log_level level);

void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void log_vmsg(enum log_level level, const char *fmt, va_list ap);

#define log_debug(...) log_msg(LOG_LVL_DEBUG, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_notice(...) log_msg(LOG_LVL_NOTICE, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_LVL_WARNING, __VA_ARGS__)
#define log_err(...) log_msg(LOG_LVL_ERROR, __VA_ARGS__)

/* Token bucket: at most `burst` messages, refilled at `per_sec`. Messages
 * suppressed are counted and reported with the next one that passes. */
struct ratelimit {
	double per_sec;
	double burst;
	double tokens;
	double last; /* monotonic seconds */
	uint64_t suppressed;
};
#define RATELIMIT_INIT(rate, b) { .per_sec = (rate), .burst = (b), .tokens = (b), .last = 0, .suppressed = 0 }
/* True when a message may be logged now. */
bool ratelimit_ok(struct ratelimit *rl, double now);

/* Rate-limited log: one static bucket per call site (10/s, burst 20). */
#define log_rl(level, ...)                                                   \
	do {                                                                 \
		static struct ratelimit rl_ = RATELIMIT_INIT(10.0, 20.0);     \
		log_ratelimited(&rl_, (level), __VA_ARGS__);                 \
	} while (0)
void log_ratelimited(struct ratelimit *rl, enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Monotonic clock in seconds (overridable in tests via log_set_clock). */
double mono_now(void);
void mono_set_clock(double (*fn)(void));

#endif
