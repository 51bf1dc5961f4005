#!/bin/sh
# Starts one TTQuant service: the first argument names it, the rest are passed to it as
# flags (e.g. `gateway --service.logLevel=debug`). exec replaces this shell, so the
# service is PID 1 and receives SIGTERM from `docker stop` directly.
set -eu

SERVICES="hub market-data gateway strategy-engine persistence cli"
# Overridable for tests of this script; the image uses the defaults. Not TTQ_* names:
# services warn about TTQ_* variables that no configuration key reads.
app_dir=${TTQUANT_APP_DIR:-/app}
service_file=${TTQUANT_SERVICE_FILE:-/tmp/ttq-service}

usage() {
  cat <<USAGE
usage: <image> <service> [--key=value ...]

services:
  hub              ZeroMQ XSUB/XPUB forwarder (ports 5555, 5556; HTTP 9100)
  market-data      venue data, published on md.* (replay 5557; HTTP 9101)
  gateway          one trading account: risk, orders, fills (5560, 5561; HTTP 9102)
  strategy-engine  hosts the configured strategies (HTTP 9103)
  persistence      stores everything published in PostgreSQL/TimescaleDB (HTTP 9104)
  cli              the ttq command line (alias: ttq), e.g. \`cli status\`

Configuration: /app/config/*.toml, TTQ_* environment variables, then flags.
USAGE
}

if [ "$#" -eq 0 ]; then
  usage >&2
  exit 64
fi

service=$1
shift
case "$service" in
  hub | market-data | gateway | strategy-engine | persistence) ;;
  cli | ttq) service=cli ;;
  -h | --help | help)
    usage
    exit 0
    ;;
  *)
    echo "ttquant: unknown service \"$service\"; expected one of: $SERVICES" >&2
    exit 64
    ;;
esac

main="$app_dir/dist/apps/$service/main.cjs"
if [ ! -f "$main" ]; then
  echo "ttquant: $main is missing: this image was built without $service" >&2
  exit 70
fi

# Tells deploy/healthcheck.cjs which service (and so which default HTTP port) to probe.
if [ "$service" != cli ]; then
  printf '%s\n' "$service" >"$service_file" 2>/dev/null || true
fi

exec node --enable-source-maps "$main" "$@"
