import { createHash } from 'node:crypto';
import { parse as parseUuid, v5 as uuidv5 } from 'uuid';

/** Namespace for olist-dw's name-based (v5) UUIDs. Never change it: event ids depend on it. */
export const OLIST_DW_NAMESPACE = '6f1c2b9e-3d4a-5e6f-8a7b-9c0d1e2f3a4b';

const NAMESPACE_BYTES = parseUuid(OLIST_DW_NAMESPACE);

/** A deterministic UUID (v5) derived from the given parts. Bytes in, so uuid skips its slow string paths (hot path). */
export const deterministicId = (...parts: ReadonlyArray<string | number>): string =>
  uuidv5(Buffer.from(parts.join('\u001f'), 'utf8'), NAMESPACE_BYTES);

/** SHA-256 (hex, first 32 chars) of a raw source row, in header order. */
export const rowHash = (values: ReadonlyArray<string>): string =>
  createHash('sha256').update(values.join('\u001f')).digest('hex').slice(0, 32);

/** Stream id helpers: `<category>-<id>`, compatible with EventStoreDB `$ce-<category>` streams. */
export const streamId = (category: string, id: string): string => `${category}-${id}`;
export const streamCategory = (stream: string): string => stream.slice(0, stream.indexOf('-'));
