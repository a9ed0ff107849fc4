'use strict'
// Reproduces, with pino alone: logger.fatal() tears a record that pino.destination({ sync: false })
// is still writing into a stalled pipe. fatal() calls the destination's flushSync() (pino
// lib/levels.js:21; through pino.multistream too, lib/multistream.js:98), and sonic-boom's
// flushSync() (sonic-boom 4.2.1 index.js:545) writes what is buffered with fs.writeSync at once,
// without waiting for the asynchronous fs.write still in flight (_writing). When that write is
// part-way into a pipe whose reader has stopped (a log shipper behind a named pipe, a stalled
// `| tee`), both writes wait in the kernel, and the pipe takes flushSync's bytes before the rest
// of the interrupted record: the reader gets a line such as
// `{"level":30,...,"stack":"yyyy{"level":30,...,"msg":"record-2"}` and, later, the tail of the
// first record on a line of its own. The records logged after it also arrive before it.
// The stall is held deterministically: a worker thread is the pipe's reader; the script waits
// (reading /proc/<pid>/task/*/syscall, Linux) until libuv's thread is blocked in write(2) with
// part of a 256 KiB record in the full pipe, logs, calls fatal(), waits until the main thread is
// blocked in flushSync's write(2) too, and only then reads the pipe.
// Runs the plain destination, then the same destination behind pino.multistream.
// Upstream: https://github.com/pinojs/sonic-boom/issues/101 ("flushSync doesn't wait for pending
// async writes to finish", closed); sonic-boom 4.2.1's flushSync() still writes past a write in flight.
// Found by: logjam run --adapter pino-async --scenario stalled-sink --seed 2 (and pino-multistream).
// Run from a project that has pino installed, on Linux: node repro/pino-async.stalled-pipe-torn.cjs
// Exit code 1 and "SYMPTOM" when a line read from the pipe is not one whole record.
const { Worker, isMainThread, workerData } = require('node:worker_threads')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { execFileSync } = require('node:child_process')

const WRITE_SYSCALL = { x64: 1, arm64: 64, ia32: 4, arm: 4 }[process.arch]
const BIG = 256 * 1024 // four times what a 64 KiB pipe holds

/** The threads of this process blocked in write(2) on `fd` (tids), from /proc. */
function writersOn (fd) {
  const tids = []
  for (const tid of fs.readdirSync(`/proc/${process.pid}/task`)) {
    let fields
    try {
      fields = fs.readFileSync(`/proc/${process.pid}/task/${tid}/syscall`, 'utf8').trim().split(' ')
    } catch {
      continue
    }
    if (Number(fields[0]) === WRITE_SYSCALL && Number(fields[1]) === fd) tids.push(Number(tid))
  }
  return tids
}

/** Waits (blocking this thread) until `check()` is true; false after 10 s. */
function waitUntil (check) {
  const tick = new Int32Array(new SharedArrayBuffer(4))
  for (let i = 0; i < 2000; i++) {
    if (check()) return true
    Atomics.wait(tick, 0, 0, 5)
  }
  return false
}

if (!isMainThread) {
  // The pipe's reader: it stops reading once the pipe is full, until the main thread says it
  // called fatal() and is blocked writing; then it reads everything until the writer closes.
  const state = new Int32Array(workerData.state)
  const fd = fs.openSync(workerData.fifo, 'r')
  Atomics.wait(state, 0, 0)
  const fatalBlocked = waitUntil(() => writersOn(state[1]).includes(process.pid))
  const out = fs.openSync(workerData.out, 'w')
  const buf = Buffer.alloc(65536)
  let n
  while ((n = fs.readSync(fd, buf, 0, buf.length, null)) > 0) fs.writeSync(out, buf, 0, n)
  fs.closeSync(fd)
  fs.closeSync(out)
  if (!fatalBlocked) process.exitCode = 3
} else {
  if (process.platform !== 'linux' || WRITE_SYSCALL === undefined) {
    console.log(`this script watches /proc/<pid>/task/*/syscall to hold the stall, so it runs on Linux (x64, arm64) only; here: ${process.platform}/${process.arch}`)
    process.exit(2)
  }
  const pino = require('pino')
  const sonic = require(require.resolve('sonic-boom/package.json', { paths: [require.resolve('pino')] })).version
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pino-torn-'))

  const run = (name, wrap) => new Promise((resolve) => {
    const fifo = path.join(dir, `${name}.pipe`)
    const out = path.join(dir, `${name}.read`)
    execFileSync('mkfifo', [fifo])
    const stateBuf = new SharedArrayBuffer(8)
    const state = new Int32Array(stateBuf)
    const reader = new Worker(__filename, { workerData: { fifo, out, state: stateBuf } })
    const destination = pino.destination({ dest: fifo, sync: false })
    const logger = pino({}, wrap(destination))
    destination.once('ready', () => {
      // A large record (a long stack, a big payload): its asynchronous write fills the pipe and
      // waits in libuv's thread with the rest of the record still to write.
      logger.info({ stack: 'y'.repeat(BIG) }, 'record-1')
      const inFlight = waitUntil(() => writersOn(destination.fd).length > 0)
      logger.info('record-2') // buffered behind the write in flight
      state[1] = destination.fd
      Atomics.store(state, 0, 1)
      Atomics.notify(state, 0)
      logger.fatal('record-3') // flushSync(): writes record-2 and record-3 now, blocking on the full pipe
      destination.end()
      reader.once('exit', (code) => {
        const lines = fs.readFileSync(out, 'utf8').split('\n').filter(Boolean)
        const whole = []
        const torn = []
        for (const line of lines) {
          try {
            whole.push(JSON.parse(line).msg)
          } catch {
            torn.push(line)
          }
        }
        resolve({ name, inFlight, fatalBlocked: code === 0, lines: lines.length, whole, torn })
      })
    })
  })

  ;(async () => {
    const results = [await run('destination', (d) => d), await run('multistream', (d) => pino.multistream([{ stream: d }]))]
    fs.rmSync(dir, { recursive: true, force: true })
    let tornAny = false
    for (const r of results) {
      const shown = (s) => (s.length > 120 ? `${s.slice(0, 60)}…${s.slice(-60)}` : s)
      console.log(`pino ${require('pino/package.json').version}, sonic-boom ${sonic}, ${r.name}: the pipe's reader got ${r.lines} lines for 3 records; whole records in order: ${r.whole.join(', ') || 'none'}; ${r.torn.length} lines not one whole record${r.torn.length ? ': ' + r.torn.map(shown).join(' | ') : ''}`)
      if (!r.inFlight || !r.fatalBlocked) console.log(`  (${r.name}: the stall was not held as intended: write in flight ${r.inFlight}, fatal() blocked in write ${r.fatalBlocked})`)
      if (r.torn.length > 0) {
        tornAny = true
        console.log(`SYMPTOM: ${r.name}: fatal()'s flushSync wrote into the middle of record-1, still in flight to the stalled pipe: ${r.torn.length} torn lines, and record-2 and record-3 arrived before record-1 ended`)
      }
    }
    process.exitCode = tornAny ? 1 : 0
  })()
}
