/* Unit tests for the control protocol (cli/ctl_proto.c), the JSON envelope,
 * the counters registry, events, rendering, and the control server driven
 * in-process over a real unix socket. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "cli/ctl_proto.h"
#include "cli/ctl_server.h"
#include "cli/events.h"
#include "cli/show.h"
#include "lib/counters.h"
#include "lib/log.h"
#include "lib/util.h"

static int parse(const char *s, struct ctl_request *r)
{
	return ctl_request_parse(s, strlen(s), r);
}

static void test_parse_valid(void **state)
{
	static const struct {
		const char *line;
		enum ctl_cmd cmd;
		bool detail;
	} ok[] = {
	    {"show dmvpn", CTL_CMD_SHOW_DMVPN, false},
	    {"show dmvpn detail", CTL_CMD_SHOW_DMVPN, true},
	    {"show nhrp cache", CTL_CMD_SHOW_NHRP_CACHE, false},
	    {"show nhrp nhs", CTL_CMD_SHOW_NHRP_NHS, false},
	    {"show nhrp shortcut", CTL_CMD_SHOW_NHRP_SHORTCUT, false},
	    {"show ikev2 sa", CTL_CMD_SHOW_IKEV2_SA, false},
	    {"show counters", CTL_CMD_SHOW_COUNTERS, false},
	    {"clear nhrp cache", CTL_CMD_CLEAR_NHRP_CACHE, false},
	    {"clear ikev2 sa", CTL_CMD_CLEAR_IKEV2_SA, false},
	    {"reload", CTL_CMD_RELOAD, false},
	    {"metrics", CTL_CMD_METRICS, false},
	    {"monitor", CTL_CMD_MONITOR, false},
	    {"version", CTL_CMD_VERSION, false},
	};
	struct ctl_request r;

	for (size_t i = 0; i < ARRAY_SIZE(ok); i++) {
		assert_int_equal(parse(ok[i].line, &r), CTL_OK);
		assert_int_equal(r.cmd, ok[i].cmd);
		assert_int_equal(r.detail, ok[i].detail);
		assert_false(r.has_peer);
	}
	assert_int_equal(parse("clear ikev2 sa 198.18.0.1", &r), CTL_OK);
	assert_int_equal(r.cmd, CTL_CMD_CLEAR_IKEV2_SA);
	assert_true(r.has_peer);
	assert_int_equal(r.peer.len, 4);
	assert_int_equal(parse("clear ikev2 sa 2001:db8::1", &r), CTL_OK);
	assert_int_equal(r.peer.len, 16);
	/* the length bounds the line: bytes after it are not looked at */
	assert_int_equal(ctl_request_parse("reload\nGARBAGE", 6, &r), CTL_OK);
	assert_int_equal(r.cmd, CTL_CMD_RELOAD);
}

