'use strict'
// Reproduces, with log4js alone: the tcp appender serialises each event with
// LoggingEvent.serialise(), whose replacer asks SerDe.canSerialise(value) `value in this.serMap`
// (lib/LoggingEvent.js:25) for every value that is not a string. A property key must be a string,
// so a null-prototype object ("Cannot convert object to primitive value") or an array holding a
// Symbol throws there. Events logged before the socket connects are buffered and serialised in
// the socket's 'connect' callback (lib/appenders/tcp.js:13-20), so the error escapes as an
// uncaughtException and kills the process; the caller cannot catch it.
// Upstream: https://github.com/log4js-node/log4js-node/issues/1417 (the same error from the
// same serialise() in cluster mode; closed, and log4js 6.9.1 still has the line).
// Found by: logjam run --adapter log4js-tcp --scenario hostile-input --seed 2.
// Run from a project that has log4js installed: node repro/log4js-tcp.hostile-input.cjs
// Exit code 1 and "SYMPTOM" when an error escapes the logger or a log call throws.
const net = require('node:net')
const log4js = require('log4js')

const problems = []
process.on('uncaughtException', (error) => {
  problems.push(`uncaughtException, out of the tcp appender: ${error.message}`)
  finish()
})
let received = ''
const server = net.createServer((socket) => socket.on('data', (d) => { received += d }))
server.listen(0, '127.0.0.1', () => {
  log4js.configure({
    appenders: { tcp: { type: 'tcp', host: '127.0.0.1', port: server.address().port } },
    categories: { default: { appenders: ['tcp'], level: 'info' } },
  })
  const logger = log4js.getLogger()
  const bare = Object.create(null)
  bare.key = 'value'
  // Logged at once, before the socket has connected: the appender buffers both.
  try {
    logger.info('record-ordinary')
    logger.info('record-null-prototype', bare)
  } catch (error) {
    problems.push(`logger.info() threw at the caller: ${error.message}`)
  }
  log4js.shutdown(() => setImmediate(finish))
})
let finished = false
function finish() {
  if (finished) return
  finished = true
  server.close()
  if (problems.length > 0) {
    console.log(`SYMPTOM: ${problems.join('; ')}`)
    process.exit(1)
  }
  console.log(`ok: nothing escaped the logger (${received.split('__LOG4JS__').length - 1} events received)`)
  process.exit(0)
}
