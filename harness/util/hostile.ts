/**
 * Hostile values for structured log fields (hostile-input). Parameters name them, because
 * they are not JSON themselves; `hostileFields` builds each one inside the run, fresh per call.
 * Every kind is something real code hands a logger sooner or later.
 */

export const HOSTILE_KINDS = [
  'circular',
  'throwing-getter',
  'throwing-tojson',
  'tojson-logs',
  'bigint',
  'symbol',
  'null-prototype',
  'lone-surrogate',
  'control-chars',
  'huge-string',
  'deep-nesting',
  'throwing-proxy',
] as const;

export type HostileKind = (typeof HOSTILE_KINDS)[number];

export interface HostileOptions {
  /** Size of `huge-string`, in KiB. */
  readonly hugeKiB: number;
  /** Logs one record through the same logger, from inside `toJSON` (`tojson-logs`). */
  readonly reenter: () => void;
}

/** What one kind is, for reports: "a `toJSON` that logs through the same logger". */
export const HOSTILE_DESCRIPTIONS: Readonly<Record<HostileKind, string>> = {
  circular: 'an object that contains itself (a.self = a), two levels down',
  'throwing-getter': 'an object whose enumerable getter throws',
  'throwing-tojson': 'an object whose toJSON() throws',
  'tojson-logs': 'an object whose toJSON() logs through the same logger (reentrant)',
  bigint: 'a BigInt value (JSON.stringify throws on it)',
  symbol: 'a Symbol value and a symbol-keyed property',
  'null-prototype': 'an object made with Object.create(null) (no hasOwnProperty, no toString)',
  'lone-surrogate': 'strings with unpaired UTF-16 surrogates, in a value and a key',
  'control-chars': 'strings with NUL, ESC, CR, LF, U+2028 and DEL, in a value and a key',
  'huge-string': 'one string of several hundred KiB to MiB',
  'deep-nesting': 'an object nested 20 000 levels deep (recursive serialisers overflow the stack)',
  'throwing-proxy': 'a Proxy whose every trap throws',
};

function fail(what: string): never {
  throw new Error(`logjam hostile-input: ${what}`);
}

/** The fields of one hostile record of this kind. */
export function hostileFields(kind: HostileKind, options: HostileOptions): Record<string, unknown> {
  switch (kind) {
    case 'circular': {
      const a: Record<string, unknown> = { name: 'a' };
      a['child'] = { parent: a, list: [a] };
      a['self'] = a;
      return { circular: a };
    }
    case 'throwing-getter':
      return {
        user: Object.defineProperty({ id: 7 }, 'secret', { enumerable: true, get: () => fail('a getter that throws') }),
      };
    case 'throwing-tojson':
      return { value: { toJSON: () => fail('a toJSON that throws') } };
    case 'tojson-logs':
      return {
        value: {
          toJSON: () => {
            options.reenter();
            return 'logged from inside toJSON';
          },
        },
      };
    case 'bigint':
      return { big: 2n ** 70n, nested: { id: 12345678901234567890n } };
    case 'symbol':
      return { sym: Symbol('hostile'), [Symbol('key')]: 'symbol-keyed', list: [Symbol.iterator] };
    case 'null-prototype': {
      const bare = Object.create(null) as Record<string, unknown>;
      bare['id'] = 1;
      bare['inner'] = Object.assign(Object.create(null) as object, { ok: true });
      return { bare };
    }
    case 'lone-surrogate':
      return { text: `high \ud800 alone, low \udc00 alone, reversed \udc00\ud800`, ['key\ud83d']: 'lone high surrogate in a key' };
    case 'control-chars':
      return { text: 'nul \u0000 esc \u001b[31m cr \r lf \n ls \u2028 del \u007f bell \u0007', ['key\nwith\u0000ctl']: 'control characters in a key' };
    case 'huge-string':
      return { huge: 'x'.repeat(options.hugeKiB * 1024) };
    case 'deep-nesting': {
      let deep: Record<string, unknown> = { leaf: true };
      for (let i = 0; i < 20_000; i++) deep = { d: deep };
      return { deep };
    }
    case 'throwing-proxy':
      return {
        proxy: new Proxy(
          {},
          {
            get: () => fail('a Proxy get trap'),
            ownKeys: () => fail('a Proxy ownKeys trap'),
            getOwnPropertyDescriptor: () => fail('a Proxy getOwnPropertyDescriptor trap'),
            has: () => fail('a Proxy has trap'),
            getPrototypeOf: () => fail('a Proxy getPrototypeOf trap'),
          },
        ),
      };
  }
}