static void test_parse_invalid(void **state)
{
	static const struct {
		const char *line;
		int err;
	} bad[] = {
	    {"", CTL_ERR_EMPTY},
	    {" show dmvpn", CTL_ERR_SPACING},
	    {"show dmvpn ", CTL_ERR_SPACING},
	    {"show  dmvpn", CTL_ERR_SPACING},
	    {" ", CTL_ERR_SPACING},
	    {"show\tdmvpn", CTL_ERR_NOT_PRINTABLE},
	    {"reload\r", CTL_ERR_NOT_PRINTABLE},
	    {"show dmvpn\x80", CTL_ERR_NOT_PRINTABLE},
	    {"a b c d e f g h i", CTL_ERR_TOO_MANY_WORDS},
	    {"shutdown", CTL_ERR_UNKNOWN_COMMAND},
	    {"show bgp", CTL_ERR_UNKNOWN_COMMAND},
	    {"SHOW DMVPN", CTL_ERR_UNKNOWN_COMMAND},
	    {"show", CTL_ERR_INCOMPLETE},
	    {"show nhrp", CTL_ERR_INCOMPLETE},
	    {"clear", CTL_ERR_INCOMPLETE},
	    {"reload now", CTL_ERR_EXTRA_ARG},
	    {"show dmvpn verbose", CTL_ERR_EXTRA_ARG},
	    {"show dmvpn detail detail", CTL_ERR_EXTRA_ARG},
	    {"show nhrp cache detail", CTL_ERR_EXTRA_ARG},
	    {"clear ikev2 sa 1.2.3", CTL_ERR_BAD_ADDRESS},
	    {"clear ikev2 sa spoke1", CTL_ERR_BAD_ADDRESS},
	    {"clear ikev2 sa 1.2.3.4 5.6.7.8", CTL_ERR_EXTRA_ARG},
	    {"clear ikev2 sa 1111111111111111111111111111111111111111111111111111",
	     CTL_ERR_BAD_ADDRESS},
	};
	struct ctl_request r;
	char nul[] = "show\0dmvpn";

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		int e = parse(bad[i].line, &r);
		if (e != bad[i].err)
			fail_msg("'%s': got %d (%s), want %d", bad[i].line, e, ctl_strerror(e),
			         bad[i].err);
		assert_int_equal(r.cmd, CTL_CMD_NONE);
	}
	assert_int_equal(ctl_request_parse(nul, sizeof(nul) - 1, &r), CTL_ERR_NOT_PRINTABLE);
	assert_int_equal(ctl_request_parse(NULL, 0, &r), CTL_ERR_EMPTY);

	/* exactly CTL_LINE_MAX is still a line (and then fails for its words) */
	char *big = malloc(CTL_LINE_MAX + 2);
	memset(big, 'x', CTL_LINE_MAX + 1);
	assert_int_equal(ctl_request_parse(big, CTL_LINE_MAX, &r), CTL_ERR_UNKNOWN_COMMAND);
	assert_int_equal(ctl_request_parse(big, CTL_LINE_MAX + 1, &r), CTL_ERR_TOO_LONG);
	free(big);
}

static void test_strerror_and_format(void **state)
{
	size_t n;
	const struct ctl_cmd_def *t = ctl_cmd_table(&n);
	char buf[128];
	struct ctl_request r, r2;

	for (int e = 0; e >= CTL_ERR_MIN; e--) {
		assert_non_null(ctl_strerror(e));
		assert_string_not_equal(ctl_strerror(e), "unknown error");
	}
	assert_string_equal(ctl_strerror(CTL_ERR_MIN - 1), "unknown error");
	assert_string_equal(ctl_strerror(1), "unknown error");
	assert_int_equal(n, CTL_CMD_MAX - 1);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(parse(t[i].words, &r), CTL_OK);
		assert_int_equal(r.cmd, t[i].cmd);
		assert_int_equal(ctl_request_format(&r, buf, sizeof(buf)), strlen(t[i].words));
		assert_string_equal(buf, t[i].words);
		assert_string_equal(ctl_cmd_name(t[i].cmd), t[i].words);
	}
	assert_int_equal(parse("clear ikev2 sa 2001:db8::1", &r), CTL_OK);
	assert_int_equal(ctl_request_format(&r, buf, sizeof(buf)), 26);
	assert_int_equal(parse(buf, &r2), CTL_OK);
	assert_memory_equal(&r, &r2, sizeof(r));
	assert_int_equal(parse("show dmvpn detail", &r), CTL_OK);
	assert_int_equal(ctl_request_format(&r, buf, 8), -1);
	r.cmd = CTL_CMD_NONE;
	assert_int_equal(ctl_request_format(&r, buf, sizeof(buf)), -1);
	assert_string_equal(ctl_cmd_name(CTL_CMD_MAX), "?");
}

