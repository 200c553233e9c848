/* Unit tests for the daemon's control answers (cli/daemon_show.c) and
 * reload (reload.c), from configurations in memory and in temp files. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/ctl_proto.h"
#include "cli/daemon_show.h"
#include "cli/events.h"
#include "config.h"
#include "dmvpnd.h"
#include "lib/counters.h"
#include "lib/log.h"
#include "reload.h"

static const char spoke_conf[] = "hostname spoke1\n"
                                 "interface dmvpn0\n"
                                 " ip address 10.0.0.11/32\n"
                                 " tunnel source 198.18.0.11\n"
                                 " tunnel key 42\n"
                                 " ip nhrp network-id 1\n"
                                 " ip nhrp nhs 10.0.0.1 nbma 198.18.0.1 priority 1\n"
                                 " ip nhrp nhs 10.0.0.2 nbma 198.18.0.2 priority 2\n"
                                 " ip nhrp shortcut\n"
                                 "interface dmvpn1\n"
                                 " ip address 10.1.0.1/32\n"
                                 " tunnel source 198.18.0.11\n"
                                 " ip nhrp network-id 2\n"
                                 " ip nhrp redirect\n";

static const char *jget(json_object *o, const char *path)
{
	/* "a.b.0.c": object keys and array indexes */
	char buf[128], *save = NULL;
	json_object *cur = o;

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *t = strtok_r(buf, ".", &save); t && cur; t = strtok_r(NULL, ".", &save)) {
		if (json_object_is_type(cur, json_type_array)) {
			if ((size_t)atoi(t) >= json_object_array_length(cur))
				return "(missing)";
			cur = json_object_array_get_idx(cur, (size_t)atoi(t));
		} else if (!json_object_object_get_ex(cur, t, &cur))
			return "(missing)";
	}
	return cur ? json_object_get_string(cur) : "null";
}

static void daemon_init(struct dmvpnd *d, const char *text, const char *path)
{
	int nerr = 0;

	memset(d, 0, sizeof(*d));
	d->pid_fd = -1;
	d->opts.config_path = path;
	d->cfg = config_parse_string("test.conf", text, strlen(text), stderr, &nerr);
	assert_non_null(d->cfg);
	d->started_mono = mono_now();
	dmvpnd_counters_register(d);
}

static void daemon_fini(struct dmvpnd *d)
{
	dmvpnd_counters_unregister(d);
	config_free(d->cfg);
}

static json_object *ask(struct dmvpnd *d, const char *line)
{
	struct ctl_request r;
	assert_int_equal(ctl_request_parse(line, strlen(line), &r), CTL_OK);
	json_object *o = dmvpnd_ctl_dispatch(d, &r);
	assert_non_null(o);
	return o;
}

static void test_show_dmvpn(void **state)
{
	struct dmvpnd d;
	json_object *o;

	daemon_init(&d, spoke_conf, "/nonexistent");
	o = ask(&d, "show dmvpn");
	assert_string_equal(jget(o, "status"), "0");
	assert_string_equal(jget(o, "data.interfaces.0.name"), "dmvpn0");
	assert_string_equal(jget(o, "data.interfaces.0.role"), "spoke");
	assert_string_equal(jget(o, "data.interfaces.0.peers.0.nbma"), "198.18.0.1");
	assert_string_equal(jget(o, "data.interfaces.0.peers.0.tunnel"), "10.0.0.1");
	assert_string_equal(jget(o, "data.interfaces.0.peers.0.type"), "nhs");
	assert_string_equal(jget(o, "data.interfaces.0.peers.0.state"), "down");
	assert_string_equal(jget(o, "data.interfaces.0.peers.0.ike"), "none");
	assert_string_equal(jget(o, "data.interfaces.0.peers.0.uptime_s"), "0");
	assert_string_equal(jget(o, "data.interfaces.0.peers.0.keepalive_rtt_ms"), "null");
	assert_string_equal(jget(o, "data.interfaces.0.peers.1.nbma"), "198.18.0.2");
	assert_string_equal(jget(o, "data.interfaces.0.address"), "(missing)"); /* detail only */
	assert_string_equal(jget(o, "data.interfaces.1.name"), "dmvpn1");
	assert_string_equal(jget(o, "data.interfaces.1.role"), "hub");
	assert_string_equal(jget(o, "data.interfaces.1.peers"), "[ ]");
	json_object_put(o);

	o = ask(&d, "show dmvpn detail");
	assert_string_equal(jget(o, "data.interfaces.0.address"), "10.0.0.11/32");
	assert_string_equal(jget(o, "data.interfaces.0.key"), "42");
	assert_string_equal(jget(o, "data.interfaces.1.key"), "null");
	assert_string_equal(jget(o, "data.interfaces.0.peers.1.priority"), "2");
	json_object_put(o);
	daemon_fini(&d);
}

