/**
 * A stand-in for Slack, built on http-stub:
 *
 *   POST /services/T000/B000/XXXX   incoming webhook → 200 text 'ok'; 400 'invalid_payload' (unparseable body),
 *                                   400 'no_text' (neither text nor blocks), 400 'invalid_blocks'; 404 'no_service'
 *                                   for any other webhook path.
 *   POST /api/chat.postMessage      Web API (Bearer token; JSON or form body) → { ok, channel, ts, message }
 *   POST /api/chat.update           Web API; edits the message with that ts in place → { ok, channel, ts, text, message }
 *
 * Like the real Web API, errors answer HTTP 200 with `{ ok: false, error }` ('not_authed', 'invalid_auth',
 * 'channel_not_found', 'no_text', 'message_not_found', 'invalid_blocks'). Block Kit basics are checked
 * (at most 50 blocks, section text ≤ 3000 chars, header text ≤ 150, section fields ≤ 10 of ≤ 2000)
 * and every violation is recorded in `state.violations`. Faults (429 + Retry-After, 500, drops) go
 * through `stub.fail(...)`.
 */
import { authToken, startStub, type Stub, type StubRequest, type StubResponse } from './http-stub.js';

export interface SlackMessage {
  channel: string;
  ts: string;
  text?: string;
  blocks?: unknown[];
  thread_ts?: string;
  /** Earlier versions, oldest first, each time chat.update changed the message. */
  history: Array<{ text?: string; blocks?: unknown[]; at: number }>;
  postedAt: number;
  updatedAt?: number;
}

export interface SlackViolation {
  endpoint: 'webhook' | 'chat.postMessage' | 'chat.update';
  /** Index of the offending block, when one is at fault. */
  block?: number;
  reason: string;
}

export interface SlackStandinState {
  /** Web API messages by ts. */
  messages: Map<string, SlackMessage>;
  /** Accepted incoming-webhook payloads, in order. */
  webhookPosts: Array<{ path: string; payload: Record<string, unknown>; at: number }>;
  violations: SlackViolation[];
}

export interface SlackStandinOptions {
  /** Web API bot token (default 'xoxb-test-token'). */
  token?: string;
  /** Webhook path (default '/services/T000/B000/XXXX'). */
  webhookPath?: string;
  /** When given, only these channel ids/names exist (others: channel_not_found). */
  channels?: string[];
}

export interface SlackStandin {
  url: string;
  /** Full incoming-webhook URL. */
  webhookUrl: string;
  token: string;
  stub: Stub;
  state: SlackStandinState;
  /** Messages in a channel, in posting order. */
  messagesIn(channel: string): SlackMessage[];
  close(): Promise<void>;
}

export const SLACK_LIMITS = { maxBlocks: 50, sectionText: 3000, headerText: 150, sectionFields: 10, fieldText: 2000 } as const;

