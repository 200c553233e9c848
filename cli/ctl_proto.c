/* Control protocol: request parsing/formatting, runtime paths, envelope. */
#include "cli/ctl_proto.h"

#include <stdio.h>
#include <string.h>

#include "lib/util.h"

static const char *const ctl_err_names[] = {
    [0] = "ok",
    [-CTL_ERR_EMPTY] = "empty request",
    [-CTL_ERR_TOO_LONG] = "request too long",
    [-CTL_ERR_NOT_PRINTABLE] = "request contains a non-printable character",
    [-CTL_ERR_SPACING] = "words must be separated by single spaces",
    [-CTL_ERR_TOO_MANY_WORDS] = "too many words",
    [-CTL_ERR_UNKNOWN_COMMAND] = "unknown command",
    [-CTL_ERR_INCOMPLETE] = "incomplete command",
    [-CTL_ERR_EXTRA_ARG] = "unexpected argument",
    [-CTL_ERR_BAD_ADDRESS] = "invalid address",
    [-CTL_ERR_BAD_JSON] = "reply is not valid JSON",
    [-CTL_ERR_BAD_ENVELOPE] = "reply lacks a valid status/data envelope",
    [-CTL_ERR_BAD_NAME] = "invalid instance name",
};

const char *ctl_strerror(int err)
{
	if (err > 0 || err < CTL_ERR_MIN)
		return "unknown error";
	return ctl_err_names[-err];
}

static const struct ctl_cmd_def ctl_cmds[] = {
    {CTL_CMD_SHOW_DMVPN, "show dmvpn", CTL_OPT_DETAIL, "peers per interface"},
    {CTL_CMD_SHOW_NHRP_CACHE, "show nhrp cache", CTL_OPT_NONE, "NHRP cache"},
    {CTL_CMD_SHOW_NHRP_NHS, "show nhrp nhs", CTL_OPT_NONE, "configured NHS and their state"},
    {CTL_CMD_SHOW_NHRP_SHORTCUT, "show nhrp shortcut", CTL_OPT_NONE, "shortcut routes"},
    {CTL_CMD_SHOW_IKEV2_SA, "show ikev2 sa", CTL_OPT_NONE, "IKE and CHILD SAs"},
    {CTL_CMD_SHOW_IPSEC_SA, "show ipsec sa", CTL_OPT_NONE, "ESP SAs and their traffic"},
    {CTL_CMD_SHOW_COUNTERS, "show counters", CTL_OPT_NONE, "all counters"},
    {CTL_CMD_CLEAR_NHRP_CACHE, "clear nhrp cache", CTL_OPT_NONE, "flush dynamic NHRP entries"},
    {CTL_CMD_CLEAR_IKEV2_SA, "clear ikev2 sa", CTL_OPT_PEER, "delete IKE SAs (of one peer)"},
    {CTL_CMD_RELOAD, "reload", CTL_OPT_NONE, "re-read the configuration"},
    {CTL_CMD_METRICS, "metrics", CTL_OPT_NONE, "Prometheus text exposition"},
    {CTL_CMD_MONITOR, "monitor", CTL_OPT_NONE, "stream events until interrupted"},
    {CTL_CMD_VERSION, "version", CTL_OPT_NONE, "daemon version and pid"},
};

const struct ctl_cmd_def *ctl_cmd_table(size_t *n)
{
	*n = ARRAY_SIZE(ctl_cmds);
	return ctl_cmds;
}

const char *ctl_cmd_name(enum ctl_cmd cmd)
{
	for (size_t i = 0; i < ARRAY_SIZE(ctl_cmds); i++)
		if (ctl_cmds[i].cmd == cmd)
			return ctl_cmds[i].words;
	return "?";
}

struct word {
	const char *p;
	size_t len;
};

