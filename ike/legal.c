/* Which payloads may appear in which IKEv2 message, written once as a table
 * of message forms (RFC 7296 sections 1.2-1.5, 1.3.2-1.3.3, 2.6, 2.16,
 * 2.21; RFC 6023 childless, RFC 7383 fragments, RFC 9242 intermediate).
 *
 * A form gives each payload type a cardinality; a few forms add a rule
 * the cardinalities cannot express (SA/TSi/TSr together, an error Notify
 * required, ...). For each message we pick the one form that applies (for
 * example an IKE_SA_INIT response with an SA payload is a normal response,
 * one without is an error response) so that the reason returned names what
 * is actually wrong. */
#include "ike/payload.h"

#include <string.h>

#include "lib/util.h"

/* Index of a known payload type (33..49, 53) in the per-form tables. */
#define NTYPES 18
#define PI(t)  ((t) == IKE_PL_SKF ? 17 : (t)-IKE_PL_SA)

static uint8_t pi_type(unsigned i)
{
	return i == 17 ? IKE_PL_SKF : (uint8_t)(IKE_PL_SA + i);
}

enum card {
	NO = 0, /* not allowed */
	OPT,    /* 0..1 */
	ANY,    /* 0..n */
	ONE,    /* exactly 1 */
	SOME,   /* 1..n */
};

/* Rules beyond cardinality. */
#define R_ERRN      0x01 /* at least one error Notify (or COOKIE/REDIRECT) */
#define R_SA_TS     0x02 /* SA, TSi and TSr all present or all absent */
#define R_TS_KE     0x04 /* TSi and TSr together; without them (IKE rekey) KE */
#define R_AUTH_REQ  0x08 /* IKE_AUTH request: IDi, AUTH or EAP; EAP alone */
#define R_AUTH_RESP 0x10 /* IKE_AUTH response: IDr, AUTH, EAP or an error N */
#define R_SK        0x20 /* exactly one SK or SKF */

struct form {
	uint8_t card[NTYPES];
	uint8_t rules;
};

#define C(t, k) [PI(IKE_PL_##t)] = (k)

static const struct form init_req = {
    {C(SA, ONE), C(KE, ONE), C(NONCE, ONE), C(NOTIFY, ANY), C(VENDOR, ANY)}, 0};
static const struct form init_resp = {
    {C(SA, ONE), C(KE, ONE), C(NONCE, ONE), C(CERTREQ, ANY), C(NOTIFY, ANY), C(VENDOR, ANY)}, 0};
/* HDR, N(COOKIE) / N(INVALID_KE_PAYLOAD) / N(NO_PROPOSAL_CHOSEN) ... */
static const struct form notify_only = {{C(NOTIFY, SOME), C(VENDOR, ANY)}, R_ERRN};
/* HDR, SK {...} or HDR, SKF {...} */
static const struct form protected_outer = {{C(SK, OPT), C(SKF, OPT)}, R_SK};

static const struct form auth_req = {
    {C(IDI, OPT), C(CERT, ANY), C(CERTREQ, ANY), C(IDR, OPT), C(AUTH, OPT), C(EAP, OPT), C(SA, OPT),
     C(TSI, OPT), C(TSR, OPT), C(CP, OPT), C(NOTIFY, ANY), C(VENDOR, ANY), C(GSPM, OPT)},
    R_SA_TS | R_AUTH_REQ};
static const struct form auth_resp = {{C(IDR, OPT), C(CERT, ANY), C(AUTH, OPT), C(EAP, OPT),
                                       C(SA, OPT), C(TSI, OPT), C(TSR, OPT), C(CP, OPT),
                                       C(NOTIFY, ANY), C(VENDOR, ANY), C(GSPM, OPT)},
                                      R_SA_TS | R_AUTH_RESP};
/* {[N(REKEY_SA)], SA, Ni, [KEi], [TSi, TSr]}; the response alike. */
static const struct form child = {{C(SA, ONE), C(NONCE, ONE), C(KE, OPT), C(TSI, OPT), C(TSR, OPT),
                                   C(NOTIFY, ANY), C(VENDOR, ANY)},
                                  R_TS_KE};
