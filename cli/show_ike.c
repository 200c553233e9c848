/* `show ikev2 sa` / `show ipsec sa`: IKE SAs from the engine, ESP SAs and
 * their statistics from the SAD (cli/show_ike.h). */
#include "cli/show_ike.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>

#include "ike/sa.h"
#include "lib/log.h"
#include "overlay/esp.h"
#include "overlay/ipsec.h"

static json_object *jaddr(const struct ipaddr *a)
{
	char buf[ADDR_STRLEN];

	return ipaddr_is_set(a) ? json_object_new_string(ipaddr_fmt(a, buf, sizeof(buf))) : NULL;
}

static json_object *jhex(uint64_t v, int width)
{
	char buf[20];

	snprintf(buf, sizeof(buf), "%0*" PRIx64, width, v);
	return json_object_new_string(buf);
}

static json_object *jsecs(double s)
{
	return s < 0 || !isfinite(s) ? NULL : json_object_new_int64((int64_t)s);
}

static json_object *jnum(double v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%.3g", v);
	return json_object_new_double_s(v, buf);
}

static const char *state_name(enum ike_sa_state s)
{
	switch (s) {
	case IKE_S_ESTABLISHED:
		return "established";
	case IKE_S_DELETING:
	case IKE_S_CLOSED:
		return "deleting";
	default:
		return "connecting";
	}
}

struct out_find {
	uint32_t spi;
	struct esp_sa_stats st;
	bool found;
};

static void find_out(const struct esp_sa *sa, void *arg)
{
	struct out_find *f = arg;

	if (!esp_sa_inbound(sa) && esp_sa_spi(sa) == f->spi) {
		esp_sa_get_stats(sa, &f->st);
		f->found = true;
	}
}

static json_object *child_json(const struct ipsec *ips, const struct ike_child_info *c)
{
	json_object *o = json_object_new_object();
	struct esp_sa_stats in = {0};
	struct out_find out = {.spi = c->spi_out};
	const struct esp_sa *sa = sad_lookup_in(ipsec_sad(ips), c->spi_in);
	char suite[96];

	if (sa)
		esp_sa_get_stats(sa, &in);
	sad_walk(ipsec_sad(ips), find_out, &out);
	ike_suite_format(&c->suite, suite, sizeof(suite));
	json_object_object_add(o, "ispi", jhex(c->spi_in, 8));
	json_object_object_add(o, "ospi", jhex(c->spi_out, 8));
	json_object_object_add(o, "mode", json_object_new_string(c->mode == IKE_MODE_TRANSPORT
	                                                             ? "transport"
	                                                             : "tunnel"));
	json_object_object_add(o, "suite", json_object_new_string(suite));
	json_object_object_add(o, "encap", json_object_new_boolean(c->encap));
	json_object_object_add(o, "bytes_in", json_object_new_uint64(in.bytes));
	json_object_object_add(o, "bytes_out", json_object_new_uint64(out.st.bytes));
	json_object_object_add(o, "packets_in", json_object_new_uint64(in.packets));
	json_object_object_add(o, "packets_out", json_object_new_uint64(out.st.packets));
	json_object_object_add(o, "errors_in", json_object_new_uint64(in.errors));
	json_object_object_add(o, "lifetime_s", json_object_new_int64(c->lifetime));
	return o;
}

static json_object *dpd_json(const struct ikesa *sa, double now)
{
	struct ike_sa_dpd_view v;
	json_object *o = json_object_new_object();

	ike_sa_dpd_get(sa, now, &v);
	json_object_object_add(o, "enabled", json_object_new_boolean(v.enabled));
	json_object_object_add(o, "interval_s", v.enabled ? jnum(v.interval) : NULL);
	json_object_object_add(o, "retry_interval_s", v.enabled ? jnum(v.retry_interval) : NULL);
	json_object_object_add(o, "retries", v.enabled ? json_object_new_int((int)v.retries) : NULL);
	json_object_object_add(o, "mode", v.enabled ? json_object_new_string(v.periodic ? "periodic"
	                                                                           : "on-demand")
	                                         : NULL);
	json_object_object_add(o, "misses", json_object_new_int((int)v.misses));
	json_object_object_add(o, "state", json_object_new_string(!v.enabled      ? "off"
	                                                          : v.misses > 0 ? "probing"
	                                                                         : "ok"));
	json_object_object_add(o, "next_probe_s", v.next_probe_s < 0 ? NULL : jnum(v.next_probe_s));
	json_object_object_add(o, "idle_s", jnum(v.idle_s));
	return o;
}

