'use strict'
// Reproduces, with log4js and its @log4js-node/logstash-http appender alone: log4js.shutdown(cb)
// calls back before the appender has sent the events logged just before it, so an application
// that exits once shutdown has called back (what the callback is for: log4js waits there for
// every appender that has a `shutdown` function, as its file and tcp appenders do) loses them,
// against a log service that answers every request 200 at once.
// @log4js-node/logstash-http 1.1.0 lib/index.js exports only configure(): the appender function
// has no `shutdown`, so log4js 6.9.1 lib/log4js.js shutdown() (lines 121-129) finds no shutdown function and
// calls back at once; each event's POST (axios 0.21, `sender.post(...)`, not awaited) is only
// dispatched after the current turn, so none of them has even connected by then.
// Upstream: not reported upstream as of 2026-12-01 (log4js-node/logstashHTTP lib/index.js has no
// shutdown function). Found by: logjam run --adapter log4js-http --scenario hostile-input
// (and below-level-flood, console-redirect: every record logged just before the shutdown missing).
// Run from a project that has log4js and @log4js-node/logstash-http installed:
// node repro/log4js-http.shutdown.cjs
// Exit code 1 and "SYMPTOM" when events logged before the shutdown never reach the service.
const http = require('node:http')
const { fork } = require('node:child_process')
const { once } = require('node:events')

const N = 20

if (process.argv[2] === 'app') {
  // The application: N events, then log4js's documented shutdown, exiting once it calls back.
  const log4js = require('log4js')
  log4js.configure({
    appenders: { logstash: { type: '@log4js-node/logstash-http', url: process.argv[3], application: 'repro', logType: 'application', logChannel: 'node' } },
    categories: { default: { appenders: ['logstash'], level: 'info' } },
  })
  const logger = log4js.getLogger()
  for (let i = 0; i < N; i++) logger.info(`event-${i}`)
  log4js.shutdown((error) => {
    if (error) console.log(`shutdown error: ${error.message}`)
    process.exit(0)
  })
} else {
  let received = 0
  const server = http.createServer((req, res) => {
    req.resume()
    req.on('end', () => {
      received++
      res.writeHead(200).end('{"errors":false}')
    })
  })
  server.listen(0, '127.0.0.1', async () => {
    const app = fork(__filename, ['app', `http://127.0.0.1:${server.address().port}/_bulk`])
    const [code] = await once(app, 'exit')
    // Whatever the application sent before it exited has arrived by the time its process is gone;
    // a moment more for the last bodies on loopback.
    await new Promise((resolve) => setTimeout(resolve, 200))
    server.close()
    server.closeAllConnections()
    console.log(`log4js ${require('log4js/package.json').version}, @log4js-node/logstash-http ${require('@log4js-node/logstash-http/package.json').version}: ${received}/${N} events reached the service before the application exited in log4js.shutdown()'s callback (exit code ${code})`)
    if (received < N) {
      console.log(`SYMPTOM: ${N - received} of ${N} events lost: log4js.shutdown() called back before the logstash-http appender had sent them (it has no shutdown function)`)
      process.exitCode = 1
    }
  })
}
