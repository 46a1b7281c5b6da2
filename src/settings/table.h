/* settings/table.h: the table of settings, for src/settings/ and what is
 * generated from it (help.c: help and completion). */
#ifndef ICEUPD_SETTINGS_TABLE_H
#define ICEUPD_SETTINGS_TABLE_H

#include <stddef.h>

#include "../settings.h"

enum kind {
	K_STR,		/* text */
	K_LIST,		/* comma list; a repeated flag adds to it */
	K_SECRET,	/* text never shown; also read from NAME_FILE */
	K_LONG,		/* whole number in [min, max] */
	K_BOOL,		/* true/false, yes/no, on/off, 1/0 */
	K_CHOICE,	/* one of choices[], stored as its index */
	K_MSEC,		/* duration in [min, max] milliseconds */
	K_SECONDS	/* duration in [min, max] seconds */
};

/* Kinds stored as a long. */
#define KIND_IS_LONG(k)	\
	((k) == K_LONG || (k) == K_MSEC || (k) == K_SECONDS)

/* Which commands read a setting: a mask of these bits. */
#define CMD_BIT(c)	(1u << (c))
#define CMDS_ALL	(CMD_BIT(CMD_FETCH) | CMD_BIT(CMD_PROVIDERS) | \
	CMD_BIT(CMD_WATCH) | CMD_BIT(CMD_DEPLOY) | CMD_BIT(CMD_CHECK) | \
	CMD_BIT(CMD_SERVE))
#define CMDS_FETCHING	(CMDS_ALL & ~CMD_BIT(CMD_PROVIDERS))
/* Those that pick one list through the cache: not check, which asks every
 * provider and waits for each. */
#define CMDS_PICKING	(CMDS_FETCHING & ~CMD_BIT(CMD_CHECK))
#define CMDS_RENDERING	(CMD_BIT(CMD_FETCH) | CMD_BIT(CMD_WATCH) | \
	CMD_BIT(CMD_DEPLOY) | CMD_BIT(CMD_SERVE))

/* Where help lists an option, in this order. */
enum group { G_PROVIDERS, G_OUTPUT, G_TIMING, G_CACHE, G_COMMAND,
	G_COMMON, NGROUPS };

struct setting {
	const char	*key;		/* config file path */
	const char	*env;		/* environment variable, or NULL */
	const char	*flag;		/* long option, or NULL */
	int		 shortopt;
	enum kind	 kind;
	size_t		 off;
	long		 min, max;
	const char *const *choices;
	const char	*defval;	/* parsed like any other layer */
	const char	*arg;		/* for --help */
	const char	*help;
	enum group	 group;		/* where help lists it */
	unsigned	 commands;	/* which read it: CMD_BIT()s */
};

/* Options that are not settings: -c, --neko-v3, -v, -q, -h, -V.  shortopt
 * is also getopt's value; above 127 there is no short form. */
struct plain_flag {
	const char	*flag;
	int		 shortopt;
	const char	*arg;
	const char	*env;
	enum group	 group;
	unsigned	 commands;
	const char	*help;
};

extern const struct setting *const settings_table;
extern const size_t settings_count;
extern const struct plain_flag plain_flags[];	/* ends with flag NULL */
/* By enum command, up to CMD_COMPLETION; NULL ends it. */
extern const char *const command_names[];

#define DEFAULT_CONFIG	"/etc/iceupd/iceupd.conf"

unsigned	 setting_commands(const struct setting *);
enum group	 setting_group(const struct setting *);
/* "fetch and watch", "fetch, watch, deploy and serve". */
void		 commands_text(unsigned commands, char *buf, size_t len);

#endif
