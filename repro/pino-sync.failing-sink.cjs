'use strict'
// Reproduces, with pino alone: in pino.multistream, a destination whose write throws (a
// destroyed sonic-boom, as after an I/O error) makes the log call throw into the application, and the
// destinations after it in multistream's loop do not get that record: one failing destination
// stops delivery to a healthy one. pino writes streams of one level in reverse array order, so
// the failing stream, second in the array, is written first.
// Upstream: https://github.com/pinojs/pino/issues/1489, https://github.com/pinojs/pino/pull/2455.
// Found by: logjam run --adapter pino-sync --scenario failing-sink.
// Run from a project that has pino installed: node repro/pino-sync.failing-sink.cjs
// Exit code 1 and "SYMPTOM" when a log call throws or the healthy file misses records.
const { mkdtempSync, readFileSync } = require('node:fs')
const { join } = require('node:path')
const { tmpdir } = require('node:os')
const pino = require('pino')

const dir = mkdtempSync(join(tmpdir(), 'repro-'))
const file = join(dir, 'healthy.log')
const healthy = pino.destination({ dest: file, sync: true })
// A second real destination that fails half-way: sonic-boom, once destroyed (as after an I/O
// error on its fd), throws from write().
const failing = pino.destination({ dest: join(dir, 'failing.log'), sync: true })
failing.on('error', () => {})
const logger = pino({ level: 'info' }, pino.multistream([{ level: 'info', stream: healthy }, { level: 'info', stream: failing }]))
let threw = 0
for (let i = 0; i < 100; i++) {
  if (i === 50) failing.destroy()
  try {
    logger.info(`record-${i}`)
  } catch {
    threw++
  }
}
healthy.flushSync()
const delivered = (readFileSync(file, 'utf8').match(/record-/g) || []).length
console.log(`pino ${require('pino/package.json').version}: ${delivered}/100 records reached the healthy destination ${file}; ${threw} log calls threw`)
if (threw > 0) console.log(`SYMPTOM: ${threw} log calls threw the failing destination's error into the application`)
if (delivered < 100) console.log(`SYMPTOM: the healthy destination is missing ${100 - delivered} records the failing one threw on`)
if (threw > 0 || delivered < 100) process.exitCode = 1
