/* Human tables from the daemon's JSON replies. */
#include "cli/show.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"

#define TBL_MAX_COLS 10
#define CELL_MAX     128

struct tbl {
	size_t ncols;
	const char *hdr[TBL_MAX_COLS];
	char **cells; /* row-major, nrows * ncols */
	size_t nrows, cap;
	int indent;
};

static void tbl_init(struct tbl *t, int indent, size_t ncols, const char *const hdr[])
{
	memset(t, 0, sizeof(*t));
	t->ncols = MIN(ncols, (size_t)TBL_MAX_COLS);
	t->indent = indent;
	for (size_t i = 0; i < t->ncols; i++)
		t->hdr[i] = hdr[i];
}

static void tbl_add(struct tbl *t, char cells[][CELL_MAX])
{
	if (t->nrows == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		char **nc = realloc(t->cells, cap * t->ncols * sizeof(char *));
		if (!nc)
			return;
		t->cells = nc;
		t->cap = cap;
	}
	for (size_t i = 0; i < t->ncols; i++)
		t->cells[t->nrows * t->ncols + i] = strdup(cells[i]);
	t->nrows++;
}

static void tbl_print(struct tbl *t, FILE *out)
{
	size_t w[TBL_MAX_COLS];

	for (size_t c = 0; c < t->ncols; c++) {
		w[c] = strlen(t->hdr[c]);
		for (size_t r = 0; r < t->nrows; r++) {
			const char *s = t->cells[r * t->ncols + c];
			w[c] = MAX(w[c], s ? strlen(s) : 1);
		}
	}
	for (size_t r = 0; r <= t->nrows; r++) {
		fprintf(out, "%*s", t->indent, "");
		for (size_t c = 0; c < t->ncols; c++) {
			const char *s = r == 0 ? t->hdr[c] : t->cells[(r - 1) * t->ncols + c];
			if (!s)
				s = "-";
			if (c + 1 == t->ncols)
				fprintf(out, "%s\n", s);
			else
				fprintf(out, "%-*s  ", (int)w[c], s);
		}
	}
}

static void tbl_free(struct tbl *t)
{
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	memset(t, 0, sizeof(*t));
}

/* A field of o as text into buf ("-" when absent); arrays are joined with ','. */
static const char *jtxt(json_object *o, const char *key, char *buf, size_t len)
{
	json_object *v;

	snprintf(buf, len, "-");
	if (!o || !json_object_object_get_ex(o, key, &v) || !v)
		return buf;
	switch (json_object_get_type(v)) {
	case json_type_string:
		snprintf(buf, len, "%s", json_object_get_string(v));
		break;
	case json_type_int:
		snprintf(buf, len, "%lld", (long long)json_object_get_int64(v));
		break;
	case json_type_double:
		snprintf(buf, len, "%.1f", json_object_get_double(v));
		break;
	case json_type_boolean:
		snprintf(buf, len, "%s", json_object_get_boolean(v) ? "yes" : "no");
		break;
	case json_type_array: {
		size_t n = json_object_array_length(v), off = 0;
		buf[0] = '\0';
		for (size_t i = 0; i < n && off + 1 < len; i++) {
			const char *s = json_object_get_string(json_object_array_get_idx(v, i));
			int k = snprintf(buf + off, len - off, "%s%s", i ? "," : "", s ? s : "");
			if (k < 0)
				break;
			off += (size_t)k;
		}
		if (!n)
			snprintf(buf, len, "-");
		break;
	}
	default:
		break;
	}
	return buf;
}

static bool jint(json_object *o, const char *key, long long *out)
{
	json_object *v;

	if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int))
		return false;
	*out = json_object_get_int64(v);
	return true;
}

static json_object *jarr(json_object *o, const char *key)
{
	json_object *v;

	if (!o || !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_array))
		return NULL;
	return v;
}

const char *show_duration(long long s, char *buf, size_t len)
{
	if (s < 0)
		snprintf(buf, len, "-");
	else if (s < 86400)
		snprintf(buf, len, "%02lld:%02lld:%02lld", s / 3600, s / 60 % 60, s % 60);
	else
		snprintf(buf, len, "%lldd%02lldh", s / 86400, s / 3600 % 24);
	return buf;
}

static const char *jdur(json_object *o, const char *key, char *buf, size_t len)
{
	long long v;
	return jint(o, key, &v) ? show_duration(v, buf, len) : strcpy(buf, "-");
}

