/* Unit tests for the configuration parser (config.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* The autoconf header of the build directory is also called config.h: name
 * ours by its path so that the include search order does not matter. */
#include "../../config.h"
#include "lib/log.h"

#ifndef TOP_SRCDIR
#define TOP_SRCDIR "."
#endif

/* Parses text; returns the model (or NULL) and the error output in *out. */
static struct config *parse(const char *text, char **out, int *nerr)
{
	size_t len = 0;
	FILE *f = open_memstream(out, &len);
	struct config *cfg;

	assert_non_null(f);
	cfg = config_parse_string("t.conf", text, strlen(text), f, nerr);
	fclose(f);
	return cfg;
}

/* The text must parse without any error. */
static struct config *parse_ok(const char *text)
{
	char *out = NULL;
	int n = -1;
	struct config *cfg = parse(text, &out, &n);

	if (!cfg || n != 0)
		fprintf(stderr, "unexpected errors:\n%s", out);
	assert_int_equal(n, 0);
	assert_string_equal(out, "");
	assert_non_null(cfg);
	free(out);
	return cfg;
}

/* The text must fail with exactly the given error output. */
static void parse_fails(const char *text, const char *expect)
{
	char *out = NULL;
	int n = -1, lines = 0;
	struct config *cfg = parse(text, &out, &n);

	assert_null(cfg);
	if (strcmp(out, expect) != 0)
		fprintf(stderr, "input:\n%s\nexpected:\n%sgot:\n%s", text, expect, out);
	assert_string_equal(out, expect);
	for (const char *c = out; *c; c++)
		lines += *c == '\n';
	assert_int_equal(n, lines);
	free(out);
}

static const char spec_example[] =
    "hostname spoke1\n"
    "log level info                                   ! debug|info|notice|warning|error\n"
    "!\n"
    "crypto ikev2 profile DMVPN\n"
    " identity local fqdn spoke1.example.net          ! address|fqdn|email|key-id|dn\n"
    " authentication psk \"a long secret\"              ! or: authentication certificate FILE key "
    "FILE ca FILE\n"
    " proposal aes256gcm16-prfsha256-x25519           ! strongSwan-style suite names; several "
    "allowed\n"
    " esp-proposal aes256gcm16\n"
    " dpd 10 2 on-demand retries 5                    ! as Cisco: interval s, retry interval s, "
    "on-demand|periodic; retries (default 5)\n"
    " lifetime 86400 3600                             ! IKE SA s, CHILD SA s (rekeyed before "
    "expiry)\n"
    " nat-traversal auto                              ! auto|force|off\n"
    "!\n"
    "interface dmvpn0\n"
    " ip address 10.0.0.11/32\n"
    " mtu 1400\n"
    " tunnel source 198.18.0.11                       ! address or interface name\n"
    " tunnel key 42\n"
    " tunnel protection ikev2 profile DMVPN\n"
    " keepalive 0.3 3                                 ! per-peer GRE keepalive: interval s, "
    "misses\n"
    " ip nhrp network-id 1\n"
    " ip nhrp holdtime 600\n"
    " ip nhrp nhs 10.0.0.1 nbma 198.18.0.1 priority 1\n"
    " ip nhrp nhs 10.0.0.2 nbma 198.18.0.2 priority 2\n"
    " ip nhrp map multicast nhs                       ! hub: ip nhrp map multicast dynamic\n"
    " ip nhrp shortcut                                ! hub: ip nhrp redirect\n"
    " ip nhrp authentication SECRET\n"
    "!\n"
    "frr zapi                                         ! connect to zebra (default "
    "/run/frr/zserv.api)\n"
    "frr vty /run/frr/x/nhrpd.vty                     ! answer vtysh as nhrpd (default "
    "/run/frr/nhrpd.vty)\n";

static void assert_addr(const struct ipaddr *a, const char *text)
{
	char buf[ADDR_STRLEN];
	assert_string_equal(ipaddr_fmt(a, buf, sizeof(buf)), text);
}

