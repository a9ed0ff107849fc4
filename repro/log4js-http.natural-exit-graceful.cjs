'use strict'
// Reproduces, with log4js and its @log4js-node/logstash-http appender alone: each log call costs
// the calling thread about half a millisecond, some twenty times what the same call costs through
// log4js's own file appender, so a burst of a couple of thousand events holds the application's
// event loop for about a second inside log calls (what logjam reported as an event-loop stall, a
// fact, not a failure). The appender builds and starts one HTTP request per event inside the log
// call (@log4js-node/logstash-http 1.1.0 lib/index.js: `sender.post(...)` for every event, axios
// 0.21 building the request's config, headers and promise chain on the caller's thread); nothing
// batches events.
// The comparison is side by side in one process, the same events through both appenders, so it
// holds on a fast machine and a loaded one alike.
// Upstream: not reported upstream as of 2026-12-01 (log4js-node/logstashHTTP has no batching).
// Found by: logjam run --adapter log4js-http --scenario natural-exit-graceful --seed 2.
// Run from a project that has log4js and @log4js-node/logstash-http installed:
// node repro/log4js-http.natural-exit-graceful.cjs
// Exit code 1 and "SYMPTOM" when a log call through the appender costs at least 5 times one
// through log4js's file appender.
const http = require('node:http')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const log4js = require('log4js')

const EVENTS = 2121
const RATIO = 5

const server = http.createServer((req, res) => {
  req.resume()
  req.on('end', () => res.end('{}'))
})
server.listen(0, '127.0.0.1', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'log4js-http-'))
  log4js.configure({
    appenders: {
      logstash: { type: '@log4js-node/logstash-http', url: `http://127.0.0.1:${server.address().port}/_bulk`, application: 'repro', logType: 'application', logChannel: 'node' },
      file: { type: 'file', filename: path.join(dir, 'app.log') },
    },
    categories: { default: { appenders: ['file'], level: 'info' }, shipped: { appenders: ['logstash'], level: 'info' } },
  })
  const toFile = log4js.getLogger()
  const shipped = log4js.getLogger('shipped')
  const burst = (logger) => {
    const t0 = process.hrtime.bigint()
    for (let i = 0; i < EVENTS; i++) logger.info(`event-${i} ${'x'.repeat(100)}`)
    return Number(process.hrtime.bigint() - t0) / 1e6
  }
  burst(toFile) // the file appender's first calls open its stream: not counted
  const fileMs = burst(toFile)
  const httpMs = burst(shipped)
  console.log(`${EVENTS} events: ${fileMs.toFixed(1)} ms in log calls through the file appender, ${httpMs.toFixed(1)} ms through logstash-http (${(httpMs / fileMs).toFixed(1)}x)`)
  const slow = httpMs >= RATIO * fileMs
  if (slow) console.log(`SYMPTOM: each log call through logstash-http costs ${((httpMs * 1000) / EVENTS).toFixed(0)} µs of the caller's thread, ${(httpMs / fileMs).toFixed(1)}x the file appender's: a burst holds the event loop ${httpMs.toFixed(0)} ms inside log calls`)
  log4js.shutdown(() => {
    fs.rmSync(dir, { recursive: true, force: true })
    // The requests still in flight are not this script's concern: exit with the verdict.
    process.exit(slow ? 1 : 0)
  })
})