/* {[N,] [D,] [CP,] ...}, possibly empty (liveness check). */
static const struct form info = {{C(NOTIFY, ANY), C(DELETE, ANY), C(CP, ANY), C(VENDOR, ANY)}, 0};
/* RFC 9242: KE (RFC 9370 additional key exchanges), N, V. */
static const struct form intermediate = {{C(KE, OPT), C(NOTIFY, ANY), C(VENDOR, ANY)}, 0};

#undef C

struct census {
	unsigned count[NTYPES];
	bool errn; /* an error Notify, COOKIE or REDIRECT is present */
};

static bool census_has(const struct census *cs, uint8_t type)
{
	return cs->count[PI(type)] > 0;
}

static int fail(uint8_t *bad_type, int err, uint8_t type)
{
	if (bad_type)
		*bad_type = type;
	return err;
}

static int form_check(const struct form *f, const uint8_t *types, unsigned n,
                      const struct census *cs, uint8_t *bad)
{
	for (unsigned i = 0; i < n; i++)
		if (ike_payload_known(types[i]) && f->card[PI(types[i])] == NO)
			return fail(bad, IKE_ERR_LEGAL_NOT_ALLOWED, types[i]);
	for (unsigned i = 0; i < NTYPES; i++)
		if (cs->count[i] > 1 && (f->card[i] == OPT || f->card[i] == ONE))
			return fail(bad, IKE_ERR_LEGAL_DUPLICATE, pi_type(i));
	for (unsigned i = 0; i < NTYPES; i++)
		if (cs->count[i] == 0 && (f->card[i] == ONE || f->card[i] == SOME))
			return fail(bad, IKE_ERR_LEGAL_MISSING, pi_type(i));

	if ((f->rules & R_SK) && !census_has(cs, IKE_PL_SK) && !census_has(cs, IKE_PL_SKF))
		return fail(bad, IKE_ERR_LEGAL_MISSING, IKE_PL_SK);
	if ((f->rules & R_SK) && census_has(cs, IKE_PL_SK) && census_has(cs, IKE_PL_SKF))
		return fail(bad, IKE_ERR_LEGAL_DUPLICATE, IKE_PL_SKF);
	if ((f->rules & R_ERRN) && !cs->errn)
		return fail(bad, IKE_ERR_LEGAL_MISSING, IKE_PL_NOTIFY);
	if (f->rules & R_SA_TS) {
		bool sa = census_has(cs, IKE_PL_SA), tsi = census_has(cs, IKE_PL_TSI),
		     tsr = census_has(cs, IKE_PL_TSR);

		if (sa != tsi || sa != tsr)
			return fail(bad, IKE_ERR_LEGAL_INCOMPLETE,
			            !sa    ? IKE_PL_SA
			            : !tsi ? IKE_PL_TSI
			                   : IKE_PL_TSR);
	}
	if (f->rules & R_TS_KE) {
		bool tsi = census_has(cs, IKE_PL_TSI), tsr = census_has(cs, IKE_PL_TSR);

		if (tsi != tsr)
			return fail(bad, IKE_ERR_LEGAL_INCOMPLETE, tsi ? IKE_PL_TSR : IKE_PL_TSI);
		if (!tsi && !census_has(cs, IKE_PL_KE))
			return fail(bad, IKE_ERR_LEGAL_MISSING, IKE_PL_KE);
	}
	if (f->rules & R_AUTH_REQ) {
		/* First round: IDi with AUTH, or without it to start EAP (RFC
		 * 7296 2.16); EAP rounds: EAP alone; last round: AUTH. */
		if (census_has(cs, IKE_PL_EAP)) {
			static const uint8_t with_eap[] = {IKE_PL_IDI, IKE_PL_IDR, IKE_PL_AUTH,
			                                   IKE_PL_SA,  IKE_PL_TSI, IKE_PL_TSR,
			                                   IKE_PL_CERT};
			for (unsigned i = 0; i < ARRAY_SIZE(with_eap); i++)
				if (census_has(cs, with_eap[i]))
					return fail(bad, IKE_ERR_LEGAL_NOT_ALLOWED, with_eap[i]);
		} else if (!census_has(cs, IKE_PL_IDI) && !census_has(cs, IKE_PL_AUTH)) {
			return fail(bad, IKE_ERR_LEGAL_MISSING, IKE_PL_IDI);
		}
		if (census_has(cs, IKE_PL_IDR) && !census_has(cs, IKE_PL_IDI))
			return fail(bad, IKE_ERR_LEGAL_NOT_ALLOWED, IKE_PL_IDR);
	}
	if ((f->rules & R_AUTH_RESP) && !census_has(cs, IKE_PL_IDR) &&
	    !census_has(cs, IKE_PL_AUTH) && !census_has(cs, IKE_PL_EAP) && !cs->errn)
		return fail(bad, IKE_ERR_LEGAL_MISSING, IKE_PL_AUTH);
	return IKE_OK;
}

