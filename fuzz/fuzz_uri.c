/* fuzz_uri.c: STUN/TURN URIs.  Properties: the canonical form of a URI
 * that parses parses again to the same URI, and formats to itself. */
#include <strings.h>

#include "../src/ice.h"
#include "fuzz.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ice_uri	 a, b;
	char		 err[256], one[ICE_URI_MAX + 1], two[ICE_URI_MAX + 1];
	char		 shown[ICE_URI_MAX * 4 + 64];
	char		*s;

	if (size > 4 * ICE_URI_MAX)
		return 0;
	s = fuzz_str(data, size);
	(void)ice_uri_shown(s, shown, sizeof(shown));
	(void)ice_credential_valid(s);
	if (ice_uri_parse(s, &a, err, sizeof(err)) == 0) {
		if (a.port < 1 || a.port > 65535)
			abort();
		ice_uri_format(&a, one, sizeof(one));
		if (ice_uri_parse(one, &b, err, sizeof(err)) != 0)
			abort();	/* the canonical form must parse */
		ice_uri_format(&b, two, sizeof(two));
		if (strcmp(one, two) != 0 || a.scheme != b.scheme ||
		    a.port != b.port || a.ipv6 != b.ipv6 ||
		    ice_uri_transport(&a) != ice_uri_transport(&b) ||
		    strcasecmp(a.host, b.host) != 0)
			abort();	/* not a fixed point */
	}
	free(s);
	return 0;
}