static void test_paths(void **state)
{
	char p[CTL_PATH_MAX];
	char long_name[CTL_NAME_MAX + 2];

	assert_int_equal(ctl_rundir("/run/dmvpn", NULL, p, sizeof(p)), CTL_OK);
	assert_string_equal(p, "/run/dmvpn");
	assert_int_equal(ctl_runfile("/run/dmvpn", "hub1", CTL_SOCK_NAME, p, sizeof(p)), CTL_OK);
	assert_string_equal(p, "/run/dmvpn/hub1/dmvpnd.sock");
	assert_int_equal(ctl_runfile("/run/dmvpn", NULL, CTL_PID_NAME, p, sizeof(p)), CTL_OK);
	assert_string_equal(p, "/run/dmvpn/dmvpnd.pid");
	assert_int_equal(ctl_name_valid("ns-1.a_b"), CTL_OK);
	assert_int_equal(ctl_name_valid(""), CTL_ERR_BAD_NAME);
	assert_int_equal(ctl_name_valid(".."), CTL_ERR_BAD_NAME);
	assert_int_equal(ctl_name_valid("a/b"), CTL_ERR_BAD_NAME);
	assert_int_equal(ctl_name_valid("a b"), CTL_ERR_BAD_NAME);
	memset(long_name, 'a', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	assert_int_equal(ctl_name_valid(long_name), CTL_ERR_BAD_NAME);
	long_name[CTL_NAME_MAX] = '\0';
	assert_int_equal(ctl_name_valid(long_name), CTL_OK);
	assert_int_equal(ctl_runfile("/run/dmvpn/a/much/longer/base/directory", long_name,
	                             CTL_SOCK_NAME, p, sizeof(p)),
	                 CTL_ERR_TOO_LONG);
	assert_int_equal(ctl_rundir("/run/dmvpn", "../etc", p, sizeof(p)), CTL_ERR_BAD_NAME);
}

static void test_envelope(void **state)
{
	json_object *d = json_object_new_object();
	json_object *o;
	struct ctl_reply r;

	json_object_object_add(d, "x", json_object_new_int(1));
	o = ctl_reply_ok(d);
	assert_string_equal(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN),
	                    "{\"status\":0,\"data\":{\"x\":1}}");
	json_object_put(o);
	o = ctl_reply_error("unknown command", NULL);
	assert_string_equal(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN),
	                    "{\"status\":1,\"error\":\"unknown command\",\"data\":{}}");
	json_object_put(o);

	const char *good = "{\"status\":0,\"data\":{\"a\":[1,2]}}\n";
	assert_int_equal(ctl_reply_parse(good, strlen(good), &r), CTL_OK);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.error, "");
	assert_true(json_object_is_type(r.data, json_type_object));
	ctl_reply_free(&r);
	assert_null(r.root);

	const char *err = "{\"status\":1,\"error\":\"boom\",\"data\":{}}";
	assert_int_equal(ctl_reply_parse(err, strlen(err), &r), CTL_OK);
	assert_int_equal(r.status, 1);
	assert_string_equal(r.error, "boom");
	ctl_reply_free(&r);

	static const struct {
		const char *t;
		int e;
	} bad[] = {
	    {"", CTL_ERR_BAD_JSON},
	    {"{\"status\":0,", CTL_ERR_BAD_JSON},
	    {"{\"status\":0,\"data\":{}} x", CTL_ERR_BAD_JSON},
	    {"{\"status\":0,\"data\":{}}{}", CTL_ERR_BAD_JSON},
	    {"[1]", CTL_ERR_BAD_ENVELOPE},
	    {"{\"data\":{}}", CTL_ERR_BAD_ENVELOPE},
	    {"{\"status\":\"0\",\"data\":{}}", CTL_ERR_BAD_ENVELOPE},
	    {"{\"status\":0,\"data\":[]}", CTL_ERR_BAD_ENVELOPE},
	    {"{\"status\":0}", CTL_ERR_BAD_ENVELOPE},
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		int e = ctl_reply_parse(bad[i].t, strlen(bad[i].t), &r);
		if (e != bad[i].e)
			fail_msg("'%s': got %d want %d", bad[i].t, e, bad[i].e);
		assert_null(r.root);
	}
}

static int collect(const char *m, const char *n, enum counter_kind k, uint64_t val, void *arg)
{
	char *s = arg;
	size_t l = strlen(s);
	snprintf(s + l, 256 - l, "%s.%s=%llu%c ", m, n, (unsigned long long)val,
	         k == COUNTER_KIND_GAUGE ? 'g' : 'c');
	return 0;
}