static void test_spec_example(void **state)
{
	struct config *cfg = parse_ok(spec_example);
	const struct cfg_profile *prof;
	const struct cfg_iface *ifc;
	char buf[PREFIX_STRLEN];

	assert_string_equal(cfg->path, "t.conf");
	assert_string_equal(cfg->hostname, "spoke1");
	assert_int_equal(cfg->log_level, LOG_LVL_INFO);

	assert_int_equal(cfg->n_profiles, 1);
	prof = &cfg->profiles[0];
	assert_string_equal(prof->name, "DMVPN");
	assert_int_equal(prof->line, 4);
	assert_int_equal(prof->local.type, CFG_ID_FQDN);
	assert_string_equal(prof->local.value, "spoke1.example.net");
	assert_int_equal(prof->remote.type, CFG_ID_NONE);
	assert_int_equal(prof->auth, CFG_AUTH_PSK);
	assert_string_equal(prof->psk, "a long secret");
	assert_int_equal(prof->psk_len, 13);
	assert_int_equal(prof->n_proposals, 1);
	assert_string_equal(prof->proposals[0], "aes256gcm16-prfsha256-x25519");
	assert_int_equal(prof->proposal_suites[0].n, 3);
	assert_true(prof->proposal_suites[0].aead);
	assert_int_equal(prof->proposal_suites[0].x[0].type, CFG_XFORM_ENCR);
	assert_int_equal(prof->proposal_suites[0].x[0].id, 20);
	assert_int_equal(prof->proposal_suites[0].x[0].keylen, 256);
	assert_int_equal(prof->proposal_suites[0].x[1].type, CFG_XFORM_PRF);
	assert_int_equal(prof->proposal_suites[0].x[1].id, 5);
	assert_int_equal(prof->proposal_suites[0].x[2].type, CFG_XFORM_DH);
	assert_int_equal(prof->proposal_suites[0].x[2].id, 31);
	assert_int_equal(prof->n_esp_proposals, 1);
	assert_string_equal(prof->esp_proposals[0], "aes256gcm16");
	assert_int_equal(prof->esp_suites[0].n, 2); /* + noesn */
	assert_int_equal(prof->esp_suites[0].x[1].type, CFG_XFORM_ESN);
	assert_int_equal(prof->esp_suites[0].x[1].id, 0);
	assert_true(prof->has_dpd);
	assert_true(prof->dpd_interval == 10.0);
	assert_true(prof->dpd_retry_interval == 2.0);
	assert_int_equal(prof->dpd_mode, CFG_DPD_ON_DEMAND);
	assert_int_equal(prof->dpd_retries, 5);
	assert_int_equal(prof->lifetime_ike, 86400);
	assert_int_equal(prof->lifetime_child, 3600);
	assert_int_equal(prof->lifetime_child_kb, 0);
	assert_int_equal(prof->nat_traversal, CFG_NATT_AUTO);

	assert_int_equal(cfg->n_ifaces, 1);
	ifc = &cfg->ifaces[0];
	assert_string_equal(ifc->name, "dmvpn0");
	assert_int_equal(ifc->line, 13);
	assert_true(ifc->has_addr4);
	assert_false(ifc->has_addr6);
	assert_string_equal(prefix_fmt(&ifc->addr4, buf, sizeof(buf)), "10.0.0.11/32");
	assert_int_equal(ifc->mtu, 1400);
	assert_null(ifc->tunnel_source_ifname);
	assert_addr(&ifc->tunnel_source, "198.18.0.11");
	assert_true(ifc->has_key);
	assert_int_equal(ifc->key, 42);
	assert_string_equal(ifc->protection_profile, "DMVPN");
	assert_ptr_equal(ifc->profile, prof);
	assert_ptr_equal(config_find_profile(cfg, "DMVPN"), prof);
	assert_ptr_equal(config_find_iface(cfg, "dmvpn0"), ifc);
	assert_null(config_find_iface(cfg, "dmvpn1"));
	assert_true(ifc->has_keepalive);
	assert_true(ifc->keepalive_interval > 0.3 - 1e-9 && ifc->keepalive_interval < 0.3 + 1e-9);
	assert_int_equal(ifc->keepalive_misses, 3);
	assert_true(ifc->has_network_id);
	assert_int_equal(ifc->network_id, 1);
	assert_int_equal(ifc->holdtime, 600);
	assert_int_equal(ifc->n_nhs, 2);
	assert_false(ifc->nhs[0].proto_dynamic);
	assert_addr(&ifc->nhs[0].proto, "10.0.0.1");
	assert_addr(&ifc->nhs[0].nbma, "198.18.0.1");
	assert_null(ifc->nhs[0].nbma_fqdn);
	assert_int_equal(ifc->nhs[0].priority, 1);
	assert_int_equal(ifc->nhs[0].line, 22);
	assert_addr(&ifc->nhs[1].proto, "10.0.0.2");
	assert_addr(&ifc->nhs[1].nbma, "198.18.0.2");
	assert_int_equal(ifc->nhs[1].priority, 2);
	assert_int_equal(ifc->n_maps, 0);
	assert_true(ifc->mcast.nhs);
	assert_false(ifc->mcast.dynamic);
	assert_int_equal(cfg_mcast_modes(&ifc->mcast), CFG_MCAST_NHS);
	assert_true(ifc->shortcut);
	assert_false(ifc->redirect);
	assert_false(ifc->reg_no_unique);
	assert_string_equal(ifc->nhrp_auth, "SECRET");
	assert_false(cfg_iface_is_hub(ifc));
	/* the union view and the direct members are the same storage */
	assert_ptr_equal(ifc->nhrp4.nhs, ifc->nhs);
	assert_int_equal(ifc->nhrp4.holdtime, 600);
	assert_false(ifc->nhrp6.has_network_id);
	assert_int_equal(ifc->nhrp6.holdtime, CFG_DEFAULT_HOLDTIME);

	assert_true(cfg->frr.zapi);
	assert_null(cfg->frr.zapi_path);
	assert_true(cfg->frr.vty);
	assert_string_equal(cfg->frr.vty_path, "/run/frr/x/nhrpd.vty");
	config_free(cfg);
}

static void load_example(const char *file, bool hub)
{
	char path[1024];
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	int n = -1;
	struct config *cfg;

	snprintf(path, sizeof(path), "%s/doc/examples/%s", TOP_SRCDIR, file);
	cfg = config_load(path, f, &n);
	fclose(f);
	if (n)
		fprintf(stderr, "%s", out);
	assert_int_equal(n, 0);
	assert_non_null(cfg);
	assert_string_equal(cfg->path, path);
	assert_int_equal(cfg->n_ifaces, 1);
	assert_int_equal(cfg->n_profiles, 1);
	assert_int_equal(cfg_iface_is_hub(&cfg->ifaces[0]), hub);
	assert_non_null(cfg->ifaces[0].profile);
	assert_int_equal(cfg->profiles[0].n_proposals, 2);
	assert_int_equal(cfg->profiles[0].n_esp_proposals, 2);
	assert_int_equal(cfg->profiles[0].matches[0].kind, CFG_MATCH_ADDR_PREFIX);
	if (hub) {
		assert_true(cfg->ifaces[0].mcast.dynamic);
		assert_true(cfg->ifaces[0].redirect);
	} else {
		assert_addr(&cfg->ifaces[0].nhs[0].nbma, "198.18.0.1");
		assert_true(cfg->ifaces[0].shortcut);
	}
	config_free(cfg);
	free(out);
}