static const char *jms(json_object *o, const char *key, char *buf, size_t len)
{
	json_object *v;

	if (!o || !json_object_object_get_ex(o, key, &v) || !v ||
	    !(json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double)))
		return strcpy(buf, "-");
	snprintf(buf, len, "%.1f ms", json_object_get_double(v));
	return buf;
}

/* The peer's GRE keepalive state ("keepalive" object, on interfaces with
 * `keepalive`): "-" idle, "wait" probing with no reply yet, "ok", or the
 * requests now unanswered ("1 miss", "2 misses"). */
static const char *jka(json_object *pe, char *buf, size_t len)
{
	json_object *ka, *v;
	long long misses = 0, rx = 0;
	bool probing = false;

	if (!json_object_object_get_ex(pe, "keepalive", &ka) || !ka ||
	    !json_object_is_type(ka, json_type_object))
		return strcpy(buf, "-");
	jint(ka, "misses", &misses);
	jint(ka, "rx", &rx);
	if (json_object_object_get_ex(ka, "probing", &v) && v)
		probing = json_object_get_boolean(v);
	if (misses > 0)
		snprintf(buf, len, "%lld miss%s", misses, misses == 1 ? "" : "es");
	else if (!probing)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%s", rx > 0 ? "ok" : "wait");
	return buf;
}

static void show_dmvpn(json_object *data, bool detail, FILE *out)
{
	static const char *const hdr[] = {"NBMA", "Tunnel", "Type", "State",     "Uptime",
	                                  "IKE",  "RTT",    "KA",   "Attributes"};
	static const char *const hdr_noka[] = {"NBMA",   "Tunnel", "Type", "State",
	                                       "Uptime", "IKE",    "RTT",  "Attributes"};
	json_object *ifs = jarr(data, "interfaces");
	size_t n = ifs ? json_object_array_length(ifs) : 0;
	char name[CELL_MAX], role[CELL_MAX];

	if (!n)
		fprintf(out, "no DMVPN interfaces\n");
	for (size_t i = 0; i < n; i++) {
		json_object *ifc = json_object_array_get_idx(ifs, i);
		json_object *peers = jarr(ifc, "peers");
		size_t np = peers ? json_object_array_length(peers) : 0;
		bool ka = false;
		struct tbl t;

		fprintf(out, "%sInterface %s, role %s, %zu peer%s\n", i ? "\n" : "",
		        jtxt(ifc, "name", name, sizeof(name)),
		        jtxt(ifc, "role", role, sizeof(role)), np, np == 1 ? "" : "s");
		if (!np)
			continue;
		/* the KA column only where some peer has keepalive state */
		for (size_t p = 0; p < np; p++)
			ka |= json_object_object_get_ex(json_object_array_get_idx(peers, p),
			                                "keepalive", NULL);
		tbl_init(&t, 2, (detail ? 8 : 7) + (ka ? 1 : 0), ka ? hdr : hdr_noka);
		for (size_t p = 0; p < np; p++) {
			json_object *pe = json_object_array_get_idx(peers, p);
			char c[9][CELL_MAX];
			size_t k = 7;
			jtxt(pe, "nbma", c[0], CELL_MAX);
			jtxt(pe, "tunnel", c[1], CELL_MAX);
			jtxt(pe, "type", c[2], CELL_MAX);
			jtxt(pe, "state", c[3], CELL_MAX);
			jdur(pe, "uptime_s", c[4], CELL_MAX);
			jtxt(pe, "ike", c[5], CELL_MAX);
			jms(pe, "keepalive_rtt_ms", c[6], CELL_MAX);
			if (ka)
				jka(pe, c[k++], CELL_MAX);
			jtxt(pe, "attributes", c[k], CELL_MAX);
			tbl_add(&t, c);
		}
		tbl_print(&t, out);
		tbl_free(&t);
	}
}

