/**
 * The docs cannot rot: every relative link in README.md and docs/*.md names a file or folder that
 * exists, and every #anchor names a heading of the page it points into, slugged the way GitHub
 * slugs headings. The README stays a front page.
 */

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..', '..');

const PAGES = [
  'README.md',
  'adapters/reference/README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

/** The page's text outside fenced code blocks, line by line; fenced lines become empty. */
function proseLines(text: string): string[] {
  let fence: string | undefined;
  return text.split('\n').map((line) => {
    const opener = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence === undefined && opener !== undefined) {
      fence = opener;
      return '';
    }
    if (fence !== undefined) {
      if (line.trim().startsWith(fence)) fence = undefined;
      return '';
    }
    return line;
  });
}

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/`/g, '')
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\p{M}\p{Pc}\- ]/gu, '')
    .replace(/ /g, '-');
}

/** Every anchor a page offers, with GitHub's -1, -2 suffixes for repeated headings. */
function anchorsOf(text: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const line of proseLines(text)) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const base = slug(heading);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}

interface Link {
  readonly page: string;
  readonly line: number;
  readonly target: string;
}

function relativeLinks(page: string): Link[] {
  const links: Link[] = [];
  proseLines(readFileSync(join(ROOT, page), 'utf8')).forEach((line, i) => {
    const prose = line.replace(/`[^`]*`/g, '');
    for (const m of prose.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
      const target = m[1] as string;
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:
      links.push({ page, line: i + 1, target });
    }
  });
  return links;
}

/** Why a link does not resolve, or undefined when it does. */
function brokenReason({ page, target }: Link): string | undefined {
  const [path = '', anchor] = target.split('#', 2);
  const file = path === '' ? join(ROOT, page) : resolve(dirname(join(ROOT, page)), path);
  if (!existsSync(file)) return `${relative(ROOT, file)} does not exist`;
  if (anchor === undefined) return undefined;
  if (statSync(file).isDirectory() || !file.endsWith('.md')) return `#${anchor} points into ${relative(ROOT, file)}, which is not a Markdown page`;
  const anchors = anchorsOf(readFileSync(file, 'utf8'));
  return anchors.has(anchor) ? undefined : `${relative(ROOT, file)} has no heading #${anchor}; it has ${[...anchors].map((a) => `#${a}`).join(' ')}`;
}

describe('the docs', () => {
  it('slugs headings the way GitHub does', () => {
    expect(slug('In CI: `logjam ci`')).toBe('in-ci-logjam-ci');
    expect(slug("Loggers configured once per process, and logjam's sink")).toBe('loggers-configured-once-per-process-and-logjams-sink');
    expect(slug('Seeds, shrinking, thread schedules and replay')).toBe('seeds-shrinking-thread-schedules-and-replay');
    expect(slug('natural-exit-graceful')).toBe('natural-exit-graceful');
    expect([...anchorsOf('# A\n## Notes\n```\n## Not a heading\n```\n## Notes\n')]).toEqual(['a', 'notes', 'notes-1']);
  });

  it('has every relative link and #anchor of README.md and docs/*.md resolve', () => {
    const links = PAGES.flatMap(relativeLinks);
    // Enough links that a parser matching nothing would fail here, not pass.
    expect(links.length).toBeGreaterThan(100);
    expect(links.filter((l) => l.target.includes('#')).length).toBeGreaterThan(20);
    const broken = links.flatMap((l) => {
      const reason = brokenReason(l);
      return reason === undefined ? [] : [`${l.page}:${l.line} (${l.target}): ${reason}`];
    });
    expect(broken).toEqual([]);
  });

  it('keeps the README a front page that starts with the two set-up commands', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    expect(Buffer.byteLength(readme)).toBeLessThanOrEqual(12 * 1024);
    const commands = /```sh\n([^]*?)```/.exec(readme)?.[1]?.split('\n').map((l) => l.replace(/\s+#.*$/, '').trim());
    expect(commands?.slice(0, 2)).toEqual(['ci/setup.sh && npm install && npx logjam ci', 'ci/setup.sh && npm install && npm test']);
    expect(readme.indexOf('```sh')).toBeLessThan(readme.indexOf('\n## '));
  });

  it('links every docs page from the README', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    for (const page of PAGES.filter((p) => p.startsWith('docs/'))) expect(readme).toContain(`](${page})`);
  });

  it('has every docs page a source comment cites exist, and no source cite the DESIGN.md that is not in the project', () => {
    const sources = ['harness', 'bench', 'reports', 'scenarios', 'adapters'].flatMap((dir) =>
      (readdirSync(join(ROOT, dir), { recursive: true }) as string[]).filter((f) => f.endsWith('.ts')).map((f) => join(dir, f)),
    );
    const cited = sources.flatMap((f) => [...readFileSync(join(ROOT, f), 'utf8').matchAll(/\b(docs\/[a-z-]+\.md|DESIGN\.md)/g)].map((m) => ({ file: f, page: m[1] as string })));
    expect(cited.length).toBeGreaterThan(0);
    expect(cited.filter((c) => !existsSync(join(ROOT, c.page)))).toEqual([]);
  });

  it('shows the API test on the API page as it runs', () => {
    const page = readFileSync(join(ROOT, 'docs', 'api.md'), 'utf8');
    const test = readFileSync(join(ROOT, 'test', 'e2e', 'api.test.ts'), 'utf8');
    expect(page).toContain(test.trim());
  });
});
