'use strict'
// Reproduces, with pino alone: pino.destination({ sync: false }) (sonic-boom) keeps everything
// logged while its destination does not drain (a pipe whose reader has stalled, a slow disk) in
// the process's memory, without bound: sonic-boom's write() (index.js:306) appends each record to
// its buffer list and only drops when maxLength is set, which pino.destination does not set by
// default. Its write() returns false past 16 KiB, but pino's log call drops that return value,
// so the application sees no backpressure. Once the pipe drains, every record is delivered.
// This is the documented trade-off of asynchronous logging (pino docs, Asynchronous Logging:
// "works by buffering log messages"; sonic-boom README: maxLength bounds the buffer, dropping
// what does not fit), not a bug: the script shows the figures.
// Deterministic: the pipe's reader is a worker thread that does not read until the application
// has logged everything (the event loop runs between batches, so sonic-boom writes all it can).
// Upstream: documented behaviour (https://getpino.io/#/docs/asynchronous,
// https://github.com/pinojs/sonic-boom#readme maxLength); not reported upstream.
// Found by: logjam run --adapter pino-async --scenario slow-sink (a fact: overflow policy 'grow'),
// and --adapter pino-multistream --scenario slow-sink (the same destination behind pino.multistream).
// Run from a project that has pino installed, on Linux or macOS (mkfifo): node repro/pino-async.slow-sink.cjs
// Exit code 1 and "SYMPTOM" when the heap keeps 80 % or more of what was logged while the pipe stalls.
const { Worker, isMainThread, workerData, parentPort } = require('node:worker_threads')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { execFileSync } = require('node:child_process')

const RECORDS = 10000
const RECORD_BYTES = 1000 // 10 MB in all

if (!isMainThread) {
  // The pipe's reader: it stalls until told to read, then counts the lines until the writer closes.
  const state = new Int32Array(workerData.state)
  const fd = fs.openSync(workerData.fifo, 'r')
  Atomics.wait(state, 0, 0)
  const buf = Buffer.alloc(65536)
  let n
  let lines = 0
  while ((n = fs.readSync(fd, buf, 0, buf.length, null)) > 0) {
    for (let i = 0; i < n; i++) if (buf[i] === 10) lines++
  }
  fs.closeSync(fd)
  parentPort.postMessage(lines)
} else if (process.argv[2] === undefined) {
  // Each configuration in a process of its own, so the memory figures are its alone.
  // Run directly: node --expose-gc repro/pino-async.slow-sink.cjs destination|multistream
  let failed = false
  for (const how of ['destination', 'multistream']) {
    const run = require('node:child_process').spawnSync(process.execPath, ['--expose-gc', __filename, how], { encoding: 'utf8', timeout: 30000 })
    process.stdout.write(run.stdout + run.stderr)
    if (run.status !== 0) failed = true
  }
  process.exitCode = failed ? 1 : 0
} else {
  const pino = require('pino')
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pino-slow-'))
  const fifo = path.join(dir, 'app.pipe')
  execFileSync('mkfifo', [fifo])
  const stateBuf = new SharedArrayBuffer(4)
  const state = new Int32Array(stateBuf)
  const reader = new Worker(__filename, { workerData: { fifo, state: stateBuf } })
  const multistream = process.argv[2] === 'multistream'
  const destination = pino.destination({ dest: fifo, sync: false })
  const logger = pino({ base: null, timestamp: false }, multistream ? pino.multistream([{ stream: destination }]) : destination)
  const pad = 'x'.repeat(RECORD_BYTES - JSON.stringify({ level: 30, msg: 'r000000:' }).length - 1)
  let received = -1
  reader.once('message', (lines) => { received = lines })

  destination.once('ready', () => {
    // gc() (--expose-gc) before each measure: what is retained, not garbage not yet collected.
    global.gc()
    const before = process.memoryUsage()
    let i = 0
    // The application logs 10 KB at a time and lets its event loop run between (as a server does),
    // less than sonic-boom writes per turn (16 KiB): a pipe that drains keeps up with it.
    const batch = () => {
      for (const end = Math.min(i + 10, RECORDS); i < end; i++) {
        logger.info(`r${String(i).padStart(6, '0')}:${pad}`)
      }
      if (i < RECORDS) return setImmediate(batch)
      global.gc()
      const after = process.memoryUsage()
      const heap = after.heapUsed - before.heapUsed
      const rss = after.rss - before.rss
      const logged = RECORDS * RECORD_BYTES
      // Now the pipe's reader catches up; the documented shutdown: end(), then 'close'.
      Atomics.store(state, 0, 1)
      Atomics.notify(state, 0)
      destination.once('close', () => reader.once('exit', () => {
        fs.rmSync(dir, { recursive: true, force: true })
        console.log(`pino ${require('pino/package.json').version}${multistream ? ' (multistream)' : ''}: ${(logged / 1e6).toFixed(0)} MB logged while the pipe's reader stalled; the heap held ${(heap / 1e6).toFixed(1)} MB more after a full GC (resident memory ${(rss / 1e6).toFixed(1)} MB); every log call returned normally; once the pipe drained it received ${received} of ${RECORDS} records`)
        if (received !== RECORDS) console.log(`(${RECORDS - received} records never reached the pipe)`)
        // Everything but the 64 KiB the pipe holds stays in memory: the heap keeps about what was logged.
        if (heap > logged * 0.8) {
          console.log(`SYMPTOM: ${(heap / 1e6).toFixed(1)} MB of records waited in the process's memory for the stalled pipe, with no bound and no backpressure (sonic-boom without maxLength; documented buffering)`)
          process.exitCode = 1
        }
      }))
      destination.end()
    }
    batch()
  })
}
