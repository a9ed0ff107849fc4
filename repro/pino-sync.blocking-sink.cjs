'use strict'
// Reproduces, with pino alone: with pino.destination({ sync: true }) a log call whose destination
// stops taking writes (a pipe its reader has stopped reading: a stalled log shipper, a full
// disk) blocks the calling thread in write(2), and with it the event loop, for as long as the
// destination blocks: timers, I/O and requests all wait behind one logger.info().
// sonic-boom writes synchronously in actualWrite() (fs.writeSync on the destination's fd) before
// the log call returns.
// This is pino's documented trade-off, not a bug: pino's docs (Asynchronous Logging) say that with
// sync: true log messages are written "with a blocking operation", and recommend sync: false for
// throughput. The script shows what "blocking" costs when the destination stalls, with figures.
// Upstream: documented behaviour (https://getpino.io/#/docs/asynchronous); not reported upstream.
// Found by: logjam run --adapter pino-sync --scenario blocking-sink.
// Here the destination is a named pipe read by a worker thread that stops reading for STALL_MS
// (Atomics.wait) and then drains it: the stall is held deterministically.
// Run from a project that has pino installed, on Linux or macOS (mkfifo): node repro/pino-sync.blocking-sink.cjs
// Exit code 1 and "SYMPTOM" when a log call blocked the event loop while the pipe stalled.
const { Worker, isMainThread, workerData } = require('node:worker_threads')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { execFileSync } = require('node:child_process')

const STALL_MS = 1000
const RECORDS = 200 // 200 records of about 1 KiB: three times what a 64 KiB pipe holds

if (!isMainThread) {
  // The reader of the pipe (a log shipper): opens it, stops reading for STALL_MS, then drains it.
  const fd = fs.openSync(workerData.fifo, 'r')
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, STALL_MS)
  const buf = Buffer.alloc(65536)
  while (fs.readSync(fd, buf, 0, buf.length, null) > 0);
  fs.closeSync(fd)
} else {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pino-blocking-'))
  const fifo = path.join(dir, 'app.pipe')
  execFileSync('mkfifo', [fifo])
  const reader = new Worker(__filename, { workerData: { fifo } })
  const pino = require('pino')
  // Opening a named pipe for writing waits for its reader: the worker opens it.
  const destination = pino.destination({ dest: fifo, sync: true })
  const logger = pino(destination)
  const pad = 'x'.repeat(1000)

  let timerLateMs = -1
  setImmediate(() => {
    // A 10 ms timer the application expects to fire on time while it logs.
    const timerSetAt = performance.now()
    setTimeout(() => { timerLateMs = performance.now() - timerSetAt - 10 }, 10)
    let slowest = 0
    let slowestAt = -1
    const started = performance.now()
    for (let i = 0; i < RECORDS; i++) {
      const t = performance.now()
      logger.info({ i, pad }, 'record')
      const took = performance.now() - t
      if (took > slowest) { slowest = took; slowestAt = i }
    }
    const loopBlocked = performance.now() - started
    destination.end()
    reader.once('exit', () => {
      setImmediate(() => {
        fs.rmSync(dir, { recursive: true, force: true })
        console.log(`pino ${require('pino/package.json').version}: ${RECORDS} records to a pipe whose reader stalled ${STALL_MS} ms; the slowest logger.info() (record ${slowestAt}) took ${Math.round(slowest)} ms, the event loop was held ${Math.round(loopBlocked)} ms, a 10 ms timer fired ${Math.round(timerLateMs)} ms late`)
        // Half the stall: the pipe fills in well under a millisecond on a quiet machine.
        const blocked = slowest >= STALL_MS / 2 && timerLateMs >= STALL_MS / 2
        if (blocked) console.log(`SYMPTOM: one logger.info() blocked the event loop ${Math.round(slowest)} ms while the pipe's reader stalled ${STALL_MS} ms (pino sync: true, documented as a blocking write)`)
        process.exitCode = blocked ? 1 : 0
      })
    })
  })
}
