import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { pipelineRunId } from '@olist/shared-kernel';

/** SHA-256 (hex) of a file's logical name and its bytes, streamed. */
export const hashSourceFile = async (name: string, path: string, signal?: AbortSignal): Promise<string> => {
  const hash = createHash('sha256').update(name).update('\u0000');
  for await (const chunk of createReadStream(path, { signal })) hash.update(chunk as Buffer);
  return hash.digest('hex');
};

/**
 * The pipeline run id of a set of files: derived from each file's name and content, in load order, so
 * loading the same data again is the same run (and appends nothing new). `files` must be in load order.
 */
export const pipelineRunIdFor = pipelineRunId;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (value: string): boolean => UUID.test(value);