/* Picks the form for a message. NULL: no such message (error set). */
static const struct form *form_select(uint8_t exchange, bool response, bool inner,
                                      const struct census *cs, int *err)
{
	bool sk = census_has(cs, IKE_PL_SK) || census_has(cs, IKE_PL_SKF);

	*err = IKE_ERR_LEGAL_EXCHANGE;
	switch (exchange) {
	case IKE_SA_INIT:
		if (inner)
			return NULL;
		if (!response)
			return &init_req;
		/* A response without SA is an error or cookie response. */
		return census_has(cs, IKE_PL_SA) || !cs->errn ? &init_resp : &notify_only;
	case IKE_AUTH:
	case IKE_CREATE_CHILD_SA:
	case IKE_INFORMATIONAL:
	case IKE_INTERMEDIATE:
		break;
	default:
		return NULL;
	}
	if (!inner) {
		/* Responses to requests that could not be processed may be bare
		 * error Notifies (INVALID_IKE_SPI, INVALID_MAJOR_VERSION...). */
		if (response && !sk && cs->errn)
			return &notify_only;
		return &protected_outer;
	}
	switch (exchange) {
	case IKE_AUTH:
		return response ? &auth_resp : &auth_req;
	case IKE_CREATE_CHILD_SA:
		if (response && !census_has(cs, IKE_PL_SA) && cs->errn)
			return &notify_only;
		return &child;
	case IKE_INFORMATIONAL:
		return &info;
	default:
		return &intermediate;
	}
}

static bool notify_errorlike(uint16_t t)
{
	return ike_notify_is_error(t) || t == IKE_N_COOKIE || t == IKE_N_REDIRECT;
}

int ike_legal_check_types(const uint8_t *types, const uint16_t *notify, unsigned n,
                          uint8_t exchange, bool response, bool inner, uint8_t *bad_type)
{
	struct census cs;
	const struct form *f;
	int err;

	memset(&cs, 0, sizeof(cs));
	if (bad_type)
		*bad_type = 0;
	for (unsigned i = 0; i < n; i++) {
		if (!ike_payload_known(types[i]))
			continue;
		cs.count[PI(types[i])]++;
		if ((types[i] == IKE_PL_SK || types[i] == IKE_PL_SKF) && i + 1 != n)
			return fail(bad_type, IKE_ERR_LEGAL_SK_NOT_LAST, types[i]);
		if (types[i] == IKE_PL_NOTIFY && notify && notify_errorlike(notify[i]))
			cs.errn = true;
	}
	f = form_select(exchange, response, inner, &cs, &err);
	if (!f)
		return err;
	return form_check(f, types, n, &cs, bad_type);
}

int ike_legal_check(const struct ike_msg *m, uint8_t exchange, bool response, bool inner,
                    uint8_t *bad_type)
{
	uint8_t types[IKE_MSG_MAX_PAYLOADS];
	uint16_t notify[IKE_MSG_MAX_PAYLOADS];
	unsigned n = m->n < IKE_MSG_MAX_PAYLOADS ? m->n : IKE_MSG_MAX_PAYLOADS;

	for (unsigned i = 0; i < n; i++) {
		const struct ike_payload *p = &m->pl[i];

		types[i] = p->type;
		notify[i] = 0;
		/* The Notify type is at body offset 2, whether or not the rest
		 * of the payload is valid. */
		if (p->type == IKE_PL_NOTIFY && p->len >= 4)
			notify[i] = (uint16_t)(p->body[2] << 8 | p->body[3]);
		else if (p->type == IKE_PL_NOTIFY)
			notify[i] = IKE_NOTIFY_STATUS_MIN; /* too short: not an error N */
	}
	return ike_legal_check_types(types, notify, n, exchange, response, inner, bad_type);
}
