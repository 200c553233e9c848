/* Configuration parser: lines, tokens, blocks, command dispatch, error
 * collection, and the top-level commands. Interface and IKE profile commands
 * live in config_iface.c and config_ike.c; freeing in config_model.c.
 *
 * Grammar: one command per line; `!` outside quotes starts a comment; a line
 * that starts with a space or tab belongs to the block opened by the last
 * `interface NAME` or `crypto ikev2 profile NAME`; `exit` closes a block.
 * "..." quotes a word (\" and \\ are escapes). Any line length is fine (the
 * line is copied into a growing buffer); NUL and control bytes are errors.
 */
#include "config_parse.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "lib/log.h"
#include "lib/util.h"

_Static_assert(CFG_DEFAULT_LOG_LEVEL == LOG_LVL_INFO, "config.h default log level");

#define CFG_FILE_MAX (16u << 20) /* a configuration larger than this is a mistake */

/* ---- errors and allocation ---- */

static void cfg_error_add(struct cfg_parser *p, int line, char *msg)
{
	struct cfg_error *e;

	if (p->n_errs == p->cap_errs) {
		size_t cap = p->cap_errs ? p->cap_errs * 2 : 16;
		struct cfg_error *n = realloc(p->errs, cap * sizeof(*n));
		if (!n) {
			free(msg);
			p->oom = true;
			return;
		}
		p->errs = n;
		p->cap_errs = cap;
	}
	e = &p->errs[p->n_errs];
	e->line = line;
	e->seq = (unsigned)p->n_errs;
	e->msg = msg;
	p->n_errs++;
}

void cfg_error(struct cfg_parser *p, int line, const char *fmt, ...)
{
	va_list ap, ap2;
	char *msg;
	int n;

	va_start(ap, fmt);
	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	msg = n < 0 ? NULL : malloc((size_t)n + 1);
	if (msg)
		vsnprintf(msg, (size_t)n + 1, fmt, ap2);
	va_end(ap2);
	if (!msg) {
		p->oom = true;
		return;
	}
	cfg_error_add(p, line, msg);
}

const char *cfg_q(struct cfg_parser *p, const char *tok)
{
	char *out = p->qbuf[p->qi++ % ARRAY_SIZE(p->qbuf)];
	size_t cap = sizeof(p->qbuf[0]), i, n = 0;

	for (i = 0; tok[i] && n + 4 < cap; i++) {
		unsigned char c = (unsigned char)tok[i];
		out[n++] = (c < 0x20 || c >= 0x7f) ? '?' : (char)c; /* no terminal escapes */
	}
	if (tok[i]) {
		memcpy(out + n, "...", 3);
		n += 3;
	}
	out[n] = '\0';
	return out;
}

static void cfg_oom(struct cfg_parser *p)
{
	p->oom = true;
}

void *cfg_alloc(struct cfg_parser *p, size_t size)
{
	void *m = calloc(1, size ? size : 1);
	if (!m)
		cfg_oom(p);
	return m;
}

char *cfg_strdup(struct cfg_parser *p, const char *s)
{
	char *d = strdup(s);
	if (!d)
		cfg_oom(p);
	return d;
}

void *cfg_append(struct cfg_parser *p, void **arr, size_t *n, size_t elem)
{
	char *a = realloc(*arr, (*n + 1) * elem);
	if (!a) {
		cfg_oom(p);
		return NULL;
	}
	*arr = a;
	memset(a + *n * elem, 0, elem);
	return a + (*n)++ * elem;
}

/* ---- value syntax ---- */

bool cfg_parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
	uint64_t v = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > UINT32_MAX)
			return false;
	}
	if (v < min || v > max)
		return false;
	*out = (uint32_t)v;
	return true;
}

bool cfg_parse_secs(const char *s, double *out)
{
	size_t i = 0, int_digits = 0, frac_digits = 0;
	double v;

	while (s[i] >= '0' && s[i] <= '9')
		i++, int_digits++;
	if (s[i] == '.') {
		i++;
		while (s[i] >= '0' && s[i] <= '9')
			i++, frac_digits++;
		if (!frac_digits)
			return false;
	}
	if (s[i] || !int_digits || i > 32)
		return false;
	v = strtod(s, NULL);
	if (!isfinite(v))
		return false;
	*out = v;
	return true;
}

bool cfg_arg_u32(struct cfg_parser *p, const char *what, const char *s, uint32_t min, uint32_t max,
                 uint32_t *out)
{
	if (cfg_parse_u32(s, min, max, out))
		return true;
	cfg_error(p, p->line, "%s must be an integer in %u..%u, not '%s'", what, (unsigned)min,
	          (unsigned)max, cfg_q(p, s));
	return false;
}

