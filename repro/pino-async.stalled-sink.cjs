'use strict'
// Reproduces, with pino alone: logger.fatal() calls the destination's flushSync(), and
// sonic-boom's flushSync() writes what is buffered at once, without waiting for the
// asynchronous write already in flight. The records logged after the one being written reach
// the file before it: one thread's records arrive out of order. On a destination that is slow
// (a pipe whose reader lags, a busy disk, a saturated libuv thread pool) the in-flight write is
// often still pending when a fatal record comes.
// Here the in-flight write is held deterministically: the process has one libuv thread, kept
// busy by a crypto.pbkdf2 job, so the asynchronous write waits in its queue.
// Upstream: https://github.com/pinojs/sonic-boom/issues/101 ("flushSync doesn't wait for pending
// async writes to finish", closed); sonic-boom 4.2.1's flushSync() still leaves a write in flight
// (_writing) out of what it writes.
// Found by: logjam run --adapter pino-async --scenario stalled-sink (mixed levels, fatal among them);
// the same through pino.multistream: logjam run --adapter pino-multistream --scenario stalled-sink.
// Run from a project that has pino installed: node repro/pino-async.stalled-sink.cjs
// Exit code 1 and "SYMPTOM" when the file's lines are not in the order they were logged.
process.env.UV_THREADPOOL_SIZE = '1'
const crypto = require('node:crypto')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const pino = require('pino')

const sonic = require(require.resolve('sonic-boom/package.json', { paths: [require.resolve('pino')] })).version

// The same sequence with the destination given to pino directly, then behind pino.multistream
// (whose flushSync() calls each destination's flushSync(), pino lib/multistream.js:98).
const run = (name, wrap) => new Promise((resolve) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pino-fatal-order-'))
  const file = path.join(dir, 'app.log')
  const destination = pino.destination({ dest: file, sync: false })
  const logger = pino({}, wrap(destination))
  destination.once('ready', () => {
    // The pool's only thread is busy for a while: the next asynchronous write waits behind it.
    crypto.pbkdf2('x', 'y', 300000, 32, 'sha256', () => {
      destination.end()
    })
    logger.info('record-1') // starts an asynchronous write, queued behind the job
    logger.info('record-2') // buffered
    logger.fatal('record-3') // flushSync(): writes what is buffered now, synchronously
    destination.once('close', () => {
      const order = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l).msg)
      fs.rmSync(dir, { recursive: true, force: true })
      console.log(`pino ${require('pino/package.json').version}, sonic-boom ${sonic}, ${name}: the file holds ${order.join(', ')}`)
      const inOrder = order.join() === 'record-1,record-2,record-3'
      if (!inOrder) console.log(`SYMPTOM: ${name}: records logged by one thread reached the file out of order (fatal() flushed past a write in flight)`)
      resolve(inOrder)
    })
  })
})

;(async () => {
  const inOrder = [await run('destination', (d) => d), await run('multistream', (d) => pino.multistream([{ stream: d }]))]
  process.exit(inOrder.every(Boolean) ? 0 : 1)
})()
