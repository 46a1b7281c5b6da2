/* cmd/commands.h: what each command word runs; each returns an exit status. */
#ifndef ICEUPD_COMMANDS_H
#define ICEUPD_COMMANDS_H

#include "../engine.h"
#include "../exit.h"
#include "../settings.h"
#include "../util.h"

int	 cmd_fetch(const struct settings *);
int	 cmd_watch(struct settings *, int argc, char **argv, char **envp);
int	 cmd_providers(const struct settings *);
int	 cmd_check(const struct settings *);
int	 cmd_deploy(const struct settings *);
int	 cmd_serve(const struct settings *);

#endif
