/**
 * The log call a harness thread makes for each record: the logger's `log`, wrapped in the
 * scenario's interpreter-like lock on every k-th call when the scenario asks for one.
 */

import type { Level, LoggerInstance } from '../contract/adapter.js';
import { schedulePoint } from '../sync/schedule.js';
import { Mutex, type LockHandle } from '../sync/locks.js';

export type LogCall = (level: Level, message: string, seq: number) => void;

export function logCall(logger: LoggerInstance, holdLock: LockHandle | undefined, holdEvery = 1): LogCall {
  if (holdLock === undefined) {
    return (level, message) => {
      schedulePoint('log');
      logger.log(level, message);
    };
  }
  const hold = Mutex.from(holdLock);
  const every = Math.max(1, holdEvery);
  return (level, message, seq) => {
    schedulePoint('log');
    if (seq % every !== 0) {
      logger.log(level, message);
      return;
    }
    hold.lock();
    try {
      logger.log(level, message);
    } finally {
      hold.unlock();
    }
  };
}
