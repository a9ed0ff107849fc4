'use strict'
// Reproduces, with log4js and its @log4js-node/logstash-http appender alone: when the log
// service answers an event's request with a 5xx (or 429, or the connection resets, or the
// appender's 5 s `timeout` passes first), that event is gone: the appender prints the error with
// console.error and neither retries nor counts it, so an application cannot tell which events,
// or how many, never reached the service. Later events still arrive.
// @log4js-node/logstash-http 1.1.0 lib/index.js: each event is one `sender.post('', bulkBody)`
// (axios 0.21) whose `.catch` only calls console.error; the appender keeps nothing to retry.
// Its README says nothing of failed requests.
// The service answers the first 5 requests 503 and every later one 200 at once; the script
// waits until the service has answered every one of the N requests before counting, since
// log4js.shutdown() does not wait for them (the appender has no shutdown function).
// Upstream: not reported upstream as of 2026-12-01 (log4js-node/logstashHTTP, lib/index.js,
// the .catch of sender.post). Found by: logjam run --adapter log4js-http --scenario http-collector.
// Run from a project that has log4js and @log4js-node/logstash-http installed:
// node repro/log4js-http.http-collector.cjs
// Exit code 1 and "SYMPTOM" when events whose request failed are lost; 0 when all arrive.
const http = require('node:http')
const log4js = require('log4js')

const N = 40
const FAILED = 5
let requests = 0
let received = 0
let printed = 0
let allAnswered
const answered = new Promise((resolve) => (allAnswered = resolve))
const server = http.createServer((req, res) => {
  const chunks = []
  req.on('data', (c) => chunks.push(c))
  req.on('end', () => {
    const index = requests++
    if (index < FAILED) res.writeHead(503).end('{"error":"unavailable"}')
    else {
      // A bulk body: an action line, then the event's document.
      const lines = Buffer.concat(chunks).toString('utf8').split('\n').filter((l) => l !== '')
      received += lines.filter((l) => JSON.parse(l).message !== undefined).length
      res.writeHead(200).end('{"errors":false}')
    }
    if (requests === N) allAnswered()
  })
})

// The appender reports a failed request only this way; counted here, not hidden.
const consoleError = console.error
console.error = (...args) => {
  printed++
  if (printed === 1) consoleError('(first of the appender\'s console.error lines)', ...args)
}

server.listen(0, '127.0.0.1', async () => {
  log4js.configure({
    appenders: { logstash: { type: '@log4js-node/logstash-http', url: `http://127.0.0.1:${server.address().port}/_bulk`, application: 'repro', logType: 'application', logChannel: 'node' } },
    categories: { default: { appenders: ['logstash'], level: 'info' } },
  })
  const logger = log4js.getLogger()
  for (let i = 0; i < N; i++) logger.info(`event-${i}`)
  await new Promise((resolve) => log4js.shutdown(resolve))
  // Every request answered (bounded, so the script ends), then a turn for the appender's catch.
  let bound
  await Promise.race([answered, new Promise((resolve) => (bound = setTimeout(resolve, 10000)))])
  clearTimeout(bound)
  await new Promise((resolve) => setTimeout(resolve, 100))
  server.close()
  server.closeAllConnections()
  console.log(`log4js ${require('log4js/package.json').version}, @log4js-node/logstash-http ${require('@log4js-node/logstash-http/package.json').version}: ${received}/${N} events reached the service; ${requests} requests, the first ${FAILED} answered 503; ${printed} console.error lines, no retry, nothing counted`)
  if (received < N) {
    console.log(`SYMPTOM: ${N - received} of ${N} events lost: each whose request was answered 503 is dropped, printed with console.error but not retried or counted`)
    process.exitCode = 1
  }
})