static void test_show_others(void **state)
{
	struct dmvpnd d;
	json_object *o;

	daemon_init(&d, spoke_conf, "/nonexistent");
	o = ask(&d, "show nhrp nhs");
	assert_string_equal(jget(o, "data.nhs.0.interface"), "dmvpn0");
	assert_string_equal(jget(o, "data.nhs.0.tunnel"), "10.0.0.1");
	assert_string_equal(jget(o, "data.nhs.0.nbma"), "198.18.0.1");
	assert_string_equal(jget(o, "data.nhs.0.priority"), "1");
	assert_string_equal(jget(o, "data.nhs.0.state"), "down");
	assert_string_equal(jget(o, "data.nhs.0.rtt_ms"), "null");
	assert_string_equal(jget(o, "data.nhs.2"), "(missing)");
	json_object_put(o);

	static const struct {
		const char *line, *key;
	} empty[] = {
	    {"show nhrp cache", "data.entries"},
	    {"show nhrp shortcut", "data.shortcuts"},
	    {"show ikev2 sa", "data.sas"},
	};
	for (size_t i = 0; i < sizeof(empty) / sizeof(empty[0]); i++) {
		o = ask(&d, empty[i].line);
		assert_string_equal(jget(o, empty[i].key), "[ ]");
		json_object_put(o);
	}
	o = ask(&d, "clear ikev2 sa 198.18.0.1");
	assert_string_equal(jget(o, "data.cleared"), "0");
	json_object_put(o);

	o = ask(&d, "show counters");
	assert_string_equal(jget(o, "data.counters.daemon.reloads"),
	                    "(missing)"); /* key has a dot */
	json_object *c;
	assert_true(json_object_object_get_ex(json_object_object_get(o, "data"), "counters", &c));
	assert_string_equal(json_object_get_string(json_object_object_get(c, "config.interfaces")),
	                    "2");
	assert_non_null(json_object_object_get(c, "daemon.reload_failures"));
	json_object_put(o);

	o = ask(&d, "metrics");
	assert_string_equal(jget(o, "data.metrics.0.name"), "daemon.reloads");
	assert_string_equal(jget(o, "data.metrics.0.type"), "counter");
	assert_string_equal(jget(o, "data.metrics.2.name"), "config.interfaces");
	assert_string_equal(jget(o, "data.metrics.2.type"), "gauge");
	json_object_put(o);

	o = ask(&d, "version");
	assert_string_equal(jget(o, "data.hostname"), "spoke1");
	json_object_put(o);
	daemon_fini(&d);
}