bool cfg_arg_secs(struct cfg_parser *p, const char *what, const char *s, double max, double *out)
{
	double v;

	if (cfg_parse_secs(s, &v) && v > 0 && v <= max) {
		*out = v;
		return true;
	}
	cfg_error(p, p->line, "%s must be a number of seconds > 0 and <= %g, not '%s'", what, max,
	          cfg_q(p, s));
	return false;
}

bool cfg_arg_addr(struct cfg_parser *p, const char *what, const char *s, int family,
                  struct ipaddr *out)
{
	struct ipaddr a;

	if (ipaddr_parse(&a, s) == 0 && (!family || a.family == family)) {
		*out = a;
		return true;
	}
	cfg_error(p, p->line, "%s must be an %s address, not '%s'", what,
	          family == AF_INET    ? "IPv4"
	          : family == AF_INET6 ? "IPv6"
	                               : "IPv4 or IPv6",
	          cfg_q(p, s));
	return false;
}

bool cfg_valid_ifname(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > CFG_IFNAME_MAX || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c <= ' ' || c == '/' || c == ':' || c >= 0x7f)
			return false;
	}
	return true;
}

bool cfg_valid_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > CFG_NAME_MAX)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-' && *s != '.')
			return false;
	return true;
}

bool cfg_valid_fqdn(const char *s)
{
	size_t n = strlen(s), label = 0;
	char prev = '.';

	if (n == 0 || n > 253)
		return false;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '.') {
			if (prev == '.' || prev == '-')
				return false;
			label = 0;
		} else if (isalnum(c) || c == '-' || c == '_') {
			if (c == '-' && prev == '.')
				return false;
			if (++label > 63)
				return false;
		} else {
			return false;
		}
		prev = (char)c;
	}
	return prev != '-';
}

bool cfg_valid_email(const char *s)
{
	const char *at = strchr(s, '@');

	if (!at || at == s || strchr(at + 1, '@'))
		return false;
	for (const char *c = s; c < at; c++)
		if ((unsigned char)*c <= ' ' || (unsigned char)*c >= 0x7f)
			return false;
	return cfg_valid_fqdn(at + 1);
}

/* ---- top-level commands ---- */

static void cmd_interface(struct cfg_parser *p, void *obj, char **argv, int argc, int aux)
{
	cfg_iface_begin(p, argv, argc);
}

static void cmd_profile(struct cfg_parser *p, void *obj, char **argv, int argc, int aux)
{
	cfg_profile_begin(p, argv, argc);
}

static void cmd_hostname(struct cfg_parser *p, void *obj, char **argv, int argc, int aux)
{
	struct config *cfg = obj;
	const char *s = argv[0];
	size_t n = strlen(s);
	bool ok = n > 0 && n <= 253;

	for (size_t i = 0; ok && i < n; i++)
		ok = isalnum((unsigned char)s[i]) || s[i] == '-' || s[i] == '.' || s[i] == '_';
	if (!ok) {
		cfg_error(p, p->line,
		          "hostname must be 1..253 letters, digits, '-', '.' or '_', not '%s'",
		          cfg_q(p, s));
		return;
	}
	cfg->hostname = cfg_strdup(p, s);
}

static void cmd_log_level(struct cfg_parser *p, void *obj, char **argv, int argc, int aux)
{
	struct config *cfg = obj;
	int lvl = log_level_parse(argv[0]);

	if (lvl < 0) {
		cfg_error(p, p->line,
		          "log level must be debug, info, notice, warning or error, not '%s'",
		          cfg_q(p, argv[0]));
		return;
	}
	cfg->log_level = lvl;
}

/* aux: 0 zapi, 1 vty */
static void cmd_frr(struct cfg_parser *p, void *obj, char **argv, int argc, int aux)
{
	struct config *cfg = obj;
	const char *what = aux ? "frr vty" : "frr zapi";
	char **path = aux ? &cfg->frr.vty_path : &cfg->frr.zapi_path;
	bool *on = aux ? &cfg->frr.vty : &cfg->frr.zapi;

	if (argc == 1) {
		size_t max = sizeof(((struct sockaddr_un *)0)->sun_path) - 1;
		if (argv[0][0] != '/') {
			cfg_error(p, p->line, "%s: '%s' is not an absolute path", what,
			          cfg_q(p, argv[0]));
			return;
		}
		if (strlen(argv[0]) > max) {
			cfg_error(p, p->line, "%s: path longer than %zu bytes (unix socket limit)",
			          what, max);
			return;
		}
		*path = cfg_strdup(p, argv[0]);
	}
	*on = true;
}