static void show_nhrp_cache(json_object *data, FILE *out)
{
	static const char *const hdr[] = {"Interface", "Protocol", "NBMA",
	                                  "Type",      "Flags",    "Expires"};
	json_object *a = jarr(data, "entries");
	size_t n = a ? json_object_array_length(a) : 0;
	struct tbl t;

	if (!n) {
		fprintf(out, "NHRP cache is empty\n");
		return;
	}
	tbl_init(&t, 0, 6, hdr);
	for (size_t i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(a, i);
		char c[6][CELL_MAX], proto[CELL_MAX];
		long long plen;
		jtxt(e, "interface", c[0], CELL_MAX);
		jtxt(e, "protocol", proto, sizeof(proto));
		if (jint(e, "prefix_len", &plen))
			snprintf(c[1], CELL_MAX, "%.*s/%lld", CELL_MAX - 24, proto, plen);
		else
			snprintf(c[1], CELL_MAX, "%s", proto);
		jtxt(e, "nbma", c[2], CELL_MAX);
		jtxt(e, "type", c[3], CELL_MAX);
		jtxt(e, "flags", c[4], CELL_MAX);
		jdur(e, "expires_s", c[5], CELL_MAX);
		tbl_add(&t, c);
	}
	tbl_print(&t, out);
	tbl_free(&t);
}

static void show_nhrp_nhs(json_object *data, FILE *out)
{
	static const char *const hdr[] = {"Interface", "Tunnel", "NBMA",
	                                  "Priority",  "State",  "RTT"};
	json_object *a = jarr(data, "nhs");
	size_t n = a ? json_object_array_length(a) : 0;
	struct tbl t;

	if (!n) {
		fprintf(out, "no NHS configured\n");
		return;
	}
	tbl_init(&t, 0, 6, hdr);
	for (size_t i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(a, i);
		char c[6][CELL_MAX];
		jtxt(e, "interface", c[0], CELL_MAX);
		jtxt(e, "tunnel", c[1], CELL_MAX);
		jtxt(e, "nbma", c[2], CELL_MAX);
		jtxt(e, "priority", c[3], CELL_MAX);
		jtxt(e, "state", c[4], CELL_MAX);
		jms(e, "rtt_ms", c[5], CELL_MAX);
		tbl_add(&t, c);
	}
	tbl_print(&t, out);
	tbl_free(&t);
}

static void show_nhrp_shortcut(json_object *data, FILE *out)
{
	static const char *const hdr[] = {"Prefix", "Via", "NBMA", "Expires"};
	json_object *a = jarr(data, "shortcuts");
	size_t n = a ? json_object_array_length(a) : 0;
	struct tbl t;

	if (!n) {
		fprintf(out, "no shortcut routes\n");
		return;
	}
	tbl_init(&t, 0, 4, hdr);
	for (size_t i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(a, i);
		char c[4][CELL_MAX];
		jtxt(e, "prefix", c[0], CELL_MAX);
		jtxt(e, "via", c[1], CELL_MAX);
		jtxt(e, "nbma", c[2], CELL_MAX);
		jdur(e, "expires_s", c[3], CELL_MAX);
		tbl_add(&t, c);
	}
	tbl_print(&t, out);
	tbl_free(&t);
}

static void show_ikev2_sa(json_object *data, FILE *out)
{
	json_object *a = jarr(data, "sas");
	size_t n = a ? json_object_array_length(a) : 0;
	char b[7][CELL_MAX];

	if (!n) {
		fprintf(out, "no IKE SAs\n");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		json_object *sa = json_object_array_get_idx(a, i), *dpd = NULL;
		json_object *ch = jarr(sa, "children");
		size_t nc = ch ? json_object_array_length(ch) : 0;

		fprintf(out, "%s -> %s  %s  %s\n", jtxt(sa, "local", b[0], CELL_MAX),
		        jtxt(sa, "remote", b[1], CELL_MAX), jtxt(sa, "state", b[2], CELL_MAX),
		        jtxt(sa, "suite", b[3], CELL_MAX));
		fprintf(out, "  SPIs %s/%s", jtxt(sa, "ispi", b[0], CELL_MAX),
		        jtxt(sa, "rspi", b[1], CELL_MAX));
		if (json_object_object_get_ex(sa, "dpd", &dpd))
			fprintf(out, "  DPD every %ss, %s misses (%s)",
			        jtxt(dpd, "interval_s", b[2], CELL_MAX),
			        jtxt(dpd, "misses", b[3], CELL_MAX), jtxt(dpd, "state", b[4], CELL_MAX));
		fputc('\n', out);
		for (size_t k = 0; k < nc; k++) {
			json_object *c = json_object_array_get_idx(ch, k);
			fprintf(out, "  CHILD %s/%s %s  in %s B %s pkts, out %s B %s pkts\n",
			        jtxt(c, "ispi", b[0], CELL_MAX), jtxt(c, "ospi", b[1], CELL_MAX),
			        jtxt(c, "mode", b[2], CELL_MAX),
			        jtxt(c, "bytes_in", b[3], CELL_MAX),
			        jtxt(c, "packets_in", b[4], CELL_MAX),
			        jtxt(c, "bytes_out", b[5], CELL_MAX),
			        jtxt(c, "packets_out", b[6], CELL_MAX));
		}
	}
}

