/* JSON for `show ikev2 sa` and `show ipsec sa` (doc/SPEC.md), from the
 * tunnel protection module (overlay/ipsec.h). ips may be NULL (no SA). */
#ifndef DMVPN_CLI_SHOW_IKE_H
#define DMVPN_CLI_SHOW_IKE_H

#include <json-c/json.h>

struct ipsec;

/* {"sas":[{"local","remote","state","ispi","rspi","suite","dpd":{...},"children":[...]}]} */
json_object *show_ike_sas(const struct ipsec *ips);
/* {"sas":[{"spi","direction","child","remote","packets","bytes","errors","seq"}]} */
json_object *show_ipsec_sas(const struct ipsec *ips);

#endif
