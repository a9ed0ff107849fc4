'use strict'
// Reproduces, with winston alone: logger.end() while records are still in the logger's own
// (readable) buffer ends the File transport first; the transport then drains, the logger's pipe
// writes the next record into the ended transport ("write after end", an 'error' on the logger),
// unpipes on that error, and every record still in the logger's buffer is dropped, though
// 'finish' comes as winston's README promises ("Awaiting logs to be written in winston").
// With no 'error' listener (the README's snippet as written) the process dies instead.
//
// How the buffer gets full, deterministically: the File transport opens its file asynchronously,
// and records an application logs at start-up wait for it. 60 records of 1 KB fill the
// transport's PassThrough (readable-stream 3, 2 x 16 KiB), the transport's own object buffer (16
// records) and leave 13 in the logger's readable buffer, its writable side empty. So end()
// finishes the logger's writable side at once, and Logger._final (winston lib/winston/logger.js:350)
// calls transport.end() on the next tick, before the open can complete. When the file opens, the
// transport's backlog is written in one batch and 'drain' is emitted after end (readable-stream 3
// _stream_writable.js afterWrite: `finished` was computed before the batch emptied the buffer), so
// the logger's pipe writes into the ended transport, errs and unpipes.
// A second path loses records with no error at all, records above 16 KiB: File.log() parks a
// record on the PassThrough's 'drain' (file.js:159) without writing it, but winston-transport's
// _writev (modern.js:117-165) calls back for the whole batch at once; so the transport's buffer
// reads empty, File._final (file.js:119) ends the PassThrough, and the parked records are never
// written: 3 of 5 records of 21 KB (one producer's load in the torn-lines run that found it) vanish, and
// 'finish' comes. And when the PassThrough, already ended by File._final, emits 'drain' after all
// (the same readable-stream afterWrite order), the parked records are logged into it: "write
// after end" is emitted on that internal PassThrough (file.js:164 -> 254), which has no 'error'
// listener, so the process dies even though the application listens to the logger's 'error'
// (the last case: 112 records of mixed sizes, the shape of the graceful-exit run that found it).
// A file open for a while is no different (the last case, what a long-running application
// does at shutdown): a burst's first write goes to the disk and the rest waits in the same
// buffers, the fs stream holding one highWaterMark more (16 KiB on Node 20, 64 KiB from Node 22,
// where the loss comes for some burst sizes and not others: 120 records of 1 KB, not 100 or 200).
// No timing is involved: every step is decided before any write's callback can run, and every
// case shows the same on Node 20, 22 and 24 (the same counts but for the mixed sizes: 81 records
// in the file on Node 20, 60 on 22 and 24). The rotating configuration (maxsize) behaves the same.
// Upstream: https://github.com/winstonjs/winston-transport/issues/49 (open; fix proposed in
// https://github.com/winstonjs/winston-transport/pull/50, open) for the silent path;
// https://github.com/winstonjs/winston/issues/2219 (open; fix proposed in
// https://github.com/winstonjs/winston/pull/2599, open) for "write after end".
// Found by: logjam run --adapter winston-file --scenario graceful-exit (and startup-burst, steady,
// natural-exit-graceful, slow-sink, stalled-sink, blocking-sink, torn-lines; winston-rotating).
// Run from a project that has winston installed: node repro/winston-file.graceful-exit.cjs
// Exit code 1 and "SYMPTOM" when end() errs, the process dies or records are missing after 'finish'.
const { spawnSync } = require('node:child_process')
const { mkdtempSync, readFileSync, existsSync, rmSync } = require('node:fs')
const { join } = require('node:path')
const { tmpdir } = require('node:os')

// [config, 'handled' | 'unhandled' 'error' events, records, bytes per record, label]
const CASES = [
  ['file', 'handled', 60, 1000, 'File, 60 records of 1 KB at start-up'],
  ['file', 'unhandled', 60, 1000, "File, 60 records of 1 KB at start-up, no 'error' listener (the README snippet)"],
  ['rotating', 'handled', 60, 1000, 'File with maxsize (rotation), 60 records of 1 KB at start-up'],
  ['file', 'handled', 5, 21373, 'File, 5 records of 21 KB at start-up'],
  ['open', 'handled', 120, 1000, 'File open for a while, a burst of 120 records of 1 KB'],
  ['file', 'handled', 112, 0, "File, 112 records of 16 to 1850 bytes at start-up, 'error' listened to"],
]

if (process.argv[2] === 'child') {
  const [, , , file, config, errors, records, bytes] = process.argv
  const winston = require('winston')
  const options = config === 'rotating' ? { filename: file, maxsize: 1024 * 1024, tailable: false } : { filename: file }
  const logger = winston.createLogger({ level: 'info', format: winston.format.json(), transports: [new winston.transports.File(options)] })
  let error
  // The README: "you should handle or suppress [errors] if you don't want unhandled exceptions".
  if (errors === 'handled') logger.on('error', (e) => (error = error || e))
  // bytes 0: mixed sizes, 16 to 1850 bytes, from a fixed pseudo-random sequence (the same every run).
  let seed = 2
  const size = () => (Number(bytes) > 0 ? Number(bytes) : 16 + Math.floor(((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff) * 1834))
  const burst = () => {
    for (let i = 0; i < Number(records); i++) logger.info(`record-${i} ${'x'.repeat(size())}`)
    // The README's shutdown, as written: 'finish' once every log message has been logged.
    logger.on('finish', () => {
      process.stdout.write(JSON.stringify({ finish: true, error: error ? error.message : null }) + '\n')
    })
    logger.end()
  }
  // Logged at start-up, while the file is still opening; or once it has been open a while.
  if (config !== 'open') burst()
  else logger.transports[0].once('open', () => setTimeout(burst, 100))
} else {
  const winston = require('winston/package.json').version
  let symptom = false
  for (const [config, errors, N, bytes, label] of CASES) {
    const dir = mkdtempSync(join(tmpdir(), 'winston-end-'))
    const file = join(dir, 'app.log')
    const child = spawnSync(process.execPath, [__filename, 'child', file, config, errors, String(N), String(bytes)], { encoding: 'utf8', timeout: 20000 })
    const all = existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : []
    const lines = all.length
    rmSync(dir, { recursive: true, force: true })
    const out = child.stdout.trim() ? JSON.parse(child.stdout.trim().split('\n').pop()) : { finish: false, error: null }
    const died =
      child.status !== 0
        ? `${(child.stderr.match(/Error.*write after end/) || [`exit code ${child.status}`])[0]}${/Emitted 'error' event on PassThrough/.test(child.stderr) ? " emitted on the File transport's internal PassThrough" : ''}`
        : null
    console.log(
      `winston ${winston}, ${label}: ${lines}/${N} records in the file; 'finish': ${out.finish ? 'yes' : 'no'}; ` +
        `logger error: ${out.error || 'none'}; process: ${died ? `died (${died})` : 'exited 0'}`,
    )
    const seen = [
      out.error ? `'${out.error}' emitted by logger.end()` : null,
      died ? `the process died of '${died}'` : null,
      lines < N ? `${N - lines} of ${N} records missing from the file${out.finish ? " after 'finish'" : ''}` : null,
    ].filter(Boolean)
    if (seen.length > 0) console.log(`SYMPTOM: ${label}, then logger.end() and 'finish' as the README shows: ${seen.join('; ')}`)
    if (seen.length > 0) symptom = true
  }
  if (symptom) process.exitCode = 1
}
