'use strict'
// Reproduces, with winston alone: a destination that stops draining makes winston buffer every
// record the application goes on logging, in memory, without bound and without telling it.
// logger.log() and the level methods call the logger stream's write() and return the logger
// (winston lib/winston/logger.js log(): `this.write(info); return this`), so no write() false
// reaches the application. Where the backlog waits depends on the transport: transports.Stream
// calls back at once and drops its destination's write() false (lib/winston/transports/stream.js:57),
// so it piles up in the destination stream's buffer; transports.File does wait for its
// PassThrough's 'drain', so it piles up in the logger's own writable buffer. Nothing is lost:
// once the destination drains, every record is written. winston's README says nothing of
// backpressure or of a bound on these buffers.
// Two destinations, each stalled deterministically: transports.Stream over a Writable that stops
// calling back (an application's own stream to a stalled socket or disk), and transports.File
// writing to a named pipe whose reader has stopped reading (the write blocks once the pipe's
// 64 KiB are full). The application logs 12 MB in batches of 1 000 records of 1 KB, yielding
// to the event loop between batches, as a server logging under load does. Then the destination
// drains and the script counts what arrives.
// Upstream: not reported upstream as of 2026-12-01 (winston lib/winston/logger.js log() drops
// write()'s return value, transports/stream.js log() drops its destination's).
// Found by: logjam run --adapter winston-stream --scenario stalled-sink (and slow-sink;
// winston-file × slow-sink, stalled-sink).
// Run from a project that has winston installed: node repro/winston-stream.stalled-sink.cjs
// Exit code 1 and "SYMPTOM" when memory grows with the backlog while every log call returns.
const { spawn, spawnSync } = require('node:child_process')
const { mkdtempSync, rmSync, openSync, constants } = require('node:fs')
const net = require('node:net')
const { join } = require('node:path')
const { tmpdir } = require('node:os')

const BATCHES = 12
const PER_BATCH = 1000
const MB = 1024 * 1024

if (process.argv[2] === 'child') {
  const { Writable } = require('node:stream')
  const winston = require('winston')
  const dest = process.argv[3]
  let received = 0
  let released = false
  const stalled = []
  const transport =
    dest === 'stream'
      ? new winston.transports.Stream({
          // Stops calling back until released: the destination stalled.
          stream: new Writable({
            write: (chunk, _enc, cb) => {
              received += String(chunk).split('\n').length - 1
              if (released) cb()
              else stalled.push(cb)
            },
          }),
        })
      : new winston.transports.File({ filename: dest })
  const logger = winston.createLogger({ level: 'info', format: winston.format.json(), transports: [transport] })
  const heap = () => {
    global.gc()
    const m = process.memoryUsage()
    return m.heapUsed + m.external + m.arrayBuffers
  }
  const ready = dest === 'stream' ? (go) => go() : (go) => transport.once('open', go)
  ready(() => {
    const before = heap()
    let batch = 0
    let returned = 0
    const next = () => {
      for (let i = 0; i < PER_BATCH; i++) {
        // A flat 1 KB message, as one read from a request would be.
        const message = Buffer.from(`record-${batch}-${i} `.padEnd(1000, 'x')).toString()
        // Every call returns normally: there is no false, no callback, no error to wait on.
        if (logger.info(message) === logger) returned++
      }
      if (++batch < BATCHES) return setImmediate(next)
      const grown = heap() - before
      process.stdout.write(JSON.stringify({ grown, returned, inLogger: logger.writableLength }) + '\n')
      // The destination drains: every record is written. The logger is ended once its own buffer
      // is empty, so that winston's end() race (repro/winston-file.graceful-exit.cjs) stays out.
      released = true
      stalled.splice(0).forEach((cb) => cb())
      let error
      logger.on('error', (e) => (error = error || e))
      const poll = setInterval(() => {
        if (logger.writableLength > 0 || logger.readableLength > 0) return
        clearInterval(poll)
        logger.on('finish', () => process.stdout.write(JSON.stringify({ finish: true, received, error: error ? error.message : null }) + '\n'))
        logger.end()
      }, 10)
    }
    setImmediate(next)
  })
} else {
  const winston = require('winston/package.json').version
  const logged = BATCHES * PER_BATCH
  const run = (dest, onReport) =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['--expose-gc', __filename, 'child', dest], { stdio: ['ignore', 'pipe', 'pipe'] })
      let out = ''
      let err = ''
      const timer = setTimeout(() => child.kill('SIGKILL'), 30000)
      child.stdout.on('data', (d) => {
        out += d
        const first = out.split('\n')[0]
        if (out.includes('\n') && onReport !== undefined) {
          onReport(JSON.parse(first))
          onReport = undefined
        }
      })
      child.stderr.on('data', (d) => (err += d))
      child.on('close', (code) => {
        clearTimeout(timer)
        const lines = out.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l))
        if (lines.length === 0) return reject(new Error(`the child failed (exit code ${code}): ${err}`))
        resolve(Object.assign({}, ...lines))
      })
    })
  const main = async () => {
    const dir = mkdtempSync(join(tmpdir(), 'winston-stall-'))
    const fifo = join(dir, 'app.pipe')
    let symptom = false
    try {
      const made = spawnSync('mkfifo', [fifo])
      if (made.status !== 0) throw new Error(`mkfifo failed: ${made.stderr}`)
      for (const [dest, label] of [
        ['stream', 'transports.Stream over a stalled Writable'],
        [fifo, 'transports.File to a named pipe whose reader stopped'],
      ]) {
        let drained = 0
        let reader
        let ended
        if (dest === fifo) {
          // The reader opens the pipe and reads nothing until the child has logged everything.
          reader = new net.Socket({ fd: openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK), readable: true, writable: false })
          reader.pause()
          reader.on('data', (d) => (drained += String(d).split('\n').length - 1))
          ended = new Promise((resolve) => reader.once('end', resolve).once('close', resolve))
        }
        const r = await run(dest, () => reader?.resume())
        await ended
        reader?.destroy()
        const delivered = dest === fifo ? drained : r.received
        console.log(
          `winston ${winston}, ${label}: ${logged} records of 1 KB logged, ${r.returned} log calls returned normally, ` +
            `${r.inLogger} records in the logger's buffer; heap and buffers grew ${(r.grown / MB).toFixed(1)} MB; ` +
            `after the destination drained: ${delivered}/${logged} delivered, 'finish': ${r.finish ? 'yes' : 'no'}${r.error ? `, error: ${r.error}` : ''}`,
        )
        // A bounded buffer holds a few highWaterMarks (16 records, 16 KiB); 8 MB is 500 times that.
        if (r.grown > 8 * MB && r.returned === logged) {
          console.log(`SYMPTOM: ${label}: memory grew ${(r.grown / MB).toFixed(1)} MB with the backlog while every log call returned at once`)
          symptom = true
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
    if (symptom) process.exitCode = 1
  }
  main().catch((error) => {
    console.error(error)
    process.exitCode = 2
  })
}
