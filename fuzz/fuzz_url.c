/* fuzz_url.c: any JSON as a credentials endpoint's answer, through
 * url_take_answer() (as the url provider and as the matrix preset): what it
 * keeps is a list with servers, an expiry after now or none, and a
 * fetched_at not after now; what it refuses has an error. */
#include <cjson/cJSON.h>
#include <time.h>

#include "../src/ice.h"
#include "../src/providers/url.h"
#include "fuzz.h"

#define NOW	1700000000

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet();
	return 0;
}

static void
take(const cJSON *doc, int matrix)
{
	struct ice_list		 l;
	struct provider_status	 st;
	time_t			 exp;

	memset(&l, 0, sizeof(l));
	memset(&st, 0, sizeof(st));
	if (url_take_answer(doc, matrix, NOW, &l, &st) == 0) {
		exp = ice_list_expires(&l);
		if (l.n == 0 || st.note[0] == '\0')
			abort();	/* success without servers or a name */
		if (exp != 0 && exp <= NOW)
			abort();	/* an expired list was kept */
		if (l.fetched_at > NOW || (exp != 0 && l.fetched_at > exp))
			abort();	/* made in the future */
	} else if (st.error[0] == '\0')
		abort();		/* refused without a reason */
	ice_list_free(&l);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*s;
	cJSON	*doc;

	if (size > 256 * 1024)
		return 0;
	s = fuzz_str(data, size);
	doc = cJSON_Parse(s);
	free(s);
	if (doc == NULL)
		return 0;
	take(doc, 0);
	take(doc, 1);
	cJSON_Delete(doc);
	return 0;
}
