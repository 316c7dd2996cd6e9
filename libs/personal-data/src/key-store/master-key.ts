import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

const KEY_BYTES = 32;

export interface MasterKey {
  readonly key: Buffer;
  /** Where it came from: OLIST_DW_MASTER_KEY, an existing key file, or a file generated now. */
  readonly source: 'environment' | 'file' | 'generated';
  readonly file?: string;
  /** A key file readable by others than its owner. */
  readonly warning?: string;
}

/** 64 hex digits or the base64 of 32 bytes. */
export const parseMasterKey = (text: string): Buffer => {
  const t = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(t) ? Buffer.from(t, 'hex') : Buffer.from(t, 'base64');
  if (key.length !== KEY_BYTES || (!/^[0-9a-fA-F]{64}$/.test(t) && key.toString('base64').replace(/=+$/, '') !== t.replace(/=+$/, ''))) {
    throw new Error('the master key must be 32 bytes, as 64 hex digits or base64 (e.g. `openssl rand -base64 32`)');
  }
  return key;
};

/**
 * The master key that wraps every data key: OLIST_DW_MASTER_KEY, else the key file, generated (mode 0600) on
 * first start. Losing it makes every person's personal data unreadable; it is never written to the database.
 */
export const loadMasterKey = (fromEnvironment: string | undefined, file: string): MasterKey => {
  if (fromEnvironment) return { key: parseMasterKey(fromEnvironment), source: 'environment' };
  try {
    const key = parseMasterKey(readFileSync(file, 'utf8'));
    const mode = statSync(file).mode & 0o077;
    return { key, source: 'file', file, ...(mode !== 0 ? { warning: `master key file ${file} is readable by others (mode ${(statSync(file).mode & 0o777).toString(8)}): chmod 600 it` } : {}) };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(dirname(file), { recursive: true });
  const key = randomBytes(KEY_BYTES);
  try {
    writeFileSync(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    // Another process generated it first: use theirs.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return { key: parseMasterKey(readFileSync(file, 'utf8')), source: 'file', file };
    throw error;
  }
  return { key, source: 'generated', file };
};
