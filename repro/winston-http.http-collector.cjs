'use strict'
// Reproduces, with winston alone: logger.end() while records are still in the logger's own
// buffer ends the transports first; the records piped after that fail with "write after end"
// (an 'error' on the logger) and never reach the transport. winston's Http transport calls
// back on the next tick for every record (fire and forget), so the logger's buffer backs up
// behind it and a few dozen records logged just before end() are enough, against a healthy
// HTTP collector that answers every request 200 at once.
// Upstream: https://github.com/winstonjs/winston/issues/2219, https://github.com/winstonjs/winston/pull/2599.
// Found by: logjam run --adapter winston-http --scenario http-collector.
// Run from a project that has winston installed: node repro/winston-http.http-collector.cjs
// Exit code 1 and "SYMPTOM" when end() errs or the collector misses records.
const http = require('node:http')
const winston = require('winston')

const N = 40
let received = 0
const server = http.createServer((req, res) => {
  req.resume()
  req.on('end', () => {
    received++
    res.end('{"ok":true}')
  })
})
server.listen(0, '127.0.0.1', async () => {
  const transport = new winston.transports.Http({ host: '127.0.0.1', port: server.address().port, path: '/logs' })
  let answered = 0
  transport.on('logged', () => answered++)
  transport.on('warn', () => answered++)
  const logger = winston.createLogger({ level: 'info', format: winston.format.json(), transports: [transport] })
  let error
  logger.on('error', (e) => (error = error || e))
  for (let i = 0; i < N; i++) logger.info(`record-${i}`)
  // As winston's README shows: end() and wait for 'finish'.
  await new Promise((resolve) => {
    logger.once('finish', resolve)
    logger.end()
  })
  // Then give every request the transport did send time to be answered.
  for (let waited = 0; waited < 2000; waited += 50) await new Promise((r) => setTimeout(r, 50))
  server.close()
  server.closeAllConnections()
  console.log(`winston ${require('winston/package.json').version}: ${received}/${N} records reached the collector; ${answered} requests answered; end() error: ${error ? error.message : 'none'}`)
  if (error) console.log(`SYMPTOM: logger.end() emitted '${error.message}' while records were still in the logger's buffer`)
  if (received < N) console.log(`SYMPTOM: ${N - received} of ${N} records never reached the collector, though it answered every request 200`)
  if (error || received < N) process.exitCode = 1
})
