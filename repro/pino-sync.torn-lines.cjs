'use strict'
// Reproduces, with pino alone: two processes whose pino loggers write to one named pipe (a log
// shipper's FIFO) tear each other's records when a record is larger than PIPE_BUF (4096 bytes
// on Linux): a line holds the bytes of two records. POSIX makes a write to a pipe atomic only
// up to PIPE_BUF bytes; a larger write that finds the pipe full is copied in pieces as the
// reader makes room, and another writer's bytes land between the pieces. pino's destination
// (sonic-boom) writes each record, or several at once, in one write(2) of the whole buffer
// (sonic-boom 4.2.1 index.js:139-157, fs.writeSync / fs.write), synchronously with
// pino.destination({ sync: true }) and from the transport's worker thread with
// pino.transport({ target: 'pino/file' }); nothing can serialise writers in other processes or
// threads, so records above PIPE_BUF tear whenever the pipe's reader lags. A regular file opened
// with O_APPEND does not tear (Linux keeps each write whole there).
// The interleaving is forced, not hoped for: the reader waits until every writer is blocked in
// the kernel's pipe_write (/proc/PID/task/TID/wchan, Linux), then reads one PIPE_BUF; again
// and again, as a reader that lags behind does.
// Upstream: not a pino bug as such (POSIX write(): https://pubs.opengroup.org/onlinepubs/9699919799/functions/write.html);
// not reported upstream as of 2026-12-01.
// Found by: logjam run --adapter pino-sync --scenario torn-lines --seed 1 (pino-transport: --seed 2;
// pino-multistream, an asynchronous destination behind pino.multistream: --seed 1).
// Run on Linux from a project that has pino installed: node repro/pino-sync.torn-lines.cjs
// Exit code 1 and "SYMPTOM" when a line is not exactly one whole record; 0 when every line is.
const { fork, spawnSync } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

const WRITERS = 2
const RECORDS = 6
const PAYLOAD = 16 * 1024 // four times PIPE_BUF
const PIPE_BUF = 4096

