/**
 * A tiny loopback HTTP server for tests and demos: it stands in for outside services
 * (Vercel, Slack, GitHub, a sample app for verify, ...) that cannot be reached from CI.
 *
 * - Listens on 127.0.0.1 with a free port picked by the OS (`stub.url` has no trailing slash).
 * - Routes: `route(method, pattern, handler)`; `pattern` is a string with `:params`
 *   (`/v13/deployments/:idOrUrl`, a trailing `*` matches the rest of the path) or a RegExp
 *   (named groups become params). Routes registered later take precedence, so a test can
 *   override a stand-in's route. Unrouted requests answer 404 with a JSON error.
 * - EVERY request is recorded in `stub.requests` (also faulted, dropped, unauthorised and 404 ones).
 * - Faults: `fail(matcher, fault)` queues a fault; queued faults are consumed in the order they
 *   were queued (the first one whose matcher fits the request wins), each `times` times, after
 *   which normal handling resumes.
 * - `before(hook)`: hooks run ahead of the route handler (after faults), e.g. an auth check;
 *   a hook that returns a response short-circuits the request.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What a route handler receives. */
export interface StubRequest {
  method: string;
  /** Path without the query string, e.g. `/v13/deployments/dpl_1`. */
  path: string;
  /** Query parameters (last value wins); `searchParams` keeps repeated ones. */
  query: Record<string, string>;
  searchParams: URLSearchParams;
  /** Node's lower-cased request headers. */
  headers: IncomingHttpHeaders;
  /** Parsed JSON when the content-type says json, a string for text-like or absent types, a Buffer otherwise, undefined when empty. */
  body: unknown;
  /** The raw request body. */
  rawBody: Buffer;
  /** Parameters captured from the route pattern (`:id` or RegExp named groups). */
  params: Record<string, string>;
}

/** What a route handler answers. */
export interface StubResponse {
  status: number;
  headers?: Record<string, string | number | readonly string[]>;
  /**
   * Objects, arrays, numbers, booleans and null are sent as JSON (content-type application/json
   * unless given); strings as text/plain; Buffers/Uint8Arrays as application/octet-stream;
   * undefined sends an empty body.
   */
  body?: unknown;
}

export type StubHandler = (req: StubRequest) => StubResponse | Promise<StubResponse>;

/** A hook run before routing; return a response to answer right away, or undefined to continue. */
export type StubHook = (req: StubRequest) => StubResponse | undefined | Promise<StubResponse | undefined>;

/** One recorded request. */
export interface RecordedRequest {
  /** Order of arrival, from 1. */
  seq: number;
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  /** Raw body decoded as UTF-8 ('' when empty). */
  bodyText: string;
  /** Parsed body, as given to handlers. */
  body: unknown;
  /** Date.now() at arrival. */
  time: number;
  /** Status answered; 0 while in flight or when the connection was dropped. */
  status: number;
  /** The answered body (as the handler/fault gave it), for debugging. */
  responseBody?: unknown;
  /** True when a queued fault answered (or dropped) this request. */
  faulted: boolean;
  /** True when the connection was destroyed without an answer. */
  dropped: boolean;
  /** Set when a route handler threw (answered 500). */
  error?: string;
}

/**
 * Which requests a fault applies to:
 * - `'*'`: every request;
 * - `'POST /v13/deployments'` or `'/v13/deployments/:id'`: optional method, then a route-style pattern;
 * - a RegExp tested against the path (any method);
 * - `{ method?, path? }` with a route-style string or a RegExp.
 */
export type FaultMatcher = string | RegExp | { method?: string; path?: string | RegExp };

export interface Fault {
  /** Status to answer with. Omit (with `delayMs`) to only delay, then handle normally. */
  status?: number;
  /** How many matching requests this fault applies to (default 1; Infinity for all). */
  times?: number;
  /** Sets the `Retry-After` header (seconds, or an HTTP date string). */
  retryAfter?: number | string;
  /** Body to answer with (same rules as StubResponse.body); defaults to a JSON error object. */
  body?: unknown;
  /** Extra response headers. */
  headers?: Record<string, string | number | readonly string[]>;
  /** Wait this long before answering (or before normal handling when no status is given). */
  delayMs?: number;
  /** Destroy the socket without answering (after `delayMs` if given): a dropped connection. */
  drop?: true;
}

interface QueuedFault {
  matches: (method: string, path: string) => boolean;
  fault: Fault;
  remaining: number;
}

interface Route {
  method: string;
  regex: RegExp;
  paramNames: string[];
  handler: StubHandler;
}