static char *write_temp(const char *text)
{
	char *path = strdup("/tmp/test_daemon.XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static void rewrite(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int n_events;
static char last_event[2048];
static void ev_sink(void *arg, const char *line, size_t len)
{
	n_events++;
	snprintf(last_event, sizeof(last_event), "%s", line);
}

static void test_reload(void **state)
{
	struct dmvpnd d;
	char *path = write_temp(spoke_conf);
	json_object *o;
	const struct config *before;
	char *text;

	log_init("test", LOG_DEST_NONE, LOG_LVL_ERROR);
	events_sink_add(ev_sink, NULL, NULL);
	daemon_init(&d, spoke_conf, path);
	o = ask(&d, "reload");
	assert_string_equal(jget(o, "status"), "0");
	assert_string_equal(jget(o, "data.changes"), "[ ]");
	assert_string_equal(jget(o, "data.file"), path);
	json_object_put(o);
	assert_int_equal(n_events, 1);
	assert_non_null(strstr(last_event, "\"event\":\"reload\""));
	assert_non_null(strstr(last_event, "\"status\":\"ok\""));

	/* changes: hostname, an NHS priority, mtu, interface removed/added */
	text = strdup(spoke_conf);
	*strstr(text, "interface dmvpn1") = '\0';
	strstr(text, "spoke1")[5] = '9';
	strstr(text, "priority 2")[9] = '5';
	strcat(text, " mtu 1400\ninterface dmvpn7\n ip address 10.7.0.1/32\n"
	             " tunnel source 198.18.0.11\n ip nhrp network-id 7\n");
	rewrite(path, text);
	free(text);
	o = ask(&d, "reload");
	assert_string_equal(jget(o, "status"), "0");
	assert_string_equal(jget(o, "data.changes.0"), "hostname: spoke1 -> spoke9");
	assert_string_equal(jget(o, "data.changes.1"), "interface dmvpn1: removed");
	assert_string_equal(jget(o, "data.changes.2"),
	                    "interface dmvpn0: recreated (mtu, nhs changed)");
	assert_string_equal(jget(o, "data.changes.3"), "interface dmvpn7: added");
	assert_string_equal(jget(o, "data.changes.4"), "(missing)");
	json_object_put(o);
	assert_string_equal(d.cfg->hostname, "spoke9");

	/* a broken file keeps the running configuration */
	before = d.cfg;
	rewrite(path, "hostname x\nbogus command\ninterface dmvpn0\n mtu 1\n");
	o = ask(&d, "reload");
	assert_string_equal(jget(o, "status"), "1");
	assert_non_null(strstr(jget(o, "error"), "keeping the running configuration"));
	assert_non_null(strstr(jget(o, "data.errors.0"), ":2: "));
	json_object_put(o);
	assert_ptr_equal(d.cfg, before);
	assert_non_null(strstr(last_event, "\"status\":\"failed\""));
	uint64_t v;
	assert_int_equal(counters_get("daemon.reloads", &v), 0);
	assert_int_equal(v, 2);
	assert_int_equal(counters_get("daemon.reload_failures", &v), 0);
	assert_int_equal(v, 1);

	events_sink_del(ev_sink, NULL);
	daemon_fini(&d);
	unlink(path);
	free(path);
}

static void test_reload_iface_action(void **state)
{
	static const char base[] = "crypto ikev2 profile P\n"
	                           " authentication psk secret1\n"
	                           "interface dmvpn0\n"
	                           " ip address 10.0.0.11/32\n"
	                           " tunnel source 198.18.0.11\n"
	                           " tunnel key 42\n"
	                           " tunnel protection ikev2 profile P\n"
	                           " ip nhrp network-id 1\n"
	                           "interface dmvpn1\n"
	                           " ip address 10.1.0.11/32\n"
	                           " tunnel source 198.18.0.11\n"
	                           " tunnel key 43\n"
	                           " ip nhrp network-id 2\n";
	int nerr = 0;
	char why[256], *text;
	struct config *a = config_parse_string("a", base, strlen(base), stderr, &nerr), *b;

	assert_non_null(a);
	/* the same file: nothing to do */
	b = config_parse_string("b", base, strlen(base), stderr, &nerr);
	assert_non_null(b);
	assert_int_equal(reload_iface_action(a, b, "dmvpn0", why, sizeof(why)), RELOAD_IF_KEEP);
	assert_int_equal(reload_iface_action(a, b, "dmvpn1", why, sizeof(why)), RELOAD_IF_KEEP);
	assert_int_equal(reload_iface_action(a, b, "dmvpn9", why, sizeof(why)), RELOAD_IF_KEEP);
	config_free(b);

	/* key of dmvpn1 changed; dmvpn0 stays */
	text = strdup(base);
	strstr(text, "tunnel key 43")[12] = '4';
	b = config_parse_string("b", text, strlen(text), stderr, &nerr);
	assert_non_null(b);
	assert_int_equal(reload_iface_action(a, b, "dmvpn0", why, sizeof(why)), RELOAD_IF_KEEP);
	assert_int_equal(reload_iface_action(a, b, "dmvpn1", why, sizeof(why)), RELOAD_IF_RECREATE);
	assert_string_equal(why, "tunnel key changed");
	config_free(b);

	/* the profile's key changed: the interface it protects is recreated */
	strstr(text, "secret1")[6] = '2';
	b = config_parse_string("b", text, strlen(text), stderr, &nerr);
	assert_non_null(b);
	assert_int_equal(reload_iface_action(a, b, "dmvpn0", why, sizeof(why)), RELOAD_IF_RECREATE);
	assert_string_equal(why, "profile P changed");
	config_free(b);

	/* dmvpn1 gone, dmvpn0 loses its protection */
	*strstr(text, "interface dmvpn1") = '\0';
	memcpy(strstr(text, " tunnel protection"), "!", 1);
	b = config_parse_string("b", text, strlen(text), stderr, &nerr);
	assert_non_null(b);
	assert_int_equal(reload_iface_action(a, b, "dmvpn1", why, sizeof(why)), RELOAD_IF_REMOVE);
	assert_int_equal(reload_iface_action(b, a, "dmvpn1", why, sizeof(why)), RELOAD_IF_ADD);
	assert_int_equal(reload_iface_action(a, b, "dmvpn0", why, sizeof(why)), RELOAD_IF_RECREATE);
	assert_string_equal(why, "tunnel protection changed");
	config_free(b);
	free(text);
	config_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_show_dmvpn),
	    cmocka_unit_test(test_show_others),
	    cmocka_unit_test(test_reload),
	    cmocka_unit_test(test_reload_iface_action),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
