import { ConflictException, ServiceUnavailableException } from '@nestjs/common';
import { RebuildInProgressError, RebuildUnavailableError, type RebuildVerification } from '../rebuild/rebuild-verifier.js';

/** Runs a rebuild-and-verify for an HTTP caller: 409 while another runs, 503 when the owner process cannot be reached. */
export const runRebuildOverHttp = async (verifier: RebuildVerification) => {
  try {
    return await verifier.run();
  } catch (error) {
    if (error instanceof RebuildInProgressError) throw new ConflictException(error.message);
    if (error instanceof RebuildUnavailableError) throw new ServiceUnavailableException(error.message);
    throw error;
  }
};
