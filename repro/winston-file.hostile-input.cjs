'use strict'
// Reproduces, with winston alone (format.json(), as documented): (1) a record with an object
// nested 20 000 levels deep makes logger.info() throw into the caller: logform's json format
// (json.js:28) calls safe-stable-stringify, whose default maximumDepth is Infinity, so it
// recurses until the stack overflows; (2) a record with a throwing getter, logged while the
// logger's stream is backed up behind a slow transport, does not throw at the caller: winston
// buffers it and formats it later from the stream's own read (logger.js:337, which re-throws
// format errors by design), so the getter's error escapes as an uncaughtException and kills the
// process. The caller cannot catch it; whether the same record throws or crashes depends on the
// transport's backlog.
// Upstream: no upstream thread found (closest: https://github.com/winstonjs/winston/issues/978,
// circular meta in winston 2).
// Found by: logjam run --adapter winston-file --scenario hostile-input --seed 2.
// Run from a project that has winston installed: node repro/winston-file.hostile-input.cjs
// Exit code 1 and "SYMPTOM" when a log call throws or an error escapes the logger.
const winston = require('winston')
const Transport = require('winston-transport')

const problems = []
process.on('uncaughtException', (error) => problems.push(`uncaughtException, out of winston's stream: ${error.message}`))

// A transport that holds each callback until released: the logger's buffer backs up behind it,
// as behind a file or a socket that is slower than the application.
const held = []
const written = []
class Held extends Transport {
  log(info, callback) { written.push(info.message); held.push(callback) }
}
const logger = winston.createLogger({ format: winston.format.json(), transports: [new Held()] })

let deep = { leaf: true }
for (let i = 0; i < 20000; i++) deep = { d: deep }
try {
  logger.info('record-deep', { deep })
} catch (error) {
  problems.push(`logger.info() threw at the caller on a 20 000-deep object: ${error.name}: ${error.message}`)
}
for (let i = 0; i < 64; i++) logger.info(`record-${i}`)
const hostile = Object.defineProperty({}, 'secret', { enumerable: true, get() { throw new Error('a getter that throws') } })
try {
  logger.info('record-getter', { hostile })
} catch (error) {
  problems.push(`logger.info() threw at the caller on a throwing getter: ${error.message}`)
}
// Release the transport from the event loop, as an fs or socket callback would; the report
// runs once nothing is held any more (an exception thrown through a callback ends that turn).
let idle = 0
const release = () => {
  if (held.length === 0 && ++idle > 3) return report()
  setImmediate(release)
  while (held.length > 0) held.shift()()
}
setImmediate(release)
function report() {
  if (problems.length > 0) {
    console.log(`SYMPTOM: ${problems.join('; ')}`)
    process.exit(1)
  }
  console.log('ok: no log call threw and no error escaped the logger')
}
