/* formats.h: the output formats, in the order --format lists them, one
 * X(ENUM, name) each.  A format is its line here and its file
 * format/NAME.c defining `const struct format format_NAME`. */
#ifndef ICEUPD_FORMATS_H
#define ICEUPD_FORMATS_H

#define ICEUPD_FORMATS(X)						\
	X(NEKO, neko)							\
	X(RTC, rtc)							\
	X(JSON, json)							\
	X(ENV, env)							\
	X(DOTENV, dotenv)						\
	X(STR0M, str0m)							\
	X(TABLE, table)		/* check and providers only */

#endif
