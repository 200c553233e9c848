#include "log.h"

#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

static enum log_dest log_dest = LOG_DEST_STDERR;
static enum log_level log_level = LOG_LVL_INFO;
static const char *log_ident = "dmvpnd";
static double (*clock_fn)(void);

static const char *const level_names[] = {
	[LOG_LVL_DEBUG] = "debug",
	[LOG_LVL_INFO] = "info",
	[LOG_LVL_NOTICE] = "notice",
	[LOG_LVL_WARNING] = "warning",
	[LOG_LVL_ERROR] = "error",
};

void log_init(const char *ident, enum log_dest dest, enum log_level level)
{
	log_ident = ident ? ident : "dmvpnd";
	log_dest = dest;
	log_level = level;
	if (dest == LOG_DEST_SYSLOG)
		openlog(log_ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void log_set_level(enum log_level level) { log_level = level; }
enum log_level log_get_level(void) { return log_level; }

int log_level_parse(const char *name)
{
	for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++)
		if (strcmp(name, level_names[i]) == 0)
			return (int)i;
	return -1;
}

const char *log_level_name(enum log_level level)
{
	return (unsigned)level <= LOG_LVL_ERROR ? level_names[level] : "?";
}

void log_vmsg(enum log_level level, const char *fmt, va_list ap)
{
	static const int prio[] = { LOG_DEBUG, LOG_INFO, LOG_NOTICE, LOG_WARNING, LOG_ERR };

	if (level < log_level || log_dest == LOG_DEST_NONE)
		return;
	if (log_dest == LOG_DEST_SYSLOG) {
		vsyslog(prio[level], fmt, ap);
		return;
	}
	struct timespec ts;
	struct tm tm;
	char tbuf[32];
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(tbuf, sizeof(tbuf), "%H:%M:%S", &tm);
	fprintf(stderr, "%s.%03ld %s %s: ", tbuf, ts.tv_nsec / 1000000, log_ident, level_names[level]);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_vmsg(level, fmt, ap);
	va_end(ap);
}

double mono_now(void)
{
	struct timespec ts;

	if (clock_fn)
		return clock_fn();
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void mono_set_clock(double (*fn)(void)) { clock_fn = fn; }

bool ratelimit_ok(struct ratelimit *rl, double now)
{
	if (rl->last == 0)
		rl->last = now;
	rl->tokens += (now - rl->last) * rl->per_sec;
	if (rl->tokens > rl->burst)
		rl->tokens = rl->burst;
	rl->last = now;
	if (rl->tokens >= 1.0) {
		rl->tokens -= 1.0;
		return true;
	}
	rl->suppressed++;
	return false;
}

void log_ratelimited(struct ratelimit *rl, enum log_level level, const char *fmt, ...)
{
	va_list ap;

	if (level < log_level)
		return;
	if (!ratelimit_ok(rl, mono_now()))
		return;
	if (rl->suppressed) {
		log_msg(level, "(%llu similar messages suppressed)", (unsigned long long)rl->suppressed);
		rl->suppressed = 0;
	}
	va_start(ap, fmt);
	log_vmsg(level, fmt, ap);
	va_end(ap);
}
