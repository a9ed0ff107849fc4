'use strict'
// Reproduces, with pino and pino-loki alone: with batching on (pino-loki's default), a logger
// that logs more than `batching.maxBufferSize` records (10 000 by default) between two sends
// loses the oldest ones without a count, against a Loki that answers every push at once.
// pino-loki 3.0.0 dist/index.cjs: `if (maxBufferSize > 0 && pinoLogBuffer.length >=
// maxBufferSize) { const dropped = pinoLogBuffer.shift(); debug(...) }`: only NODE_DEBUG=pino-loki
// prints it; nothing counts it. Its README documents the cap ("Buffer overflow: ... the oldest
// logs are dropped to make room for new ones"); what it does not offer is a way to know how many.
// The interval is set to 60 s (the documented `batching.interval`, default 5 s) so that the one
// send is the transport's close(), whatever the machine's speed: at the default 5 s the
// interval's send splits the burst when logging it takes longer than 5 s, and the loss shrinks.
// Upstream: documented in pino-loki's README ("Dropped logs", "batching.maxBufferSize"); no drop
// count requested upstream as of 2026-12-01.
// Found by: logjam run --adapter pino-loki --scenario steady --seed 1 (3 loggers x 11 791 records:
// 1 791 of each lost, the oldest), and startup-burst --seed 2.
// Run from a project that has pino and pino-loki installed: node repro/pino-loki.steady.cjs
// Exit code 1 and "SYMPTOM" when records are lost; 0 when they all arrive.
const http = require('node:http')
const { fork } = require('node:child_process')
const { once } = require('node:events')

const N = 10500

if (process.argv[2] === 'app') {
  // The application: one logger over pino-loki, N records, then transport.end() and 'close'.
  const pino = require('pino')
  const alive = setTimeout(() => console.log('no close within 20 s'), 20000)
  const transport = pino.transport({ target: 'pino-loki', options: { host: process.argv[3], batching: { interval: 60 } } })
  const logger = pino(transport)
  for (let i = 0; i < N; i++) logger.info({ i }, `record-${i}`)
  const closed = once(transport, 'close')
  transport.end()
  closed.then(() => clearTimeout(alive))
} else {
  let received = 0
  let first
  const server = http.createServer((req, res) => {
    const chunks = []
    req.on('data', (c) => chunks.push(c))
    req.on('end', () => {
      for (const stream of JSON.parse(Buffer.concat(chunks).toString('utf8')).streams) {
        for (const [, line] of stream.values) {
          received++
          first ??= JSON.parse(line).i
        }
      }
      res.writeHead(204).end()
    })
  })
  server.listen(0, '127.0.0.1', async () => {
    const app = fork(__filename, ['app', `http://127.0.0.1:${server.address().port}`])
    const [code] = await once(app, 'exit')
    server.close()
    server.closeAllConnections()
    console.log(`pino ${require('pino/package.json').version}, pino-loki ${require('pino-loki/package.json').version}: ${received}/${N} records reached Loki, the first of them record ${first}; nothing counted the rest (application exit code ${code})`)
    if (received < N) {
      console.log(`SYMPTOM: ${N - received} of ${N} records lost: the oldest, dropped from pino-loki's full batch buffer without a count`)
      process.exitCode = 1
    }
  })
}