json_object *show_ike_sas(const struct ipsec *ips)
{
	json_object *res = json_object_new_object(), *a = json_object_new_array();
	double now = mono_now();

	for (struct ikesa *sa = ips ? ike_engine_first(ipsec_engine(ips)) : NULL; sa;
	     sa = ike_engine_next(ipsec_engine(ips), sa)) {
		struct ike_sa_info in;
		const struct ike_child_info *c = ike_sa_child(sa);
		json_object *o = json_object_new_object(), *ch = json_object_new_array();
		char suite[96];

		ike_sa_get_info(sa, &in);
		ike_suite_format(&in.suite, suite, sizeof(suite));
		json_object_object_add(o, "local", jaddr(&in.local));
		json_object_object_add(o, "remote", jaddr(&in.remote));
		json_object_object_add(o, "local_port", json_object_new_int(in.local_port));
		json_object_object_add(o, "remote_port", json_object_new_int(in.remote_port));
		json_object_object_add(o, "state", json_object_new_string(state_name(ike_sa_state(sa))));
		json_object_object_add(o, "ike_state",
		                       json_object_new_string(ike_sa_state_name(ike_sa_state(sa))));
		json_object_object_add(o, "ispi", jhex(in.spi_i, 16));
		json_object_object_add(o, "rspi", jhex(in.spi_r, 16));
		json_object_object_add(o, "suite", json_object_new_string(in.suite.encr ? suite : ""));
		json_object_object_add(o, "initiator", json_object_new_boolean(in.initiator));
		json_object_object_add(o, "local_id", json_object_new_string(in.local_id));
		json_object_object_add(o, "remote_id", json_object_new_string(in.remote_id));
		json_object_object_add(o, "profile", in.profile ? json_object_new_string(in.profile)
		                                                : NULL);
		json_object_object_add(o, "nat_local", json_object_new_boolean(in.nat_local));
		json_object_object_add(o, "nat_remote", json_object_new_boolean(in.nat_remote));
		json_object_object_add(o, "age_s", jsecs(ike_sa_age(sa, now)));
		json_object_object_add(o, "established_s", jsecs(ike_sa_established_for(sa, now)));
		json_object_object_add(o, "rekey_in_s", jsecs(ike_sa_rekey_in(sa, now)));
		json_object_object_add(o, "dpd", dpd_json(sa, now));
		if (c)
			json_object_array_add(ch, child_json(ips, c));
		json_object_object_add(o, "children", ch);
		json_object_array_add(a, o);
	}
	json_object_object_add(res, "sas", a);
	return res;
}

static void add_esp(const struct esp_sa *sa, void *arg)
{
	json_object *o = json_object_new_object();
	struct esp_sa_stats st;

	esp_sa_get_stats(sa, &st);
	json_object_object_add(o, "spi", jhex(esp_sa_spi(sa), 8));
	json_object_object_add(o, "direction",
	                       json_object_new_string(esp_sa_inbound(sa) ? "in" : "out"));
	json_object_object_add(o, "child", json_object_new_int64(esp_sa_child_id(sa)));
	json_object_object_add(o, "remote", jaddr(esp_sa_remote(sa)));
	json_object_object_add(o, "packets", json_object_new_uint64(st.packets));
	json_object_object_add(o, "bytes", json_object_new_uint64(st.bytes));
	json_object_object_add(o, "errors", json_object_new_uint64(st.errors));
	json_object_object_add(o, "seq", json_object_new_uint64(st.seq));
	json_object_array_add(arg, o);
}

json_object *show_ipsec_sas(const struct ipsec *ips)
{
	json_object *res = json_object_new_object(), *a = json_object_new_array();

	if (ips)
		sad_walk(ipsec_sad(ips), add_esp, a);
	json_object_object_add(res, "sas", a);
	return res;
}
