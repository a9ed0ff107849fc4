'use strict'
// Reproduces, with pino alone: pino.transport() hands a record to its destination in two
// write() calls when the record straddles the end of thread-stream's shared ring buffer
// (4 MiB by default). thread-stream's write() (index.js, function write) copies what fits up to
// the ring's end and keeps the rest for after the reset; its worker (lib/worker.js, run()) passes
// each slice it reads straight to destination.write(). A destination that appends to a file
// another writer also appends to (several transports or processes logging to one file, each
// O_APPEND write otherwise whole records) then gets the other writer's lines between the two
// halves: logjam saw "more than one record marker on one line" at byte ~4 194 161 of the file.
// Deterministic: with fixed-size records the split falls at byte 4 194 304 whatever the timing,
// and the destination here is pino's own sonic-boom (pino.destination, sync) whose 'write'
// event reports each write(2) it makes.
// Upstream: no upstream thread found (nearest: https://github.com/pinojs/sonic-boom/issues/96,
// "MAX_WRITE can cause messages to split", the same property for sonic-boom's own chunking).
// Found by: logjam run --adapter pino-transport --scenario startup-burst --seed 1 (and steady --seed 2).
// Run from a project that has pino installed: node repro/pino-transport.startup-burst.cjs
// Exit code 1 and "SYMPTOM" when a write(2) to the file ends inside a record.
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const pino = require('pino')

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pino-ring-split-'))
const file = path.join(dir, 'app.log')
const trace = path.join(dir, 'writes.txt')
// The transport's destination: pino.destination (sonic-boom, synchronous so each chunk the
// worker hands over is one write(2)), recording the byte count of every write it makes.
const target = path.join(dir, 'traced-file.cjs')
fs.writeFileSync(
  target,
  `const pino = require(${JSON.stringify(require.resolve('pino'))})
const fs = require('node:fs')
module.exports = (opts) => {
  const d = pino.destination({ dest: opts.destination, sync: true, append: true })
  d.on('write', (n) => fs.appendFileSync(opts.trace, n + '\\n'))
  return d
}
`,
)
const transport = pino.transport({ target, options: { destination: file, trace } })
const logger = pino({ base: null, timestamp: false }, transport)
const pad = 'x'.repeat(1000 - JSON.stringify({ level: 30, msg: 'r000000:' }).length - 1)
const RECORDS = 6000 // 6000 lines of 1000 bytes: past the 4 MiB ring once
// pino unrefs the transport's worker: keep the process alive until the transport closes.
const keepAlive = setTimeout(() => {
  console.log('the transport did not close within 60 s')
  process.exit(2)
}, 60000)
transport.once('ready', () => {
  for (let i = 0; i < RECORDS; i++) logger.info(`r${String(i).padStart(6, '0')}:${pad}`)
  transport.end()
})
transport.on('close', () => {
  clearTimeout(keepAlive)
  const text = fs.readFileSync(file, 'utf8')
  const lines = text.split('\n').filter(Boolean)
  const writes = fs.readFileSync(trace, 'utf8').split('\n').filter(Boolean).map(Number)
  let offset = 0
  const splits = []
  for (const n of writes) {
    offset += n
    if (offset < text.length && text[offset - 1] !== '\n') splits.push(offset)
  }
  console.log(`pino ${require('pino/package.json').version}, thread-stream ${require(require.resolve('thread-stream/package.json', { paths: [require.resolve('pino')] })).version}: ${lines.length}/${RECORDS} lines in ${file}, written in ${writes.length} write(2) calls`)
  for (const at of splits) {
    const start = text.lastIndexOf('\n', at - 1) + 1
    console.log(`SYMPTOM: a write(2) ended at byte ${at}, ${at - start} bytes into the record "${text.slice(start, start + 28)}…": its rest came in the next write, where another writer's lines could land first`)
  }
  if (splits.length > 0) process.exitCode = 1
})
