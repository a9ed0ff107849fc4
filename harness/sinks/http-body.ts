/**
 * How the HTTP collector reads one request body into the records it stores, one line each, for
 * the ledger to read back (`capabilities.httpBody`). Pure: a string in, lines out, so each
 * shipper's wire format is tested on its own (test/unit/http-body.test.ts).
 *
 * Every decoder keeps what it cannot read as it came, line by line, and says so (`unparsed`): a
 * torn or garbled body must reach the ledger as torn lines, never be dropped or mended here,
 * or logjam would call a logger's torn record lost (or not see it at all).
 *
 * - `ndjson`: a JSON object is one record (winston's Http transport posts one per request); a
 *   JSON array one record per element (a batch); anything else newline-delimited records.
 * - `loki`: Loki's push API JSON (https://grafana.com/docs/loki/latest/reference/loki-http-api/#ingest-logs),
 *   `{ "streams": [{ "stream": { labels }, "values": [[ "<ns>", "<line>", { meta }? ], ...] }] }`:
 *   one record per `values` entry, its line as the logger formatted it (pino-loki sends one
 *   stream per record, in the order they were logged).
 * - `elastic-bulk`: Elasticsearch's bulk NDJSON (https://www.elastic.co/docs/api/doc/elasticsearch/operation/operation-bulk),
 *   an action line (`{"index":{...}}`, `create`, `update`; `delete` has no document) followed by
 *   its document: one record per document (log4js's logstash-http appender sends one pair).
 */

import type { HttpBody } from '../contract/adapter.js';

export interface DecodedBody {
  /** The records, each ending in a newline, in the order the body carried them. */
  readonly lines: readonly string[];
  /** Whether some of the body was not what the decoder expects: written as it came. */
  readonly unparsed: boolean;
}

export function decodeBody(body: string, kind: HttpBody): DecodedBody {
  const text = body.trim();
  if (text === '') return { lines: [], unparsed: false };
  switch (kind) {
    case 'ndjson':
      return decodeNdjson(text);
    case 'loki':
      return decodeLoki(text);
    case 'elastic-bulk':
      return decodeBulk(text);
  }
}

function decodeNdjson(text: string): DecodedBody {
  const value = parse(text);
  if (value.ok) {
    if (Array.isArray(value.value)) return { lines: value.value.map((v) => `${JSON.stringify(v)}\n`), unparsed: false };
    // One JSON value carries no raw newline: written as it came.
    return { lines: [`${text}\n`], unparsed: false };
  }
  // Not one JSON value: newline-delimited records (a bulk body), or a torn one.
  return asLines(text);
}

function decodeLoki(text: string): DecodedBody {
  const value = parse(text);
  if (!value.ok || !isObject(value.value) || !Array.isArray(value.value['streams'])) return { ...asLines(text), unparsed: true };
  const lines: string[] = [];
  let unparsed = false;
  for (const stream of value.value['streams'] as unknown[]) {
    const values = isObject(stream) ? stream['values'] : undefined;
    if (!Array.isArray(values)) {
      unparsed = true;
      lines.push(`${JSON.stringify(stream)}\n`);
      continue;
    }
    for (const entry of values as unknown[]) {
      const line: unknown = Array.isArray(entry) ? entry[1] : undefined;
      if (typeof line === 'string') {
        // A line with a raw newline in it is several lines to the ledger, as Loki would show it.
        lines.push(`${line}\n`);
      } else {
        unparsed = true;
        lines.push(`${JSON.stringify(entry)}\n`);
      }
    }
  }
  return { lines, unparsed };
}

const BULK_ACTIONS = ['index', 'create', 'update', 'delete'] as const;
type BulkAction = (typeof BULK_ACTIONS)[number];

function decodeBulk(text: string): DecodedBody {
  const lines: string[] = [];
  let unparsed = false;
  let expectDocument = false;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const value = parse(line);
    if (!value.ok) unparsed = true;
    const action: BulkAction | undefined = !expectDocument && value.ok ? bulkAction(value.value) : undefined;
    if (action !== undefined) {
      expectDocument = action !== 'delete';
      continue;
    }
    // A document, or a line that is not what the bulk format puts here (kept as it came).
    if (!expectDocument) unparsed = true;
    expectDocument = false;
    lines.push(`${line}\n`);
  }
  return { lines, unparsed };
}

/** The action of a bulk action line: an object with one key, an action name, whose value is an object. */
function bulkAction(value: unknown): BulkAction | undefined {
  if (!isObject(value)) return undefined;
  const keys = Object.keys(value);
  const key = keys[0];
  if (keys.length !== 1 || key === undefined || !isObject(value[key])) return undefined;
  return BULK_ACTIONS.find((a) => a === key);
}

function asLines(text: string): DecodedBody {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  return { lines: lines.map((l) => `${l}\n`), unparsed: lines.some((l) => !parse(l).ok) };
}

function parse(text: string): { readonly ok: true; readonly value: unknown } | { readonly ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
