'use strict'
// Reproduces, with pino alone: pino.destination({ sync: false }) followed at once by
// process.exit(0) throws "sonic boom is not ready yet" from pino's exit hook (the file is not
// open yet, and flushSync refuses), and every buffered record is lost.
// Upstream: https://github.com/pinojs/pino/issues/2326. Found by: logjam run --adapter pino-async
// --scenario exit-after-logging; the same behind pino.multistream: logjam run --adapter
// pino-multistream --scenario exit-after-logging.
// Run from a project that has pino installed: node repro/pino-async.exit-after-logging.cjs
// Exit code 1 and "SYMPTOM" when the error escapes or records are lost.
const { spawnSync } = require('node:child_process')
const { mkdtempSync, readFileSync, existsSync } = require('node:fs')
const { join } = require('node:path')
const { tmpdir } = require('node:os')

if (process.argv[2] === 'child') {
  const pino = require('pino')
  const destination = pino.destination({ dest: process.argv[3], sync: false })
  const logger = process.argv[4] === 'multistream'
    // An application that keeps a local copy: the same destination and a synchronous one.
    ? pino({}, pino.multistream([{ stream: destination }, { stream: pino.destination({ dest: `${process.argv[3]}.copy`, sync: true }) }]))
    : pino(destination)
  for (let i = 0; i < 100; i++) logger.info(`record-${i}`)
  process.exit(0)
} else {
  // The destination given to pino directly, then behind pino.multistream beside a synchronous copy.
  let failed = false
  for (const how of ['destination', 'multistream']) {
    const file = join(mkdtempSync(join(tmpdir(), 'repro-')), 'out.log')
    const child = spawnSync(process.execPath, [__filename, 'child', file, how], { encoding: 'utf8', timeout: 20000 })
    const text = existsSync(file) ? readFileSync(file, 'utf8') : ''
    const delivered = (text.match(/record-/g) || []).length
    const notReady = /sonic boom is not ready yet/.test(child.stderr)
    console.log(`pino ${require('pino/package.json').version}, ${how}: ${delivered}/100 records reached ${file}; process.exit(0) ended with code ${child.status}`)
    if (notReady) console.log(`SYMPTOM: ${how}: pino's exit hook threw "Error: sonic boom is not ready yet" (see the stderr of process.exit)`)
    if (delivered < 100) console.log(`SYMPTOM: ${how}: ${100 - delivered} of 100 records lost at process.exit(0)`)
    if (notReady || delivered < 100) failed = true
  }
  if (failed) process.exitCode = 1
}
