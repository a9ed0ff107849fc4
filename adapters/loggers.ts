/**
 * The loggers the bundled adapters drive, each loaded through `load.ts` (the user's project
 * first), with the helper packages whose versions the report names.
 */

import type Bunyan from 'bunyan';
import type Log4js from 'log4js';
import type Pino from 'pino';
import type Winston from 'winston';
import { loadLogger, loggerVersions } from './load.js';

export const HELPERS = {
  pino: ['sonic-boom', 'thread-stream', 'pino-std-serializers', 'pino-abstract-transport'],
  winston: ['winston-transport', 'logform'],
  bunyan: ['mv', 'dtrace-provider'],
  log4js: ['streamroller'],
} as const satisfies Record<string, readonly string[]>;

export type LoggerName = keyof typeof HELPERS;

export const loadPino = (): typeof Pino => loadLogger<typeof Pino>('pino').module;
export const loadWinston = (): typeof Winston => loadLogger<typeof Winston>('winston').module;
export const loadBunyan = (): typeof Bunyan => loadLogger<typeof Bunyan>('bunyan').module;
export const loadLog4js = (): typeof Log4js => loadLogger<typeof Log4js>('log4js').module;

/** Versions of a logger as loaded, helpers included, for `versions()`. */
export const versionsOf = (name: LoggerName): Record<string, string> => loggerVersions(name, HELPERS[name]);
