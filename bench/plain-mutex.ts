/**
 * The baseline the instrumented Mutex is measured against: the smallest correct Atomics mutex
 * (Drepper's three-state futex mutex), with nothing else on its path.
 */
export class PlainMutex {
  readonly buffer: SharedArrayBuffer;
  readonly #w: Int32Array;

  constructor(buffer = new SharedArrayBuffer(4)) {
    this.buffer = buffer;
    this.#w = new Int32Array(buffer);
  }

  lock(): void {
    let c = Atomics.compareExchange(this.#w, 0, 0, 1);
    if (c === 0) return;
    if (c !== 2) c = Atomics.exchange(this.#w, 0, 2);
    while (c !== 0) {
      Atomics.wait(this.#w, 0, 2);
      c = Atomics.exchange(this.#w, 0, 2);
    }
  }

  unlock(): void {
    if (Atomics.sub(this.#w, 0, 1) !== 1) {
      Atomics.store(this.#w, 0, 0);
      Atomics.notify(this.#w, 0, 1);
    }
  }
}