static void show_counters(json_object *data, FILE *out)
{
	json_object *o;
	size_t w = 0;

	if (!json_object_object_get_ex(data, "counters", &o) ||
	    !json_object_is_type(o, json_type_object))
		return;
	json_object_object_foreach(o, k1, v1)
	{
		(void)v1;
		w = MAX(w, strlen(k1));
	}
	json_object_object_foreach(o, key, val)
	    fprintf(out, "%-*s  %s\n", (int)w, key, json_object_get_string(val));
}

static void show_lines(json_object *data, const char *key, const char *empty, FILE *out)
{
	json_object *a = jarr(data, key);
	size_t n = a ? json_object_array_length(a) : 0;

	if (!n && empty)
		fprintf(out, "%s\n", empty);
	for (size_t i = 0; i < n; i++)
		fprintf(out, "  %s\n", json_object_get_string(json_object_array_get_idx(a, i)));
}

static void show_ipsec_sa(json_object *data, FILE *out)
{
	json_object *a = jarr(data, "sas");
	size_t n = a ? json_object_array_length(a) : 0;
	char b[7][CELL_MAX];

	if (!n) {
		fprintf(out, "no ESP SAs\n");
		return;
	}
	fprintf(out, "%-8s %-3s %-16s %6s %12s %14s %8s\n", "SPI", "DIR", "PEER", "CHILD", "PACKETS",
	        "BYTES", "ERRORS");
	for (size_t i = 0; i < n; i++) {
		json_object *sa = json_object_array_get_idx(a, i);
		fprintf(out, "%-8s %-3s %-16s %6s %12s %14s %8s\n", jtxt(sa, "spi", b[0], CELL_MAX),
		        jtxt(sa, "direction", b[1], CELL_MAX), jtxt(sa, "remote", b[2], CELL_MAX),
		        jtxt(sa, "child", b[3], CELL_MAX), jtxt(sa, "packets", b[4], CELL_MAX),
		        jtxt(sa, "bytes", b[5], CELL_MAX), jtxt(sa, "errors", b[6], CELL_MAX));
	}
}

int show_render(const struct ctl_request *req, json_object *data, FILE *out)
{
	char b[2][CELL_MAX];

	switch (req->cmd) {
	case CTL_CMD_SHOW_DMVPN:
		show_dmvpn(data, req->detail, out);
		break;
	case CTL_CMD_SHOW_NHRP_CACHE:
		show_nhrp_cache(data, out);
		break;
	case CTL_CMD_SHOW_NHRP_NHS:
		show_nhrp_nhs(data, out);
		break;
	case CTL_CMD_SHOW_NHRP_SHORTCUT:
		show_nhrp_shortcut(data, out);
		break;
	case CTL_CMD_SHOW_IKEV2_SA:
		show_ikev2_sa(data, out);
		break;
	case CTL_CMD_SHOW_IPSEC_SA:
		show_ipsec_sa(data, out);
		break;
	case CTL_CMD_SHOW_COUNTERS:
		show_counters(data, out);
		break;
	case CTL_CMD_METRICS:
		show_metrics(data, out);
		break;
	case CTL_CMD_RELOAD:
		fprintf(out, "configuration reloaded from %s\n",
		        jtxt(data, "file", b[0], CELL_MAX));
		show_lines(data, "changes", "no changes", out);
		break;
	case CTL_CMD_CLEAR_NHRP_CACHE:
	case CTL_CMD_CLEAR_IKEV2_SA:
		fprintf(out, "cleared %s entries\n", jtxt(data, "cleared", b[0], CELL_MAX));
		break;
	case CTL_CMD_VERSION:
		fprintf(out, "dmvpnd %s (pid %s)\n", jtxt(data, "version", b[0], CELL_MAX),
		        jtxt(data, "pid", b[1], CELL_MAX));
		break;
	default:
		fprintf(out, "%s\n", json_object_to_json_string_ext(data, JSON_C_TO_STRING_PRETTY));
		break;
	}
	return 0;
}

