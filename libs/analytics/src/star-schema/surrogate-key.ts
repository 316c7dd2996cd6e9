import { createHash } from 'node:crypto';

/**
 * The surrogate key core.surrogate_key(natural id) gives in SQL (`md5_number(id) >> 65`): the top 63
 * bits of the MD5 of the UTF-8 natural id read as a little-endian 128-bit integer — a positive BIGINT
 * that depends on nothing but the natural id. Key 0 is reserved for unknown members.
 */
export const surrogateKey = (naturalId: string): bigint =>
  createHash('md5').update(naturalId, 'utf8').digest().readBigUInt64LE(8) >> 1n;
