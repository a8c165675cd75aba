/** HTTP as a dependency: a fetch-compatible function, with a per-request timeout helper. */
export type HttpFetch = (input: string | URL, init?: RequestInit) => Promise<Response>;

export const nodeFetch: HttpFetch = (input, init) => fetch(input, init);

export class HttpTimeoutError extends Error {
  override name = 'HttpTimeoutError';
}

/** fetch with a per-request timeout; the body is read by the caller. */
export async function fetchWithTimeout(http: HttpFetch, url: string, init: RequestInit, timeoutMs: number): Promise<Response> {
  const ctrl = new AbortController();
  const t = setTimeout(() => ctrl.abort(new HttpTimeoutError(`no answer within ${timeoutMs}ms`)), timeoutMs);
  try {
    return await http(url, { ...init, signal: ctrl.signal });
  } catch (err) {
    if (ctrl.signal.aborted) throw new HttpTimeoutError(`${new URL(url).origin}: no answer within ${timeoutMs}ms`);
    throw err;
  } finally {
    clearTimeout(t);
  }
}
