'use strict'
// Reproduces, with pino alone: records logged from an application's process.on('exit')
// listener are lost when pino writes to pino.destination({ sync: false }). pino's own exit hook
// (lib/tools.js buildSafeSonicBoom: flushSync and end on exit) has already ended the destination;
// only the first record, handed to an fs.write that the exit does not wait for, may land.
// The same behind pino.multistream, whose destinations pino.destination() made.
// Upstream: https://github.com/pinojs/pino/issues/1400 (open). Found by: logjam run
// --adapter pino-async --scenario exit-listener (and --adapter pino-multistream).
// Run from a project that has pino installed: node repro/pino-async.exit-listener.cjs
// Exit code 1 and "SYMPTOM" when the records are lost; 0 when they all arrive.
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
  for (let i = 0; i < 100; i++) logger.info(`before-${i}`)
  // The application has been running a while: the destination is open and idle.
  setTimeout(() => {
    process.on('exit', (code) => {
      for (let i = 0; i < 5; i++) logger.warn(`in-exit-listener-${i} code=${code}`)
    })
    process.exit(0)
  }, 500)
} else {
  let failed = false
  for (const how of ['destination', 'multistream']) {
    const file = join(mkdtempSync(join(tmpdir(), 'repro-')), 'out.log')
    const child = spawnSync(process.execPath, [__filename, 'child', file, how], { encoding: 'utf8', timeout: 20000 })
    const text = existsSync(file) ? readFileSync(file, 'utf8') : ''
    const before = (text.match(/before-/g) || []).length
    const inListener = (text.match(/in-exit-listener-/g) || []).length
    console.log(`pino ${require('pino/package.json').version}, ${how}: ${before}/100 records logged before exit, ${inListener}/5 logged in the 'exit' listener reached ${file} (child exit code ${child.status})`)
    if (inListener < 5) {
      console.log(`SYMPTOM: ${how}: ${5 - inListener} of 5 records logged in process.on('exit') were lost`)
      failed = true
    }
  }
  if (failed) process.exitCode = 1
}
