'use strict'
// Reproduces, with bunyan alone: records logged while a 'rotating-file' stream is rotating are
// lost at shutdown. RotatingFileStream.write() queues what arrives during a rotation in rotQueue
// (lib/bunyan.js, write(): `if (this.rotating) this.rotQueue.push(s)`), to write it into a new
// file stream opened when the rotation's renames finish; end() ends only the current stream
// (`this.stream.end()`), which the rotation has already ended, and bunyan has no flush or close
// that waits for the new one (rotate() is headed "XXX What about shutdown?"). An application
// that ends its streams and exits, as a SIGTERM or beforeExit handler does, loses the queue.
// The interleaving is chosen, not hoped for: the script logs its last records at the moment the
// stream says it is rotating (its `rotating` flag), then ends the stream and exits when 'finish'
// has come, as bunyan's docs and issue #37 describe ending a logger.
// Upstream: https://github.com/trentm/node-bunyan/issues/37, https://github.com/trentm/node-bunyan/issues/186
// (no flush or close to wait for); not reported for rotation as of 2026-12-01.
// Found by: logjam run --adapter bunyan-rotating --scenario shutdown-handler --seed 2.
// Run from a project that has bunyan installed: node repro/bunyan-rotating.shutdown-handler.cjs
// Exit code 1 and "SYMPTOM" when records are missing from every file; 0 when all arrive.
const { spawnSync } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

const BEFORE = 50
const DURING = 10

if (process.argv[2] === 'child') {
  const bunyan = require('bunyan')
  const file = process.argv[3]
  const log = bunyan.createLogger({ name: 'app', streams: [{ type: 'rotating-file', path: file, period: '100ms', count: 3 }] })
  const rotating = log.streams[0].stream
  for (let i = 0; i < BEFORE; i++) log.info(`before-${i}`)
  // Wait for the next rotation (every 100 ms), then log as a shutdown handler does, and end.
  const poll = () => {
    if (!rotating.rotating) return setImmediate(poll)
    for (let i = 0; i < DURING; i++) log.warn(`during-rotation-${i}`)
    const current = rotating.stream
    const exit = () => process.exit(0)
    if (current.writableFinished) exit()
    else {
      current.once('finish', exit)
      rotating.end()
    }
  }
  poll()
} else {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'repro-'))
  const file = path.join(dir, 'app.log')
  const child = spawnSync(process.execPath, [__filename, 'child', file], { encoding: 'utf8', timeout: 20000 })
  const text = fs.readdirSync(dir).map((f) => fs.readFileSync(path.join(dir, f), 'utf8')).join('')
  const before = (text.match(/"msg":"before-/g) || []).length
  const during = (text.match(/"msg":"during-rotation-/g) || []).length
  console.log(`bunyan ${require('bunyan/package.json').version}: ${before}/${BEFORE} records logged before the rotation and ${during}/${DURING} logged during it reached ${dir} (child exit code ${child.status}${child.stderr ? `, stderr: ${child.stderr.trim().split('\n')[0]}` : ''})`)
  if (before + during < BEFORE + DURING) {
    console.log(`SYMPTOM: ${BEFORE + DURING - before - during} of ${BEFORE + DURING} records were lost: ending a rotating-file stream during a rotation ends only the old file stream, and the records queued for the new one never reach a file`)
    process.exitCode = 1
  }
}
