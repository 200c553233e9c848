/* SA payloads: our profile's suites (struct cfg_suite, strongSwan syntax,
 * several algorithms of a kind allowed) as IKEv2 proposals, and matching a
 * received SA payload against them (RFC 7296 §3.3.6). */
#include "ike/sa_priv.h"

#include <stdio.h>
#include <string.h>

#include "config.h"

#define NTYPES 6 /* transform types 1..5 */

static bool suite_has(const struct cfg_suite *s, uint8_t type, uint16_t id, uint16_t keylen)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->x[i].type == type && s->x[i].id == id &&
		    (type != CFG_XFORM_ENCR || s->x[i].keylen == keylen))
			return true;
	return false;
}

static bool suite_has_type(const struct cfg_suite *s, uint8_t type)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->x[i].type == type)
			return true;
	return false;
}

/* Converts one cfg suite to a proposal (num, protocol, SPI). */
static void suite_to_prop(const struct cfg_suite *s, bool esp, bool pfs, uint8_t num,
                          const uint8_t *spi, uint8_t spi_size, struct ike_proposal *p)
{
	memset(p, 0, sizeof(*p));
	p->num = num;
	p->protocol = esp ? IKE_PROTO_ESP : IKE_PROTO_IKE;
	p->spi_size = spi_size;
	if (spi_size)
		memcpy(p->spi, spi, spi_size);
	bool has_esn = false;
	/* transforms in type order, as strongSwan sends them */
	for (uint8_t type = 1; type < NTYPES; type++)
		for (size_t i = 0; i < s->n && p->ntrans < IKE_PROP_MAX_TRANSFORMS; i++) {
			const struct cfg_xform *x = &s->x[i];
			if (x->type != type || (esp && !pfs && type == CFG_XFORM_DH))
				continue;
			struct ike_transform *t = &p->t[p->ntrans++];
			t->type = type;
			t->id = x->id;
			if (type == CFG_XFORM_ENCR && x->keylen) {
				t->keylen = x->keylen;
				t->has_keylen = true;
			}
			has_esn |= type == CFG_XFORM_ESN;
		}
	if (esp && !has_esn && p->ntrans < IKE_PROP_MAX_TRANSFORMS)
		p->t[p->ntrans++] = (struct ike_transform){.type = IKE_TRANS_ESN, .id = IKE_ESN_NO};
}

static int build(struct ike_builder *b, const struct cfg_profile *prof, bool esp, bool pfs,
                 const uint8_t *spi, uint8_t spi_size)
{
	static struct ike_sa sa; /* large; the engine is single-threaded */
	const struct cfg_suite *suites = esp ? prof->esp_suites : prof->proposal_suites;
	size_t n = esp ? prof->n_esp_proposals : prof->n_proposals;

	memset(&sa, 0, sizeof(sa));
	for (size_t i = 0; i < n && sa.nprop < IKE_SA_MAX_PROPOSALS; i++) {
		suite_to_prop(&suites[i], esp, pfs, (uint8_t)(sa.nprop + 1), spi, spi_size,
		              &sa.p[sa.nprop]);
		sa.nprop++;
	}
	if (!sa.nprop)
		return -1;
	return ike_sa_build(b, &sa) < 0 ? -1 : 0;
}

int ike_prop_build(struct ike_builder *b, const struct cfg_profile *prof, bool esp,
                   const uint8_t *spi, uint8_t spi_size)
{
	return build(b, prof, esp, false, spi, spi_size);
}

int ike_prop_build_child(struct ike_builder *b, const struct cfg_profile *prof, const uint8_t *spi)
{
	return build(b, prof, true, true, spi, 4);
}

