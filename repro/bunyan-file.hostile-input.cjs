'use strict'
// Reproduces, with bunyan alone: a record whose fields hold a BigInt, or an object nested 20 000
// levels deep, makes log.info() throw into the caller and the record is never written. bunyan's
// fastAndSafeJsonStringify (lib/bunyan.js:1210-1230) falls back to safe-json-stringify when
// JSON.stringify throws, but that fallback throws too (a BigInt at its final JSON.stringify,
// index.js:62; the deep object in its recursive visit(), index.js:49), and nothing catches it.
// Upstream (the BigInt half): https://github.com/trentm/node-bunyan/issues/662 (open);
// the deep-nesting half: no upstream thread found.
// Found by: logjam run --adapter bunyan-file --scenario hostile-input --seed 2.
// Run from a project that has bunyan (with its optional safe-json-stringify) installed:
// node repro/bunyan-file.hostile-input.cjs
// Exit code 1 and "SYMPTOM" when a log call throws or its record is missing.
const { Writable } = require('node:stream')
const bunyan = require('bunyan')

const lines = []
const sink = new Writable({ write(chunk, _encoding, callback) { lines.push(String(chunk)); callback() } })
const log = bunyan.createLogger({ name: 'repro', streams: [{ level: 'info', stream: sink }] })
let deep = { leaf: true }
for (let i = 0; i < 20000; i++) deep = { d: deep }
const cases = { bigint: { big: 10n }, 'deep-nesting': { deep } }
const thrown = []
for (const [name, fields] of Object.entries(cases)) {
  try {
    log.info(fields, `record-${name}`)
  } catch (error) {
    thrown.push(`${name}: ${error.name}: ${error.message}`)
  }
}
log.info('record-after')
setImmediate(() => {
  const missing = Object.keys(cases).filter((name) => !lines.some((l) => l.includes(`record-${name}`)))
  if (thrown.length > 0 || missing.length > 0) {
    console.log(`SYMPTOM: log.info() threw at the caller (${thrown.join('; ')}); records never written: ${missing.join(', ')}`)
    process.exit(1)
  }
  console.log('ok: every record was written, none threw')
})
