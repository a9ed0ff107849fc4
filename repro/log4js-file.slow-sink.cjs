'use strict'
// Shows, with log4js alone (a fact: log4js grows its buffer by design and signals it): behind a
// destination that drains slowly or not at all, every event waits in memory. The file
// appender (log4js 6.9.1 lib/appenders/file.js:98) writes each event to streamroller's file
// stream and, when write() returns false, only emits process 'log4js:pause' (true) (and
// 'log4js:pause' (false) on 'drain'); the log call itself returns nothing and queues the event
// in the stream's buffer, which grows with the backlog, without bound, unless the application
// listens for 'log4js:pause' and stops logging itself. Every event is delivered in the end.
// Here the destination is a named pipe (as a log shipper's FIFO) whose reader pauses while the
// application logs 14 MB in batches, yielding to the event loop between batches as a server
// does between requests; the pipe itself holds 64 KiB. (To a regular file the backlog grows
// too at this rate: streamroller writes one event per fs.write.)
// Upstream: documented behaviour: log4js's date-file page, "Memory usage", says the file
// appenders buffer what the file cannot take yet and that an application minding memory listens
// for 'log4js:pause' (https://log4js-node.github.io/log4js-node/dateFile.html#memory-usage).
// Found by: logjam run --adapter log4js-file --scenario slow-sink (and stalled-sink), as a fact.
// Run from a project that has log4js installed (Linux or macOS: mkfifo): node repro/log4js-file.slow-sink.cjs
// Exit code 1 and "SYMPTOM" when the backlog is held in memory; 0 when it stays bounded.
const { fork, spawnSync } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

const RECORDS = 3000
const BATCH = 40
const PAD = 'x'.repeat(4900)
const MB = 1024 * 1024

if (process.argv[2] === 'child') {
  const [, , , dest] = process.argv
  const log4js = require('log4js')
  log4js.configure({ appenders: { out: { type: 'file', filename: dest } }, categories: { default: { appenders: ['out'], level: 'info' } } })
  const logger = log4js.getLogger()
  let pauses = 0
  let paused = false
  process.on('log4js:pause', (value) => {
    if (value && !paused) pauses++
    paused = value
  })
  const before = process.memoryUsage()
  let peakBuffers = 0
  let whilePaused = 0
  let i = 0
  // log4js keeps its stream private: the backlog shows as Buffers (arrayBuffers) and resident memory.
  // A server's logging: a batch of events, then the event loop runs (the stream writes).
  function batch() {
    for (let n = 0; n < BATCH && i < RECORDS; n++, i++) {
      logger.info(`record ${i} ${PAD}`)
      if (paused) whilePaused++
    }
    const now = process.memoryUsage()
    peakBuffers = Math.max(peakBuffers, now.arrayBuffers - before.arrayBuffers)
    if (i < RECORDS) return setImmediate(batch)
    const after = process.memoryUsage()
    process.send({
      rss: after.rss - before.rss,
      buffers: after.arrayBuffers - before.arrayBuffers,
      peakBuffers,
      whilePaused,
      pauses,
    })
    // The documented shutdown: log4js.shutdown(cb), which ends the file and calls back.
    log4js.shutdown(() => process.disconnect())
  }
  setImmediate(batch)
} else {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'log4js-backlog-'))
  const fifo = path.join(dir, 'app.log')
  const made = spawnSync('mkfifo', [fifo])
  if (made.status !== 0) throw new Error(`mkfifo failed: ${made.stderr}`)
  // Read-write and non-blocking: the pipe never reads end-of-file, and reads never block.
  const reader = fs.openSync(fifo, fs.constants.O_RDWR | fs.constants.O_NONBLOCK)
  let lines = 0
  const chunk = Buffer.alloc(1 << 20)
  const drain = () => {
    for (;;) {
      let n
      try {
        n = fs.readSync(reader, chunk, 0, chunk.length, null)
      } catch (error) {
        if (error.code === 'EAGAIN') return
        throw error
      }
      for (let k = 0; k < n; k++) if (chunk[k] === 10) lines++
    }
  }
  let reading = true
  let r
  const child = fork(__filename, ['child', fifo], { stdio: 'inherit' })
  child.on('message', (m) => {
    r = m
    // The reader comes back: the pipe drains again, and the application shuts log4js down.
    const loop = () => {
      if (!reading) return
      drain()
      setImmediate(loop)
    }
    loop()
  })
  child.on('exit', () => {
    reading = false
    drain()
    fs.closeSync(reader)
    fs.rmSync(dir, { recursive: true, force: true })
    const mb = (b) => (b / MB).toFixed(1)
    const logged = RECORDS * (PAD.length + 80)
    console.log(
      `file appender to a pipe whose reader paused: Buffers peaked at +${mb(r.peakBuffers)} MB, resident memory +${mb(r.rss)} MB, ` +
        `'log4js:pause' emitted ${r.pauses} time(s), ${r.whilePaused} events logged while paused, ${lines}/${RECORDS} events delivered in the end`,
    )
    const streamroller = require(require.resolve('streamroller/package.json', { paths: [require.resolve('log4js')] })).version
    console.log(`log4js ${require('log4js/package.json').version}, streamroller ${streamroller}, node ${process.version}; about ${mb(logged)} MB logged`)
    if (r.peakBuffers > logged / 2 && r.rss > logged / 2) {
      console.log(
        `SYMPTOM: behind a stalled destination log4js held the backlog in memory (Buffers +${mb(r.peakBuffers)} MB, resident memory +${mb(r.rss)} MB); ` +
          `${r.whilePaused} log calls after 'log4js:pause' queued their events as the others did`,
      )
      process.exitCode = 1
    }
  })
}
