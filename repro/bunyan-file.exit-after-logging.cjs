'use strict'
// Shows, with bunyan alone (a fact, not a bug report): records logged just before
// process.exit(0) are lost, every one of them, with each of bunyan's file streams ({ path },
// { stream } over fs.createWriteStream, and type 'rotating-file'). bunyan writes through
// fs.WriteStream, which opens its file and writes asynchronously on libuv's thread pool;
// process.exit() does not wait for either, and bunyan has no flush and registers no exit hook
// that writes synchronously (lib/bunyan.js: Logger._emit only calls stream.write()). Its
// README gives no shutdown call; the way to keep the records is to end the streams and wait
// for 'close' before exiting (trentm/node-bunyan#37).
// Upstream: https://github.com/trentm/node-bunyan/issues/37 ("Ensuring writable stream is
// flushed on exception"); https://github.com/trentm/node-bunyan/issues/186.
// Found by: logjam run --adapter bunyan-file --scenario exit-after-logging (bunyan-stream,
// bunyan-rotating too).
// Run from a project that has bunyan installed: node repro/bunyan-file.exit-after-logging.cjs
// Exit code 1 and "SYMPTOM" when records logged before process.exit(0) are lost; 0 when all land.
const { spawnSync } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

const RECORDS = 100

if (process.argv[2] === 'child') {
  const [, , , config, file] = process.argv
  const bunyan = require('bunyan')
  const stream =
    config === 'path'
      ? { path: file }
      : config === 'stream'
        ? { stream: fs.createWriteStream(file, { flags: 'a' }) }
        : { type: 'rotating-file', path: file, period: '1d', count: 3 }
  const log = bunyan.createLogger({ name: 'app', streams: [stream] })
  for (let i = 0; i < RECORDS; i++) log.info({ i }, 'record')
  process.exit(0)
} else {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bunyan-exit-'))
  const lost = []
  for (const config of ['path', 'stream', 'rotating-file']) {
    const file = path.join(dir, `${config}.log`)
    const child = spawnSync(process.execPath, [__filename, 'child', config, file], { encoding: 'utf8', timeout: 20000 })
    const landed = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).length : 0
    console.log(`${config === 'rotating-file' ? "{ type: 'rotating-file' }" : `{ ${config} }`}: ${landed}/${RECORDS} records logged before process.exit(0) reached the file (child exit code ${child.status}${child.stderr ? `, stderr: ${child.stderr.trim()}` : ''})`)
    if (landed < RECORDS) lost.push(`${config}: ${RECORDS - landed}`)
  }
  fs.rmSync(dir, { recursive: true, force: true })
  console.log(`bunyan ${require('bunyan/package.json').version}, node ${process.version}`)
  if (lost.length > 0) {
    console.log(`SYMPTOM: records logged right before process.exit(0) were lost (of ${RECORDS} each: ${lost.join(', ')}); bunyan has no flush and no exit hook`)
    process.exitCode = 1
  }
}