int ike_prop_build_sel(struct ike_builder *b, const struct ike_sel *sel)
{
	static struct ike_sa sa;
	struct ike_proposal *p = &sa.p[0];
	bool esp = sel->protocol == IKE_PROTO_ESP;

	memset(&sa, 0, sizeof(sa));
	sa.nprop = 1;
	p->num = sel->num;
	p->protocol = sel->protocol;
	p->spi_size = sel->spi_size;
	memcpy(p->spi, sel->spi, sizeof(p->spi));
	p->t[p->ntrans++] = (struct ike_transform){.type = IKE_TRANS_ENCR,
	                                           .id = sel->suite.encr,
	                                           .keylen = sel->suite.encr_bits,
	                                           .has_keylen = sel->suite.encr_bits != 0};
	if (!esp)
		p->t[p->ntrans++] =
		    (struct ike_transform){.type = IKE_TRANS_PRF, .id = sel->suite.prf};
	if (sel->suite.integ)
		p->t[p->ntrans++] =
		    (struct ike_transform){.type = IKE_TRANS_INTEG, .id = sel->suite.integ};
	if (sel->suite.dh)
		p->t[p->ntrans++] = (struct ike_transform){.type = IKE_TRANS_DH, .id = sel->suite.dh};
	if (esp)
		p->t[p->ntrans++] = (struct ike_transform){.type = IKE_TRANS_ESN,
		                                           .id = sel->esn ? IKE_ESN_YES : IKE_ESN_NO};
	return ike_sa_build(b, &sa) < 0 ? -1 : 0;
}

/* One received proposal against one of our suites. prefer_dh: take this
 * group when the proposal offers it (the KE the peer sent). */
static int match(const struct ike_proposal *p, const struct cfg_suite *s, bool esp, bool pfs,
                 uint16_t prefer_dh, struct ike_sel *out)
{
	bool present[NTYPES] = {false}, have[NTYPES] = {false};
	uint16_t id[NTYPES] = {0}, bits = 0;

	if (p->protocol != (esp ? IKE_PROTO_ESP : IKE_PROTO_IKE))
		return -1;
	if (esp ? p->spi_size != 4 : (p->spi_size != 0 && p->spi_size != 8))
		return -1;
	for (unsigned i = 0; i < p->ntrans; i++) {
		const struct ike_transform *t = &p->t[i];
		if (t->type < 1 || t->type >= NTYPES)
			return -1; /* a type we do not know: the proposal is unusable */
		if (esp && !pfs && t->type == IKE_TRANS_DH)
			continue; /* no PFS in IKE_AUTH */
		if (pfs && t->type == IKE_TRANS_DH && t->id == IKE_DH_NONE &&
		    !suite_has_type(s, CFG_XFORM_DH))
			continue; /* DH NONE: fine for a suite without PFS */
		present[t->type] = true;
		if (t->unknown_attr)
			continue;
		bool ok = suite_has(s, t->type, t->id, t->keylen);
		if (t->type == IKE_TRANS_INTEG && t->id == IKE_INTEG_NONE && s->aead)
			ok = true;
		if (t->type == IKE_TRANS_ESN && !suite_has_type(s, CFG_XFORM_ESN))
			ok = t->id == IKE_ESN_NO;
		if (!ok)
			continue;
		if (have[t->type] &&
		    !(t->type == IKE_TRANS_DH && prefer_dh && t->id == prefer_dh))
			continue;
		have[t->type] = true;
		id[t->type] = t->id;
		if (t->type == IKE_TRANS_ENCR)
			bits = t->keylen;
	}
	for (int t = 1; t < NTYPES; t++)
		if (present[t] && !have[t])
			return -1;
	if (!have[IKE_TRANS_ENCR] || (!s->aead && !have[IKE_TRANS_INTEG]))
		return -1;
	if (!esp && (!have[IKE_TRANS_PRF] || !have[IKE_TRANS_DH]))
		return -1;
	if (pfs && suite_has_type(s, CFG_XFORM_DH) && !have[IKE_TRANS_DH])
		return -1; /* our suite wants PFS */
	memset(out, 0, sizeof(*out));
	out->num = p->num;
	out->protocol = p->protocol;
	out->spi_size = p->spi_size;
	memcpy(out->spi, p->spi, sizeof(out->spi));
	out->suite.encr = id[IKE_TRANS_ENCR];
	out->suite.encr_bits = bits;
	out->suite.integ = id[IKE_TRANS_INTEG];
	out->suite.prf = esp ? IKE_PRF_NONE : id[IKE_TRANS_PRF];
	out->suite.dh = esp && !pfs ? IKE_DH_NONE : id[IKE_TRANS_DH];
	out->esn = esp && id[IKE_TRANS_ESN] == IKE_ESN_YES;
	/* only what our crypto can run */
	struct ike_suite_sizes sz;
	struct ike_suite chk = out->suite;
	if (esp)
		chk.prf = IKE_PRF_NONE;
	if (ike_suite_sizes(&chk, &sz) < 0)
		return -1;
	return 0;
}

