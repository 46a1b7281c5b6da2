/* fuzz_cloudrun.c: a Cloud Run service (Admin API v2 JSON) as GET returns
 * it: cloudrun_deployed(), then the rewrite of its environment
 * (cloudrun_set_env()).  Property: after a rewrite that succeeded, the
 * service, printed and parsed again as the PATCH body would be, reports the
 * variables as deployed with the new expiry. */
#include <cjson/cJSON.h>

#include "../src/deploy/service.h"
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

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char *const names[] = { "NEKO_WEBRTC_ICESERVERS_FRONTEND",
	    "NEKO_WEBRTC_ICESERVERS_BACKEND" };
	static const char value[] =
	    "[{\"urls\":[\"turn:h:3478\"],\"username\":\"u\",\"credential\":\"p\"}]";
	struct cloudrun_change	 chg;
	struct strbuf		 desc = { 0 }, mask = { 0 };
	cJSON			*svc, *back;
	char			*text, *printed, err[512], *full = NULL;
	const char		*container;
	time_t			 exp;
	size_t			 n;

	if (size < 1 || size > 256 * 1024)
		return 0;
	/* The first byte: which container, how many names, which expiry. */
	container = data[0] & 1 ? "app" : NULL;
	n = data[0] & 2 ? 2 : 1;
	text = fuzz_str(data + 1, size - 1);
	if (cloudrun_name(text, "p", "r", &full, err, sizeof(err)) == 0)
		free(full);
	(void)cloudrun_short(text);
	svc = cJSON_Parse(text);
	free(text);
	if (svc == NULL)
		return 0;
	(void)cloudrun_deployed(svc, container, names, n, &exp, err,
	    sizeof(err));
	memset(&chg, 0, sizeof(chg));
	if (cloudrun_set_env(svc, container, names, n, value,
	    data[0] & 4 ? 1700003600 : 0, &chg, err, sizeof(err)) == 0) {
		cloudrun_describe(&chg, &desc);
		sb_free(&desc);
		cJSON_Delete(cloudrun_patch_body(svc, &chg, &mask));
		sb_free(&mask);
		printed = cJSON_PrintUnformatted(svc);
		if (printed == NULL)
			abort();
		back = cJSON_Parse(printed);
		free(printed);
		if (back == NULL)
			abort();
		if (cloudrun_deployed(back, container, names, n, &exp, err,
		    sizeof(err)) != 1)
			abort();	/* the rewrite did not take */
		if (exp != (data[0] & 4 ? 1700003600 : 0))
			abort();	/* the expiry did not take */
		cJSON_Delete(back);
	}
	cJSON_Delete(svc);
	return 0;
}