static void test_examples(void **state)
{
	load_example("hub.conf", true);
	load_example("spoke.conf", false);
}

static void test_load_missing(void **state)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	int n = 0;

	assert_null(config_load("/nonexistent/dmvpnd.conf", f, &n));
	fclose(f);
	assert_int_equal(n, 1);
	assert_string_equal(out,
	                    "/nonexistent/dmvpnd.conf:0: cannot read: No such file or directory\n");
	free(out);
}

/* A valid minimal configuration: the interface block is lines 1-5, so the
 * line added by each test is line 6 (inside the block when indented). */
#define IFACE                                                                                      \
	"interface dmvpn0\n"                                                                       \
	" ip address 10.0.0.1/32\n"                                                                \
	" tunnel source 198.18.0.1\n"                                                              \
	" ip nhrp network-id 1\n"                                                                  \
	" tunnel key 7\n"
#define PROFILE "crypto ikev2 profile P\n authentication psk x\n"

struct err_case {
	const char *text;
	const char *expect;
};

static const struct err_case err_cases[] = {
    /* syntax */
    {IFACE " frobnicate 1\n", "t.conf:6: unknown command 'frobnicate'\n"},
    {IFACE " ip nhrp frob 1 2\n", "t.conf:6: unknown command 'ip nhrp frob'\n"},
    {IFACE "hostname\n", "t.conf:6: usage: hostname NAME\n"},
    {IFACE " mtu\n", "t.conf:6: usage: mtu 576..9000\n"},
    {IFACE " mtu 1400 1500\n", "t.conf:6: usage: mtu 576..9000\n"},
    {IFACE " mtu 1400\n mtu 1300\n", "t.conf:7: 'mtu' already given at line 6\n"},
    {IFACE "ip nhrp shortcut\n",
     "t.conf:6: 'ip nhrp shortcut' is an interface command: indent it under 'interface NAME'\n"},
    {IFACE " hostname x\n",
     "t.conf:6: 'hostname' is a top-level command: it must not be indented\n"},
    {IFACE " nat-traversal off\n",
     "t.conf:6: 'nat-traversal' is a profile command, not valid in an 'interface' block\n"},
    {"hostname a\n mtu 1400\n" IFACE,
     "t.conf:2: 'mtu' is indented but no 'interface' or 'crypto ikev2 profile' block is open\n"},
    {IFACE " exit\n mtu 1400\n",
     "t.conf:7: 'mtu' is indented but no 'interface' or 'crypto ikev2 profile' block is open\n"},
    {IFACE "hostname \"a b\n", "t.conf:6: unterminated quoted string\n"},
    {IFACE "hostname \"a\"b\n", "t.conf:6: a quoted string must be followed by a space\n"},
    {IFACE "hostname a\"b\n", "t.conf:6: unexpected '\"' inside a word\n"},
    {IFACE "hostname a\x01\n", "t.conf:6: control character 0x01 in line\n"},
    {IFACE "hostname a/b\n",
     "t.conf:6: hostname must be 1..253 letters, digits, '-', '.' or '_', not 'a/b'\n"},
    {IFACE "log level loud\n",
     "t.conf:6: log level must be debug, info, notice, warning or error, not 'loud'\n"},
    {IFACE "frr zapi run/zserv.api\n",
     "t.conf:6: frr zapi: 'run/zserv.api' is not an absolute path\n"},
    {IFACE " ip nhrp shortcut now\n", "t.conf:6: usage: ip nhrp shortcut\n"},
    {IFACE "interface\n mtu 5\n",
     "t.conf:6: usage: interface NAME\nt.conf:7: mtu must be an integer in 576..9000, not '5'\n"},
    {IFACE "crypto ikev2 profile A B\n authentication psk x\n",
     "t.conf:6: usage: crypto ikev2 profile NAME\n"},
    {IFACE "interfce dmvpn1\n mtu 1400\n mtu 1400\n exit\n mtu 1400\n",
     "t.conf:6: unknown command 'interfce'\n"
     "t.conf:10: 'mtu' is indented but no 'interface' or 'crypto ikev2 profile' block is open\n"},
    /* numbers: strict, ranges */
    {IFACE " mtu 70000\n", "t.conf:6: mtu must be an integer in 576..9000, not '70000'\n"},
    {IFACE " mtu 575\n", "t.conf:6: mtu must be an integer in 576..9000, not '575'\n"},
    {IFACE " mtu 1400x\n", "t.conf:6: mtu must be an integer in 576..9000, not '1400x'\n"},
    {IFACE " mtu +1400\n", "t.conf:6: mtu must be an integer in 576..9000, not '+1400'\n"},
    {IFACE " mtu 0x578\n", "t.conf:6: mtu must be an integer in 576..9000, not '0x578'\n"},
    {IFACE " mtu 99999999999999999999999\n",
     "t.conf:6: mtu must be an integer in 576..9000, not '99999999999999999999999'\n"},
    {"interface dmvpn0\n ip address 10.0.0.1/32\n tunnel source 198.18.0.1\n"
     " ip nhrp network-id 1\n tunnel key 4294967296\n",
     "t.conf:5: tunnel key must be an integer in 0..4294967295, not '4294967296'\n"},
    {IFACE " ip nhrp holdtime 0\n",
     "t.conf:6: ip nhrp holdtime must be an integer in 1..65535, not '0'\n"},
    {IFACE " ip nhrp holdtime 65536\n",
     "t.conf:6: ip nhrp holdtime must be an integer in 1..65535, not '65536'\n"},
    {IFACE " keepalive 0 3\n",
     "t.conf:6: keepalive interval must be a number of seconds > 0 and <= 32767, not '0'\n"},
    {IFACE " keepalive 1e3 3\n",
     "t.conf:6: keepalive interval must be a number of seconds > 0 and <= 32767, not '1e3'\n"},
    {IFACE " keepalive nan 3\n",
     "t.conf:6: keepalive interval must be a number of seconds > 0 and <= 32767, not 'nan'\n"},
    {IFACE " keepalive 1 0\n",
     "t.conf:6: keepalive misses must be an integer in 1..255, not '0'\n"},
    {IFACE " ip nhrp nhs 10.0.0.2 nbma 198.18.0.2 priority 256\n",
     "t.conf:6: ip nhrp nhs priority must be an integer in 0..255, not '256'\n"},
    /* interface */
    {"interface averyveryverylongname\n",
     "t.conf:1: interface name must be 1..15 characters without '/', ':' or spaces, not "
     "'averyveryverylongname'\n"},
    {IFACE "interface dmvpn0\n", "t.conf:6: duplicate interface 'dmvpn0' (first at line 1)\n"},
    {IFACE " ip address 10.0.0.1\n", "t.conf:6: 'ip address' already given at line 2\n"},
    {"interface dmvpn0\n ip address 10.0.0.1\n tunnel source 198.18.0.1\n ip nhrp network-id 1\n",
     "t.conf:2: ip address must be an IPv4 prefix (A.B.C.D/M), not '10.0.0.1'\n"},
    {"interface dmvpn0\n ip address 10.0.0.1/33\n tunnel source 198.18.0.1\n ip nhrp network-id "
     "1\n",
     "t.conf:2: ip address must be an IPv4 prefix (A.B.C.D/M), not '10.0.0.1/33'\n"},
    {IFACE " tunnel protection ikev2 profile NOPE\n",
     "t.conf:6: no crypto ikev2 profile named 'NOPE'\n"},
    {"crypto ikev2 profile P\n authentication psk k\n"
     "interface a\n ip address 10.0.0.1/32\n tunnel source 198.18.0.1\n"
     " tunnel protection ikev2 profile P\n ip nhrp network-id 1\n"
     "interface b\n ip address 10.2.0.1/32\n tunnel source 198.18.0.1\n"
     " tunnel protection ikev2 profile P\n ip nhrp network-id 2\n",
     "t.conf:11: interface 'b': tunnel source already used by protected interface 'a' "
     "(protected interfaces need distinct tunnel sources)\n"},
    {IFACE " ip nhrp nhs 10.0.0.2\n",
     "t.conf:6: ip nhrp nhs 10.0.0.2 has no NBMA address (add 'nbma ADDRESS|FQDN')\n"},
    {IFACE " ip nhrp nhs 2001:db8::1 nbma 198.18.0.2\n",
     "t.conf:6: ip nhrp nhs must be an IPv4 address, not '2001:db8::1'\n"},
    {IFACE " ip nhrp nhs 10.0.0.2 nbma bad..host\n",
     "t.conf:6: ip nhrp nhs: nbma must be an address or a domain name, not 'bad..host'\n"},
    {IFACE " ip nhrp nhs 10.0.0.2 nbma 198.18.0.2\n ip nhrp nhs 10.0.0.2 nbma 198.18.0.3\n",
     "t.conf:7: duplicate ip nhrp nhs 10.0.0.2 (first at line 6)\n"},
    {IFACE " ip nhrp nhs 10.0.0.2 nbma 2001:db8::2\n",
     "t.conf:6: ip nhrp nhs: NBMA 2001:db8::2 is not of the tunnel source's family\n"},
    {IFACE " ip nhrp nhs 10.0.0.2 via 198.18.0.2\n",
     "t.conf:6: ip nhrp nhs: unknown option 'via' (nbma, priority)\n"},
    {IFACE " ip nhrp authentication 123456789\n",
     "t.conf:6: ip nhrp authentication: secret longer than 8 characters\n"},
    {IFACE " ip nhrp map 10.0.0.9 nowhere\n",
     "t.conf:6: ip nhrp map nbma must be an IPv4 or IPv6 address, not 'nowhere'\n"},
    {IFACE " ip nhrp map multicast everyone\n",
     "t.conf:6: ip nhrp map multicast must be dynamic, nhs or an NBMA address, not 'everyone'\n"},
    {IFACE " ip nhrp mtu 1501\n",
     "t.conf:6: ip nhrp mtu must be an integer in 576..1500 or 'opennhrp', not '1501'\n"},
    {IFACE " ipv6 nhrp shortcut\n", "t.conf:6: 'ipv6 nhrp' commands need 'ipv6 nhrp network-id'\n"},
    {IFACE " ipv6 nhrp network-id 2\n", "t.conf:6: ipv6 nhrp network-id needs an 'ipv6 address'\n"},
    {"interface dmvpn0\n ip address 10.0.0.1/32\n ip nhrp network-id 1\n",
     "t.conf:1: interface 'dmvpn0' has no 'tunnel source'\n"},
    {"interface dmvpn0\n tunnel source eth0\n ip nhrp network-id 1\n",
     "t.conf:1: interface 'dmvpn0' has no 'ip address' or 'ipv6 address'\n"},
    {"interface dmvpn0\n ip address 10.0.0.1/32\n tunnel source eth0\n",
     "t.conf:1: interface 'dmvpn0' has no 'ip nhrp network-id' (or 'ipv6 nhrp network-id')\n"},
    {IFACE " tunnel source 198.18.0.2\n", "t.conf:6: 'tunnel source' already given at line 3\n"},
    /* profile */
    {"crypto ikev2 profile P\n",
     "t.conf:1: crypto ikev2 profile 'P' has no 'authentication' (psk or certificate)\n"},
    {PROFILE "crypto ikev2 profile P\n authentication psk y\n",
     "t.conf:3: duplicate crypto ikev2 profile 'P' (first at line 1)\n"},
    {PROFILE " proposal aes256gcm16-prfsha256-x448\n",
     "t.conf:3: proposal 'aes256gcm16-prfsha256-x448': unknown algorithm 'x448'\n"},
    {PROFILE " proposal aes128-sha256\n",
     "t.conf:3: proposal 'aes128-sha256': no key exchange group (e.g. x25519)\n"},
    {PROFILE " proposal aes128-modp2048\n",
     "t.conf:3: proposal 'aes128-modp2048': no integrity algorithm (e.g. sha256)\n"},
    {PROFILE " proposal aes128gcm16-x25519\n",
     "t.conf:3: proposal 'aes128gcm16-x25519': no PRF for the AEAD cipher (e.g. prfsha256)\n"},
    {PROFILE " proposal aes128-aes128gcm16-sha256-x25519\n",
     "t.conf:3: proposal 'aes128-aes128gcm16-sha256-x25519': mixes AEAD (gcm/ccm) and non-AEAD "
     "encryption algorithms\n"},
    {PROFILE " esp-proposal aes128gcm16-sha256\n",
     "t.conf:3: esp-proposal 'aes128gcm16-sha256': integrity algorithm 'sha256' with an AEAD "
     "(gcm/ccm) cipher\n"},
    {PROFILE " esp-proposal aes128-prfsha256\n", "t.conf:3: esp-proposal 'aes128-prfsha256': PRF "
                                                 "'prfsha256' is not valid in an esp-proposal\n"},
    {PROFILE " proposal aes128--sha256-x25519\n",
     "t.conf:3: proposal 'aes128--sha256-x25519': empty algorithm name\n"},
    {PROFILE " dpd 0 2 on-demand\n",
     "t.conf:3: dpd interval must be a number of seconds > 0 and <= 3600, not '0'\n"},
    {PROFILE " dpd 10 -1 on-demand\n",
     "t.conf:3: dpd retry interval must be a number of seconds > 0 and <= 3600, not '-1'\n"},
    {PROFILE " dpd 10 2 sometimes\n",
     "t.conf:3: dpd mode must be on-demand or periodic, not 'sometimes'\n"},
    {PROFILE " dpd 10 2 periodic retries 0\n",
     "t.conf:3: dpd retries must be an integer in 1..100, not '0'\n"},
    {PROFILE " lifetime 86400\n",
     "t.conf:3: usage: lifetime IKE-SECONDS CHILD-SECONDS [kilobytes N]\n"},
    {PROFILE " lifetime 86400 3600 kilobytes\n",
     "t.conf:3: usage: lifetime IKE-SECONDS CHILD-SECONDS [kilobytes N]\n"},
    {PROFILE " lifetime 86400 3600 megabytes 5\n",
     "t.conf:3: lifetime: expected 'kilobytes N' after the two lifetimes, not 'megabytes'\n"},
    {PROFILE " nat-traversal maybe\n",
     "t.conf:3: nat-traversal must be auto, force or off, not 'maybe'\n"},
    {PROFILE " identity local ip 1.2.3.4\n",
     "t.conf:3: identity local type must be address, fqdn, email, key-id or dn, not 'ip'\n"},
    {PROFILE " identity local email nobody\n",
     "t.conf:3: identity local must be an e-mail address (user@domain), not 'nobody'\n"},
    {"crypto ikev2 profile P\n authentication certificate c.pem key k.pem\n",
     "t.conf:2: authentication certificate: missing 'ca FILE'\n"},
    {"crypto ikev2 profile P\n authentication psk \"\"\n",
     "t.conf:2: authentication psk: empty secret\n"},
    {PROFILE " mtu 1400\n",
     "t.conf:3: 'mtu' is an interface command, not valid in a 'crypto ikev2 profile' block\n"},
    {"crypto ikev2 profile bad/name\n authentication psk x\n",
     "t.conf:1: profile name must be 1..63 letters, digits, '_', '-' or '.', not 'bad/name'\n"},
};

