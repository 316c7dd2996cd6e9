import { createHash, randomBytes } from 'node:crypto';

/** `odw_` and 32 base64url characters (24 random bytes: 192 bits). */
const KEY_FORMAT = /^odw_[A-Za-z0-9_-]{32,128}$/;
const PREFIX_LENGTH = 12;

/** A new API key: shown once to its owner; only its hash and prefix are kept. */
export const generateApiKey = (): string => `odw_${randomBytes(24).toString('base64url')}`;

export const isApiKeyFormat = (text: string): boolean => KEY_FORMAT.test(text);

/**
 * SHA-256 of the key, hex. One unsalted hash is enough for machine-generated keys of ≥128 random bits
 * (OWASP): nothing can be guessed from it, and it allows an indexed lookup. Passwords would need Argon2/scrypt.
 */
export const hashApiKey = (key: string): string => createHash('sha256').update(key, 'utf8').digest('hex');

/** The visible part of a key, enough to tell keys apart in listings and logs, never to use one. */
export const apiKeyPrefix = (key: string): string => key.slice(0, PREFIX_LENGTH);

/** Redacts every API key in a text (logs, error messages) to its prefix. */
export const redactApiKeys = (text: string): string => text.replace(/odw_[A-Za-z0-9_-]{32,128}/g, (key) => `${apiKeyPrefix(key)}…`);
