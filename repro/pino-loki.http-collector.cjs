'use strict'
// Reproduces, with pino and pino-loki alone: when Loki answers a push with a 5xx (or 429, or
// the connection resets, or the 30 s timeout passes), every record of that batch is gone: pino-loki
// prints the error with console.error and neither retries the batch nor counts what it lost,
// so an application cannot tell which records, or how many, never reached Loki.
// pino-loki 3.0.0 dist/index.cjs, LogPusher.push(): `fetch(...)`, `if (!response.ok) throw
// new RequestError(...)`, `catch (err) { this.#handleFailure(err) }` (console.error unless
// silenceErrors); the batch array is not kept. Its README says so under "Dropped logs":
// "Network issues: If Loki is unreachable, logs in the current batch will be lost".
// The configuration is the README's first example (batching at its default: on, every 5 s), so
// the records logged here go as one batch when the transport's close() sends the rest; the
// service answers that one request 503 and every later one 200, and the same application logs a
// second round afterwards, which arrives: what is lost is exactly what met the failure.
// Upstream: documented in pino-loki's README ("Dropped logs"); no retry or drop count requested
// upstream as of 2026-12-01. Found by: logjam run --adapter pino-loki --scenario http-collector.
// Run from a project that has pino and pino-loki installed: node repro/pino-loki.http-collector.cjs
// Exit code 1 and "SYMPTOM" when records that met a failed request are lost; 0 when all arrive.
const http = require('node:http')
const { fork } = require('node:child_process')
const { once } = require('node:events')

const N = 100

if (process.argv[2] === 'app') {
  // The application: one logger over the pino-loki transport per round, N records, then pino's
  // documented shutdown: transport.end() and its 'close' event (pino-loki's close() sends the
  // buffer and awaits the answer). The service runs in the parent process, as Loki runs
  // elsewhere: thread-stream's end() may block this thread (Atomics.wait) while the transport's
  // worker still makes its request.
  const pino = require('pino')
  const round = async (from) => {
    const transport = pino.transport({ target: 'pino-loki', options: { host: process.argv[3], silenceErrors: true } })
    const logger = pino(transport)
    for (let i = from; i < from + N; i++) logger.info({ i }, `record-${i}`)
    const closed = once(transport, 'close')
    transport.end()
    await closed
  }
  // The application stays up until its loggers are closed, as a server does (bounded, so the
  // script ends): a pending 'close' alone does not keep a process alive.
  const alive = setTimeout(() => console.log('no close within 20 s'), 20000)
  ;(async () => {
    await round(0)
    process.send('first round closed')
    await round(N)
    clearTimeout(alive)
  })()
} else {
  let requests = 0
  let received = 0
  let afterFirst = 0
  const server = http.createServer((req, res) => {
    const chunks = []
    req.on('data', (c) => chunks.push(c))
    req.on('end', () => {
      // The first push fails, as a Loki that is restarting answers; every later one is stored.
      if (requests++ === 0) {
        res.writeHead(503).end('service unavailable')
        return
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'))
      for (const stream of body.streams) received += stream.values.length
      res.writeHead(204).end()
    })
  })
  server.listen(0, '127.0.0.1', async () => {
    const app = fork(__filename, ['app', `http://127.0.0.1:${server.address().port}`])
    app.on('message', () => (afterFirst = received))
    const [code] = await once(app, 'exit')
    server.close()
    server.closeAllConnections()
    console.log(`pino ${require('pino/package.json').version}, pino-loki ${require('pino-loki/package.json').version}: ${requests} push requests (the first answered 503); ${afterFirst}/${N} records of the first round and ${received - afterFirst}/${N} of the second reached the service; no retry, nothing counted (application exit code ${code})`)
    if (received < 2 * N) {
      console.log(`SYMPTOM: ${2 * N - received} of ${2 * N} records lost: the batch whose push was answered 503 is dropped, without a retry or a count`)
      process.exitCode = 1
    }
  })
}