static void test_counters(void **state)
{
	static const char *const names[] = {"rx", "drop_short", "tx"};
	static const char *const gnames[] = {"peers_up"};
	static const char *const badnames[] = {"Rx"};
	uint64_t v[3] = {0}, g[1] = {7}, w[1] = {0}, x;
	char seen[256] = "";

	counters_unregister_all();
	assert_int_equal(counters_register("nhrp", names, v, 3), 0);
	assert_int_equal(counters_register("nhrp", names, w, 1), -1);  /* same module */
	assert_int_equal(counters_register("other", names, v, 3), -1); /* same array */
	assert_int_equal(counters_register("bad", badnames, w, 1), -1);
	assert_int_equal(counters_register("Bad", names, w, 1), -1);
	assert_int_equal(counters_register("x", names, w, 0), -1);
	assert_int_equal(counters_register_gauges("iface.dmvpn0", gnames, g, 1), 0);
	assert_int_equal(counters_groups(), 2);
	assert_int_equal(counters_total(), 4);
	v[1] += 5;
	assert_int_equal(counters_get("nhrp.drop_short", &x), 0);
	assert_int_equal(x, 5);
	assert_int_equal(counters_get("iface.dmvpn0.peers_up", &x), 0);
	assert_int_equal(x, 7);
	assert_int_equal(counters_get("nhrp.nothing", &x), -1);
	assert_int_equal(counters_get("nhrpdrop_short", &x), -1);
	assert_int_equal(counters_get("iface.peers_up", &x), -1);

	assert_int_equal(counters_foreach(collect, seen), 0);
	assert_string_equal(seen, "nhrp.rx=0c nhrp.drop_short=5c nhrp.tx=0c "
	                          "iface.dmvpn0.peers_up=7g ");
	counters_zero_all();
	assert_int_equal(v[1], 0);
	assert_int_equal(g[0], 7); /* gauges are not zeroed */
	counters_unregister(v);
	assert_int_equal(counters_groups(), 1);
	assert_int_equal(counters_get("nhrp.rx", &x), -1);
	counters_unregister_all();
	assert_int_equal(counters_total(), 0);
}

static char sink_buf[1024];
static int sink_calls;
static bool sink_on;
static void sink(void *arg, const char *line, size_t len)
{
	sink_calls++;
	snprintf(sink_buf, sizeof(sink_buf), "%.*s", (int)len, line);
}
static bool sink_active(void *arg)
{
	return sink_on;
}

static void test_events(void **state)
{
	json_object *o = json_object_new_object();

	sink_calls = 0;
	events_emit("nothing", NULL); /* no sink: silently dropped */
	assert_false(events_wanted());
	assert_int_equal(events_sink_add(sink, sink_active, NULL), 0);
	sink_on = false;
	events_emit("x", NULL);
	assert_int_equal(sink_calls, 0);
	sink_on = true;
	assert_true(events_wanted());
	json_object_object_add(o, "interface", json_object_new_string("dmvpn0"));
	json_object_object_add(o, "event", json_object_new_string("spoofed"));
	events_emit("reload", o);
	assert_int_equal(sink_calls, 1);
	assert_int_equal(strncmp(sink_buf, "{\"event\":\"reload\",\"time\":\"", 26), 0);
	assert_non_null(strstr(sink_buf, "\"interface\":\"dmvpn0\"}\n"));
	assert_null(strstr(sink_buf, "spoofed"));
	events_emit("bad", json_object_new_int(3)); /* not an object: dropped */
	assert_int_equal(sink_calls, 1);
	events_sink_del(sink, NULL);
	assert_false(events_wanted());
}

static char *render(const char *cmdline, const char *json)
{
	struct ctl_request r;
	json_object *d = json_tokener_parse(json);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(d);
	assert_int_equal(parse(cmdline, &r), CTL_OK);
	show_render(&r, d, f);
	fclose(f);
	json_object_put(d);
	return buf;
}