static void test_errors(void **state)
{
	for (size_t i = 0; i < sizeof(err_cases) / sizeof(err_cases[0]); i++)
		parse_fails(err_cases[i].text, err_cases[i].expect);
}

static void test_three_mistakes(void **state)
{
	const char *text = "hostname h\n"
	                   "crypto ikev2 profile P\n"
	                   " authentication psk x\n"
	                   " proposal aes128-sha999-x25519\n" /* 4: unknown algorithm */
	                   "interface dmvpn0\n"
	                   " ip address 10.0.0.1/32\n"
	                   " tunnel source 198.18.0.1\n"
	                   " tunnel protection ikev2 profile Q\n" /* 8: no such profile */
	                   " ip nhrp network-id 1\n"
	                   " ip nhrp holdtime 1h\n" /* 10: not a number */
	                   " ip nhrp shortcut\n"
	                   " ip nhrp redirect\n";
	char *out = NULL;
	int n = 0;

	assert_null(parse(text, &out, &n));
	assert_int_equal(n, 3);
	assert_string_equal(
	    out, "t.conf:4: proposal 'aes128-sha999-x25519': unknown algorithm 'sha999'\n"
	         "t.conf:8: no crypto ikev2 profile named 'Q'\n"
	         "t.conf:10: ip nhrp holdtime must be an integer in 1..65535, not '1h'\n");
	free(out);
}