export interface Stub {
  /** Name given to startStub, used in messages. */
  readonly name: string;
  /** `http://127.0.0.1:<port>` without a trailing slash. */
  readonly url: string;
  readonly port: number;
  /** Every request in arrival order. */
  readonly requests: RecordedRequest[];
  /** Adds a route; `method` may be '*' for any. Later routes take precedence. */
  route(method: string, pattern: string | RegExp, handler: StubHandler): Stub;
  /** Adds a hook run before routing for every request that was not faulted. */
  before(hook: StubHook): Stub;
  /** Recorded requests with this method ('*' for any) whose path matches (RegExp, or exact string). */
  requestsTo(method: string, path: RegExp | string): RecordedRequest[];
  /** Queues a fault; see Fault. */
  fail(matcher: FaultMatcher, fault: Fault): Stub;
  /** Number of queued fault applications not yet used. */
  pendingFaults(): number;
  /** Waits until a request with this method/path has been recorded (and answered or dropped). */
  waitForRequest(method: string, path: RegExp | string, timeoutMs?: number): Promise<RecordedRequest>;
  /** Forgets recorded requests and queued faults (routes and hooks stay). */
  reset(): void;
  /** Stops listening and destroys open connections. */
  close(): Promise<void>;
}

/** Turns `/a/:id/b/*` into an anchored RegExp and its parameter names. */
export function compilePattern(pattern: string | RegExp): { regex: RegExp; paramNames: string[] } {
  if (pattern instanceof RegExp) return { regex: pattern, paramNames: [] };
  const paramNames: string[] = [];
  const source = pattern
    .split('/')
    .map((segment) => {
      if (segment === '*') {
        paramNames.push('rest');
        return '(.*)';
      }
      if (segment.startsWith(':')) {
        paramNames.push(segment.slice(1));
        return '([^/]+)';
      }
      return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return { regex: new RegExp(`^${source}/?$`), paramNames };
}

function compileMatcher(matcher: FaultMatcher): (method: string, path: string) => boolean {
  let method = '*';
  let path: string | RegExp = '*';
  if (matcher instanceof RegExp) path = matcher;
  else if (typeof matcher === 'string') {
    const parts = matcher.trim().split(/\s+/);
    if (parts.length === 2) [method, path] = [parts[0]!, parts[1]!];
    else path = parts[0]!;
  } else {
    method = matcher.method ?? '*';
    path = matcher.path ?? '*';
  }
  const upper = method.toUpperCase();
  const test: (p: string) => boolean =
    path === '*' ? () => true : path instanceof RegExp ? (p) => (path as RegExp).test(p) : ((re) => (p: string) => re.test(p))(compilePattern(path).regex);
  return (m, p) => (upper === '*' || upper === m) && test(p);
}

function parseBody(raw: Buffer, contentType: string | undefined): unknown {
  if (raw.length === 0) return undefined;
  const ct = (contentType ?? '').toLowerCase();
  if (ct.includes('json')) {
    const text = raw.toString('utf8');
    try {
      return JSON.parse(text);
    } catch {
      return text; // malformed JSON is kept as text so the handler can complain about it
    }
  }
  if (ct === '' || ct.startsWith('text/') || ct.includes('x-www-form-urlencoded')) return raw.toString('utf8');
  return raw;
}

function encodeBody(body: unknown, headers: Record<string, string | number | readonly string[]>): Buffer {
  const hasType = Object.keys(headers).some((k) => k.toLowerCase() === 'content-type');
  if (body === undefined) return Buffer.alloc(0);
  if (Buffer.isBuffer(body) || body instanceof Uint8Array) {
    if (!hasType) headers['content-type'] = 'application/octet-stream';
    return Buffer.from(body);
  }
  if (typeof body === 'string') {
    if (!hasType) headers['content-type'] = 'text/plain; charset=utf-8';
    return Buffer.from(body, 'utf8');
  }
  if (!hasType) headers['content-type'] = 'application/json; charset=utf-8';
  return Buffer.from(JSON.stringify(body), 'utf8');
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Starts a stub server on 127.0.0.1 with a free port. */
export async function startStub(name: string): Promise<Stub> {
  const routes: Route[] = [];
  const hooks: StubHook[] = [];
  const faults: QueuedFault[] = [];
  const requests: RecordedRequest[] = [];
  const waiters = new Set<() => void>();
  let seq = 0;

  const notify = () => {
    for (const w of [...waiters]) w();
  };

  function send(res: ServerResponse, record: RecordedRequest, answer: StubResponse): void {
    const headers: Record<string, string | number | readonly string[]> = { ...(answer.headers ?? {}) };
    const payload = encodeBody(answer.body, headers);
    headers['content-length'] = payload.length;
    record.status = answer.status;
    record.responseBody = answer.body;
    res.writeHead(answer.status, headers as Record<string, string | number | string[]>);
    res.end(payload);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = (req.method ?? 'GET').toUpperCase();
    const rawBody = await readBody(req);
    const body = parseBody(rawBody, req.headers['content-type']);
    const query = Object.fromEntries(url.searchParams.entries());
    const record: RecordedRequest = {
      seq: ++seq,
      method,
      path: url.pathname,
      query,
      headers: req.headers,
      bodyText: rawBody.toString('utf8'),
      body,
      time: Date.now(),
      status: 0,
      faulted: false,
      dropped: false,
    };
    requests.push(record);

    try {
      // 1. Queued faults, first match in queue order.
      const queued = faults.find((f) => f.remaining > 0 && f.matches(method, url.pathname));
      if (queued) {
        queued.remaining -= 1;
        const { fault } = queued;
        if (fault.delayMs) await sleep(fault.delayMs);
        if (fault.drop) {
          record.faulted = true;
          record.dropped = true;
          req.socket.destroy();
          return;
        }
        if (fault.status !== undefined) {
          record.faulted = true;
          const headers: Record<string, string | number | readonly string[]> = { ...(fault.headers ?? {}) };
          if (fault.retryAfter !== undefined) headers['retry-after'] = String(fault.retryAfter);
          const faultBody = fault.body !== undefined ? fault.body : { error: { code: 'injected_fault', message: `${name}: injected fault ${fault.status}` } };
          send(res, record, { status: fault.status, headers, body: faultBody });
          return;
        }
        // delay-only fault: fall through to normal handling
      }

      const base: StubRequest = { method, path: url.pathname, query, searchParams: url.searchParams, headers: req.headers, body, rawBody, params: {} };

      // 2. Hooks (auth and the like).
      for (const hook of hooks) {
        const early = await hook(base);
        if (early) {
          send(res, record, early);
          return;
        }
      }

      // 3. Routes, most recently registered first.
      for (let i = routes.length - 1; i >= 0; i--) {
        const route = routes[i]!;
        if (route.method !== '*' && route.method !== method) continue;
        const m = route.regex.exec(url.pathname);
        if (!m) continue;
        const params: Record<string, string> = { ...(m.groups ?? {}) };
        route.paramNames.forEach((p, idx) => {
          params[p] = decodeURIComponent(m[idx + 1] ?? '');
        });
        send(res, record, await route.handler({ ...base, params }));
        return;
      }

      send(res, record, { status: 404, body: { error: { code: 'not_found', message: `${name} stand-in: no route for ${method} ${url.pathname}` } } });
    } catch (err) {
      record.error = err instanceof Error ? (err.stack ?? err.message) : String(err);
      if (!res.headersSent && !res.destroyed) {
        send(res, record, { status: 500, body: { error: { code: 'stub_handler_error', message: `${name} stand-in: ${String(err)}` } } });
      }
    } finally {
      notify();
    }
  }

  const server: Server = createServer((req, res) => {
    void handle(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;

  const pathTest = (path: RegExp | string) => (p: string) => (typeof path === 'string' ? p === path : path.test(p));

  const stub: Stub = {
    name,
    url,
    port,
    requests,
    route(method, pattern, handler) {
      routes.push({ method: method.toUpperCase(), ...compilePattern(pattern), handler });
      return stub;
    },
    before(hook) {
      hooks.push(hook);
      return stub;
    },
    requestsTo(method, path) {
      const upper = method.toUpperCase();
      const test = pathTest(path);
      return requests.filter((r) => (upper === '*' || r.method === upper) && test(r.path));
    },
    fail(matcher, fault) {
      faults.push({ matches: compileMatcher(matcher), fault, remaining: fault.times ?? 1 });
      return stub;
    },
    pendingFaults() {
      return faults.reduce((n, f) => n + (Number.isFinite(f.remaining) ? f.remaining : 1), 0);
    },
    waitForRequest(method, path, timeoutMs = 5000) {
      const upper = method.toUpperCase();
      const test = pathTest(path);
      const find = () => requests.find((r) => (upper === '*' || r.method === upper) && test(r.path) && (r.status !== 0 || r.dropped));
      return new Promise((resolve, reject) => {
        const hit = find();
        if (hit) return resolve(hit);
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`${name} stand-in: no ${method} ${String(path)} within ${timeoutMs} ms`));
        }, timeoutMs);
        const check = () => {
          const found = find();
          if (!found) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(found);
        };
        waiters.add(check);
      });
    },
    reset() {
      requests.length = 0;
      faults.length = 0;
      seq = 0;
    },
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
  return stub;
}

/** Reads a bearer-style token from an Authorization header (`Bearer x` or `token x`). */
export function authToken(headers: IncomingHttpHeaders, schemes: readonly string[] = ['bearer']): string | undefined {
  const value = headers.authorization;
  if (!value) return undefined;
  const m = /^(\S+)\s+(.+)$/.exec(value.trim());
  if (!m || !schemes.includes(m[1]!.toLowerCase())) return undefined;
  return m[2]!.trim();
}