static void test_show(void **state)
{
	char *s, b[32];

	s = render("show dmvpn",
	           "{\"interfaces\":[{\"name\":\"dmvpn0\",\"role\":\"spoke\",\"peers\":[{\"nbma\":"
	           "\"198.18.0.1\",\"tunnel\":\"10.0.0.1\",\"type\":\"nhs\",\"state\":\"down\","
	           "\"uptime_s\":3723,\"ike\":\"none\",\"keepalive_rtt_ms\":null}]}]}");
	assert_non_null(strstr(s, "Interface dmvpn0, role spoke, 1 peer\n"));
	assert_non_null(strstr(s, "  NBMA        Tunnel    Type  State  Uptime    IKE   RTT\n"));
	assert_non_null(strstr(s, "  198.18.0.1  10.0.0.1  nhs   down   01:02:03  none  -\n"));
	free(s);
	/* keepalive state: a KA column where a peer has it */
	s = render("show dmvpn",
	           "{\"interfaces\":[{\"name\":\"dmvpn0\",\"role\":\"hub\",\"peers\":["
	           "{\"nbma\":\"198.18.0.11\",\"tunnel\":\"10.0.0.11\",\"type\":\"dynamic\","
	           "\"state\":\"up\",\"uptime_s\":5,\"ike\":\"none\",\"keepalive_rtt_ms\":0.31,"
	           "\"keepalive\":{\"probing\":true,\"misses\":0,\"last_rx_s\":0.2,\"tx\":9,"
	           "\"rx\":9}},"
	           "{\"nbma\":\"198.18.0.12\",\"tunnel\":\"10.0.0.12\",\"type\":\"dynamic\","
	           "\"state\":\"up\",\"uptime_s\":5,\"ike\":\"none\",\"keepalive_rtt_ms\":null,"
	           "\"keepalive\":{\"probing\":true,\"misses\":1,\"last_rx_s\":null,\"tx\":1,"
	           "\"rx\":0}},"
	           "{\"nbma\":\"198.18.0.13\",\"tunnel\":\"10.0.0.13\",\"type\":\"dynamic\","
	           "\"state\":\"up\",\"uptime_s\":5,\"ike\":\"none\",\"keepalive_rtt_ms\":null,"
	           "\"keepalive\":{\"probing\":true,\"misses\":2,\"last_rx_s\":3.0,\"tx\":4,"
	           "\"rx\":2}},"
	           "{\"nbma\":\"198.18.0.14\",\"tunnel\":\"10.0.0.14\",\"type\":\"dynamic\","
	           "\"state\":\"up\",\"uptime_s\":5,\"ike\":\"none\",\"keepalive_rtt_ms\":null,"
	           "\"keepalive\":{\"probing\":true,\"misses\":0,\"last_rx_s\":null,\"tx\":0,"
	           "\"rx\":0}},"
	           "{\"nbma\":\"198.18.0.15\",\"tunnel\":\"10.0.0.15\",\"type\":\"static\","
	           "\"state\":\"up\",\"uptime_s\":5,\"ike\":\"none\",\"keepalive_rtt_ms\":null}"
	           "]}]}");
	assert_non_null(
	    strstr(s, "  NBMA         Tunnel     Type     State  Uptime    IKE   RTT     KA\n"));
	assert_non_null(
	    strstr(s, "  198.18.0.11  10.0.0.11  dynamic  up     00:00:05  none  0.3 ms  ok\n"));
	assert_non_null(strstr(s, "10.0.0.12  dynamic  up     00:00:05  none  -       1 miss\n"));
	assert_non_null(strstr(s, "10.0.0.13  dynamic  up     00:00:05  none  -       2 misses\n"));
	assert_non_null(strstr(s, "10.0.0.14  dynamic  up     00:00:05  none  -       wait\n"));
	assert_non_null(strstr(s, "10.0.0.15  static   up     00:00:05  none  -       -\n"));
	free(s);
	s = render("show nhrp cache", "{\"entries\":[]}");
	assert_string_equal(s, "NHRP cache is empty\n");
	free(s);
	s = render("show counters", "{\"counters\":{\"ctl.requests\":3,\"nhrp.rx\":10}}");
	assert_string_equal(s, "ctl.requests  3\nnhrp.rx       10\n");
	free(s);
	s = render("metrics",
	           "{\"metrics\":[{\"name\":\"nhrp.rx\",\"type\":\"counter\",\"value\":4},"
	           "{\"name\":\"iface.dmvpn1.peers\",\"type\":\"gauge\",\"value\":2},"
	           "{\"name\":\"iface.dmvpn0.peers\",\"type\":\"gauge\",\"value\":1},"
	           "{\"name\":\"broken\",\"value\":1}]}");
	assert_string_equal(s, "# TYPE dmvpn_iface_peers gauge\n"
	                       "dmvpn_iface_peers{interface=\"dmvpn1\"} 2\n"
	                       "dmvpn_iface_peers{interface=\"dmvpn0\"} 1\n"
	                       "# TYPE dmvpn_nhrp_rx_total counter\n"
	                       "dmvpn_nhrp_rx_total 4\n");
	free(s);
	/* wrong types never crash and print "-" */
	s = render("show nhrp nhs", "{\"nhs\":[{\"interface\":7,\"tunnel\":[],\"nbma\":{}}]}");
	assert_non_null(strstr(s, "7          -       -     -         -      -\n"));
	free(s);
	s = render("show ikev2 sa", "{\"sas\":\"nope\"}");
	assert_string_equal(s, "no IKE SAs\n");
	free(s);
	assert_string_equal(show_duration(59, b, sizeof(b)), "00:00:59");
	assert_string_equal(show_duration(90061, b, sizeof(b)), "1d01h");
	assert_string_equal(show_duration(-1, b, sizeof(b)), "-");
}

