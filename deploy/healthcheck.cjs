'use strict';
// Container health check for a TTQuant service: exits 0 when the service's health
// endpoint answers 200, 1 otherwise. Usage: node healthcheck.cjs [/healthz | /readyz | URL]
//
// Which port: TTQUANT_HEALTHCHECK_URL when set, else TTQ_SERVICE_HTTP_PORT, else the default
// port of the service the entrypoint started (recorded in TTQUANT_SERVICE_FILE, by default
// /tmp/ttq-service).
const { readFileSync } = require('node:fs');
const http = require('node:http');

const DEFAULT_PORTS = { hub: 9100, 'market-data': 9101, gateway: 9102, 'strategy-engine': 9103, persistence: 9104 };
const TIMEOUT_MS = 3000;

function runningService() {
  try {
    return readFileSync(process.env.TTQUANT_SERVICE_FILE || '/tmp/ttq-service', 'utf8').trim();
  } catch {
    return '';
  }
}

function target(argument) {
  if (argument && /^https?:\/\//.test(argument)) return argument;
  if (process.env.TTQUANT_HEALTHCHECK_URL) return process.env.TTQUANT_HEALTHCHECK_URL;
  const path = argument || '/healthz';
  const configured = Number(process.env.TTQ_SERVICE_HTTP_PORT);
  if (Number.isInteger(configured) && configured > 0) return `http://127.0.0.1:${configured}${path}`;
  const service = runningService();
  const port = DEFAULT_PORTS[service];
  return port === undefined ? undefined : `http://127.0.0.1:${port}${path}`;
}

const url = target(process.argv[2]);
if (url === undefined) {
  // A one-shot command (cli) has no health endpoint: nothing to report.
  process.stdout.write('no long-running service in this container\n');
  process.exit(0);
}

const request = http.get(url, { timeout: TIMEOUT_MS }, (response) => {
  let body = '';
  response.setEncoding('utf8');
  response.on('data', (chunk) => (body += chunk));
  response.on('end', () => {
    process.stdout.write(`${url}: ${response.statusCode} ${body.slice(0, 200)}\n`);
    process.exit(response.statusCode === 200 ? 0 : 1);
  });
});
request.on('timeout', () => request.destroy(new Error(`no answer within ${TIMEOUT_MS} ms`)));
request.on('error', (error) => {
  process.stdout.write(`${url}: ${error.message}\n`);
  process.exit(1);
});