static void test_nul_and_null_errout(void **state)
{
	static const char text[] = "hostname a\nhost\0name b\nlog level debug\n";
	int n = 0;
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	assert_null(config_parse_string("nul", text, sizeof(text) - 1, f, &n));
	fclose(f);
	assert_int_equal(n, 1);
	assert_string_equal(out, "nul:2: NUL byte in line\n");
	free(out);
	/* errout and nerrors may be NULL */
	assert_null(config_parse_string("nul", text, sizeof(text) - 1, NULL, NULL));
}

static void test_syntax_details(void **state)
{
	struct config *cfg =
	    parse_ok("! comment\r\n"
	             "hostname \"h1\"\r\n"
	             "crypto ikev2 profile P   ! trailing comment\n"
	             "\tauthentication psk \"with \\\"quotes\\\" ! and \\\\ bang\"\n"
	             "  identity local key-id \"my key\"\n"
	             "  identity remote address 2001:db8::1\n"
	             "  match identity remote fqdn domain example.net\n"
	             "  match identity remote email a@example.net\n"
	             "  match identity remote address 198.18.0.0/24\n"
	             "  match identity remote any\n"
	             "  proposal aes128-sha256-modp2048 aes256-sha512-prfsha384-ecp384\n"
	             "  proposal 3des-sha1-modp2048\n"
	             "  esp-proposal aes128ccm16-esn aes192-sha384-modp3072\n"
	             "exit\n"
	             "interface tun-1\n"
	             " ipv6 address 2001:db8:1::1/64\n"
	             " ip address 10.1.0.1/32\n"
	             " ip nhrp network-id 5\n"
	             " tunnel source eth0\n"
	             "\n"
	             "   ! indented comment keeps the block open\n"
	             " ipv6 nhrp network-id 4294967295\n"
	             " ipv6 nhrp nhs dynamic nbma hub.example.net\n"
	             " ipv6 nhrp map 2001:db8:1::9 198.18.0.9\n"
	             " ipv6 nhrp map 2001:db8:1::1 local\n"
	             " ipv6 nhrp map multicast 198.18.0.9\n"
	             " ipv6 nhrp map multicast dynamic\n"
	             " ipv6 nhrp registration no-unique\n"
	             " ip nhrp mtu opennhrp\n"
	             " ip nhrp shortcut\n"
	             " ip nhrp redirect\n"
	             " keepalive\n"
	             " exit\n"
	             "log level debug\n"
	             "end\n");
	const struct cfg_profile *prof = &cfg->profiles[0];
	const struct cfg_iface *ifc = &cfg->ifaces[0];

	assert_string_equal(cfg->hostname, "h1");
	assert_int_equal(cfg->log_level, LOG_LVL_DEBUG);
	assert_string_equal(prof->psk, "with \"quotes\" ! and \\ bang");
	assert_int_equal(prof->local.type, CFG_ID_KEY_ID);
	assert_string_equal(prof->local.value, "my key");
	assert_int_equal(prof->remote.type, CFG_ID_ADDRESS);
	assert_addr(&prof->remote.addr, "2001:db8::1");
	assert_int_equal(prof->n_matches, 4);
	assert_int_equal(prof->matches[0].kind, CFG_MATCH_DOMAIN);
	assert_int_equal(prof->matches[0].type, CFG_ID_FQDN);
	assert_string_equal(prof->matches[0].value, "example.net");
	assert_int_equal(prof->matches[1].kind, CFG_MATCH_EXACT);
	assert_int_equal(prof->matches[2].kind, CFG_MATCH_ADDR_PREFIX);
	assert_int_equal(prof->matches[2].prefix.plen, 24);
	assert_int_equal(prof->matches[3].kind, CFG_MATCH_ANY);
	assert_int_equal(prof->n_proposals, 3);
	/* aes128-sha256-modp2048: ENCR, PRF (derived), INTEG, DH */
	const struct cfg_suite *s = &prof->proposal_suites[0];
	assert_int_equal(s->n, 4);
	assert_false(s->aead);
	assert_string_equal(cfg_xform_name(&s->x[0]), "aes128");
	assert_string_equal(cfg_xform_name(&s->x[1]), "prfsha256");
	assert_string_equal(cfg_xform_name(&s->x[2]), "sha256");
	assert_string_equal(cfg_xform_name(&s->x[3]), "modp2048");
	s = &prof->proposal_suites[1];
	assert_int_equal(s->n, 4);
	assert_string_equal(cfg_xform_name(&s->x[1]), "prfsha384"); /* explicit PRF wins */
	assert_int_equal(prof->n_esp_proposals, 2);
	s = &prof->esp_suites[0];
	assert_int_equal(s->n, 2);
	assert_true(s->aead);
	assert_int_equal(s->x[0].id, 16);
	assert_int_equal(s->x[1].type, CFG_XFORM_ESN);
	assert_int_equal(s->x[1].id, 1);
	s = &prof->esp_suites[1];
	assert_int_equal(s->n, 4); /* aes192, sha384, modp3072 (PFS), noesn */
	assert_false(prof->has_dpd);
	assert_int_equal(prof->dpd_retries, CFG_DEFAULT_DPD_RETRIES);
	assert_int_equal(prof->lifetime_ike, CFG_DEFAULT_IKE_LIFETIME);

	assert_string_equal(ifc->name, "tun-1");
	assert_string_equal(ifc->tunnel_source_ifname, "eth0");
	assert_false(ipaddr_is_set(&ifc->tunnel_source));
	assert_null(ifc->profile);
	assert_true(ifc->has_addr6);
	assert_int_equal(ifc->addr6.plen, 64);
	assert_true(ifc->nhrp6.has_network_id);
	assert_int_equal(ifc->nhrp6.network_id, 4294967295u);
	assert_int_equal(ifc->nhrp6.n_nhs, 1);
	assert_true(ifc->nhrp6.nhs[0].proto_dynamic);
	assert_string_equal(ifc->nhrp6.nhs[0].nbma_fqdn, "hub.example.net");
	assert_int_equal(ifc->nhrp6.n_maps, 2);
	assert_true(ifc->nhrp6.maps[1].local);
	assert_int_equal(cfg_mcast_modes(&ifc->nhrp6.mcast), CFG_MCAST_DYNAMIC | CFG_MCAST_STATIC);
	assert_true(ifc->nhrp6.reg_no_unique);
	assert_int_equal(ifc->nhrp_mtu, -1);
	assert_true(ifc->shortcut && ifc->redirect); /* fine together */
	assert_true(ifc->has_keepalive);
	assert_true(ifc->keepalive_interval == 10.0);
	assert_int_equal(ifc->keepalive_misses, 3);
	assert_false(ifc->has_key);
	assert_null(ifc->nhrp_auth);
	assert_false(cfg_iface_is_hub(ifc));
	config_free(cfg);
}

