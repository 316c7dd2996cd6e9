import { createHash } from 'node:crypto';

/**
 * The surrogate key core.surrogate_key(natural id) gives in SQL (`md5_number_upper(id) >> 1`): the
 * first 8 bytes of the MD5 of the UTF-8 natural id read little-endian, shifted right by one bit — a
 * positive BIGINT that depends on nothing but the natural id. Key 0 is reserved for unknown members.
 */
export const surrogateKey = (naturalId: string): bigint =>
  createHash('md5').update(naturalId, 'utf8').digest().readBigUInt64LE(0) >> 1n;