static const struct cfg_cmd top_cmds[] = {
    /* block headers check their own arguments, so that a wrong header still
     * opens a (throwaway) block whose lines are checked without noise */
    {"interface", 0, -1, false, cmd_interface, 0, "NAME"},
    {"crypto ikev2 profile", 0, -1, false, cmd_profile, 0, "NAME"},
    {"hostname", 1, 1, true, cmd_hostname, 0, "NAME"},
    {"log level", 1, 1, true, cmd_log_level, 0, "debug|info|notice|warning|error"},
    {"frr zapi", 0, 1, true, cmd_frr, 0, "[PATH]"},
    {"frr vty", 0, 1, true, cmd_frr, 1, "[PATH]"},
};
_Static_assert(ARRAY_SIZE(top_cmds) <= CFG_CMDS_MAX, "raise CFG_CMDS_MAX");
const struct cfg_table cfg_top_table = {"top level", top_cmds, ARRAY_SIZE(top_cmds)};

/* ---- dispatch ---- */

/* Number of leading keywords of cmd that equal argv[0..]; *full when all do. */
static int cmd_match(const struct cfg_cmd *cmd, char **argv, int argc, bool *full)
{
	const char *w = cmd->words;
	int k = 0;

	*full = false;
	while (*w) {
		size_t len = strcspn(w, " ");
		if (k >= argc || strlen(argv[k]) != len || memcmp(argv[k], w, len) != 0)
			return k;
		k++;
		w += len;
		while (*w == ' ')
			w++;
	}
	*full = true;
	return k;
}

static const struct cfg_cmd *table_find(const struct cfg_table *t, char **argv, int argc,
                                        int *nwords, int *depth)
{
	const struct cfg_cmd *best = NULL;
	int best_k = 0;

	*depth = 0;
	for (size_t i = 0; i < t->n; i++) {
		bool full;
		int k = cmd_match(&t->cmds[i], argv, argc, &full);
		if (k > *depth)
			*depth = k;
		if (full && k > best_k) {
			best = &t->cmds[i];
			best_k = k;
		}
	}
	*nwords = best_k;
	return best;
}

/* "w1 w2 w3" of the first n tokens, for messages. */
static const char *words_q(struct cfg_parser *p, char **argv, int n)
{
	char tmp[sizeof(p->qbuf[0])];
	size_t len = 0;

	tmp[0] = '\0';
	for (int i = 0; i < n && len + 1 < sizeof(tmp); i++) {
		int w = snprintf(tmp + len, sizeof(tmp) - len, "%s%s", i ? " " : "", argv[i]);
		if (w < 0)
			break;
		len += (size_t)w;
	}
	return cfg_q(p, tmp);
}

static void cfg_unknown(struct cfg_parser *p, const struct cfg_table *t, int depth)
{
	char **argv = p->argv;
	int argc = (int)p->argc, nw, d;
	int shown = depth + 1 < argc ? depth + 1 : argc;
	const char *w = words_q(p, argv, shown);

	if (t == &cfg_top_table) {
		if (table_find(&cfg_iface_table, argv, argc, &nw, &d)) {
			cfg_error(p, p->line,
			          "'%s' is an interface command: indent it under 'interface NAME'",
			          words_q(p, argv, nw));
			return;
		}
		if (table_find(&cfg_profile_table, argv, argc, &nw, &d)) {
			cfg_error(p, p->line,
			          "'%s' is a profile command: indent it under 'crypto ikev2 "
			          "profile NAME'",
			          words_q(p, argv, nw));
			return;
		}
	} else {
		if (table_find(&cfg_top_table, argv, argc, &nw, &d)) {
			cfg_error(p, p->line,
			          "'%s' is a top-level command: it must not be indented",
			          words_q(p, argv, nw));
			return;
		}
		const struct cfg_table *other =
		    t == &cfg_iface_table ? &cfg_profile_table : &cfg_iface_table;
		if (table_find(other, argv, argc, &nw, &d)) {
			cfg_error(p, p->line, "'%s' is %s command, not valid in %s block",
			          words_q(p, argv, nw),
			          other == &cfg_iface_table ? "an interface" : "a profile",
			          t == &cfg_iface_table ? "an 'interface'"
			                                : "a 'crypto ikev2 profile'");
			return;
		}
	}
	cfg_error(p, p->line, "unknown command '%s'", w);
	/* A misspelt block header: its indented lines would only add noise. */
	if (t == &cfg_top_table)
		p->blk = CFG_BLK_SKIP;
}

