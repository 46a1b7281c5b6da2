/* fuzz_api.c: the hosted APIs' JSON (Twilio, Cloudflare, Metered, Xirsys,
 * Turnix shapes) through api_take_servers() and the Xirsys and Turnix
 * answer readers, then the neko rendering of what was kept, which must be
 * valid JSON whose every entry has a urls array. */
#include <cjson/cJSON.h>
#include <time.h>

#include "../src/ice.h"
#include "../src/format/format.h"
#include "../src/providers/api.h"
#include "../src/util.h"
#include "fuzz.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet();
	return 0;
}

static void
take(const cJSON *v, int skip53)
{
	struct ice_list		 l;
	struct provider_status	 st;
	struct strbuf		 out = { 0 };
	cJSON			*back, *e;

	memset(&l, 0, sizeof(l));
	memset(&st, 0, sizeof(st));
	if (api_take_servers(&l, v, 1700000000, skip53, &st) == 0 &&
	    l.n > 0) {
		format_ice_servers(&out, &l);
		back = cJSON_Parse(out.s);
		if (!cJSON_IsArray(back))
			abort();	/* the renderer wrote no JSON array */
		cJSON_ArrayForEach(e, back)
			if (!cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(e,
			    "urls")))
				abort();	/* urls must be an array */
		cJSON_Delete(back);
		sb_free(&out);
	}
	ice_list_free(&l);
}

/* Xirsys's envelope and Turnix's expiresAt around the same parser. */
static void
answer(const cJSON *doc)
{
	struct ice_list		 l;
	struct provider_status	 st;
	const cJSON		*at;
	time_t			 t;

	memset(&l, 0, sizeof(l));
	memset(&st, 0, sizeof(st));
	(void)xirsys_take(&l, doc, 1700000000, 1700003600, &st);
	ice_list_free(&l);
	memset(&l, 0, sizeof(l));
	memset(&st, 0, sizeof(st));
	(void)turnix_take(&l, doc, 1700000000, 1700003600, &st);
	ice_list_free(&l);
	at = cJSON_GetObjectItemCaseSensitive(doc, "expiresAt");
	if (cJSON_IsString(at))
		(void)util_parse_rfc3339_any(at->valuestring, &t);
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
	take(doc, 0);		/* metered: the document itself */
	take(cJSON_GetObjectItemCaseSensitive(doc, "ice_servers"), 0);
	take(cJSON_GetObjectItemCaseSensitive(doc, "iceServers"), 1);
	answer(doc);
	cJSON_Delete(doc);
	return 0;
}
