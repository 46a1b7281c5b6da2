/* parts.h: what the files of src/settings/ share; for no other file. */
#ifndef ICEUPD_SETTINGS_PARTS_H
#define ICEUPD_SETTINGS_PARTS_H

#include <stddef.h>

#include "../settings.h"

#define F(field)	offsetof(struct settings, field)

/* getopt values of the flags that are not settings (above 127: no short
 * form), and of table entry i: OPT_TABLE + i. */
enum { OPT_NEKO_V3 = 1000, OPT_TABLE = 2000 };

/* table.c: the index of the setting stored at offset off, or -1. */
int	 settings_find(size_t off);
/* values.c: stores text v as setting i, from origin.  0 ok, -1 after
 * logging. */
int	 settings_apply(struct settings *, size_t i, const char *v,
	    enum origin_kind, const char *origin);
/* env.c: the value of name in envp, or NULL. */
const char *settings_env_get(char *const *envp, const char *name);
/* env.c: warns once for each ICEUPD_* name in envp that no one reads. */
void	 settings_warn_unknown_env(char *const *envp);
int	 settings_load_env(struct settings *, char *const *envp);
/* file.c: the config file, when it exists or must. */
int	 settings_load_file(struct settings *, const char *file,
	    int must_exist);

#endif
