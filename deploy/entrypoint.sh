#!/bin/sh
# Starts Baton in a container (deploy/Dockerfile). Servers listen on every interface of the container (the container's
# network is the boundary), unlike a Baton on a workstation, which listens on loopback only.
# Settings from the environment, each only when set (config/application.properties keeps the others):
#   BATON_BROKER_URL       baton.broker.url, e.g. (tcp://broker-primary:61616,tcp://broker-backup:61616)?ha=true&reconnectAttempts=-1
#   BATON_BROKER_PASSWORD  baton.broker.password: the same in every Baton process and in both brokers
#   BATON_DB_URL, BATON_DB_USER, BATON_DB_PASSWORD   baton.db.url, .user, .password
#   JAVA_OPTS              more JVM options and -D settings (not for secrets: they would show in the log)
set -eu
# The broker URL holds "?": no file-name expansion of JAVA_OPTS below.
set -f
home="${BATON_HOME:-/opt/baton}"
set -- -Dlog4j2.configurationFile="${BATON_LOG_CONFIG:-$home/config/log4j2.xml}" -jar "$home/baton.jar" "$@"
for pair in "BATON_BROKER_URL baton.broker.url" "BATON_BROKER_PASSWORD baton.broker.password" \
    "BATON_DB_URL baton.db.url" "BATON_DB_USER baton.db.user" "BATON_DB_PASSWORD baton.db.password"; do
  var="${pair% *}"
  eval "value=\${$var:-}"
  if [ -n "$value" ]; then set -- "-D${pair#* }=$value" "$@"; fi
done
cd "$home"
# shellcheck disable=SC2086 # JAVA_OPTS is a list of options
exec java -Dbaton.broker.host=0.0.0.0 -Dcamel.server.host=0.0.0.0 ${JAVA_OPTS:-} "$@"
