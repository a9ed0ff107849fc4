'use strict'
// Reproduces, with bunyan alone: behind a destination that drains slowly or not at all, every
// record waits in memory, and the application cannot tell. bunyan's Logger._emit calls each
// stream's write() and drops what it returns (bunyan 2.0.5 lib/bunyan.js:921,
// `s.stream.write(s.raw ? rec : str)`), and log.info() returns nothing, so nobody sees the false
// return that asks the caller to wait for 'drain': the records pile up in the file stream's
// Writable buffer, which grows with the backlog, without bound. Every record is delivered in
// the end, once the destination drains.
// Here the destination is a named pipe (as a log shipper's FIFO) whose reader pauses while the
// application logs 8 MB in batches, yielding to the event loop between batches as a server
// does between requests; the same application logging to a regular file is the control. Both
// of bunyan's file configurations go through the same _emit: { path } (bunyan opens the file)
// and { stream } (the application's fs.createWriteStream).
// Upstream: not reported upstream as of 2026-12-01 (nearest: https://github.com/trentm/node-bunyan/issues/533,
// memory growth while logging in a tight loop, open, not diagnosed there).
// Found by: logjam run --adapter bunyan-file --scenario slow-sink (and stalled-sink; bunyan-stream too).
// Run from a project that has bunyan installed (Linux or macOS: mkfifo): node repro/bunyan-file.slow-sink.cjs
// Exit code 1 and "SYMPTOM" when the backlog is held in memory; 0 when it stays bounded.
const { fork, spawnSync } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

const RECORDS = 2800
const BATCH = 70
const PAD = 'x'.repeat(2900)
const MB = 1024 * 1024

if (process.argv[2] === 'child') {
  const [, , , config, dest] = process.argv
  const bunyan = require('bunyan')
  const streams =
    config === 'path'
      ? [{ level: 'info', path: dest }]
      : [{ level: 'info', stream: fs.createWriteStream(dest, { flags: 'a' }) }]
  const log = bunyan.createLogger({ name: 'app', streams })
  const stream = log.streams[0].stream
  const before = process.memoryUsage()
  let peakBacklog = 0
  let ignoredFalse = 0
  let i = 0
  // A server's logging: a batch of records, then the event loop runs (the stream writes).
  function batch() {
    for (let n = 0; n < BATCH && i < RECORDS; n++, i++) {
      log.info({ i, pad: PAD }, 'record')
      if (stream.writableNeedDrain) ignoredFalse++
    }
    peakBacklog = Math.max(peakBacklog, stream.writableLength)
    if (i < RECORDS) return setImmediate(batch)
    const after = process.memoryUsage()
    process.send({
      rss: after.rss - before.rss,
      buffers: after.arrayBuffers - before.arrayBuffers,
      peakBacklog,
      ignoredFalse,
    })
    // bunyan has no close(): end the logger's stream and wait until it has closed its file.
    stream.once('close', () => process.disconnect())
    stream.end()
  }
  setImmediate(batch)
} else {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bunyan-backlog-'))
  const run = (config, kind) =>
    new Promise((resolve) => {
      const dest = path.join(dir, `${config}-${kind}.log`)
      let reader
      if (kind === 'fifo') {
        const made = spawnSync('mkfifo', [dest])
        if (made.status !== 0) throw new Error(`mkfifo failed: ${made.stderr}`)
        // Read-write and non-blocking: the pipe never reads end-of-file, and reads never block.
        reader = fs.openSync(dest, fs.constants.O_RDWR | fs.constants.O_NONBLOCK)
      }
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
      let report
      const child = fork(__filename, ['child', config, dest], { stdio: 'inherit' })
      child.on('message', (m) => {
        report = m
        // The reader comes back: the pipe drains again, and the application ends its stream.
        const loop = () => {
          if (!reading) return
          drain()
          if (reading) setImmediate(loop)
        }
        if (reader !== undefined) loop()
      })
      child.on('exit', (code) => {
        reading = false
        if (reader !== undefined) {
          drain()
          fs.closeSync(reader)
        } else {
          lines = fs.readFileSync(dest, 'utf8').split('\n').length - 1
        }
        resolve({ config, kind, code, lines, ...report })
      })
    })
  ;(async () => {
    const results = [await run('path', 'file'), await run('path', 'fifo'), await run('stream', 'fifo')]
    fs.rmSync(dir, { recursive: true, force: true })
    const mb = (b) => (b / MB).toFixed(1)
    const logged = RECORDS * (PAD.length + 120)
    for (const r of results) {
      const dest = r.kind === 'file' ? 'a regular file' : 'a pipe whose reader paused'
      console.log(
        `{ ${r.config} } to ${dest}: peak backlog ${mb(r.peakBacklog)} MB in the stream's buffer, resident memory +${mb(r.rss)} MB ` +
          `(Buffers +${mb(r.buffers)} MB), write() returned false ${r.ignoredFalse} times, ${r.lines}/${RECORDS} records delivered in the end`,
      )
    }
    console.log(`bunyan ${require('bunyan/package.json').version}, node ${process.version}; about ${mb(logged)} MB logged per run`)
    const held = results.filter((r) => r.kind === 'fifo' && r.peakBacklog > logged / 2 && r.rss > r.peakBacklog / 2)
    if (held.length > 0) {
      const r = held[0]
      console.log(
        `SYMPTOM: behind a stalled destination bunyan held the whole backlog in memory (${mb(r.peakBacklog)} MB queued, resident memory +${mb(r.rss)} MB) ` +
          `and ignored write()'s false return ${r.ignoredFalse} times; the log calls gave the application no sign`,
      )
      process.exitCode = 1
    }
  })()
}