/** Returns the Block Kit violations of a `blocks` value (empty when fine). */
export function validateBlocks(blocks: unknown): Array<{ block?: number; reason: string }> {
  if (blocks === undefined) return [];
  if (!Array.isArray(blocks)) return [{ reason: 'blocks must be an array' }];
  const out: Array<{ block?: number; reason: string }> = [];
  if (blocks.length > SLACK_LIMITS.maxBlocks) out.push({ reason: `too many blocks: ${blocks.length} > ${SLACK_LIMITS.maxBlocks}` });
  blocks.forEach((raw, i) => {
    const b = raw as { type?: unknown; text?: { type?: unknown; text?: unknown }; fields?: Array<{ text?: unknown }> };
    if (!b || typeof b !== 'object' || typeof b.type !== 'string') {
      out.push({ block: i, reason: 'block without a type' });
      return;
    }
    if (b.type === 'header') {
      if (b.text?.type !== 'plain_text') out.push({ block: i, reason: 'header text must be plain_text' });
      const len = typeof b.text?.text === 'string' ? b.text.text.length : 0;
      if (len === 0) out.push({ block: i, reason: 'header text is empty' });
      if (len > SLACK_LIMITS.headerText) out.push({ block: i, reason: `header text too long: ${len} > ${SLACK_LIMITS.headerText}` });
    }
    if (b.type === 'section') {
      const len = typeof b.text?.text === 'string' ? b.text.text.length : 0;
      if (b.text === undefined && !b.fields) out.push({ block: i, reason: 'section needs text or fields' });
      if (len > SLACK_LIMITS.sectionText) out.push({ block: i, reason: `section text too long: ${len} > ${SLACK_LIMITS.sectionText}` });
      if (b.fields) {
        if (b.fields.length > SLACK_LIMITS.sectionFields) out.push({ block: i, reason: `too many section fields: ${b.fields.length} > ${SLACK_LIMITS.sectionFields}` });
        b.fields.forEach((f) => {
          const fl = typeof f?.text === 'string' ? f.text.length : 0;
          if (fl > SLACK_LIMITS.fieldText) out.push({ block: i, reason: `section field text too long: ${fl} > ${SLACK_LIMITS.fieldText}` });
        });
      }
    }
  });
  return out;
}

/** Web API bodies may be JSON or form-encoded; blocks may then be a JSON string. */
function webApiArgs(req: StubRequest): Record<string, unknown> {
  let args: Record<string, unknown> = {};
  if (req.body && typeof req.body === 'object' && !Buffer.isBuffer(req.body)) args = { ...(req.body as Record<string, unknown>) };
  else if (typeof req.body === 'string') args = Object.fromEntries(new URLSearchParams(req.body).entries());
  if (typeof args['blocks'] === 'string') {
    try {
      args['blocks'] = JSON.parse(args['blocks']);
    } catch {
      /* left as a string: validateBlocks reports it */
    }
  }
  return args;
}

