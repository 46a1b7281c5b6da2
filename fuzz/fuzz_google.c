/* fuzz_google.c: a service-account key file (GOOGLE_APPLICATION_CREDENTIALS)
 * as iceupd reads it: google_project() reads the file (the metadata
 * server is configured away, so nothing leaves the machine), and when the
 * key has the fields, google_jwt() signs a JWT with its private_key, whose
 * three parts must be base64url. */
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "../src/deploy/google.h"
#include "../src/settings.h"
#include "../src/util.h"
#include "fuzz.h"

static char	 dir[] = "/tmp/iceupd-fuzz-google.XXXXXX";
static char	 key[64];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet();
	if (mkdtemp(dir) == NULL)
		abort();
	snprintf(key, sizeof(key), "%s/key.json", dir);
	return 0;
}

static const char *
str(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct settings	 s;
	FILE		*f;
	cJSON		*doc;
	char		*text, *out = NULL, *jwt = NULL, err[512];
	const char	*email, *pem;
	size_t		 i, dots = 0;

	if (size > 64 * 1024)
		return 0;
	if ((f = fopen(key, "w")) == NULL)
		abort();
	if (size > 0 && fwrite(data, 1, size, f) != size)
		abort();
	fclose(f);
	chmod(key, 0600);

	memset(&s, 0, sizeof(s));
	s.google_credentials = key;
	s.metadata_host = "no metadata server here";	/* refused: no network */
	if (google_project(&s, util_monotonic_ms() + 1000, &out, err,
	    sizeof(err)) == 0)
		free(out);

	text = fuzz_str(data, size);
	doc = cJSON_Parse(text);
	free(text);
	email = str(doc, "client_email");
	pem = str(doc, "private_key");
	if (email != NULL && pem != NULL && google_jwt(email,
	    str(doc, "private_key_id"), pem, str(doc, "token_uri") ?
	    str(doc, "token_uri") : "https://oauth2.googleapis.com/token",
	    1700000000, &jwt, err, sizeof(err)) == 0) {
		for (i = 0; jwt[i] != '\0'; i++) {
			if (jwt[i] == '.')
				dots++;
			else if (strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklm"
			    "nopqrstuvwxyz0123456789-_", jwt[i]) == NULL)
				abort();	/* not base64url */
		}
		if (dots != 2)
			abort();
		free(jwt);
	}
	cJSON_Delete(doc);
	return 0;
}