/* Splits "a b c" into words; single spaces only, no leading/trailing. */
static int split_words(const char *line, size_t len, struct word *w, size_t *nw)
{
	size_t n = 0, start = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)line[i];
		if (c < 0x20 || c > 0x7e)
			return CTL_ERR_NOT_PRINTABLE;
	}
	for (size_t i = 0; i <= len; i++) {
		if (i < len && line[i] != ' ')
			continue;
		if (i == start)
			return CTL_ERR_SPACING; /* empty word */
		if (n == CTL_MAX_WORDS)
			return CTL_ERR_TOO_MANY_WORDS;
		w[n++] = (struct word){line + start, i - start};
		start = i + 1;
	}
	*nw = n;
	return CTL_OK;
}

static bool word_is(const struct word *w, const char *s, size_t slen)
{
	return w->len == slen && memcmp(w->p, s, slen) == 0;
}

/* How many leading request words match def's words: returns the number of
 * def words when all match, -1 on a mismatch, -2 when the request is a
 * strict prefix of the definition. */
static int match_def(const struct ctl_cmd_def *def, const struct word *w, size_t nw)
{
	const char *d = def->words;
	size_t i = 0;

	while (*d) {
		const char *sp = strchr(d, ' ');
		size_t dl = sp ? (size_t)(sp - d) : strlen(d);
		if (i == nw)
			return -2;
		if (!word_is(&w[i], d, dl))
			return -1;
		i++;
		d += dl;
		if (*d == ' ')
			d++;
	}
	return (int)i;
}

static int parse_opt(const struct ctl_cmd_def *def, const struct word *rest, size_t nrest,
                     struct ctl_request *req)
{
	char buf[ADDR_STRLEN + 1];

	if (nrest == 0)
		return CTL_OK;
	if (nrest > 1 || def->opt == CTL_OPT_NONE)
		return CTL_ERR_EXTRA_ARG;
	switch (def->opt) {
	case CTL_OPT_DETAIL:
		if (!word_is(rest, "detail", 6))
			return CTL_ERR_EXTRA_ARG;
		req->detail = true;
		return CTL_OK;
	case CTL_OPT_PEER:
		if (rest->len >= sizeof(buf))
			return CTL_ERR_BAD_ADDRESS;
		memcpy(buf, rest->p, rest->len);
		buf[rest->len] = '\0';
		if (ipaddr_parse(&req->peer, buf) != 0)
			return CTL_ERR_BAD_ADDRESS;
		req->has_peer = true;
		return CTL_OK;
	case CTL_OPT_NONE:
		break;
	}
	return CTL_ERR_EXTRA_ARG;
}

int ctl_request_parse(const char *line, size_t len, struct ctl_request *req)
{
	struct word w[CTL_MAX_WORDS];
	size_t nw = 0;
	bool prefix = false;
	int r;

	memset(req, 0, sizeof(*req));
	if (!line || len == 0)
		return CTL_ERR_EMPTY;
	if (len > CTL_LINE_MAX)
		return CTL_ERR_TOO_LONG;
	r = split_words(line, len, w, &nw);
	if (r != CTL_OK)
		return r;
	for (size_t i = 0; i < ARRAY_SIZE(ctl_cmds); i++) {
		int m = match_def(&ctl_cmds[i], w, nw);
		if (m == -2)
			prefix = true;
		if (m < 0)
			continue;
		r = parse_opt(&ctl_cmds[i], w + m, nw - (size_t)m, req);
		if (r != CTL_OK) {
			memset(req, 0, sizeof(*req));
			return r;
		}
		req->cmd = ctl_cmds[i].cmd;
		return CTL_OK;
	}
	return prefix ? CTL_ERR_INCOMPLETE : CTL_ERR_UNKNOWN_COMMAND;
}