export async function startSlackStandin(opts: SlackStandinOptions = {}): Promise<SlackStandin> {
  const token = opts.token ?? 'xoxb-test-token';
  const webhookPath = opts.webhookPath ?? '/services/T000/B000/XXXX';
  const stub = await startStub('slack');
  const state: SlackStandinState = { messages: new Map(), webhookPosts: [], violations: [] };
  let tsCounter = 0;
  const nextTs = () => `${Math.floor(Date.now() / 1000)}.${String(++tsCounter).padStart(6, '0')}`;
  const text = (status: number, body: string): StubResponse => ({ status, headers: { 'content-type': 'text/html' }, body });
  const apiErr = (error: string, extra: Record<string, unknown> = {}): StubResponse => ({ status: 200, body: { ok: false, error, ...extra } });

  // ---- incoming webhooks --------------------------------------------------------------------

  stub.route('POST', '/services/*', (req) => {
    if (req.path !== webhookPath) return text(404, 'no_service');
    let payload: unknown = req.body;
    if (typeof payload === 'string') {
      // form posts carry `payload=<json>`; a bare string must be JSON
      const form = new URLSearchParams(payload).get('payload');
      try {
        payload = JSON.parse(form ?? payload);
      } catch {
        return text(400, 'invalid_payload');
      }
    }
    if (!payload || typeof payload !== 'object' || Array.isArray(payload) || Buffer.isBuffer(payload)) return text(400, 'invalid_payload');
    const p = payload as Record<string, unknown>;
    const problems = validateBlocks(p['blocks']);
    if (problems.length) {
      state.violations.push(...problems.map((v) => ({ endpoint: 'webhook' as const, ...v })));
      return text(400, 'invalid_blocks');
    }
    if (typeof p['text'] !== 'string' && !Array.isArray(p['blocks'])) return text(400, 'no_text');
    state.webhookPosts.push({ path: req.path, payload: p, at: Date.now() });
    return text(200, 'ok');
  });

  // ---- Web API ------------------------------------------------------------------------------

  const checkAuth = (req: StubRequest): StubResponse | undefined => {
    if (!req.headers.authorization) return apiErr('not_authed');
    if (authToken(req.headers) !== token) return apiErr('invalid_auth');
    return undefined;
  };
  const knownChannel = (c: unknown): c is string => typeof c === 'string' && c !== '' && (!opts.channels || opts.channels.includes(c));

  stub.route('POST', '/api/chat.postMessage', (req) => {
    const denied = checkAuth(req);
    if (denied) return denied;
    const args = webApiArgs(req);
    if (!knownChannel(args['channel'])) return apiErr('channel_not_found');
    const problems = validateBlocks(args['blocks']);
    if (problems.length) {
      state.violations.push(...problems.map((v) => ({ endpoint: 'chat.postMessage' as const, ...v })));
      return apiErr('invalid_blocks', { errors: problems.map((p) => p.reason) });
    }
    if (typeof args['text'] !== 'string' && !Array.isArray(args['blocks'])) return apiErr('no_text');
    const msg: SlackMessage = {
      channel: args['channel'],
      ts: nextTs(),
      ...(typeof args['text'] === 'string' ? { text: args['text'] } : {}),
      ...(Array.isArray(args['blocks']) ? { blocks: args['blocks'] } : {}),
      ...(typeof args['thread_ts'] === 'string' ? { thread_ts: args['thread_ts'] } : {}),
      history: [],
      postedAt: Date.now(),
    };
    state.messages.set(msg.ts, msg);
    return { status: 200, body: { ok: true, channel: msg.channel, ts: msg.ts, message: renderMessage(msg) } };
  });

  stub.route('POST', '/api/chat.update', (req) => {
    const denied = checkAuth(req);
    if (denied) return denied;
    const args = webApiArgs(req);
    if (!knownChannel(args['channel'])) return apiErr('channel_not_found');
    const msg = typeof args['ts'] === 'string' ? state.messages.get(args['ts']) : undefined;
    if (!msg || msg.channel !== args['channel']) return apiErr('message_not_found');
    const problems = validateBlocks(args['blocks']);
    if (problems.length) {
      state.violations.push(...problems.map((v) => ({ endpoint: 'chat.update' as const, ...v })));
      return apiErr('invalid_blocks', { errors: problems.map((p) => p.reason) });
    }
    if (typeof args['text'] !== 'string' && !Array.isArray(args['blocks'])) return apiErr('no_text');
    msg.history.push({ ...(msg.text !== undefined ? { text: msg.text } : {}), ...(msg.blocks ? { blocks: msg.blocks } : {}), at: Date.now() });
    if (typeof args['text'] === 'string') msg.text = args['text'];
    if (Array.isArray(args['blocks'])) msg.blocks = args['blocks'];
    msg.updatedAt = Date.now();
    return { status: 200, body: { ok: true, channel: msg.channel, ts: msg.ts, text: msg.text ?? '', message: renderMessage(msg) } };
  });

  function renderMessage(m: SlackMessage): Record<string, unknown> {
    return {
      type: 'message',
      user: 'U0SHIPGATE',
      bot_id: 'B0SHIPGATE',
      app_id: 'A0SHIPGATE',
      ts: m.ts,
      text: m.text ?? '',
      ...(m.blocks ? { blocks: m.blocks } : {}),
      ...(m.thread_ts ? { thread_ts: m.thread_ts } : {}),
      ...(m.updatedAt ? { edited: { user: 'U0SHIPGATE', ts: `${Math.floor(m.updatedAt / 1000)}.000000` } } : {}),
      team: 'T000',
    };
  }

  return {
    url: stub.url,
    webhookUrl: stub.url + webhookPath,
    token,
    stub,
    state,
    messagesIn: (channel) => [...state.messages.values()].filter((m) => m.channel === channel),
    close: () => stub.close(),
  };
}
