/* env.c: the environment layer: NAME, and NAME_FILE for secrets; a
 * misspelt ICEUPD_* name is warned about. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../log.h"
#include "../safefile.h"
#include "../util.h"
#include "parts.h"
#include "table.h"

#define SECRET_MAX	(64 * 1024)

const char *
settings_env_get(char *const *envp, const char *name)
{
	size_t	 n = strlen(name);

	for (; envp != NULL && *envp != NULL; envp++)
		if (strncmp(*envp, name, n) == 0 && (*envp)[n] == '=')
			return *envp + n + 1;
	return NULL;
}

/* ICEUPD_ names read outside the table: by main, by the wrapper scripts,
 * set for an --on-change command, by the test suite (which exports them
 * to the runs it makes). */
static const char *const env_extra[] = { "ICEUPD_CONFIG",
	"ICEUPD_LOG_FORMAT", "ICEUPD_KEEP_SECRETS", "ICEUPD_OUTPUT",
	"ICEUPD_EXPIRES_AT", "ICEUPD_TEST_SLOW", "ICEUPD_TEST_RUNS",
	"ICEUPD_STATIC" };
#define NEXTRA	(sizeof(env_extra) / sizeof(env_extra[0]))

/* Warns once for each ICEUPD_* variable in envp that no one reads (a
 * misspelling would else pass in silence), naming the closest known. */
void
settings_warn_unknown_env(char *const *envp)
{
	const char	**known;
	char		(*files)[64], name[64], shown[80];
	const char	*eq, *near;
	size_t		 i, n = 0, len;

	known = xcalloc(2 * settings_count + NEXTRA, sizeof(*known));
	files = xcalloc(settings_count, sizeof(*files));
	for (i = 0; i < settings_count; i++) {
		if (settings_table[i].env == NULL)
			continue;
		known[n++] = settings_table[i].env;
		if (settings_table[i].kind == K_SECRET) {
			snprintf(files[i], sizeof(files[i]), "%s_FILE",
			    settings_table[i].env);
			known[n++] = files[i];
		}
	}
	for (i = 0; i < NEXTRA; i++)
		known[n++] = env_extra[i];
	for (; envp != NULL && *envp != NULL; envp++) {
		if (strncmp(*envp, "ICEUPD_", 7) != 0 ||
		    (eq = strchr(*envp, '=')) == NULL)
			continue;
		len = (size_t)(eq - *envp);
		snprintf(name, sizeof(name), "%.*s", (int)(len < 63 ? len : 63),
		    *envp);
		for (i = 0; i < n && (len > 63 || strcmp(known[i], name)); i++)
			;
		if (i < n)
			continue;
		log_escape(name, 60, shown, sizeof(shown));
		if ((near = util_closest(name, known, n)) != NULL)
			log_warn("%s (environment) is not a setting of iceupd: "
			    "ignored; did you mean %s?", shown, near);
		else
			log_warn("%s (environment) is not a setting of iceupd: "
			    "ignored; see iceupd(1), ENVIRONMENT", shown);
	}
	free(files);
	free(known);
}

int
settings_load_env(struct settings *s, char *const *envp)
{
	char	 fname[128], origin[160];
	const char *v, *path;
	char	*content;
	size_t	 i;
	int	 rc;

	for (i = 0; i < settings_count; i++) {
		if (settings_table[i].env == NULL)
			continue;
		v = settings_env_get(envp, settings_table[i].env);
		path = NULL;
		if (settings_table[i].kind == K_SECRET) {
			snprintf(fname, sizeof(fname), "%s_FILE",
			    settings_table[i].env);
			path = settings_env_get(envp, fname);
			if (path != NULL && *path == '\0')
				path = NULL;
		}
		if (v != NULL && path != NULL && *v != '\0') {
			log_error("%s and %s are both set: set one",
			    settings_table[i].env, fname);
			return -1;
		}
		if (path != NULL) {
			if (safe_read_small_file(path, &content,
			    SECRET_MAX) == -1) {
				log_error("%s: cannot read %s: %s", fname,
				    path, strerror(errno));
				return -1;
			}
			if (*content == '\0') {
				log_error("%s: %s is empty", fname, path);
				util_free_secret(content);
				return -1;
			}
			snprintf(origin, sizeof(origin), "%s (file %s)",
			    fname, path);
			rc = settings_apply(s, i, content, FROM_ENV, origin);
			util_free_secret(content);
			if (rc == -1)
				return -1;
			continue;
		}
		if (v == NULL)
			continue;
		snprintf(origin, sizeof(origin), "%s (environment)",
		    settings_table[i].env);
		if (settings_apply(s, i, v, FROM_ENV, origin) == -1)
			return -1;
	}
	return 0;
}

