'use strict'
// Reproduces, with winston alone: two processes, each with a winston logger whose Stream
// transport writes to its own fs.createWriteStream() of one named pipe, log records of 15 KB
// (larger than PIPE_BUF, 4 096 bytes on Linux). POSIX keeps a pipe write whole only up to
// PIPE_BUF; a larger write may be split when the pipe is full and another writer's bytes land
// between its parts. winston hands each record to the stream in one write() and the stream
// writes it (or several, with writev) with no lock shared between processes, so lines reach the
// reader torn: two records spliced into one line, records cut in two.
// Deterministic: the reader opens the pipe and reads nothing until both processes have logged
// every record, so both are blocked mid-write on a full pipe when it starts reading, and both
// resume into the space each read frees.
// This is a trade-off of writing to a shared pipe, not a winston bug as such: a record above
// PIPE_BUF is only whole on a pipe if the writers serialise (one writer process, a lock, or a
// record size limit); winston documents none of these.
// Upstream: not reported upstream as of 2026-12-01 (the bug class: https://github.com/apache/httpd/pull/49,
// https://github.com/Seldaek/monolog/issues/1555; POSIX write(): atomicity of pipe writes up to PIPE_BUF).
// Found by: logjam run --adapter winston-stream --scenario torn-lines.
// Run from a project that has winston installed: node repro/winston-stream.torn-lines.cjs
// Exit code 1 and "SYMPTOM" when a line read from the pipe is not exactly one record.
const { spawn, spawnSync } = require('node:child_process')
const { mkdtempSync, rmSync, openSync, createWriteStream, constants } = require('node:fs')
const net = require('node:net')
const { join } = require('node:path')
const { tmpdir } = require('node:os')

const WRITERS = 2
const RECORDS = 100
const BYTES = 15000

if (process.argv[2] === 'child') {
  const winston = require('winston')
  const writer = process.argv[4]
  // The application's own stream to the pipe, as winston's README shows for transports.Stream.
  const stream = createWriteStream(process.argv[3], { flags: 'a' })
  const logger = winston.createLogger({ level: 'info', format: winston.format.json(), transports: [new winston.transports.Stream({ stream })] })
  stream.once('open', () => {
    for (let i = 0; i < RECORDS; i++) logger.info(`w${writer}-r${i} `.padEnd(BYTES, String.fromCharCode(97 + Number(writer))))
    process.stdout.write('logged\n')
    // The README's shutdown, then the application's stream.
    logger.on('finish', () => stream.end())
    logger.end()
  })
} else {
  const winston = require('winston/package.json').version
  const dir = mkdtempSync(join(tmpdir(), 'winston-torn-'))
  const fifo = join(dir, 'app.pipe')
  const made = spawnSync('mkfifo', [fifo])
  if (made.status !== 0) throw new Error(`mkfifo failed: ${made.stderr}`)
  // The reader: opened first (so the writers' open does not wait), reading nothing yet.
  const reader = new net.Socket({ fd: openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK), readable: true, writable: false })
  reader.pause()
  let text = ''
  reader.setEncoding('utf8')
  reader.on('data', (d) => (text += d))
  let logged = 0
  let exited = 0
  const timer = setTimeout(() => {
    console.error('the writers did not finish within 30 s')
    process.exit(2)
  }, 30000)
  for (let w = 0; w < WRITERS; w++) {
    const child = spawn(process.execPath, [__filename, 'child', fifo, String(w)], { stdio: ['ignore', 'pipe', 'inherit'] })
    // Both have logged every record (and are blocked on the full pipe): start reading.
    child.stdout.on('data', () => ++logged === WRITERS && reader.resume())
    child.on('close', () => ++exited === WRITERS && setImmediate(report))
  }
  let reported = false
  reader.on('end', () => setImmediate(report))
  function report() {
    if (reported || exited < WRITERS) return
    if (!reader.readableEnded) return
    reported = true
    clearTimeout(timer)
    rmSync(dir, { recursive: true, force: true })
    const lines = text.split('\n').filter(Boolean)
    let whole = 0
    let torn = 0
    let sample = ''
    for (const line of lines) {
      let ok = false
      try {
        const m = JSON.parse(line).message
        ok = /^w(\d+)-r\d+ /.test(m) && m.length === BYTES && m.slice(20).split('').every((c) => c === m[m.length - 1])
      } catch {}
      if (ok) whole++
      else {
        torn++
        sample = sample || line.slice(0, 60).replace(/(.)\1{8,}/g, '$1$1$1…')
      }
    }
    console.log(`winston ${winston}: ${WRITERS} processes x ${RECORDS} records of ${BYTES} bytes through one named pipe: ${lines.length} lines read, ${whole} whole records, ${torn} torn lines`)
    if (torn > 0) {
      console.log(`SYMPTOM: ${torn} lines read from the pipe were not one whole record (first: ${JSON.stringify(sample)})`)
      process.exitCode = 1
    }
  }
}
