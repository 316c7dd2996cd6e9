import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';

/**
 * One personal field sealed with AES-256-GCM: `pd1.<key id>.<iv>.<ciphertext+tag>`, each part base64url. A fresh
 * 96-bit IV per field; the additional data binds the value to its stream, event type, event id and field, so a
 * sealed value copied elsewhere does not open.
 */
const PREFIX = 'pd1.';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Where a sealed value belongs: part of what it is bound to. */
export interface SealContext {
  readonly streamId: string;
  readonly eventType: string;
  readonly eventId: string;
  readonly field: string;
}

const aadOf = (c: SealContext): Buffer => Buffer.from(`${c.streamId}\u001f${c.eventType}\u001f${c.eventId}\u001f${c.field}`, 'utf8');

/** `pd1.` then the key id, a 96-bit IV and at least a 128-bit tag, each base64url. */
const SEALED = /^pd1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22,}$/;

export const isSealed = (value: unknown): value is string => typeof value === 'string' && value.startsWith(PREFIX) && SEALED.test(value);

/** The id of the key a sealed value needs. */
export const sealedKeyId = (sealed: string): string => Buffer.from(sealed.slice(PREFIX.length, sealed.indexOf('.', PREFIX.length)), 'base64url').toString('utf8');

export const seal = (value: string, key: Buffer, keyId: string, context: SealContext): string => {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aadOf(context));
  const body = Buffer.concat([cipher.update(value, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return `${PREFIX}${Buffer.from(keyId, 'utf8').toString('base64url')}.${iv.toString('base64url')}.${body.toString('base64url')}`;
};

export class SealedValueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SealedValueError';
  }
}

/** Opens a sealed value; a tampered value or one moved to another field fails authentication. */
export const open = (sealed: string, key: Buffer, context: SealContext): string => {
  const [, , ivPart, bodyPart] = sealed.split('.');
  if (ivPart === undefined || bodyPart === undefined) throw new SealedValueError(`malformed sealed value in ${context.field} of event ${context.eventId}`);
  const iv = Buffer.from(ivPart, 'base64url');
  const body = Buffer.from(bodyPart, 'base64url');
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAAD(aadOf(context));
  decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    throw new SealedValueError(`sealed value in ${context.field} of event ${context.eventId} does not authenticate`);
  }
};

/** The key for {@link personalHash}, derived from a data key (one key, one purpose). */
export const hashKeyOf = (dataKey: Buffer): Buffer => Buffer.from(hkdfSync('sha256', dataKey, Buffer.alloc(0), 'olist-dw personal row hash', 32));

/** A keyed hash (HMAC-SHA-256, first 32 hex digits) of personal values: verifiable only while the subject's key exists. */
export const personalHash = (hashKey: Buffer, values: ReadonlyArray<string>): string =>
  createHmac('sha256', hashKey).update(values.join('\u001f')).digest('hex').slice(0, 32);
