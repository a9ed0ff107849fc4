/**
 * The comparison report in a real browser: Debian's chromium driven by playwright-core. It must
 * render offline, draw its charts, show the verdict matrix with each cell's findings, and keep
 * hostile log content inert: shown as text, never run.
 */

import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as Compare from '../../harness/cli/commands/compare.js';
import type { CompareModel } from '../../reports/compare-model.js';
import type * as Html from '../../reports/html.js';
import { logjam, ROOT, scratchDir } from './helpers.js';

const { compareHtml } = (await import(join(ROOT, 'dist', 'reports', 'html.js'))) as typeof Html;
const { chartJsSource } = (await import(join(ROOT, 'dist', 'harness', 'cli', 'commands', 'compare.js'))) as typeof Compare;

const CHROMIUM = '/usr/bin/chromium';
const dir = scratchDir();
let browser: Browser;
let model: CompareModel;
let cli: ReturnType<typeof logjam>;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`Expected Debian's chromium at ${CHROMIUM}: apt-get install -y chromium (.ci/run does it)`);
  // A small real comparison: a passing, a skipping and a deadlocking adapter; two shapes.
  cli = logjam(
    ['compare', '--adapter', 'pino-sync,reference,reference-bug-abba', '--scenario', 'lock-inversion,graceful-exit', '--records', '2000', '--iterations', '1', '--shape', 'simple,error', '--threads', '1,2', '--out', dir],
    120_000,
  );
  model = JSON.parse(readFileSync(join(dir, 'compare.json'), 'utf8')) as CompareModel;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'], timeout: 30_000 });
}, 150_000);

afterAll(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Opens a file with the network cut off: the report must need nothing from outside. */
async function open(file: string): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ offline: true });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(pathToFileURL(file).href, { timeout: 30_000 });
  return { page, errors };
}

/** Pixels of a canvas that are not fully transparent. */
const inkedPixels = (page: Page, id: string): Promise<number> =>
  page.evaluate((canvasId) => {
    // Runs in the page; typed by hand, as the tests compile without the DOM library.
    interface Canvas {
      width: number;
      height: number;
      getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } | null;
    }
    const canvas = (globalThis as unknown as { document: { getElementById(id: string): Canvas | null } }).document.getElementById(canvasId);
    if (canvas === null) return -1;
    const pixels = canvas.getContext('2d')?.getImageData(0, 0, canvas.width, canvas.height).data ?? new Uint8ClampedArray();
    let inked = 0;
    for (let i = 3; i < pixels.length; i += 4) if ((pixels[i] ?? 0) > 0) inked++;
    return inked;
  }, id);

describe('logjam compare', () => {
  it('writes an HTML report that renders offline with its charts drawn and the verdict matrix', async () => {
    expect(cli.stderr).toBe('');
    expect(cli.code).toBe(0);
    expect(model.benchmarks.map((b) => `${b.adapter} ${b.shape} ${b.threads} ${b.status}`)).toContain('reference error 2 ok');
    const { page, errors } = await open(join(dir, 'compare.html'));
    await page.waitForSelector('body[data-charts="drawn"]', { timeout: 10_000 });
    expect(errors).toEqual([]);
    for (const id of ['chart-rate-1', 'chart-rate-2', 'chart-p99']) expect(await inkedPixels(page, id)).toBeGreaterThan(1000);
    const rows = await page.locator('#verdicts tr th:first-child').allInnerTexts();
    expect(rows).toEqual(['adapter \\ scenario', 'pino-sync', 'reference', 'reference-bug-abba']);
    const cell = page.locator('#verdicts tr', { hasText: 'reference-bug-abba' }).locator('td').first();
    await expect(cell.getAttribute('class')).resolves.toBe('fail');
    await cell.locator('summary').click();
    await expect(cell.locator('.kind').first().innerText()).resolves.toMatch(/lock-order-cycle|deadlock/);
    await expect(cell.locator('code.replay').innerText()).resolves.toBe('npx logjam run --adapter reference-bug-abba --scenario lock-inversion --seed 1');
    const md = readFileSync(join(dir, 'compare.md'), 'utf8');
    expect(md).toContain('| reference-bug-abba | ❌ fail');
  });

  it('shows hostile record content as text and never runs it', async () => {
    const hostile = '<img src=x onerror="window.__pwned=1"></textarea><script>window.__pwned=2</script>\u2028</script><!--';
    const runs = model.report.runs.map((r) =>
      r.adapter === 'reference-bug-abba' && r.scenario === 'lock-inversion'
        ? { ...r, findings: [{ kind: 'torn-records' as const, severity: 'error' as const, message: hostile, evidence: { line: hostile, [hostile]: 1 } }, ...r.findings] }
        : r,
    );
    const tampered: CompareModel = {
      ...model,
      command: `logjam compare ${hostile}`,
      adapters: model.adapters.map((a) => ({ ...a, description: hostile })),
      report: { ...model.report, runs },
      benchmarks: model.benchmarks.map((b) => ({ ...b, adapter: `${b.adapter}${hostile}`, reason: hostile })),
    };
    const file = join(dir, 'hostile.html');
    writeFileSync(file, compareHtml(tampered, chartJsSource()));
    const { page } = await open(file);
    await page.waitForSelector('body[data-charts="drawn"]', { timeout: 10_000 });
    const cell = page.locator('#verdicts tr', { hasText: 'reference-bug-abba' }).locator('td').first();
    await cell.locator('summary').click();
    await expect(cell.locator('.message').first().innerText()).resolves.toContain('<img src=x onerror="window.__pwned=1"></textarea><script>');
    expect(await cell.locator('.message').first().textContent()).toBe(hostile);
    expect(await page.evaluate(() => (globalThis as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.locator('script').count()).toBe(3);
    expect(await page.locator('textarea').count()).toBe(0);
    // The chart labels carry the hostile adapter names through JSON, drawn on a canvas.
    expect(await inkedPixels(page, 'chart-p99')).toBeGreaterThan(1000);
  });

  it('keeps a hostile line from a real run inert: a logger that writes HTML into its sink', async () => {
    // A real comparison of a fixture logger that writes a line of hostile HTML after every
    // tenth record: the ledger reports the lines as torn, with their text as evidence.
    const out = scratchDir();
    const fixture = join(ROOT, 'test', 'fixtures', 'adapters', 'html-lines.ts');
    const run = logjam(['compare', '--adapter', fixture, '--scenario', 'steady', '--no-bench', '--out', out], 120_000);
    expect(run.code, run.stderr).toBe(0);
    const { page, errors } = await open(join(out, 'compare.html'));
    const cell = page.locator('#verdicts tr', { hasText: 'html-lines' }).locator('td').first();
    await expect(cell.getAttribute('class')).resolves.toBe('fail');
    await cell.locator('summary').click();
    const torn = cell.locator('.finding', { hasText: 'torn-records' }).first();
    const evidence = (await torn.locator('pre.evidence').textContent()) ?? '';
    expect(evidence).toContain('<img src=x onerror=\\"window.__pwned=1\\"></textarea><script>window.__pwned=2</script></pre><!--');
    expect(await page.evaluate(() => (globalThis as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.locator('textarea').count()).toBe(0);
    expect(await page.locator('script', { hasText: '__pwned' }).count()).toBe(0);
    expect(errors).toEqual([]);
    rmSync(out, { recursive: true, force: true });
  });
});