static void cfg_dispatch(struct cfg_parser *p, const struct cfg_table *t, void *obj, int *seen)
{
	int nwords, depth, nargs;
	const struct cfg_cmd *cmd = table_find(t, p->argv, (int)p->argc, &nwords, &depth);
	size_t idx;

	if (!cmd) {
		cfg_unknown(p, t, depth);
		return;
	}
	nargs = (int)p->argc - nwords;
	if (nargs < cmd->min_args || (cmd->max_args >= 0 && nargs > cmd->max_args)) {
		cfg_error(p, p->line, "usage: %s%s%s", cmd->words, *cmd->usage ? " " : "",
		          cmd->usage);
		return;
	}
	idx = (size_t)(cmd - t->cmds);
	if (cmd->once && idx < CFG_CMDS_MAX) {
		if (seen[idx]) {
			cfg_error(p, p->line, "'%s' already given at line %d", cmd->words,
			          seen[idx]);
			return;
		}
		seen[idx] = p->line;
	}
	cmd->fn(p, obj, p->argv + nwords, nargs, cmd->aux);
}

static void cfg_block_close(struct cfg_parser *p)
{
	if (p->blk_scratch && p->blk_obj) {
		if (p->blk == CFG_BLK_IFACE)
			cfg_iface_clear(p->blk_obj);
		else
			cfg_profile_clear(p->blk_obj);
		free(p->blk_obj);
	}
	p->blk = CFG_BLK_NONE;
	p->blk_obj = NULL;
	p->blk_scratch = false;
	p->blk_table = NULL;
}

/* ---- lines and tokens ---- */

static bool cfg_push(struct cfg_parser *p, char *tok)
{
	if (p->argc == p->argv_cap) {
		size_t cap = p->argv_cap ? p->argv_cap * 2 : 16;
		char **n = realloc(p->argv, cap * sizeof(*n));
		if (!n) {
			cfg_oom(p);
			return false;
		}
		p->argv = n;
		p->argv_cap = cap;
	}
	p->argv[p->argc++] = tok;
	return true;
}

/* Splits p->buf in place into p->argv. false (error reported) on bad quoting. */
static bool cfg_tokenize(struct cfg_parser *p)
{
	char *r = p->buf;

	p->argc = 0;
	for (;;) {
		char *start, *w, c;

		while (*r == ' ' || *r == '\t')
			r++;
		if (!*r || *r == '!')
			return true;
		if (*r == '"') {
			start = w = r++;
			while (*r && *r != '"') {
				if (r[0] == '\\' && (r[1] == '"' || r[1] == '\\'))
					r++;
				*w++ = *r++;
			}
			if (!*r) {
				cfg_error(p, p->line, "unterminated quoted string");
				return false;
			}
			r++;
			if (*r && *r != ' ' && *r != '\t' && *r != '!') {
				cfg_error(p, p->line,
				          "a quoted string must be followed by a space");
				return false;
			}
			*w = '\0';
			if (!cfg_push(p, start))
				return false;
			continue;
		}
		start = r;
		while (*r && *r != ' ' && *r != '\t' && *r != '!') {
			if (*r == '"') {
				cfg_error(p, p->line, "unexpected '\"' inside a word");
				return false;
			}
			r++;
		}
		c = *r;
		*r = '\0';
		if (!cfg_push(p, start))
			return false;
		if (c != ' ' && c != '\t')
			return true;
		r++;
	}
}

static void cfg_line(struct cfg_parser *p, const char *s, size_t len)
{
	bool indented;

	if (len && s[len - 1] == '\r')
		len--;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == 0) {
			cfg_error(p, p->line, "NUL byte in line");
			return;
		}
		if ((c < 0x20 && c != '\t') || c == 0x7f) {
			cfg_error(p, p->line, "control character 0x%02x in line", c);
			return;
		}
	}
	if (len + 1 > p->buf_cap) {
		char *n = realloc(p->buf, len + 1);
		if (!n) {
			cfg_oom(p);
			return;
		}
		p->buf = n;
		p->buf_cap = len + 1;
	}
	memcpy(p->buf, s, len);
	p->buf[len] = '\0';
	indented = len && (s[0] == ' ' || s[0] == '\t');
	if (!cfg_tokenize(p) || p->argc == 0)
		return;

	if (!indented) {
		cfg_block_close(p);
		if (p->argc == 1 && (!strcmp(p->argv[0], "exit") || !strcmp(p->argv[0], "end")))
			return;
		cfg_dispatch(p, &cfg_top_table, p->cfg, p->top_seen);
		return;
	}
	if (p->blk == CFG_BLK_NONE) {
		int nw = 0, d;
		const struct cfg_table *tables[] = {&cfg_top_table, &cfg_iface_table,
		                                    &cfg_profile_table};
		for (size_t i = 0; i < ARRAY_SIZE(tables) && !nw; i++)
			table_find(tables[i], p->argv, (int)p->argc, &nw, &d);
		cfg_error(
		    p, p->line,
		    "'%s' is indented but no 'interface' or 'crypto ikev2 profile' block is open",
		    words_q(p, p->argv, nw ? nw : 1));
		return;
	}
	if (p->argc == 1 && !strcmp(p->argv[0], "exit")) {
		cfg_block_close(p);
		return;
	}
	if (p->blk == CFG_BLK_SKIP)
		return;
	cfg_dispatch(p, p->blk_table, p->blk_obj, p->seen);
}

