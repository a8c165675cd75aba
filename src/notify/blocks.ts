/**
 * The Slack Block Kit message: status, environment, version and sha, actor, duration, one line per stage,
 * an emergency banner with its reason, and links (run, deployment, inspector, rollback workflow). Kept within
 * Slack's limits — at most 50 blocks, section text ≤ 3,000 characters, header ≤ 150, ≤ 10 fields of ≤ 2,000 —
 * by truncating text safely (never inside a link, an entity or a surrogate pair) and folding stage lines into
 * as few sections as needed.
 */
import { formatDuration } from '../lib/durations.js';
import type { StageInfo } from './stages.js';

export const LIMITS = { blocks: 50, sectionText: 3000, headerText: 150, fields: 10, fieldText: 2000, fallbackText: 4000 } as const;

export interface MessageModel {
  status: 'started' | 'success' | 'failure' | 'cancelled';
  title: string;
  environment: string;
  version?: string;
  sha?: string;
  actor?: string;
  durationMs?: number;
  decision?: string;
  decisionReason?: string;
  emergency: boolean;
  emergencyReason?: string;
  stages: StageInfo[];
  links: { run?: string; deployment?: string; inspector?: string; rollback?: string };
  repository?: string;
}

export type Block = Record<string, unknown>;

export interface SlackMessage {
  text: string;
  blocks: Block[];
}

