/* file.c: the config file layer (libconfig): every key a setting of the
 * table, nested groups as "group.key", unknown keys an error. */
#include <errno.h>
#include <libconfig.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../log.h"
#include "../util.h"
#include "parts.h"
#include "table.h"

/* The text of a scalar or a list of scalars from the config file. */
static char *
config_text(const config_setting_t *cs)
{
	struct strbuf b = { 0 };
	const config_setting_t *e;
	int	 i;

	switch (config_setting_type(cs)) {
	case CONFIG_TYPE_STRING:
		return xstrdup(config_setting_get_string(cs));
	case CONFIG_TYPE_INT:
		sb_addf(&b, "%d", config_setting_get_int(cs));
		return b.s;
	case CONFIG_TYPE_INT64:
		sb_addf(&b, "%lld", config_setting_get_int64(cs));
		return b.s;
	case CONFIG_TYPE_BOOL:
		return xstrdup(config_setting_get_bool(cs) ? "true" : "false");
	case CONFIG_TYPE_ARRAY:
	case CONFIG_TYPE_LIST:
		sb_adds(&b, "");
		for (i = 0; (e = config_setting_get_elem(cs, (unsigned)i));
		    i++) {
			if (config_setting_type(e) != CONFIG_TYPE_STRING) {
				sb_free(&b);
				return NULL;
			}
			if (i > 0)
				sb_addc(&b, ',');
			sb_adds(&b, config_setting_get_string(e));
		}
		return b.s;
	default:
		return NULL;
	}
}

/* Applies every setting under group cs (keys "prefix.name"); unknown keys
 * are errors, so a typo never goes unnoticed. */
static int
load_group(struct settings *s, const config_setting_t *cs, const char *prefix,
    const char *file, int *has_secret)
{
	const config_setting_t *e;
	char	 path[128], origin[PATH_MAX + 16];
	char	*text;
	size_t	 i;
	int	 n, rc;

	for (n = 0; (e = config_setting_get_elem(cs, (unsigned)n)); n++) {
		snprintf(origin, sizeof(origin), "%s:%d", file,
		    config_setting_source_line(e));
		snprintf(path, sizeof(path), "%s%s%s", prefix,
		    *prefix ? "." : "", config_setting_name(e));
		if (config_setting_is_group(e)) {
			if (load_group(s, e, path, file, has_secret) == -1)
				return -1;
			continue;
		}
		for (i = 0; i < settings_count; i++)
			if (strcmp(settings_table[i].key, path) == 0)
				break;
		if (i == settings_count) {
			log_error("%s: unknown setting '%s'", origin, path);
			return -1;
		}
		/* From here on the origin names the key too. */
		snprintf(origin, sizeof(origin), "%s:%d (%s)", file,
		    config_setting_source_line(e), path);
		if ((text = config_text(e)) == NULL) {
			log_error("%s: expected a string, number, boolean or "
			    "list of strings", origin);
			return -1;
		}
		if (settings_table[i].kind == K_SECRET)
			*has_secret = 1;
		rc = settings_apply(s, i, text, FROM_FILE, origin);
		if (settings_table[i].kind == K_SECRET)
			util_free_secret(text);
		else
			free(text);
		if (rc == -1)
			return -1;
	}
	return 0;
}

int
settings_load_file(struct settings *s, const char *file, int must_exist)
{
	config_t	 cfg;
	struct stat	 st;
	int		 rc = -1, has_secret = 0;

	config_init(&cfg);
	if (stat(file, &st) == -1) {
		if (errno == ENOENT && !must_exist) {
			rc = 0;
			goto out;
		}
		log_error("config file %s: %s", file, strerror(errno));
		goto out;
	}
	if (!config_read_file(&cfg, file)) {
		if (config_error_type(&cfg) == CONFIG_ERR_FILE_IO)
			log_error("config file %s: cannot read it", file);
		else
			log_error("%s:%d: %s", file, config_error_line(&cfg),
			    config_error_text(&cfg));
		goto out;
	}
	if (load_group(s, config_root_setting(&cfg), "", file,
	    &has_secret) == -1)
		goto out;
	if (has_secret && (st.st_mode & 077) != 0)
		log_warn("%s holds secrets but others may read it (mode "
		    "%04o); chmod 600 it", file, (unsigned)(st.st_mode & 07777));
	free(s->config);
	s->config = xstrdup(file);
	rc = 0;
out:
	config_destroy(&cfg);
	return rc;
}