/* ---- driver ---- */

static int cfg_error_cmp(const void *a, const void *b)
{
	const struct cfg_error *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int cfg_finish(struct cfg_parser *p, FILE *errout)
{
	int n;

	if (p->oom)
		cfg_error_add(p, 0, NULL); /* may itself fail: counted below anyway */
	if (p->n_errs)
		qsort(p->errs, p->n_errs, sizeof(*p->errs), cfg_error_cmp);
	for (size_t i = 0; i < p->n_errs; i++) {
		if (errout)
			fprintf(errout, "%s:%d: %s\n", p->name, p->errs[i].line,
			        p->errs[i].msg ? p->errs[i].msg : "out of memory");
		free(p->errs[i].msg);
	}
	n = (int)p->n_errs;
	if (p->oom && n == 0)
		n = 1;
	free(p->errs);
	free(p->buf);
	free(p->argv);
	return n;
}

struct config *config_parse_string(const char *name, const char *text, size_t len, FILE *errout,
                                   int *nerrors)
{
	struct cfg_parser p;
	struct config *cfg;
	size_t off = 0;
	int n;

	memset(&p, 0, sizeof(p));
	p.name = name ? name : "-";
	cfg = p.cfg = cfg_alloc(&p, sizeof(*cfg));
	if (cfg) {
		cfg->log_level = CFG_DEFAULT_LOG_LEVEL;
		cfg->path = cfg_strdup(&p, p.name);
	}
	while (cfg && off < len && !p.oom) {
		const char *nl = memchr(text + off, '\n', len - off);
		size_t l = nl ? (size_t)(nl - (text + off)) : len - off;

		p.line++;
		cfg_line(&p, text + off, l);
		off += l + (nl ? 1 : 0);
	}
	cfg_block_close(&p);
	if (cfg && !p.oom) {
		for (size_t i = 0; i < cfg->n_profiles; i++)
			cfg_profile_check(&p, &cfg->profiles[i]);
		for (size_t i = 0; i < cfg->n_ifaces; i++)
			cfg_iface_check(&p, &cfg->ifaces[i]);
	}
	n = cfg_finish(&p, errout);
	if (nerrors)
		*nerrors = n;
	if (n) {
		config_free(cfg);
		return NULL;
	}
	return cfg;
}

struct config *config_load(const char *path, FILE *errout, int *nerrors)
{
	FILE *f = fopen(path, "rb");
	char *text = NULL;
	size_t len = 0, cap = 0;
	const char *why = NULL;
	struct config *cfg;

	if (!f)
		why = strerror(errno);
	while (f && !why) {
		size_t got;
		if (len == cap) {
			char *n;
			if (cap > CFG_FILE_MAX) {
				why = "file larger than 16 MiB";
				break;
			}
			cap = cap ? cap * 2 : 8192;
			if (cap > CFG_FILE_MAX + 1)
				cap = CFG_FILE_MAX + 1;
			n = realloc(text, cap);
			if (!n) {
				why = "out of memory";
				break;
			}
			text = n;
		}
		got = fread(text + len, 1, cap - len, f);
		len += got;
		if (got == 0) {
			if (ferror(f))
				why = strerror(errno ? errno : EIO);
			break;
		}
	}
	if (f)
		fclose(f);
	if (why) {
		if (errout)
			fprintf(errout, "%s:0: cannot read: %s\n", path, why);
		if (nerrors)
			*nerrors = 1;
		free(text);
		return NULL;
	}
	cfg = config_parse_string(path, text ? text : "", len, errout, nerrors);
	free(text);
	return cfg;
}