/** Escapes the three characters Slack's mrkdwn treats as control characters. */
export function escapeMrkdwn(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Cuts text to at most `max` characters, ending in `…`, never inside a `<link|label>`, an `&entity;` or a
 * surrogate pair, and closing an unbalanced code span.
 */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let s = text.slice(0, max - 1);
  const lt = s.lastIndexOf('<');
  if (lt > s.lastIndexOf('>')) s = s.slice(0, lt);
  const amp = s.lastIndexOf('&');
  if (amp >= 0 && amp > s.lastIndexOf(';') && s.length - amp < 8) s = s.slice(0, amp);
  if (s.length > 0 && /[\uD800-\uDBFF]/.test(s[s.length - 1]!)) s = s.slice(0, -1);
  // An odd number of backticks would leave a code span open.
  if (((s.match(/`/g) ?? []).length % 2) === 1) s = s.length + 2 <= max ? `${s}\`` : s.slice(0, s.lastIndexOf('`'));
  return `${s}…`;
}

const STATUS_ICON: Record<MessageModel['status'], string> = { started: ':hourglass_flowing_sand:', success: ':white_check_mark:', failure: ':x:', cancelled: ':no_entry_sign:' };
const RESULT_ICON: Record<string, string> = { success: ':white_check_mark:', failure: ':x:', cancelled: ':no_entry_sign:', skipped: ':fast_forward:', unknown: ':grey_question:' };

const link = (url: string, label: string): string => `<${url.replace(/[<>|]/g, encodeURIComponent)}|${escapeMrkdwn(label)}>`;

/** One line about a stage: icon, name, result and the outputs that matter. */
export function stageLine(s: StageInfo): string {
  const o = s.outputs;
  const bits: string[] = [];
  const add = (label: string, v: string | undefined, max = 80): void => {
    if (v !== undefined && v !== '') bits.push(`${label} \`${escapeMrkdwn(v.length > max ? `${v.slice(0, max - 1)}…` : v).replace(/`/g, "'")}\``);
  };
  switch (s.kind) {
    case 'preflight':
      add('ok', o['ok']);
      add('pending', o['pending-migrations'], 40);
      add('blocked', o['blocked-reason'], 200);
      break;
    case 'backup':
      add('backup', o['backup-id']);
      add('sha256', o['sha256'] ? o['sha256'].slice(0, 12) : undefined);
      break;
    case 'migrate':
      add('applied', o['applied-count']);
      add('ledger head', o['ledger-head']);
      add('status', o['status']);
      break;
    case 'deploy':
      add('deployment', o['deployment-id']);
      add('previous', o['previous-deployment-id']);
      add('state', o['ready-state']);
      break;
    case 'verify':
      add('decision', o['decision']);
      add('p95', o['p95-ms'] ? `${o['p95-ms']}ms` : undefined);
      add('errors', o['error-rate']);
      break;
    default:
      for (const [k, v] of Object.entries(o).slice(0, 3)) add(k, v, 40);
  }
  return `${RESULT_ICON[s.result] ?? RESULT_ICON.unknown} *${escapeMrkdwn(s.name)}* ${s.result}${bits.length ? ` — ${bits.join(', ')}` : ''}`;
}

const section = (text: string): Block => ({ type: 'section', text: { type: 'mrkdwn', text: truncate(text, LIMITS.sectionText) } });

export function buildMessage(m: MessageModel): SlackMessage {
  const blocks: Block[] = [];
  const header = `${m.title}: ${m.status}`;
  blocks.push({ type: 'header', text: { type: 'plain_text', text: truncate(header, LIMITS.headerText), emoji: true } });

  if (m.emergency) {
    blocks.push(section(`:rotating_light: *Emergency deploy* — ${escapeMrkdwn(m.emergencyReason?.trim() || 'no reason given')}`));
  }

  const shortSha = m.sha ? m.sha.slice(0, 7) : undefined;
  const version = m.version && m.sha && m.version !== m.sha ? `${m.version} (${shortSha})` : (m.version ?? shortSha);
  const fields: string[] = [
    `*Status*\n${STATUS_ICON[m.status]} ${m.status}`,
    `*Environment*\n${escapeMrkdwn(m.environment)}`,
    `*Version*\n${version ? `\`${escapeMrkdwn(version)}\`` : 'unknown'}`,
    `*Actor*\n${m.actor ? escapeMrkdwn(m.actor) : 'unknown'}`,
    `*Duration*\n${m.durationMs !== undefined ? formatDuration(m.durationMs) : 'unknown'}`,
  ];
  if (m.decision) fields.push(`*Decision*\n\`${escapeMrkdwn(m.decision)}\``);
  blocks.push({ type: 'section', fields: fields.slice(0, LIMITS.fields).map((t) => ({ type: 'mrkdwn', text: truncate(t, LIMITS.fieldText) })) });
  if (m.decisionReason && m.decision && m.decision !== 'ok') blocks.push(section(`*Verify:* ${escapeMrkdwn(m.decisionReason)}`));

  const linkParts: string[] = [];
  if (m.links.run) linkParts.push(link(m.links.run, 'Run'));
  if (m.links.deployment) linkParts.push(link(m.links.deployment, 'Deployment'));
  if (m.links.inspector) linkParts.push(link(m.links.inspector, 'Inspector'));
  if (m.links.rollback) linkParts.push(link(m.links.rollback, 'Rollback workflow'));
  const tail: Block[] = [];
  if (linkParts.length) tail.push(section(linkParts.join('  •  ')));
  if (m.repository) tail.push({ type: 'context', elements: [{ type: 'mrkdwn', text: truncate(escapeMrkdwn(m.repository), LIMITS.sectionText) }] });

  // Stage lines: as many sections as the block budget allows, each ≤ 3,000 characters.
  if (m.stages.length) {
    blocks.push({ type: 'divider' });
    const budget = LIMITS.blocks - blocks.length - tail.length;
    const lines = m.stages.map(stageLine);
    const chunks: string[] = [];
    let cur = '';
    let i = 0;
    for (; i < lines.length; i++) {
      const line = truncate(lines[i]!, LIMITS.sectionText);
      const lastChunk = chunks.length === budget - 1;
      // In the last section we can afford, keep room for "…and N more stage(s)".
      const reserve = lastChunk && i < lines.length - 1 ? 40 : 0;
      const next = cur ? `${cur}\n${line}` : line;
      if (next.length <= LIMITS.sectionText - reserve) {
        cur = next;
        continue;
      }
      if (lastChunk) break;
      chunks.push(cur);
      cur = line;
    }
    if (i < lines.length) cur = `${cur}${cur ? '\n' : ''}…and ${lines.length - i} more stage(s)`;
    if (cur) chunks.push(cur);
    for (const c of chunks.slice(0, budget)) blocks.push(section(c));
  }
  blocks.push(...tail);

  const text = truncate(`${m.emergency ? '[EMERGENCY] ' : ''}${header}${m.decision ? ` (${m.decision})` : ''}`, LIMITS.fallbackText);
  return { text, blocks: blocks.slice(0, LIMITS.blocks) };
}
