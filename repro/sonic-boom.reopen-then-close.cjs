'use strict'
// Reproduces, with pino alone: logrotate's SIGHUP handler calls the destination's reopen() and a
// shutdown follows at once. pino.destination({ sync: false }) is a sonic-boom; reopen() while a
// write is in flight only marks the reopen as pending (_reopening); end() then only marks the
// end (_ending); when the write completes, release() calls reopen(), which returns early
// because the stream is ending. Nothing buffered is written and 'close' never comes: a process
// that waits for it hangs, and one that exits loses the records.
// Seen in sonic-boom 4.2.1 (pino 10's) and 5.0.2 (lib index.js: reopen(), end(), release()).
// Found by: logjam run --adapter pino-async --scenario reopen-then-close.
// Run from a project that has pino installed: node repro/sonic-boom.reopen-then-close.cjs
// Exit code 1 and "SYMPTOM" when 'close' does not come or records are missing.
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const pino = require('pino')

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sonic-reopen-'))
const file = path.join(dir, 'app.log')
const destination = pino.destination({ dest: file, sync: false })
const logger = pino(destination)
const N = 10

destination.once('ready', () => {
  for (let i = 0; i < N; i++) logger.info(`before-${i}`) // the first starts an asynchronous write
  fs.renameSync(file, `${file}.1`) // logrotate moves the file away
  destination.reopen() // the SIGHUP handler: pino's documented reopen for logrotate
  for (let i = 0; i < N; i++) logger.info(`after-${i}`)
  destination.end() // the shutdown right behind it: write what is buffered, then 'close'

  let closed = false
  destination.once('close', () => (closed = true))
  setTimeout(() => {
    const read = (f) => (fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : '')
    const lines = (read(`${file}.1`) + read(file)).split('\n').filter(Boolean)
    fs.rmSync(dir, { recursive: true, force: true })
    const version = require(require.resolve('sonic-boom/package.json', { paths: [require.resolve('pino')] })).version
    console.log(`pino ${require('pino/package.json').version}, sonic-boom ${version}: 'close' ${closed ? 'came' : 'never came'}; ${lines.length} of ${2 * N} records in the two files`)
    if (!closed) console.log("SYMPTOM: end() after reopen() with a write in flight never emits 'close'")
    if (lines.length < 2 * N) console.log(`SYMPTOM: ${2 * N - lines.length} of ${2 * N} records were never written`)
    process.exit(closed && lines.length === 2 * N ? 0 : 1)
  }, 2000)
})
