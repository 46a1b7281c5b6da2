/* fuzz_settings.c: the settings layers an operator controls.  The input is
 * a libconfig file, then (after the first NUL byte, if any) NAME=VALUE
 * lines used as the environment.  settings_load() must accept or refuse
 * it (one line) without crashing; what it accepts must be stable: loading
 * the same input twice gives the same digest.
 *
 * Kept out of the input: "@include" (a config file may include any file,
 * e.g. a FIFO, which is the operator's business, not a parser bug),
 * ICEUPD_CONFIG, and NAME_FILE values, which are pointed at a file the
 * target writes (the input's last line), never at a path from the input. */
#include <stdio.h>
#include <unistd.h>

#include "../src/settings.h"
#include "../src/util.h"
#include "fuzz.h"

static char	 dir[] = "/tmp/iceupd-fuzz-settings.XXXXXX";
static char	 conf[64], secret[64];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet();
	if (mkdtemp(dir) == NULL)
		abort();
	snprintf(conf, sizeof(conf), "%s/iceupd.conf", dir);
	snprintf(secret, sizeof(secret), "%s/secret", dir);
	return 0;
}

static void
put(const char *path, const char *p, size_t len)
{
	FILE	*f = fopen(path, "w");

	if (f == NULL)
		abort();
	if (len > 0 && fwrite(p, 1, len, f) != len)
		abort();
	fclose(f);
}

static int
load(char **envp, char digest[65])
{
	struct settings	 s;
	char		*argv[] = { "iceupd", "-c", conf, NULL };
	int		 rc;

	rc = settings_load(&s, 3, argv, envp);
	if (rc == 0)
		settings_digest(&s, digest);
	settings_free(&s);
	fuzz_quiet();
	return rc;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*text, *env, *line, *next, *eq, **envp;
	char	 d1[65], d2[65];
	size_t	 clen, n = 0, cap = 8;
	int	 r1, r2;

	if (size > 64 * 1024)
		return 0;
	text = fuzz_str(data, size);
	clen = strlen(text);
	if (memmem(text, clen, "@include", 8) != NULL) {
		free(text);
		return 0;
	}
	put(conf, text, clen);
	env = clen < size ? text + clen + 1 : text + clen;
	envp = calloc(cap, sizeof(*envp));
	for (line = env; line != NULL && *line != '\0'; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if ((eq = strchr(line, '=')) == NULL ||
		    strncmp(line, "ICEUPD_CONFIG=", 14) == 0)
			continue;
		if (eq - line > 5 && strncmp(eq - 5, "_FILE", 5) == 0) {
			put(secret, eq + 1, strlen(eq + 1));
			strcpy(eq + 1, "");	/* value replaced below */
			char *l = malloc(strlen(line) + strlen(secret) + 1);
			if (l == NULL)
				abort();
			strcpy(l, line);
			strcat(l, secret);
			line = l;
		} else
			line = strdup(line);
		if (n + 2 > cap) {
			cap *= 2;
			envp = realloc(envp, cap * sizeof(*envp));
			if (envp == NULL)
				abort();
		}
		envp[n++] = line;
	}
	envp[n] = NULL;

	r1 = load(envp, d1);
	r2 = load(envp, d2);
	if (r1 != r2 || (r1 == 0 && strcmp(d1, d2) != 0))
		abort();	/* the same input loaded differently */

	while (n > 0)
		free(envp[--n]);
	free(envp);
	free(text);
	return 0;
}
