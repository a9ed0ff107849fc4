/**
 * `--logger-version NAME@VERSION`: installs (or reuses) pinned logger releases and points every
 * run's process at them. The installer loads only when a pin is given.
 */

import { stderr } from './io.js';

/** Installs (or reuses) the pinned releases and points every run's process at them. */
export async function pinLoggerVersions(values: string[] | undefined): Promise<void> {
  if (values === undefined || values.length === 0) return;
  const [{ parsePins, PINS_ENV, useLoggerVersions }] = await Promise.all([import('../logger-cache.js')]);
  const pins = parsePins(values);
  const outcome = useLoggerVersions(pins, { log: (line) => stderr.write(line) });
  // Replay commands name the same releases (supervisor.replayFor reads this).
  process.env[PINS_ENV] = pins.map((p) => `${p.name}@${p.version}`).join(' ');
  if (outcome.installed) stderr.write(`logjam: installed in ${(outcome.ms / 1000).toFixed(1)} s\n`);
}


/**
 * `--node VERSION`: resolves the release (installing it into the cache if needed) and runs every
 * run's process this command starts on it. The installer loads only when the flag is given.
 */
/** Pins the runs' Node release (`--node`); returns the exact version, or undefined without the flag. */
export async function pinNode(value: string | undefined): Promise<string | undefined> {
  if (value === undefined) return undefined;
  const { resolveNode, useNode } = await import('../node-cache.js');
  const release = resolveNode(value, { log: (line) => stderr.write(line) });
  useNode(release);
  return release.version;
}
