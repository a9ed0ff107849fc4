'use strict'
// Reproduces, with bunyan alone: when the logger's only destination throws out of write() (as a
// synchronous destination does when fs.writeSync fails: EAGAIN on a full non-blocking pipe,
// ENOSPC), the error is thrown out of the log call into the application. bunyan's
// Logger.prototype._emit (lib/bunyan.js) calls `s.stream.write(...)` with no try/catch; its
// documented stream-error handling ("stream errors": 'error' events re-emitted on the logger)
// covers errors a stream emits, not one it throws. bunyan recovers: the next record is written
// to the destination again.
// Upstream: not reported upstream as of 2026-12-01.
// Found by: logjam run --adapter bunyan-stream --scenario recovering-sink.
// Run from a project that has bunyan installed: node repro/bunyan-stream.recovering-sink.cjs
// Exit code 1 and "SYMPTOM" when a log call throws.
const { appendFileSync, mkdtempSync, readFileSync } = require('node:fs')
const { join } = require('node:path')
const { tmpdir } = require('node:os')
const { Writable } = require('node:stream')
const bunyan = require('bunyan')

const dir = mkdtempSync(join(tmpdir(), 'repro-'))
const file = join(dir, 'app.log')
const RECORDS = 100
const FAIL_AT = 3 // the 3rd write throws; every other write is appended to the file

// The application's own destination: it fails one write, then works again.
class FlakyStream extends Writable {
  constructor () {
    super({ write (chunk, _enc, cb) { appendFileSync(file, chunk); cb() } })
    this.writes = 0
  }

  write (chunk, enc, cb) {
    if (++this.writes === FAIL_AT) throw Object.assign(new Error('write failed (EAGAIN)'), { code: 'EAGAIN' })
    return super.write(chunk, enc, cb)
  }
}

const stream = new FlakyStream()
const logger = bunyan.createLogger({ name: 'repro', level: 'info', streams: [{ level: 'info', stream }] })
let threw = 0
let message = ''
for (let i = 0; i < RECORDS; i++) {
  try {
    logger.info(`record-${i}`)
  } catch (error) {
    threw++
    message = error.message
  }
}
stream.end(() => {
  const delivered = (readFileSync(file, 'utf8').match(/record-/g) || []).length
  console.log(`bunyan ${require('bunyan/package.json').version}: ${delivered}/${RECORDS} records in ${file} (the destination failed 1 of ${stream.writes} writes); ${threw} log calls threw`)
  if (threw > 0) {
    console.log(`SYMPTOM: ${threw} log call(s) threw the destination's error into the application: ${message}`)
    process.exitCode = 1
  }
})
