'use strict'
// Reproduces, with pino and pino-socket alone: records are lost when a pino-socket (tcp)
// transport is ended the documented way (transport.end(), then its 'close' event) while its
// socket still holds written data. pino-socket's Writable calls back every write at once
// (lib/TcpConnection.js:107-113: socket.write(...) then callback(), never waiting for the
// socket), so thread-stream's destination.end() (thread-stream lib/worker.js:247) finishes it
// at once; autoDestroy then runs its destroy(), which calls socket.destroy()
// (TcpConnection.js:91-96): what is still queued in the socket's user-space buffer is discarded,
// and the worker exits on 'close' (thread-stream lib/worker.js:185-193); the writes still queued
// then fail and go to the recovery queue (TcpConnection.js:82-87), which nothing replays after an
// end. The loss is the tail of each logger, and grows with how far the loggers ran ahead of the
// server: here the server reads only once every transport has reported 'close', as a busy log shipper
// falls behind, and then reads everything until each connection closes.
// Upstream: not reported upstream as of 2026-12-01 (pino-socket 8.0.0 has no final() that ends
// the socket and waits for it). Found by: logjam run --adapter pino-tcp --scenario steady --seed 2.
// Run from a project that has pino and pino-socket installed: node repro/pino-tcp.steady.cjs
// Exit code 1 and "SYMPTOM" when records are lost; 0 when they all arrive.
const { Worker, isMainThread, workerData, parentPort } = require('node:worker_threads')
const { once } = require('node:events')
const net = require('node:net')

const THREADS = 3
const RECORDS = 10000
const PAYLOAD = 2048

if (!isMainThread) {
  // A worker thread of the application: its own pino logger over its own pino-socket transport.
  const pino = require('pino')
  const transport = pino.transport({
    target: 'pino-socket',
    options: { address: '127.0.0.1', port: workerData.port, mode: 'tcp', reconnect: true, recovery: true },
  })
  const logger = pino(transport)
  const pad = 'x'.repeat(PAYLOAD)
  for (let i = 0; i < RECORDS; i++) logger.info({ t: workerData.id, i, pad }, 'record')
  // The application stays up until the transport says it is closed (bounded, so the script ends).
  const alive = setTimeout(() => parentPort.postMessage('no close within 20 s'), 20000)
  const closed = once(transport, 'close')
  parentPort.postMessage('ending')
  transport.end()
  closed.then(() => {
    clearTimeout(alive)
    parentPort.postMessage('closed')
  })
} else {
  // The collector: counts newline-terminated records per thread and the highest index seen.
  // It reads slower than the loggers write (here: not until every transport has closed), as a
  // busy log shipper does, so each socket still holds written data when pino-socket destroys it:
  // that makes the loss deterministic. It reads everything that arrives after that, until the
  // peer closes the connection.
  const seen = new Map()
  const connections = new Set()
  let ending = 0
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    connections.add(socket)
    if (ending < THREADS) socket.pause()
    let pending = ''
    socket.setEncoding('utf8')
    socket.on('data', (chunk) => {
      const lines = (pending + chunk).split('\n')
      pending = lines.pop()
      for (const line of lines) {
        const { t, i } = JSON.parse(line)
        const s = seen.get(t) || { count: 0, max: -1 }
        s.count++
        s.max = Math.max(s.max, i)
        seen.set(t, s)
      }
    })
    socket.on('end', () => socket.end())
    socket.on('error', () => undefined)
    socket.on('close', () => connections.delete(socket))
  })
  server.listen(0, '127.0.0.1', async () => {
    const port = server.address().port
    const workers = []
    for (let id = 0; id < THREADS; id++) {
      const w = new Worker(__filename, { workerData: { id, port } })
      w.on('message', (m) => {
        if (m !== 'ending' && m !== 'closed') console.log(`thread ${id}: ${m}`)
        // Resume once every transport has said 'close' (or given up waiting for it): reading
        // earlier would race the worker's end and drain the sockets before destroy() runs.
        if (m !== 'ending' && ++ending === THREADS) for (const c of connections) c.resume()
      })
      workers.push(once(w, 'exit'))
    }
    await Promise.all(workers)
    // Every transport reported 'close' and every thread exited: wait until every connection
    // the collector accepted is closed, so everything the peers sent has been read.
    while (connections.size > 0) await new Promise((resolve) => setTimeout(resolve, 10))
    server.close()
    let lost = 0
    for (let id = 0; id < THREADS; id++) {
      const s = seen.get(id) || { count: 0, max: -1 }
      lost += RECORDS - s.count
      console.log(`thread ${id}: ${s.count}/${RECORDS} records received, last index ${s.max}`)
    }
    const v = (name) => require(`${name}/package.json`).version
    console.log(`pino ${v('pino')}, pino-socket ${v('pino-socket')}, thread-stream ${v('thread-stream')}, node ${process.version}`)
    if (lost > 0) {
      console.log(`SYMPTOM: ${lost} of ${THREADS * RECORDS} records lost after transport.end() and 'close': the tails of the loggers never reached the server`)
      process.exitCode = 1
    }
  })
}
