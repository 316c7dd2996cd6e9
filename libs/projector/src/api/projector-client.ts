import { requestApiKey } from '@olist/security';
import { errorBodyOf, type ErrorBody } from '@olist/shared-kernel';

/**
 * A request to the projector process (PROJECTOR=external), on behalf of the caller: it carries the caller's
 * API key, which the projector checks against the same database. A network failure or a timeout becomes
 * `unreachable(message)`.
 */
export const fetchProjector = async (
  baseUrl: string,
  path: string,
  init: RequestInit & { readonly timeoutMs: number },
  unreachable: (message: string) => Error,
): Promise<Response> => {
  const { timeoutMs, ...request } = init;
  const key = requestApiKey();
  const headers = { ...(request.headers as Record<string, string> | undefined), ...(key ? { authorization: `Bearer ${key}` } : {}) };
  try {
    return await fetch(`${baseUrl}${path}`, { ...request, headers, signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    throw unreachable(`the projector (${baseUrl}) cannot be reached: ${(error as Error).message}`);
  }
};

/** The error body of a failed answer of the projector (docs/errors.md), or one made from its status. */
export const errorBodyOfAnswer = async (response: Response): Promise<ErrorBody> =>
  errorBodyOf(await response.json().catch(() => undefined)) ?? { code: `HTTP.${response.status}`, message: `HTTP ${response.status}`, details: {} };