if (process.argv[2] === 'child') {
  const [, , , config, fifo, id] = process.argv
  const pino = require('pino')
  const pad = String.fromCharCode(97 + Number(id)).repeat(PAYLOAD)
  const done = () => process.send('done', () => process.disconnect())
  if (config === 'sync') {
    const destination = pino.destination({ dest: fifo, sync: true })
    const logger = pino(destination)
    for (let i = 0; i < RECORDS; i++) logger.info({ w: Number(id), i, pad }, 'record')
    // pino's documented shutdown of its own destination: flush, then end and wait for 'close'.
    logger.flush()
    destination.once('close', done)
    destination.end()
  } else if (config === 'multistream') {
    // An asynchronous destination behind pino.multistream, as an application keeping copies does.
    const destination = pino.destination({ dest: fifo, sync: false })
    const logger = pino({}, pino.multistream([{ stream: destination }]))
    for (let i = 0; i < RECORDS; i++) logger.info({ w: Number(id), i, pad }, 'record')
    // The documented shutdown of a sonic-boom destination: end() it and wait for 'close'.
    destination.once('close', done)
    destination.end()
  } else {
    const transport = pino.transport({ target: 'pino/file', options: { destination: fifo } })
    const logger = pino(transport)
    for (let i = 0; i < RECORDS; i++) logger.info({ w: Number(id), i, pad }, 'record')
    // The documented shutdown of a transport: end() it and wait for its 'close'.
    transport.once('close', done)
    transport.end()
  }
} else {
  const blockedInPipeWrite = (pid) => {
    try {
      return fs.readdirSync(`/proc/${pid}/task`).some((tid) => /pipe_write/.test(fs.readFileSync(`/proc/${pid}/task/${tid}/wchan`, 'utf8')))
    } catch {
      return false
    }
  }
  const run = (config) =>
    new Promise((resolve) => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pino-torn-'))
      const fifo = path.join(dir, 'app.fifo')
      const made = spawnSync('mkfifo', [fifo])
      if (made.status !== 0) throw new Error(`mkfifo failed: ${made.stderr}`)
      // Read-write and non-blocking: the pipe never reads end-of-file, and reads never block.
      const reader = fs.openSync(fifo, fs.constants.O_RDWR | fs.constants.O_NONBLOCK)
      const chunks = []
      const read = (bytes) => {
        const buf = Buffer.alloc(bytes)
        try {
          const n = fs.readSync(reader, buf, 0, bytes, null)
          chunks.push(buf.subarray(0, n))
          return n
        } catch (error) {
          if (error.code === 'EAGAIN') return 0
          throw error
        }
      }
      const writers = []
      for (let id = 0; id < WRITERS; id++) {
        const child = fork(__filename, ['child', config, fifo, String(id)], { stdio: 'inherit' })
        const w = { child, done: false, exited: false }
        child.on('message', () => (w.done = true))
        child.on('exit', () => (w.exited = true))
        writers.push(w)
      }
      // The lagging reader: one PIPE_BUF at a time, each time every writer still writing is
      // blocked on the full pipe.
      const step = () => {
        if (writers.every((w) => w.exited)) {
          while (read(1 << 16) > 0);
          fs.closeSync(reader)
          fs.rmSync(dir, { recursive: true, force: true })
          return resolve(check(Buffer.concat(chunks).toString('utf8')))
        }
        if (writers.every((w) => w.done || w.exited || blockedInPipeWrite(w.child.pid))) {
          if (read(PIPE_BUF) === 0 && writers.every((w) => w.done || w.exited)) read(1 << 16)
          return setImmediate(step)
        }
        // A writer is still running: look again in a millisecond (not a busy loop that would
        // take the CPU from the writers).
        setTimeout(step, 1)
      }
      step()
    })
  const check = (text) => {
    const lines = text.split('\n')
    lines.pop()
    let whole = 0
    let torn = 0
    let example
    for (const line of lines) {
      let rec
      try {
        rec = JSON.parse(line)
      } catch {}
      if (rec !== undefined && typeof rec.pad === 'string' && rec.pad.length === PAYLOAD && rec.pad === rec.pad[0].repeat(PAYLOAD)) whole++
      else {
        torn++
        if (example === undefined) {
          const writersIn = [...new Set(line.match(/"w":\d/g) || [])].join(' ')
          example = `a ${line.length}-byte line holding ${writersIn || 'no record start'}, ${(line.match(/"pad":/g) || []).length} record heads`
        }
      }
    }
    return { lines: lines.length, whole, torn, example }
  }
  ;(async () => {
    let symptom
    const describe = { sync: 'pino.destination({ sync: true })', multistream: 'pino.multistream([pino.destination({ sync: false })])', transport: "pino.transport({ target: 'pino/file' })" }
    for (const config of ['sync', 'multistream', 'transport']) {
      const r = await run(config)
      console.log(
        `${describe[config]}: ${WRITERS} processes logged ${WRITERS * RECORDS} records of ${PAYLOAD} bytes to one named pipe; ` +
          `${r.lines} lines read, ${r.whole} whole records, ${r.torn} torn lines${r.example ? ` (e.g. ${r.example})` : ''}`,
      )
      if (r.torn > 0) symptom = `${symptom === undefined ? '' : `${symptom}; `}${r.torn} of ${r.lines} lines pino wrote to a pipe (${describe[config]}) were not one whole record: records larger than PIPE_BUF from two writers were interleaved`
    }
    const sonic = require(require.resolve('sonic-boom/package.json', { paths: [require.resolve('pino')] })).version
    console.log(`pino ${require('pino/package.json').version}, sonic-boom ${sonic}, node ${process.version}, ${os.platform()} ${os.release()}`)
    if (symptom !== undefined) {
      console.log(`SYMPTOM: ${symptom}`)
      process.exitCode = 1
    }
  })()
}
