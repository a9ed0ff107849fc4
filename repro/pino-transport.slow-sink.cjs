'use strict'
// Reproduces, with pino alone: behind a pino.transport() whose destination has stopped draining
// (a stalled disk, a pipe nobody reads), every record logged past the transport's 4 MiB shared
// ring buffer is kept in the logging thread's memory, without bound and without a signal the
// application can see. thread-stream's ThreadStream.write() (index.js) pushes each record onto
// an array when the ring is full and returns false; pino's log call drops that return value
// (lib/proto.js, write()), and nothing in pino's transport docs says the backlog is buffered.
// Deterministic: the destination here is a Writable that never completes a write, so the ring
// fills and stays full whatever the timing.
// Upstream: no upstream thread found (nearest: https://github.com/pinojs/pino/issues/2106,
// memory growth in the main thread behind a dead transport worker).
// Found by: logjam run --adapter pino-transport --scenario slow-sink --seed 1.
// Run from a project that has pino installed: node repro/pino-transport.slow-sink.cjs
// Exit code 1 and "SYMPTOM" when the logging thread's buffers grow past the ring by most of what was logged.
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const pino = require('pino')

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pino-stalled-'))
// A destination that has stopped draining: it takes the first write and never calls back.
const target = path.join(dir, 'stalled-target.cjs')
fs.writeFileSync(target, "const { Writable } = require('node:stream')\nmodule.exports = () => new Writable({ highWaterMark: 16384, write () {} })\n")
const transport = pino.transport({ target })
const logger = pino({ base: null, timestamp: false }, transport)
const RING = 4 * 1024 * 1024
const RECORDS = 40000 // 40 000 records of 1000 bytes: 40 MB, ten rings
const pad = 'x'.repeat(1000 - JSON.stringify({ level: 30, msg: 'r000000:' }).length - 1)

transport.once('ready', () => {
  const before = process.memoryUsage().arrayBuffers
  let refused = 0
  for (let i = 0; i < RECORDS; i++) {
    logger.info(`r${String(i).padStart(6, '0')}:${pad}`)
    if (transport.writableNeedDrain) refused++
  }
  // Let thread-stream's flush loop move what fits into the ring (it does so on setImmediate).
  setImmediate(() =>
    setImmediate(() => {
      const grew = process.memoryUsage().arrayBuffers - before
      const logged = RECORDS * 1000
      console.log(`pino ${require('pino/package.json').version}: ${(logged / 1e6).toFixed(0)} MB logged to a stalled transport; the logging thread's buffers grew ${(grew / 1e6).toFixed(1)} MB (the ring holds ${(RING / 1e6).toFixed(1)} MB); every log call returned normally (${refused} of them after the transport had asked for 'drain')`)
      if (grew > (logged - RING) / 2) {
        console.log(`SYMPTOM: ${(grew / 1e6).toFixed(1)} MB of records wait in the logging thread's memory behind the full ring, and pino gave the application no backpressure`)
        process.exitCode = 1
      }
      // The destination never drains: end the worker without waiting for it.
      transport.worker.terminate().then(() => process.exit())
    }),
  )
})
