/* Internal to the configuration parser (config*.c): the parser state, the
 * command tables and the helpers shared by the per-block command files.
 * Nothing outside config*.c includes this.
 */
#ifndef DMVPN_CONFIG_PARSE_H
#define DMVPN_CONFIG_PARSE_H

#include <stdarg.h>

#include "config.h"

#define CFG_CMDS_MAX 48 /* entries in one command table */

struct cfg_parser;

/* Handles one command: argv/argc are the arguments after the keywords. */
typedef void (*cfg_handler)(struct cfg_parser *p, void *obj, char **argv, int argc, int aux);

struct cfg_cmd {
	const char *words; /* keywords, space-separated: "ip nhrp nhs" */
	int min_args;
	int max_args; /* -1: no limit */
	bool once;    /* an error when repeated within one block */
	cfg_handler fn;
	int aux;           /* passed to fn (address family for ip/ipv6 twins) */
	const char *usage; /* arguments, for "usage: WORDS USAGE" */
};

struct cfg_table {
	const char *name; /* "top level", "interface", "crypto ikev2 profile" */
	const struct cfg_cmd *cmds;
	size_t n;
};

extern const struct cfg_table cfg_top_table;
extern const struct cfg_table cfg_iface_table;
extern const struct cfg_table cfg_profile_table;

/* SKIP: after an unknown top-level command, its indented lines are ignored. */
enum cfg_block { CFG_BLK_NONE = 0, CFG_BLK_IFACE, CFG_BLK_PROFILE, CFG_BLK_SKIP };

struct cfg_error {
	int line;
	unsigned seq;
	char *msg;
};

struct cfg_parser {
	const char *name; /* file name in messages */
	struct config *cfg;
	int line; /* line being parsed */
	bool oom;

	struct cfg_error *errs;
	size_t n_errs, cap_errs;

	char *buf; /* copy of the current line, tokens point into it */
	size_t buf_cap;
	char **argv;
	size_t argc, argv_cap;

	enum cfg_block blk;
	void *blk_obj;    /* struct cfg_iface * or struct cfg_profile * */
	bool blk_scratch; /* block header was wrong: parse into a throwaway object */
	const struct cfg_table *blk_table;
	int seen[CFG_CMDS_MAX];     /* line a `once` command was first given in the block */
	int top_seen[CFG_CMDS_MAX]; /* same for top-level commands */

	char qbuf[4][96]; /* cfg_q() results */
	unsigned qi;
};

/* Records an error at line (sorted and printed at the end). */
void cfg_error(struct cfg_parser *p, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A printable, truncated copy of a user token for messages (valid for the
 * next three calls). */
const char *cfg_q(struct cfg_parser *p, const char *tok);

/* Allocation that records "out of memory" (once) instead of failing loudly. */
void *cfg_alloc(struct cfg_parser *p, size_t size);
char *cfg_strdup(struct cfg_parser *p, const char *s);
/* Grows *arr (elements of size elem) by one zeroed element; returns it or NULL. */
void *cfg_append(struct cfg_parser *p, void **arr, size_t *n, size_t elem);

/* Value parsers: strict, report "WHAT must be ..." at the current line and
 * return false when the text is not acceptable. */
bool cfg_arg_u32(struct cfg_parser *p, const char *what, const char *s, uint32_t min, uint32_t max,
                 uint32_t *out);
/* Seconds: decimal "10", "0.3" (no sign, exponent, inf or nan); > 0 and <= max. */
bool cfg_arg_secs(struct cfg_parser *p, const char *what, const char *s, double max, double *out);
bool cfg_arg_addr(struct cfg_parser *p, const char *what, const char *s, int family,
                  struct ipaddr *out); /* family 0: either */

/* Pure syntax checks (no error reporting). */
bool cfg_parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out);
bool cfg_parse_secs(const char *s, double *out);
bool cfg_valid_ifname(const char *s);
bool cfg_valid_name(const char *s);  /* [A-Za-z0-9_.-], 1..CFG_NAME_MAX */
bool cfg_valid_fqdn(const char *s);  /* LDH labels, <= 253 */
bool cfg_valid_email(const char *s); /* local@fqdn */

/* Block headers (config_iface.c, config_ike.c). */
void cfg_iface_begin(struct cfg_parser *p, char **argv, int argc);
void cfg_profile_begin(struct cfg_parser *p, char **argv, int argc);
/* Checks after the whole text was read (each error at the offending line). */
void cfg_iface_check(struct cfg_parser *p, struct cfg_iface *ifc);
void cfg_profile_check(struct cfg_parser *p, struct cfg_profile *prof);

/* Freeing (config_model.c). */
void cfg_iface_clear(struct cfg_iface *ifc);
void cfg_profile_clear(struct cfg_profile *prof);

#endif