/* --- the server over a real socket --- */

struct srv_fixture {
	char dir[64];
	char path[CTL_PATH_MAX];
	struct ev_loop *loop;
	struct ctl_server *srv;
	int dispatched;
};

static json_object *test_dispatch(void *arg, const struct ctl_request *req)
{
	struct srv_fixture *f = arg;
	json_object *d;

	f->dispatched++;
	if (req->cmd == CTL_CMD_RELOAD)
		return NULL; /* internal error path */
	if (req->cmd == CTL_CMD_SHOW_COUNTERS) {
		/* a large reply, written in several parts */
		json_object *a = json_object_new_array();
		for (int i = 0; i < 20000; i++)
			json_object_array_add(a, json_object_new_string("0123456789abcdef"));
		d = json_object_new_object();
		json_object_object_add(d, "big", a);
		return ctl_reply_ok(d);
	}
	d = json_object_new_object();
	json_object_object_add(d, "cmd", json_object_new_string(ctl_cmd_name(req->cmd)));
	return ctl_reply_ok(d);
}

static int srv_setup(void **state)
{
	struct srv_fixture *f = calloc(1, sizeof(*f));
	struct ctl_server_opts o = {.timeout_s = 0.3, .max_clients = 40, .monitor_backlog = 4096};

	log_init("test_ctl", LOG_DEST_NONE, LOG_LVL_ERROR);
	strcpy(f->dir, "/tmp/test_ctl.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/s.sock", f->dir);
	o.path = f->path;
	f->loop = ev_loop_new(EVFLAG_AUTO);
	f->srv = ctl_server_new(f->loop, &o, test_dispatch, f);
	assert_non_null(f->srv);
	*state = f;
	return 0;
}

static int srv_teardown(void **state)
{
	struct srv_fixture *f = *state;
	struct stat st;

	ctl_server_free(f->srv);
	assert_int_equal(stat(f->path, &st), -1); /* socket file removed */
	ev_loop_destroy(f->loop);
	rmdir(f->dir);
	free(f);
	return 0;
}

static int client(struct srv_fixture *f)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);

	strcpy(sun.sun_path, f->path);
	assert_int_equal(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	return fd;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void pump(struct srv_fixture *f, double secs)
{
	double end = now() + secs;
	while (now() < end) {
		ev_run(f->loop, EVRUN_NOWAIT);
		usleep(1000);
	}
}

/* Runs the loop and reads fd until EOF (returns the text) or until `secs`
 * passes (*eof false). */
static char *read_reply(struct srv_fixture *f, int fd, double secs, bool *eof, size_t *len)
{
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap);
	double end = now() + secs;

	*eof = false;
	while (now() < end) {
		ev_run(f->loop, EVRUN_NOWAIT);
		ssize_t r = recv(fd, buf + n, cap - n - 1, MSG_DONTWAIT);
		if (r == 0) {
			*eof = true;
			break;
		}
		if (r < 0) {
			if (errno == ECONNRESET) {
				*eof = true;
				break;
			}
			usleep(500);
			continue;
		}
		n += (size_t)r;
		if (cap - n < 4096)
			buf = realloc(buf, cap *= 2);
	}
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

static void expect_reply(struct srv_fixture *f, int fd, const char *want)
{
	bool eof;
	char *s = read_reply(f, fd, 2.0, &eof, NULL);
	assert_true(eof);
	assert_string_equal(s, want);
	free(s);
	close(fd);
}

static void test_server_basic(void **state)
{
	struct srv_fixture *f = *state;
	struct stat st;
	const uint64_t *ctr = ctl_server_counters(f->srv);
	uint64_t v;
	int fd;

	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0660);
	assert_true(S_ISSOCK(st.st_mode));

	/* a request in three pieces */
	fd = client(f);
	assert_int_equal(send(fd, "sho", 3, 0), 3);
	pump(f, 0.02);
	assert_int_equal(send(fd, "w nhrp ", 7, 0), 7);
	pump(f, 0.02);
	assert_int_equal(send(fd, "nhs\nignored", 11, 0), 11);
	expect_reply(f, fd, "{\"status\":0,\"data\":{\"cmd\":\"show nhrp nhs\"}}\n");

	fd = client(f);
	send(fd, "show bgp\n", 9, 0);
	expect_reply(f, fd, "{\"status\":1,\"error\":\"unknown command\",\"data\":{}}\n");

	fd = client(f);
	send(fd, "reload\n", 7, 0);
	expect_reply(f, fd, "{\"status\":1,\"error\":\"internal error\",\"data\":{}}\n");

	assert_int_equal(ctr[CTL_CTR_REQUESTS], 3);
	assert_int_equal(ctr[CTL_CTR_BAD_REQUESTS], 1);
	assert_int_equal(ctr[CTL_CTR_DISPATCH_ERRORS], 1);
	assert_int_equal(f->dispatched, 2);
	assert_int_equal(counters_get("ctl.requests", &v), 0);
	assert_int_equal(v, 3);
}

