'use strict'
// Reproduces, with winston alone: the File transport with size rotation (maxsize) loses about
// one highWaterMark (16 KiB) of records at every rotation that comes while records are queued,
// silently: no error, every log call returned, 'finish' comes.
// How: the File transport writes into its PassThrough, and the PassThrough's write callback
// (file.js log(): logged()) checks the size and, at maxsize, calls _endStream() (file.js:590),
// which unpipes the PassThrough from the full file. That callback runs inside the PassThrough's
// own read() (readable-stream 3 Transform: read() -> _read() -> _transform -> the write callback);
// unpipe() sets flowing to false, so read() then takes the whole readable buffer (howMuchToRead
// is recomputed after _read) and emits it as one 'data' event that no pipe listens to any more.
// Those records are gone: 24 records of 700 bytes at each rotation here.
// Deterministic: one burst of 3 000 records of 700 bytes (2 MB, two rotations at 1 MiB) into a
// file that has been open a while; every step is decided in that tick's callbacks. The logger is
// ended only once the burst has been written, so that winston's end() race
// (repro/winston-file.graceful-exit.cjs) stays out.
// Upstream: https://github.com/winstonjs/winston/issues/1655 ("Maxsize option may cause winston
// to lose log entries", open; no cause given there).
// Found by: logjam run --adapter winston-rotating --scenario startup-burst (records missing by
// the score at each rotation, e.g. 1392-1413, 2808-2830, ... of 11 791).
// Run from a project that has winston installed: node repro/winston-rotating.startup-burst.cjs
// Exit code 1 and "SYMPTOM" when records are missing from the rotated files after 'finish'.
const { mkdtempSync, readdirSync, readFileSync, rmSync } = require('node:fs')
const { join } = require('node:path')
const { tmpdir } = require('node:os')
const winston = require('winston')

const N = 3000
const BYTES = 700
const dir = mkdtempSync(join(tmpdir(), 'winston-rotate-'))
const transport = new winston.transports.File({ filename: join(dir, 'app.log'), maxsize: 1024 * 1024, tailable: false })
const logger = winston.createLogger({ level: 'info', format: winston.format.json(), transports: [transport] })
let error
logger.on('error', (e) => (error = error || e))

transport.once('open', () =>
  setTimeout(() => {
    for (let i = 0; i < N; i++) logger.info(`record-${i} `.padEnd(BYTES, 'x'))
    // Wait until the burst has gone through the logger and the transport (no backlog left).
    const idle = setInterval(() => {
      if (logger.writableLength > 0 || logger.readableLength > 0 || transport.writableLength > 0 || transport._stream.readableLength > 0) return
      clearInterval(idle)
      // The README's shutdown: end() and 'finish'.
      logger.on('finish', report)
      logger.end()
    }, 50)
  }, 100),
)

function report() {
  const files = readdirSync(dir).sort()
  const seen = new Set()
  const perFile = []
  for (const f of files) {
    const lines = readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean)
    for (const line of lines) seen.add(Number(/record-(\d+)/.exec(JSON.parse(line).message)[1]))
    perFile.push(`${f}: ${lines.length}`)
  }
  rmSync(dir, { recursive: true, force: true })
  const ranges = []
  for (let i = 0; i < N; i++) {
    if (seen.has(i)) continue
    const last = ranges[ranges.length - 1]
    if (last && last[1] === i - 1) last[1] = i
    else ranges.push([i, i])
  }
  const missing = N - seen.size
  console.log(
    `winston ${require('winston/package.json').version}, File with maxsize 1 MiB: ${seen.size}/${N} records in ${files.length} files (${perFile.join(', ')}); ` +
      `'finish': yes; logger error: ${error ? error.message : 'none'}; missing: ${ranges.map(([a, b]) => `${a}-${b}`).join(', ') || 'none'}`,
  )
  if (missing > 0) {
    console.log(`SYMPTOM: ${missing} of ${N} records lost at the file rotations (${ranges.length} runs of ${ranges[0][1] - ranges[0][0] + 1}), with no error and 'finish' emitted`)
    process.exitCode = 1
  }
}
