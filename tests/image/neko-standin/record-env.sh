#!/bin/sh
# Stands in for neko under supervisord: writes the environment it was
# given to /record/env, then stops supervisord (its parent).
env >/record/env.tmp && mv /record/env.tmp /record/env
kill -TERM "$PPID"