static void test_server_abuse(void **state)
{
	struct srv_fixture *f = *state;
	const uint64_t *ctr = ctl_server_counters(f->srv);
	char *big = malloc(10000);
	bool eof;
	char *s;
	int fd;

	/* oversize line: error reply, then closed */
	memset(big, 'a', 10000);
	fd = client(f);
	send(fd, big, 5000, 0);
	expect_reply(f, fd, "{\"status\":1,\"error\":\"request too long\",\"data\":{}}\n");
	assert_int_equal(ctr[CTL_CTR_OVERSIZE], 1);
	/* 4096 bytes then '\n' is a line (an unknown command) */
	fd = client(f);
	big[CTL_LINE_MAX] = '\n';
	send(fd, big, CTL_LINE_MAX + 1, 0);
	expect_reply(f, fd, "{\"status\":1,\"error\":\"unknown command\",\"data\":{}}\n");
	free(big);

	/* no newline: dropped after the timeout */
	fd = client(f);
	send(fd, "show dmvpn", 10, 0);
	s = read_reply(f, fd, 2.0, &eof, NULL);
	assert_true(eof);
	assert_string_equal(s, "");
	free(s);
	close(fd);
	assert_int_equal(ctr[CTL_CTR_TIMEOUTS], 1);

	/* binary junk with a newline */
	fd = client(f);
	send(fd, "\x01\xff\x00\n", 4, 0);
	expect_reply(f, fd,
	             "{\"status\":1,\"error\":\"request contains a non-printable character\","
	             "\"data\":{}}\n");

	/* a client that leaves at once, and one that never reads its reply */
	fd = client(f);
	close(fd);
	fd = client(f);
	send(fd, "show counters\n", 14, 0);
	pump(f, 0.05);
	close(fd);
	pump(f, 0.05);
	/* a client that does not read a large reply is dropped on a write stall */
	fd = client(f);
	send(fd, "show counters\n", 14, 0);
	pump(f, 0.8);
	assert_int_equal(ctl_server_clients(f->srv), 0);
	s = read_reply(f, fd, 1.0, &eof, NULL);
	close(fd);
	free(s);
	assert_true(ctr[CTL_CTR_TIMEOUTS] + ctr[CTL_CTR_WRITE_ERRORS] >= 2);
}

