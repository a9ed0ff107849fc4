'use strict'
// Reproduces, with pino alone: in pino.transport({ targets: [...] }) all targets share one
// worker thread, and one target that fails takes every other target down with it. Here the
// failing target is pino's own 'pino/file' writing to /dev/full: its sonic-boom emits 'error'
// (ENOSPC) as it would on a full disk. pino's worker (lib/worker.js) feeds the targets through
// pino.multistream, which attaches no 'error' listener to them, so the error is uncaught in the
// worker; thread-stream's worker (lib/worker.js, process.on('uncaughtException')) then calls
// process.exit(1), and the healthy file target receives nothing more. The transport emits the
// error in the main thread ("the transport is dead"), and every later record is lost for both.
// Upstream: no upstream thread found about one target taking the others down (nearest:
// https://github.com/pinojs/pino/issues/1820 "Pino reliability", no recovery once the worker
// exits; https://github.com/pinojs/pino/issues/2106, a dead worker and "flushSync took too long").
// Found by: logjam run --adapter pino-transport --scenario failing-sink --seed 2.
// Run on Linux (needs /dev/full) from a project that has pino installed:
//   node repro/pino-transport.failing-sink.cjs
// Exit code 1 and "SYMPTOM" when the healthy target misses records the failing one could not write.
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const pino = require('pino')

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pino-targets-'))
const healthy = path.join(dir, 'healthy.log')
const transport = pino.transport({
  targets: [
    { target: 'pino/file', level: 'info', options: { destination: healthy } },
    { target: 'pino/file', level: 'info', options: { destination: '/dev/full' } },
  ],
})
const logger = pino(transport)
const errors = []
transport.on('error', (err) => errors.push(err.message))
// pino unrefs the transport's worker: keep the process alive until the check below has run.
const keepAlive = setTimeout(() => {
  console.log('the transport neither failed nor closed within 60 s')
  process.exit(2)
}, 60000)
const RECORDS = 20
transport.once('ready', () => {
  // The first record: the failing target's write fails asynchronously in the worker.
  logger.info('record-0')
  // Wait for that failure to reach the main thread, then log the rest: the healthy target gets
  // none of them, whatever the timing, because the worker that served it is gone.
  transport.once('error', () => {
    for (let i = 1; i < RECORDS; i++) logger.info(`record-${i}`)
    setImmediate(check)
  })
})

function check() {
  clearTimeout(keepAlive)
  const delivered = (fs.readFileSync(healthy, 'utf8').match(/record-/g) || []).length
  console.log(`pino ${require('pino/package.json').version}: ${delivered}/${RECORDS} records reached the healthy target ${healthy}; the transport emitted: ${[...new Set(errors)].join('; ')}`)
  if (delivered < RECORDS) {
    console.log(`SYMPTOM: the healthy target is missing ${RECORDS - delivered} records: the other target's write error ended the transport's worker, and with it every target`)
    process.exitCode = 1
  }
}
