'use strict'
// Reproduces, with winston alone: an application that logs and then calls process.exit(0) at
// once, with no logger.end(), loses its records with each of winston's asynchronous transports:
// File (with and without maxsize rotation), Stream over fs.createWriteStream() and Http (all but
// the first record, whose write was already on the libuv thread pool, or every one). winston
// writes through Node streams (its own, the transport's PassThrough, the fs or socket write) whose
// work runs on later ticks and on the libuv thread pool; process.exit() ends the process before
// any of it and winston has no exit hook. A fact of winston's design, documented by its README
// ("Awaiting logs to be written in winston": end() and wait for 'finish' before exiting).
// Upstream: https://github.com/winstonjs/winston/issues/228 ("Logging to file fails when calling
// process.exit(0)", open since 2013).
// Found by: logjam run --adapter winston-file --scenario exit-after-logging (and winston-rotating,
// winston-stream, winston-http).
// Run from a project that has winston installed: node repro/winston.exit-after-logging.cjs
// Exit code 1 and "SYMPTOM" when records logged before process.exit(0) are lost.
const { spawn } = require('node:child_process')
const { mkdtempSync, readFileSync, existsSync, rmSync, createWriteStream } = require('node:fs')
const http = require('node:http')
const { join } = require('node:path')
const { tmpdir } = require('node:os')

const N = 100

if (process.argv[2] === 'child') {
  const [, , , transportName, target] = process.argv
  const winston = require('winston')
  const transport = {
    file: () => new winston.transports.File({ filename: target }),
    rotating: () => new winston.transports.File({ filename: target, maxsize: 1024 * 1024, tailable: false }),
    stream: () => new winston.transports.Stream({ stream: createWriteStream(target, { flags: 'a' }) }),
    http: () => new winston.transports.Http({ host: '127.0.0.1', port: Number(target), path: '/logs' }),
  }[transportName]()
  const logger = winston.createLogger({ level: 'info', format: winston.format.json(), transports: [transport] })
  // The application has been up a while: the destination is open (the socket connects on the
  // first request, so the Http transport has nothing to wait for).
  setTimeout(() => {
    for (let i = 0; i < N; i++) logger.info(`record-${i}`)
    process.exit(0)
  }, 100)
} else {
  const version = require('winston/package.json').version
  let received = 0
  const server = http.createServer((req, res) => {
    req.resume()
    req.on('end', () => {
      received++
      res.end('{"ok":true}')
    })
  })
  server.listen(0, '127.0.0.1', async () => {
    let lost = false
    for (const name of ['file', 'rotating', 'stream', 'http']) {
      const dir = mkdtempSync(join(tmpdir(), 'winston-exit-'))
      const file = join(dir, 'app.log')
      const target = name === 'http' ? String(server.address().port) : file
      // Spawned asynchronously so the collector in this process keeps answering.
      const child = await new Promise((resolve) => {
        const c = spawn(process.execPath, [__filename, 'child', name, target], { stdio: 'inherit' })
        c.on('close', (status) => resolve({ status }))
      })
      // Give every request the child did send time to arrive.
      if (name === 'http') for (let waited = 0; waited < 300; waited += 50) await new Promise((r) => setTimeout(r, 50))
      const delivered = name === 'http' ? received : existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).length : 0
      rmSync(dir, { recursive: true, force: true })
      console.log(`winston ${version}, ${name}: ${delivered}/${N} records logged before process.exit(0) reached the destination (child exit code ${child.status})`)
      if (delivered < N) {
        console.log(`SYMPTOM: ${name}: ${N - delivered} of ${N} records logged before process.exit(0) were lost`)
        lost = true
      }
    }
    server.close()
    server.closeAllConnections()
    if (lost) process.exitCode = 1
  })
}
