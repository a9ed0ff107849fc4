'use strict'
// Reproduces, with pino alone: with a transport pipeline whose first stage is an asynchronous
// transform (written as pino-abstract-transport documents, enablePipelining), the documented
// shutdown `transport.end()` blocks the application's event loop for as long as the worker's
// pipeline takes to drain what it holds. thread-stream's end() (index.js, end()) waits with
// Atomics.wait, 1 s at a time, until the worker's destination emits 'close' (lib/worker.js:185);
// with pino/file alone that is at once, but an asynchronous stage has its backlog still to
// process. After 10 s it gives up: it emits 'error' ("end() took too long (10s)") and terminates
// the worker, so what the transform had not yet written is lost (6 000 records behind a 2 ms
// lookup: about 1 800 lost; not run here, it takes 10 s). pino's docs say neither.
// Deterministic: the transform waits 2 ms per record (setTimeout) and 1 000 records are queued
// before end(), so the drain takes at least 2 s whatever the machine's load.
// Upstream: not reported upstream as of 2026-12-01 (nearest: https://github.com/pinojs/pino/issues/2106,
// "flushSync took too long").
// Found by: logjam run --adapter pino-pipeline --scenario graceful-exit (event-loop-stall in close).
// Run from a project that has pino installed: node repro/pino-pipeline.graceful-exit.cjs
// Exit code 1 and "SYMPTOM" when the event loop stood still for over 1 s inside end().
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { once } = require('node:events')
const pino = require('pino')

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pino-pipeline-'))
const file = path.join(dir, 'out.log')
const transform = path.join(dir, 'enrich.cjs')
// An enrichment step as an application writes it: one awaited lookup per record.
fs.writeFileSync(transform, `
const build = require(${JSON.stringify(require.resolve('pino-abstract-transport', { paths: [path.dirname(require.resolve('pino'))] }))})
const { Readable } = require('node:stream')
module.exports = () => build((source) => Readable.from((async function * () {
  for await (const obj of source) {
    await new Promise((resolve) => setTimeout(resolve, 2))
    yield JSON.stringify({ ...obj, enriched: true }) + '\\n'
  }
})()), { enablePipelining: true })
`)
const RECORDS = 1000
const transport = pino.transport({ pipeline: [{ target: transform }, { target: 'pino/file', options: { destination: file } }] })
const logger = pino(transport)

transport.once('ready', async () => {
  for (let i = 0; i < RECORDS; i++) logger.info(`r${i}`)
  // A timer that should fire every 10 ms while the application shuts down.
  let last = Date.now()
  let longest = 0
  const tick = setInterval(() => {
    longest = Math.max(longest, Date.now() - last)
    last = Date.now()
  }, 10)
  const closed = once(transport, 'close')
  transport.end()
  await closed
  clearInterval(tick)
  longest = Math.max(longest, Date.now() - last)
  const written = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).length
  console.log(`pino ${require('pino/package.json').version}: ${written}/${RECORDS} records written; during transport.end() the event loop stood still for ${longest} ms (a 10 ms timer)`)
  if (longest > 1000) {
    console.log(`SYMPTOM: transport.end() blocked the event loop for ${longest} ms while the pipeline's async transform drained`)
    process.exitCode = 1
  }
})