static int choose(const struct ike_sa *in, const struct cfg_profile *prof, bool esp, bool pfs,
                  uint16_t prefer_dh, struct ike_sel *out)
{
	const struct cfg_suite *suites = esp ? prof->esp_suites : prof->proposal_suites;
	size_t n = esp ? prof->n_esp_proposals : prof->n_proposals;

	for (unsigned i = 0; i < in->nprop; i++)
		for (size_t j = 0; j < n; j++)
			if (match(&in->p[i], &suites[j], esp, pfs, prefer_dh, out) == 0)
				return 0;
	return -1;
}

int ike_prop_choose(const struct ike_sa *in, const struct cfg_profile *prof, bool esp,
                    struct ike_sel *out)
{
	return choose(in, prof, esp, false, 0, out);
}

int ike_prop_choose_child(const struct ike_sa *in, const struct cfg_profile *prof,
                          uint16_t ke_group, struct ike_sel *out)
{
	return choose(in, prof, true, true, ke_group, out);
}

int ike_prop_choose_ke(const struct ike_sa *in, const struct cfg_profile *prof, uint16_t ke_group,
                       struct ike_sel *out)
{
	return choose(in, prof, false, false, ke_group, out);
}

static int accept(const struct ike_sa *in, const struct cfg_profile *prof, bool esp, bool pfs,
                  struct ike_sel *out)
{
	if (in->nprop != 1)
		return -1;
	/* A response carries exactly one transform of each type. */
	const struct ike_proposal *p = &in->p[0];
	for (unsigned i = 0; i < p->ntrans; i++)
		for (unsigned j = i + 1; j < p->ntrans; j++)
			if (p->t[i].type == p->t[j].type)
				return -1;
	return choose(in, prof, esp, pfs, 0, out);
}

int ike_prop_accept(const struct ike_sa *in, const struct cfg_profile *prof, bool esp,
                    struct ike_sel *out)
{
	return accept(in, prof, esp, false, out);
}

int ike_prop_accept_child(const struct ike_sa *in, const struct cfg_profile *prof,
                          struct ike_sel *out)
{
	return accept(in, prof, true, true, out);
}

uint16_t ike_prop_first_esp_dh(const struct cfg_profile *prof)
{
	for (size_t i = 0; i < prof->n_esp_proposals; i++)
		for (size_t j = 0; j < prof->esp_suites[i].n; j++)
			if (prof->esp_suites[i].x[j].type == CFG_XFORM_DH &&
			    prof->esp_suites[i].x[j].id != IKE_DH_NONE)
				return prof->esp_suites[i].x[j].id;
	return 0;
}

bool ike_prop_esp_has_dh(const struct cfg_profile *prof, uint16_t group)
{
	for (size_t i = 0; i < prof->n_esp_proposals; i++)
		if (suite_has(&prof->esp_suites[i], CFG_XFORM_DH, group, 0))
			return true;
	return false;
}

bool ike_prop_has_dh(const struct cfg_profile *prof, uint16_t group)
{
	for (size_t i = 0; i < prof->n_proposals; i++)
		if (suite_has(&prof->proposal_suites[i], CFG_XFORM_DH, group, 0))
			return true;
	return false;
}

uint16_t ike_prop_first_dh(const struct cfg_profile *prof)
{
	for (size_t i = 0; i < prof->n_proposals; i++)
		for (size_t j = 0; j < prof->proposal_suites[i].n; j++)
			if (prof->proposal_suites[i].x[j].type == CFG_XFORM_DH)
				return prof->proposal_suites[i].x[j].id;
	return 0;
}

void ike_sel_name(const struct ike_sel *sel, bool esp, char *buf, size_t len)
{
	struct ike_suite s = sel->suite;
	if (esp)
		s.prf = IKE_PRF_NONE;
	ike_suite_format(&s, buf, len);
}