static void test_server_many(void **state)
{
	struct srv_fixture *f = *state;
	const uint64_t *ctr = ctl_server_counters(f->srv);
	int fds[45];

	for (int i = 0; i < 45; i++) {
		fds[i] = client(f);
		ev_run(f->loop, EVRUN_NOWAIT);
	}
	pump(f, 0.05);
	assert_int_equal(ctl_server_clients(f->srv), 40);
	assert_int_equal(ctr[CTL_CTR_REJECTED], 5);
	for (int i = 0; i < 45; i++)
		send(fds[i], "show counters\n", 14, MSG_NOSIGNAL);
	/* read all replies at once (a client that stalls would be dropped) */
	static char bufs[45][400000];
	size_t lens[45] = {0};
	bool done[45] = {false};
	int n_done = 0;
	double end = now() + 5.0;
	while (n_done < 45 && now() < end) {
		ev_run(f->loop, EVRUN_NOWAIT);
		for (int i = 0; i < 45; i++) {
			if (done[i])
				continue;
			ssize_t r = recv(fds[i], bufs[i] + lens[i], sizeof(bufs[i]) - 1 - lens[i],
			                 MSG_DONTWAIT);
			if (r > 0)
				lens[i] += (size_t)r;
			else if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
				done[i] = true;
				n_done++;
			}
		}
	}
	assert_int_equal(n_done, 45);
	for (int i = 0; i < 45; i++) {
		/* each accepted client gets the whole large reply, the others nothing */
		if (lens[i]) {
			struct ctl_reply r;
			if (lens[i] <= 20000 * 19)
				fail_msg("client %d: %zu bytes; timeouts %llu write errors %llu", i,
				         lens[i], (unsigned long long)ctr[CTL_CTR_TIMEOUTS],
				         (unsigned long long)ctr[CTL_CTR_WRITE_ERRORS]);
			assert_int_equal(bufs[i][lens[i] - 1], '\n');
			assert_int_equal(ctl_reply_parse(bufs[i], lens[i], &r), CTL_OK);
			ctl_reply_free(&r);
			n_done--;
		}
		close(fds[i]);
	}
	assert_int_equal(n_done, 5);
	assert_int_equal(f->dispatched, 40);
	pump(f, 0.02);
	assert_int_equal(ctl_server_clients(f->srv), 0);
}

static void test_server_monitor(void **state)
{
	struct srv_fixture *f = *state;
	json_object *o;
	bool eof;
	char *s;
	int fd = client(f), fd2;

	send(fd, "monitor\n", 8, 0);
	s = read_reply(f, fd, 0.1, &eof, NULL);
	assert_false(eof);
	assert_string_equal(s, "{\"status\":0,\"data\":{\"monitor\":true}}\n");
	free(s);
	assert_int_equal(ctl_server_monitors(f->srv), 1);
	pump(f, 0.5); /* longer than the request timeout: monitors stay */
	assert_int_equal(ctl_server_monitors(f->srv), 1);
	o = json_object_new_object();
	json_object_object_add(o, "n", json_object_new_int(1));
	events_emit("test", o);
	events_emit("test2", NULL);
	s = read_reply(f, fd, 0.1, &eof, NULL);
	assert_false(eof);
	assert_non_null(strstr(s, "\"event\":\"test\""));
	assert_non_null(strstr(s, "\"n\":1}\n{\"event\":\"test2\""));
	free(s);

	/* a second monitor that never reads is dropped once its backlog is full */
	fd2 = client(f);
	send(fd2, "monitor\n", 8, 0);
	pump(f, 0.02);
	assert_int_equal(ctl_server_monitors(f->srv), 2);
	close(fd); /* the first one leaves */
	pump(f, 0.02);
	assert_int_equal(ctl_server_monitors(f->srv), 1);
	for (int i = 0; i < 100000 && ctl_server_monitors(f->srv); i++)
		events_emit("flood", NULL);
	assert_int_equal(ctl_server_monitors(f->srv), 0);
	assert_int_equal(ctl_server_counters(f->srv)[CTL_CTR_MONITOR_OVERFLOW], 1);
	assert_false(events_wanted());
	close(fd2);
	pump(f, 0.02);
	assert_int_equal(ctl_server_clients(f->srv), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_valid),
	    cmocka_unit_test(test_parse_invalid),
	    cmocka_unit_test(test_strerror_and_format),
	    cmocka_unit_test(test_paths),
	    cmocka_unit_test(test_envelope),
	    cmocka_unit_test(test_counters),
	    cmocka_unit_test(test_events),
	    cmocka_unit_test(test_show),
	    cmocka_unit_test_setup_teardown(test_server_basic, srv_setup, srv_teardown),
	    cmocka_unit_test_setup_teardown(test_server_abuse, srv_setup, srv_teardown),
	    cmocka_unit_test_setup_teardown(test_server_many, srv_setup, srv_teardown),
	    cmocka_unit_test_setup_teardown(test_server_monitor, srv_setup, srv_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