int ctl_request_format(const struct ctl_request *req, char *buf, size_t len)
{
	char abuf[ADDR_STRLEN];
	const char *name = ctl_cmd_name(req->cmd);
	int n;

	if (req->cmd <= CTL_CMD_NONE || req->cmd >= CTL_CMD_MAX || len == 0)
		return -1;
	if (req->cmd == CTL_CMD_SHOW_DMVPN && req->detail)
		n = snprintf(buf, len, "%s detail", name);
	else if (req->cmd == CTL_CMD_CLEAR_IKEV2_SA && req->has_peer)
		n = snprintf(buf, len, "%s %s", name, ipaddr_fmt(&req->peer, abuf, sizeof(abuf)));
	else
		n = snprintf(buf, len, "%s", name);
	if (n < 0 || (size_t)n >= len)
		return -1;
	return n;
}

int ctl_name_valid(const char *name)
{
	size_t n = name ? strlen(name) : 0;

	if (n == 0 || n > CTL_NAME_MAX || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return CTL_ERR_BAD_NAME;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-' || c == '.'))
			return CTL_ERR_BAD_NAME;
	}
	return CTL_OK;
}

int ctl_rundir(const char *base, const char *name, char *buf, size_t len)
{
	int n;

	if (name && ctl_name_valid(name) != CTL_OK)
		return CTL_ERR_BAD_NAME;
	n = name ? snprintf(buf, len, "%s/%s", base, name) : snprintf(buf, len, "%s", base);
	if (n < 0 || (size_t)n >= len)
		return CTL_ERR_TOO_LONG;
	return CTL_OK;
}

int ctl_runfile(const char *base, const char *name, const char *file, char *buf, size_t len)
{
	char dir[CTL_PATH_MAX];
	int r = ctl_rundir(base, name, dir, sizeof(dir));
	int n;

	if (r != CTL_OK)
		return r;
	n = snprintf(buf, len, "%s/%s", dir, file);
	if (n < 0 || (size_t)n >= len)
		return CTL_ERR_TOO_LONG;
	return CTL_OK;
}

json_object *ctl_reply_ok(json_object *data)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "status", json_object_new_int(0));
	json_object_object_add(o, "data", data ? data : json_object_new_object());
	return o;
}

json_object *ctl_reply_error(const char *msg, json_object *data)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "status", json_object_new_int(1));
	json_object_object_add(o, "error", json_object_new_string(msg ? msg : "error"));
	json_object_object_add(o, "data", data ? data : json_object_new_object());
	return o;
}

int ctl_reply_parse(const char *text, size_t len, struct ctl_reply *r)
{
	json_tokener *tok;
	json_object *root, *st, *data, *err;
	size_t used;

	memset(r, 0, sizeof(*r));
	if (!text || len == 0 || len > (size_t)0x7fffffff)
		return CTL_ERR_BAD_JSON;
	tok = json_tokener_new();
	if (!tok)
		return CTL_ERR_BAD_JSON;
	root = json_tokener_parse_ex(tok, text, (int)len);
	used = json_tokener_get_error(tok) == json_tokener_success ? json_tokener_get_parse_end(tok)
	                                                           : 0;
	json_tokener_free(tok);
	if (!root)
		return CTL_ERR_BAD_JSON;
	for (size_t i = used; i < len; i++) {
		if (text[i] != ' ' && text[i] != '\n' && text[i] != '\r' && text[i] != '\t') {
			json_object_put(root);
			return CTL_ERR_BAD_JSON;
		}
	}
	if (!json_object_is_type(root, json_type_object) ||
	    !json_object_object_get_ex(root, "status", &st) ||
	    !json_object_is_type(st, json_type_int) ||
	    !json_object_object_get_ex(root, "data", &data) ||
	    !json_object_is_type(data, json_type_object)) {
		json_object_put(root);
		return CTL_ERR_BAD_ENVELOPE;
	}
	r->root = root;
	r->status = (int)json_object_get_int64(st) != 0;
	r->data = data;
	r->error = "";
	if (json_object_object_get_ex(root, "error", &err) &&
	    json_object_is_type(err, json_type_string))
		r->error = json_object_get_string(err);
	return CTL_OK;
}

void ctl_reply_free(struct ctl_reply *r)
{
	if (r->root)
		json_object_put(r->root);
	memset(r, 0, sizeof(r[0]));
}
