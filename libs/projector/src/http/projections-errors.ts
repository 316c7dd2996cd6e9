import { ApplicationError } from '@olist/shared-kernel';

/** A projector stopped on an error while the status waited for it to catch up. */
export class ProjectorFailedError extends ApplicationError {
  readonly code = 'PROJECTIONS.PROJECTOR_FAILED';
  readonly kind = 'unavailable';
}

/** The projector process (PROJECTOR=external) cannot be reached. */
export class ProjectorUnreachableError extends ApplicationError {
  readonly code = 'PROJECTIONS.UNAVAILABLE';
  readonly kind = 'unavailable';
}