static void test_defaults_and_nhs_from_map(void **state)
{
	struct config *cfg = parse_ok("crypto ikev2 profile P\n"
	                              " authentication certificate /c.pem ca /ca.pem key /k.pem\n"
	                              "interface dmvpn0\n"
	                              " ip address 10.0.0.1/24\n"
	                              " tunnel source 198.18.0.1\n"
	                              " ip nhrp network-id 9\n"
	                              " ip nhrp nhs 10.0.0.2\n"
	                              " ip nhrp map 10.0.0.2 198.18.0.2\n");
	const struct cfg_profile *prof = &cfg->profiles[0];
	const struct cfg_iface *ifc = &cfg->ifaces[0];

	assert_null(cfg->hostname);
	assert_int_equal(cfg->log_level, LOG_LVL_INFO);
	assert_false(cfg->frr.zapi);
	assert_false(cfg->frr.vty);
	assert_int_equal(prof->auth, CFG_AUTH_CERT);
	assert_string_equal(prof->cert_file, "/c.pem");
	assert_string_equal(prof->key_file, "/k.pem");
	assert_string_equal(prof->ca_file, "/ca.pem");
	assert_int_equal(prof->n_proposals, 1);
	assert_string_equal(prof->proposals[0], CFG_DEFAULT_IKE_PROPOSAL);
	assert_int_equal(prof->n_esp_proposals, 1);
	assert_string_equal(prof->esp_proposals[0], CFG_DEFAULT_ESP_PROPOSAL);
	assert_int_equal(prof->lifetime_child, CFG_DEFAULT_CHILD_LIFETIME);
	assert_int_equal(prof->nat_traversal, CFG_NATT_AUTO);
	assert_int_equal(prof->local.type, CFG_ID_NONE);

	assert_int_equal(ifc->mtu, 0);
	assert_int_equal(ifc->holdtime, CFG_DEFAULT_HOLDTIME);
	assert_false(ifc->has_keepalive);
	assert_int_equal(ifc->n_nhs, 1);
	assert_true(ifc->nhs[0].nbma_from_map);
	assert_addr(&ifc->nhs[0].nbma, "198.18.0.2");
	assert_int_equal(ifc->nhs[0].priority, 0);
	assert_int_equal(cfg_mcast_modes(&ifc->mcast), CFG_MCAST_NONE);
	config_free(cfg);
}

