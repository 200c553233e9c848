/* Test harness of the IKE engine: two engines (A = S[0], B = S[1]) in one
 * process with a mock clock and a mock sender that queues messages and
 * hands them across (tests/unit/test_ike_sa.c, test_ike_rekey.c). */
#ifndef DMVPN_TEST_IKE_HARNESS_H
#define DMVPN_TEST_IKE_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "ike/sa.h"

#define QMAX 64

struct side {
	int idx;
	struct ike_engine *e;
	struct ipaddr addr;
	unsigned ike_up, ike_down, child_up, child_down, sent;
	struct ike_child_info child;
	char down_reason[160], child_down_reason[160];
	struct ike_sa_info down_info; /* of the last ike_down */
	struct ike_child_info child_last_down;
	double down_at;
};

struct qmsg {
	int from;
	uint16_t sport, dport;
	size_t len;
	uint8_t buf[8192];
};

struct prof_store {
	struct cfg_profile p;
	struct cfg_suite ike[4], esp[4];
	char psk[64];
};

extern struct side S[2];
extern struct qmsg *Q[QMAX];
extern unsigned qn;
extern double now; /* the mock clock */
/* drop filter: returns true to drop a message from side `from` */
extern bool (*drop_fn)(int from, const uint8_t *buf, size_t len);
extern unsigned dropped;
extern struct prof_store PA, PB; /* A's and B's profiles */
extern unsigned frag_size;       /* both engines; 0: default */
/* drop filter for the next engines() */
extern bool (*next_drop)(int from, const uint8_t *buf, size_t len);

void prof_init(struct prof_store *ps, const char *ike, const char *esp, const char *psk);
/* PA and PB: aes256gcm16-prfsha256-x25519, esp aes256gcm16, PSK "k". */
void profs_default(void);
/* A drop filter: everything B sends is lost. */
bool drop_from_b(int from, const uint8_t *buf, size_t len);
/* New engines (cb: B's configuration, NULL: as A's); now = 1000. */
void engines(const struct ike_engine_conf *cb);
/* Delivers queued messages until none is left. */
void pump(void);
/* Runs timers until t (or until nothing is pending), pumping messages. */
void run_until(double t);
void teardown_engines(void);
/* Side i restarts: its engine is freed (SAs forgotten) and made again. */
void engine_restart(int i);
/* Delivers (and removes) queued message k only. */
void deliver(unsigned k);
/* The first SA of side i. */
struct ikesa *first(int i);
/* first(0) and first(1) have equal IKE keys, and S[].child (the last
 * child_up) equal CHILD keys crosswise. */
void assert_same_keys(void);

#endif
