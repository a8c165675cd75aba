/**
 * A loopback HTTP reverse proxy that injects faults in front of a real server (s3rver, a sample app):
 * answer with a status instead of forwarding, drop the connection before answering, or drop it halfway
 * through the request body. Rules match method and a path/query regex and are used `times` times.
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FaultRule {
  method?: string;
  /** Tested against `path?query`. */
  url?: RegExp;
  /** Skip this many matching requests before the fault applies. */
  after?: number;
  times?: number;
  status?: number;
  body?: string;
  headers?: Record<string, string>;
  /** Destroy the client socket without answering. */
  drop?: boolean;
  /** Forward, but destroy both sides after this many request-body bytes. */
  dropAfterBytes?: number;
}

export interface ProxiedRequest {
  method: string;
  url: string;
  faulted: boolean;
}

export interface FaultProxy {
  url: string;
  requests: ProxiedRequest[];
  inject(rule: FaultRule): void;
  pending(): number;
  close(): Promise<void>;
}

interface LiveRule extends FaultRule {
  seen: number;
  used: number;
}

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const t = new URL(target);
  const rules: LiveRule[] = [];
  const requests: ProxiedRequest[] = [];

  const pick = (req: IncomingMessage): LiveRule | undefined => {
    for (const r of rules) {
      if (r.used >= (r.times ?? 1)) continue;
      if (r.method && r.method !== req.method) continue;
      if (r.url && !r.url.test(req.url ?? '')) continue;
      r.seen++;
      if (r.seen <= (r.after ?? 0)) continue;
      r.used++;
      return r;
    }
    return undefined;
  };

  const server: Server = createServer((req, res) => {
    const rule = pick(req);
    requests.push({ method: req.method ?? '', url: req.url ?? '', faulted: !!rule });
    if (rule?.drop) {
      req.socket.destroy();
      return;
    }
    if (rule?.status) {
      req.resume();
      req.on('end', () => {
        res.writeHead(rule.status!, { 'content-type': 'application/xml', ...rule.headers });
        res.end(rule.body ?? `<?xml version="1.0" encoding="UTF-8"?><Error><Code>InternalError</Code><Message>injected fault</Message></Error>`);
      });
      return;
    }
    const upstream = httpRequest(
      { host: t.hostname, port: t.port, method: req.method, path: req.url, headers: { ...req.headers, host: t.host } },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    if (rule?.dropAfterBytes !== undefined) {
      let sent = 0;
      req.on('data', (chunk: Buffer) => {
        if (sent + chunk.length >= rule.dropAfterBytes!) {
          upstream.write(chunk.subarray(0, Math.max(0, rule.dropAfterBytes! - sent)));
          upstream.destroy();
          req.socket.destroy();
          return;
        }
        sent += chunk.length;
        upstream.write(chunk);
      });
      req.on('end', () => upstream.end());
      return;
    }
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    inject: (rule) => rules.push({ ...rule, seen: 0, used: 0 }),
    pending: () => rules.filter((r) => r.used < (r.times ?? 1)).length,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