/* Long lines and many errors: no fixed buffer, every error reported. */
static void test_long_lines(void **state)
{
	size_t big = 1 << 20;
	char *text = malloc(big + 64), *out = NULL;
	int n = 0;

	assert_non_null(text);
	memcpy(text, "hostname ", 9);
	memset(text + 9, 'a', big);
	strcpy(text + 9 + big, "\n");
	assert_null(parse(text, &out, &n));
	assert_int_equal(n, 1);
	assert_non_null(strstr(out, "t.conf:1: hostname must be"));
	assert_true(strlen(out) < 300); /* the echoed token is truncated */
	free(out);

	/* 10000 unknown commands: 10000 errors */
	free(text);
	text = malloc(10000 * 4 + 1);
	assert_non_null(text);
	for (int i = 0; i < 10000; i++)
		memcpy(text + i * 4, "xy\n\n", 4);
	text[40000] = '\0';
	assert_null(parse(text, &out, &n));
	assert_int_equal(n, 10000);
	assert_non_null(strstr(out, "t.conf:19999: unknown command 'xy'\n"));
	free(out);
	free(text);
}

static void test_suite_parse(void **state)
{
	struct cfg_suite s;
	char err[128];

	assert_int_equal(cfg_suite_parse(&s, "aes256gcm16-sha384-ecp384", false, err, sizeof(err)),
	                 0);
	/* IKE + AEAD: sha384 names the PRF */
	assert_int_equal(s.n, 3);
	assert_int_equal(s.x[1].type, CFG_XFORM_PRF);
	assert_int_equal(s.x[1].id, 6);
	assert_int_equal(s.x[2].id, 20);
	assert_int_equal(cfg_suite_parse(&s, "aes128-aes256-sha1-sha256-modp2048-x25519", false,
	                                 err, sizeof(err)),
	                 0);
	assert_int_equal(s.n, 8); /* 2 encr, 2 prf, 2 integ, 2 dh */
	assert_int_equal(cfg_suite_parse(&s, "aes128-aes128", true, err, sizeof(err)), -1);
	assert_string_equal(err, "'aes128' given twice");
	assert_int_equal(cfg_suite_parse(&s, "aes128gcm16-esn-noesn", true, err, sizeof(err)), -1);
	assert_int_equal(cfg_suite_parse(&s, "aes128gcm16-x25519-esn", false, err, sizeof(err)),
	                 -1);
	assert_string_equal(err, "'esn' is only valid in an esp-proposal");
	assert_int_equal(cfg_suite_parse(&s, "", true, err, sizeof(err)), -1);
	assert_string_equal(err, "empty algorithm name");
	assert_int_equal(cfg_suite_parse(&s, "aes128gcm96", true, err, sizeof(err)), 0);
	assert_string_equal(cfg_xform_name(&s.x[0]), "aes128gcm12");
}