struct metric {
	char name[CELL_MAX];
	char label[CELL_MAX]; /* `interface="dmvpn0"` or "" */
	bool gauge;
	uint64_t value;
	size_t seq;
};

static void metric_ident(char *dst, size_t len, const char *src, size_t n)
{
	size_t o = strlen(dst);

	for (size_t i = 0; i < n && o + 1 < len; i++) {
		char c = src[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		          (c >= '0' && c <= '9') || c == '_';
		dst[o++] = ok ? c : '_';
	}
	dst[o] = '\0';
}

/* "iface.dmvpn0.rx" -> name dmvpn_iface_rx_total, label interface="dmvpn0" */
static bool metric_from_json(json_object *e, size_t seq, struct metric *m)
{
	char tbuf[16];
	json_object *v;
	const char *full, *dot1, *dotl;

	memset(m, 0, sizeof(*m));
	if (!json_object_object_get_ex(e, "name", &v) || !json_object_is_type(v, json_type_string))
		return false;
	full = json_object_get_string(v);
	dotl = strrchr(full, '.');
	if (!dotl || dotl == full || !dotl[1])
		return false;
	if (!json_object_object_get_ex(e, "value", &v) || !json_object_is_type(v, json_type_int))
		return false;
	m->value = json_object_get_uint64(v);
	m->gauge = strcmp(jtxt(e, "type", tbuf, sizeof(tbuf)), "gauge") == 0;
	m->seq = seq;
	dot1 = strchr(full, '.');
	strcpy(m->name, "dmvpn_");
	metric_ident(m->name, sizeof(m->name), full, (size_t)(dot1 - full));
	strcat(m->name, "_");
	metric_ident(m->name, sizeof(m->name), dotl + 1, strlen(dotl + 1));
	if (!m->gauge && strlen(m->name) + 7 < sizeof(m->name))
		strcat(m->name, "_total");
	if (dot1 != dotl) {
		bool iface = (size_t)(dot1 - full) == 5 && strncmp(full, "iface", 5) == 0;
		size_t o = (size_t)snprintf(m->label, sizeof(m->label), "%s=\"",
		                            iface ? "interface" : "instance");
		for (const char *p = dot1 + 1; p < dotl && o + 4 < sizeof(m->label); p++) {
			if (*p == '\\' || *p == '"')
				m->label[o++] = '\\';
			m->label[o++] = *p;
		}
		m->label[o++] = '"';
		m->label[o] = '\0';
	}
	return true;
}

static int metric_cmp(const void *a, const void *b)
{
	const struct metric *x = a, *y = b;
	int r = strcmp(x->name, y->name);

	if (r)
		return r;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

int show_metrics(json_object *data, FILE *out)
{
	json_object *a = jarr(data, "metrics");
	size_t n = a ? json_object_array_length(a) : 0, k = 0;
	struct metric *m = n ? calloc(n, sizeof(*m)) : NULL;

	if (!m)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (metric_from_json(json_object_array_get_idx(a, i), i, &m[k]))
			k++;
	qsort(m, k, sizeof(*m), metric_cmp);
	for (size_t i = 0; i < k; i++) {
		if (i == 0 || strcmp(m[i].name, m[i - 1].name) != 0)
			fprintf(out, "# TYPE %s %s\n", m[i].name, m[i].gauge ? "gauge" : "counter");
		if (m[i].label[0])
			fprintf(out, "%s{%s} %llu\n", m[i].name, m[i].label,
			        (unsigned long long)m[i].value);
		else
			fprintf(out, "%s %llu\n", m[i].name, (unsigned long long)m[i].value);
	}
	free(m);
	return 0;
}

void show_event(json_object *ev, FILE *out)
{
	char t[CELL_MAX], type[CELL_MAX];

	if (!ev || !json_object_is_type(ev, json_type_object))
		return;
	fprintf(out, "%s %s", jtxt(ev, "time", t, sizeof(t)),
	        jtxt(ev, "event", type, sizeof(type)));
	json_object_object_foreach(ev, key, val)
	{
		if (strcmp(key, "time") == 0 || strcmp(key, "event") == 0)
			continue;
		if (json_object_is_type(val, json_type_string))
			fprintf(out, " %s=%s", key, json_object_get_string(val));
		else
			fprintf(out, " %s=%s", key,
			        json_object_to_json_string_ext(
			            val, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	}
	fputc('\n', out);
}
