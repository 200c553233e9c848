/* Name tables for NHRP packet types, extensions, codes and codec errors. */
#include "nhrp/packet.h"

#include "lib/util.h"

struct name {
	unsigned v;
	const char *s;
};

static const char *lookup(const struct name *t, size_t n, unsigned v)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].v == v)
			return t[i].s;
	return "unknown";
}

static const struct name err_names[] = {
    {0, "ok"},
    {(unsigned)-NHRP_E_SHORT, "shorter than the fixed header"},
    {(unsigned)-NHRP_E_VERSION, "unsupported ar$op.version"},
    {(unsigned)-NHRP_E_PKTSZ, "ar$pktsz below 20 or beyond the data"},
    {(unsigned)-NHRP_E_CHECKSUM, "bad checksum"},
    {(unsigned)-NHRP_E_AFN, "unsupported NBMA address family"},
    {(unsigned)-NHRP_E_PROTO, "unsupported protocol type"},
    {(unsigned)-NHRP_E_TYPE, "unknown packet type"},
    {(unsigned)-NHRP_E_EXTOFF, "ar$extoff out of range"},
    {(unsigned)-NHRP_E_ADDR_TYPE, "E.164 or reserved bit in address type/length"},
    {(unsigned)-NHRP_E_ADDR_LEN, "address length does not match its family"},
    {(unsigned)-NHRP_E_MANDATORY, "mandatory part truncated"},
    {(unsigned)-NHRP_E_CIE, "client information entry truncated"},
    {(unsigned)-NHRP_E_TOO_MANY_CIE, "too many client information entries"},
    {(unsigned)-NHRP_E_EXT_LEN, "extension runs past the packet"},
    {(unsigned)-NHRP_E_EXT_MALFORMED, "malformed extension"},
    {(unsigned)-NHRP_E_EXT_NO_END, "extensions not terminated by End"},
    {(unsigned)-NHRP_E_EXT_TRAILING, "data after the End extension"},
    {(unsigned)-NHRP_E_EXT_DUP, "duplicate extension"},
    {(unsigned)-NHRP_E_TOO_MANY_EXT, "too many extensions"},
    {(unsigned)-NHRP_E_EXT_UNKNOWN_COMPULSORY, "unrecognized compulsory extension"},
    {(unsigned)-NHRP_E_NOSPACE, "output buffer full"},
    {(unsigned)-NHRP_E_TOO_BIG, "packet larger than 65535 bytes"},
    {(unsigned)-NHRP_E_INVALID, "invalid packet description"},
    {(unsigned)-NHRP_E_HOP_COUNT, "hop count exceeded"},
    {(unsigned)-NHRP_E_NO_EXT, "extension not present"},
};

static const struct name type_names[] = {
    {NHRP_RESOLUTION_REQUEST, "Resolution Request"},
    {NHRP_RESOLUTION_REPLY, "Resolution Reply"},
    {NHRP_REGISTRATION_REQUEST, "Registration Request"},
    {NHRP_REGISTRATION_REPLY, "Registration Reply"},
    {NHRP_PURGE_REQUEST, "Purge Request"},
    {NHRP_PURGE_REPLY, "Purge Reply"},
    {NHRP_ERROR_INDICATION, "Error Indication"},
    {NHRP_TRAFFIC_INDICATION, "Traffic Indication"},
};

static const struct name ext_names[] = {
    {NHRP_EXT_END, "End"},
    {NHRP_EXT_RESPONDER, "Responder Address"},
    {NHRP_EXT_FWD_TRANSIT, "Forward Transit NHS Record"},
    {NHRP_EXT_REV_TRANSIT, "Reverse Transit NHS Record"},
    {NHRP_EXT_AUTH, "Authentication"},
    {NHRP_EXT_VENDOR, "Vendor-Private"},
    {NHRP_EXT_CISCO_NAT, "Cisco NAT Address"},
};

static const struct name cie_code_names[] = {
    {NHRP_CIE_SUCCESS, "success"},
    {NHRP_CIE_ADMIN_PROHIBITED, "administratively prohibited"},
    {NHRP_CIE_INSUFFICIENT_RESOURCES, "insufficient resources"},
    {NHRP_CIE_NO_BINDING, "no binding exists"},
    {NHRP_CIE_NOT_UNIQUE, "binding exists but is not unique"},
    {NHRP_CIE_ALREADY_REGISTERED, "unique address already registered"},
};

static const struct name error_code_names[] = {
    {NHRP_ERROR_UNRECOGNIZED_EXTENSION, "Unrecognized Extension"},
    {NHRP_ERROR_LOOP_DETECTED, "NHRP Loop Detected"},
    {NHRP_ERROR_PROTO_ADDR_UNREACHABLE, "Protocol Address Unreachable"},
    {NHRP_ERROR_PROTOCOL_ERROR, "Protocol Error"},
    {NHRP_ERROR_SDU_SIZE_EXCEEDED, "NHRP SDU Size Exceeded"},
    {NHRP_ERROR_INVALID_EXTENSION, "Invalid Extension"},
    {NHRP_ERROR_INVALID_REPLY, "Invalid NHRP Resolution Reply Received"},
    {NHRP_ERROR_AUTHENTICATION_FAILURE, "Authentication Failure"},
    {NHRP_ERROR_HOP_COUNT_EXCEEDED, "Hop Count Exceeded"},
};

static const struct name traffic_code_names[] = {
    {NHRP_TRAFFIC_REDIRECT, "redirect"},
};

const char *nhrp_strerror(int err)
{
	if (err > 0)
		return "unknown";
	return lookup(err_names, ARRAY_SIZE(err_names), 0u - (unsigned)err);
}

const char *nhrp_type_name(unsigned type)
{
	return lookup(type_names, ARRAY_SIZE(type_names), type);
}

const char *nhrp_ext_name(unsigned type)
{
	return lookup(ext_names, ARRAY_SIZE(ext_names), type & NHRP_EXT_TYPE_MASK);
}

const char *nhrp_cie_code_name(unsigned code)
{
	return lookup(cie_code_names, ARRAY_SIZE(cie_code_names), code);
}

const char *nhrp_error_code_name(unsigned code)
{
	return lookup(error_code_names, ARRAY_SIZE(error_code_names), code);
}

const char *nhrp_traffic_code_name(unsigned code)
{
	return lookup(traffic_code_names, ARRAY_SIZE(traffic_code_names), code);
}