/* Writing the model gives text that parses into the same model. */
static void roundtrip(const char *text)
{
	struct config *a = parse_ok(text), *b;
	char *w1 = NULL, *w2 = NULL;
	size_t l1 = 0, l2 = 0;
	FILE *f1 = open_memstream(&w1, &l1), *f2 = open_memstream(&w2, &l2);

	assert_int_equal(config_write(a, f1, true), 0);
	fclose(f1);
	b = parse_ok(w1);
	assert_int_equal(config_write(b, f2, true), 0);
	fclose(f2);
	assert_string_equal(w1, w2);
	config_free(a);
	config_free(b);
	free(w1);
	free(w2);
}

static void test_lifetime_kilobytes(void **state)
{
	struct config *cfg = parse_ok("crypto ikev2 profile P\n authentication psk k\n lifetime 7200 600 kilobytes 102400\n");
	const struct cfg_profile *prof = config_find_profile(cfg, "P");
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	(void)state;
	assert_non_null(prof);
	assert_int_equal(prof->lifetime_ike, 7200);
	assert_int_equal(prof->lifetime_child, 600);
	assert_int_equal(prof->lifetime_child_kb, 102400);
	assert_int_equal(config_write(cfg, f, false), 0);
	fclose(f);
	assert_non_null(strstr(out, " lifetime 7200 600 kilobytes 102400\n"));
	free(out);
	config_free(cfg);
}

static void test_write(void **state)
{
	struct config *cfg = parse_ok(spec_example);
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	roundtrip(spec_example);
	roundtrip("crypto ikev2 profile P\n"
	          " identity local dn \"C=CH, O=\\\"x\\\", CN=y\"\n"
	          " match identity remote address 10.0.0.0/8\n"
	          " match identity remote email domain example.net\n"
	          " authentication certificate \"/a b.pem\" key /k ca /c\n"
	          " dpd 0.00001 2.5 periodic retries 1\n"
	          " lifetime 7200 600 kilobytes 102400\n"
	          "interface \"we!rd\"\n"
	          " ipv6 address 2001:db8::1/64\n"
	          " tunnel source eth0\n"
	          " ipv6 nhrp network-id 3\n"
	          " ipv6 nhrp nhs 2001:db8::2\n"
	          " ipv6 nhrp map 2001:db8::2 2001:db8:ff::2\n"
	          " ipv6 nhrp map multicast 2001:db8:ff::3\n"
	          "frr zapi \"/run/with space\"\n");

	/* secrets are hidden unless asked for */
	assert_int_equal(config_write(cfg, f, false), 0);
	fclose(f);
	assert_null(strstr(out, "a long secret"));
	assert_null(strstr(out, "SECRET"));
	assert_non_null(strstr(out, " authentication psk <hidden>\n"));
	assert_non_null(strstr(out, " keepalive 0.3 3\n"));
	assert_non_null(strstr(out, " ip nhrp nhs 10.0.0.1 nbma 198.18.0.1 priority 1\n"));
	free(out);
	config_free(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_spec_example),   cmocka_unit_test(test_examples),
	    cmocka_unit_test(test_load_missing),   cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_three_mistakes), cmocka_unit_test(test_nul_and_null_errout),
	    cmocka_unit_test(test_syntax_details), cmocka_unit_test(test_defaults_and_nhs_from_map),
	    cmocka_unit_test(test_long_lines),     cmocka_unit_test(test_suite_parse),
	    cmocka_unit_test(test_lifetime_kilobytes),
	    cmocka_unit_test(test_write),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
