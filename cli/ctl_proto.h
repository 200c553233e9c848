/* Control protocol between dmvpnctl and dmvpnd (see doc/CONTROL.md).
 *
 * A client sends ONE request line: words separated by single spaces,
 * printable ASCII only, at most CTL_LINE_MAX bytes, terminated by '\n'.
 * The daemon answers with one JSON document, the envelope
 *     {"status":0|1,"error":"...","data":{...}}
 * and closes the connection (`monitor` instead keeps it open and writes one
 * JSON object per line).
 *
 * Everything here is pure: request parsing and formatting work on caller
 * buffers; the envelope helpers only build or take apart json-c objects.
 */
#ifndef DMVPN_CTL_PROTO_H
#define DMVPN_CTL_PROTO_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "lib/addr.h"

#define CTL_LINE_MAX  4096 /* request bytes, not counting the '\n' */
#define CTL_MAX_WORDS 8
#define CTL_NAME_MAX  64  /* -N NAME */
#define CTL_PATH_MAX  108 /* sizeof(sun_path) */
#ifndef CTL_RUNDIR
#define CTL_RUNDIR "/run/dmvpn" /* runtime files; -N NAME adds "/NAME" */
#endif
#define CTL_SOCK_NAME "dmvpnd.sock"
#define CTL_PID_NAME  "dmvpnd.pid"

enum ctl_cmd {
	CTL_CMD_NONE = 0,
	CTL_CMD_SHOW_DMVPN,
	CTL_CMD_SHOW_NHRP_CACHE,
	CTL_CMD_SHOW_NHRP_NHS,
	CTL_CMD_SHOW_NHRP_SHORTCUT,
	CTL_CMD_SHOW_IKEV2_SA,
	CTL_CMD_SHOW_COUNTERS,
	CTL_CMD_CLEAR_NHRP_CACHE,
	CTL_CMD_CLEAR_IKEV2_SA,
	CTL_CMD_RELOAD,
	CTL_CMD_METRICS,
	CTL_CMD_MONITOR,
	CTL_CMD_VERSION,
	CTL_CMD_SHOW_IPSEC_SA,
	CTL_CMD_MAX
};

/* Why a request (or a reply, client side) was refused. */
enum ctl_err {
	CTL_OK = 0,
	CTL_ERR_EMPTY = -1,
	CTL_ERR_TOO_LONG = -2,
	CTL_ERR_NOT_PRINTABLE = -3,
	CTL_ERR_SPACING = -4,
	CTL_ERR_TOO_MANY_WORDS = -5,
	CTL_ERR_UNKNOWN_COMMAND = -6,
	CTL_ERR_INCOMPLETE = -7,
	CTL_ERR_EXTRA_ARG = -8,
	CTL_ERR_BAD_ADDRESS = -9,
	CTL_ERR_BAD_JSON = -10,
	CTL_ERR_BAD_ENVELOPE = -11,
	CTL_ERR_BAD_NAME = -12,
	CTL_ERR_MIN = -12
};
const char *ctl_strerror(int err);

/* Optional trailing argument a command accepts. */
enum ctl_opt {
	CTL_OPT_NONE = 0,
	CTL_OPT_DETAIL, /* "detail" */
	CTL_OPT_PEER,   /* an IPv4/IPv6 address */
};

struct ctl_cmd_def {
	enum ctl_cmd cmd;
	const char *words; /* "show nhrp cache" */
	enum ctl_opt opt;
	const char *help;
};
/* The command table (for usage texts); *n gets its length. */
const struct ctl_cmd_def *ctl_cmd_table(size_t *n);
/* "show nhrp cache", or "?" */
const char *ctl_cmd_name(enum ctl_cmd cmd);

struct ctl_request {
	enum ctl_cmd cmd;
	bool detail;   /* show dmvpn detail */
	bool has_peer; /* clear ikev2 sa PEER */
	struct ipaddr peer;
};

/* Parses one request line of len bytes (without its '\n'). Returns CTL_OK
 * and fills *req, or a negative enum ctl_err; never reads past line+len. */
int ctl_request_parse(const char *line, size_t len, struct ctl_request *req);
/* Writes the canonical request line (no '\n'). Returns its length, or -1
 * when buf is too small or req is invalid. */
int ctl_request_format(const struct ctl_request *req, char *buf, size_t len);

/* Runtime paths: "/run/dmvpn" or "/run/dmvpn/NAME" (+ "/dmvpnd.sock" etc).
 * NAME is 1..CTL_NAME_MAX of [A-Za-z0-9_.-], not "." or "..". base is the
 * run directory root (DMVPN_RUNDIR). 0, or a negative enum ctl_err. */
int ctl_name_valid(const char *name);
int ctl_rundir(const char *base, const char *name, char *buf, size_t len);
int ctl_runfile(const char *base, const char *name, const char *file, char *buf, size_t len);

/* --- JSON envelope --- */
/* {"status":0,"data":data}; takes ownership of data (NULL gives {}). */
json_object *ctl_reply_ok(json_object *data);
/* {"status":1,"error":msg,"data":data}; takes ownership of data. */
json_object *ctl_reply_error(const char *msg, json_object *data);

/* A reply as the client sees it; `data` and `error` point into `root`. */
struct ctl_reply {
	json_object *root;
	int status;
	const char *error; /* "" when absent */
	json_object *data; /* an object, never NULL after a successful parse */
};
/* Parses a complete reply document (trailing whitespace allowed). CTL_OK,
 * or CTL_ERR_BAD_JSON / CTL_ERR_BAD_ENVELOPE (r is then empty). */
int ctl_reply_parse(const char *text, size_t len, struct ctl_reply *r);
void ctl_reply_free(struct ctl_reply *r);

#endif
