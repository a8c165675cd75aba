/**
 * One pull-request comment per environment, found again by a hidden marker and updated in place: reruns
 * never add a second one.
 */
import type { GitHubApi } from '../lib/github.js';

export function commentMarker(environment: string): string {
  return `<!-- shipgate:preflight:${environment.replace(/-->/g, '')} -->`;
}

export interface UpsertResult {
  action: 'created' | 'updated';
  id: number;
  url?: string;
}

/** Finds the comment holding `marker` (all pages), updates it, or creates one. */
export async function upsertComment(
  github: GitHubApi,
  target: { owner: string; repo: string; issue: number },
  marker: string,
  body: string,
): Promise<UpsertResult> {
  const text = body.includes(marker) ? body : `${marker}\n${body}`;
  const base = `/repos/${encodeURIComponent(target.owner)}/${encodeURIComponent(target.repo)}`;
  let existing: { id: number } | undefined;
  for (let page = 1; page <= 50 && !existing; page++) {
    const r = await github.request<{ id: number; body?: string }[]>('GET', `${base}/issues/${target.issue}/comments?per_page=100&page=${page}`);
    const list = Array.isArray(r.data) ? r.data : [];
    existing = list.find((c) => typeof c.body === 'string' && c.body.includes(marker));
    if (list.length < 100) break;
  }
  if (existing) {
    const r = await github.request<{ id: number; html_url?: string }>('PATCH', `${base}/issues/comments/${existing.id}`, { body: text });
    return { action: 'updated', id: r.data?.id ?? existing.id, url: r.data?.html_url };
  }
  const r = await github.request<{ id: number; html_url?: string }>('POST', `${base}/issues/${target.issue}/comments`, { body: text });
  return { action: 'created', id: r.data.id, url: r.data?.html_url };
}
