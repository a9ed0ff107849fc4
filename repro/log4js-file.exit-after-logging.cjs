'use strict'
// Shows, with log4js alone (a documented fact, not a bug report): events logged just before
// process.exit(0) are lost, every one of them, with the file appender (with and without
// maxLogSize rotation) and the tcp appender. The file appender writes through streamroller's
// asynchronous file stream, and the tcp appender buffers events until its socket connects;
// process.exit() waits for neither, and log4js registers no exit hook. log4js documents the
// way out: call log4js.shutdown(cb) and exit in its callback
// (https://log4js-node.github.io/log4js-node/api.html; tcp: "Remember to call log4js.shutdown
// when your application terminates", https://log4js-node.github.io/log4js-node/tcp.html).
// Upstream: documented behaviour (log4js API: shutdown(cb)).
// Found by: logjam run --adapter log4js-file --scenario exit-after-logging (log4js-rotating and
// log4js-tcp too).
// Run from a project that has log4js installed: node repro/log4js-file.exit-after-logging.cjs
// Exit code 1 and "SYMPTOM" when events logged before process.exit(0) are lost; 0 when all land.
const { fork } = require('node:child_process')
const fs = require('node:fs')
const net = require('node:net')
const os = require('node:os')
const path = require('node:path')
const { once } = require('node:events')

const EVENTS = 100

if (process.argv[2] === 'child') {
  const [, , , config, target] = process.argv
  const log4js = require('log4js')
  const appender =
    config === 'file'
      ? { type: 'file', filename: target }
      : config === 'rotating'
        ? { type: 'file', filename: target, maxLogSize: 1024 * 1024, backups: 3 }
        : { type: 'tcp', host: '127.0.0.1', port: Number(target), endMsg: '\n' }
  log4js.configure({ appenders: { out: appender }, categories: { default: { appenders: ['out'], level: 'info' } } })
  const logger = log4js.getLogger()
  for (let i = 0; i < EVENTS; i++) logger.info(`event-${i}`)
  process.exit(0)
} else {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'log4js-exit-'))
  const run = async (config) => {
    let landed = 0
    let target = path.join(dir, `${config}.log`)
    let server
    const sockets = new Set()
    if (config === 'tcp') {
      // A collector that counts every event line it receives.
      server = net.createServer((socket) => {
        sockets.add(socket)
        socket.setEncoding('utf8')
        socket.on('data', (chunk) => (landed += (chunk.match(/event-\d+/g) || []).length))
        socket.on('error', () => undefined)
        socket.on('close', () => sockets.delete(socket))
      })
      server.listen(0, '127.0.0.1')
      await once(server, 'listening')
      target = String(server.address().port)
    }
    const child = fork(__filename, ['child', config, target], { stdio: 'inherit' })
    const [code] = await once(child, 'exit')
    if (server !== undefined) {
      while (sockets.size > 0) await new Promise((resolve) => setTimeout(resolve, 5))
      server.close()
    } else if (fs.existsSync(target)) {
      landed = (fs.readFileSync(target, 'utf8').match(/event-\d+/g) || []).length
    }
    return { config, landed, code }
  }
  ;(async () => {
    const lost = []
    for (const config of ['file', 'rotating', 'tcp']) {
      const r = await run(config)
      const name = config === 'file' ? "{ type: 'file' }" : config === 'rotating' ? "{ type: 'file', maxLogSize }" : "{ type: 'tcp' }"
      console.log(`${name}: ${r.landed}/${EVENTS} events logged before process.exit(0) arrived (child exit code ${r.code})`)
      if (r.landed < EVENTS) lost.push(`${config}: ${EVENTS - r.landed}`)
    }
    fs.rmSync(dir, { recursive: true, force: true })
    console.log(`log4js ${require('log4js/package.json').version}, node ${process.version}`)
    if (lost.length > 0) {
      console.log(`SYMPTOM: events logged right before process.exit(0) without log4js.shutdown() were lost (of ${EVENTS} each: ${lost.join(', ')})`)
      process.exitCode = 1
    }
  })()
}
