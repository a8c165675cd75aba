/**
 * A stand-in for the GitHub REST API, built on http-stub. Routes (any owner/repo unless `repos` is given):
 *
 *   GET   /repos/:owner/:repo/issues/:n/comments              list (paginated: per_page, page, Link header)
 *   POST  /repos/:owner/:repo/issues/:n/comments              create → 201
 *   PATCH /repos/:owner/:repo/issues/comments/:id             update → 200
 *   POST  /repos/:owner/:repo/deployments                     create → 201
 *   GET   /repos/:owner/:repo/deployments                     list, newest first (environment, ref, sha, task; paginated)
 *   POST  /repos/:owner/:repo/deployments/:id/statuses        create → 201 (auto_inactive like GitHub)
 *   GET   /repos/:owner/:repo/deployments/:id/statuses        list, newest first (paginated)
 *   POST  /repos/:owner/:repo/statuses/:sha                   commit status → 201
 *   POST  /repos/:owner/:repo/check-runs                      check run → 201
 *   PATCH /repos/:owner/:repo/check-runs/:id                  update → 200
 *
 * Requires `Authorization: Bearer <token>` or `token <token>` (401 'Bad credentials' otherwise).
 * Bodies look like GitHub's (numeric ids, node_id, url/html_url, ISO created_at/updated_at,
 * user/creator login 'github-actions[bot]'). Validation errors answer 422 'Validation Failed'.
 * Faults: `stub.fail(...)` with `GITHUB_RATE_LIMITED` / `GITHUB_NOT_ACCESSIBLE` or the helpers
 * `rateLimit()` / `notAccessible()`.
 */
import { createHash } from 'node:crypto';
import { authToken, startStub, type FaultMatcher, type Stub, type StubRequest, type StubResponse } from './http-stub.js';

const DOCS = 'https://docs.github.com/rest';

/** 403 body GitHub sends when the (secondary/primary) rate limit is exceeded. */
export const GITHUB_RATE_LIMITED = {
  message: 'API rate limit exceeded for installation ID 1. If you reach out to GitHub Support for help, please include the request ID.',
  documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api',
  status: '403',
} as const;

/** 403 body GitHub sends when GITHUB_TOKEN lacks a permission. */
export const GITHUB_NOT_ACCESSIBLE = {
  message: 'Resource not accessible by integration',
  documentation_url: `${DOCS}/issues/comments#create-an-issue-comment`,
  status: '403',
} as const;

export const BOT_USER = {
  login: 'github-actions[bot]',
  id: 41898282,
  node_id: 'MDM6Qm90NDE4OTgyODI=',
  avatar_url: 'https://avatars.githubusercontent.com/in/15368?v=4',
  url: 'https://api.github.com/users/github-actions%5Bbot%5D',
  html_url: 'https://github.com/apps/github-actions',
  type: 'Bot',
  site_admin: false,
} as const;

export interface GithubComment {
  id: number;
  owner: string;
  repo: string;
  issue_number: number;
  body: string;
  created_at: string;
  updated_at: string;
  /** Earlier bodies, oldest first. */
  history: string[];
}

export interface GithubDeployment {
  id: number;
  owner: string;
  repo: string;
  sha: string;
  ref: string;
  task: string;
  environment: string;
  description: string | null;
  payload: unknown;
  transient_environment: boolean;
  production_environment: boolean;
  created_at: string;
  updated_at: string;
  /** Raw create request body. */
  request: Record<string, unknown>;
}

export interface GithubDeploymentStatus {
  id: number;
  deployment_id: number;
  state: string;
  description: string;
  environment: string;
  environment_url: string;
  log_url: string;
  target_url: string;
  created_at: string;
  updated_at: string;
}

export interface GithubCommitStatus {
  id: number;
  owner: string;
  repo: string;
  sha: string;
  state: string;
  context: string;
  description: string | null;
  target_url: string | null;
  created_at: string;
}

export interface GithubCheckRun {
  id: number;
  owner: string;
  repo: string;
  name: string;
  head_sha: string;
  status: string;
  conclusion: string | null;
  output?: unknown;
  details_url?: string;
  started_at: string;
  completed_at: string | null;
}

export interface GithubStandinState {
  comments: Map<number, GithubComment>;
  deployments: Map<number, GithubDeployment>;
  /** deployment id → statuses, oldest first. */
  deploymentStatuses: Map<number, GithubDeploymentStatus[]>;
  commitStatuses: GithubCommitStatus[];
  checkRuns: Map<number, GithubCheckRun>;
}

export interface GithubStandinOptions {
  token?: string;
  /** When given, only these 'owner/repo' exist (others: 404). */
  repos?: string[];
  /** Default page size when per_page is absent (GitHub: 30). */
  defaultPerPage?: number;
}

export interface GithubStandin {
  url: string;
  token: string;
  stub: Stub;
  state: GithubStandinState;
  /** Comments on one issue/PR, oldest first. */
  commentsOn(owner: string, repo: string, issue: number): GithubComment[];
  /** Queues `times` 403 rate-limit answers (x-ratelimit-remaining: 0, retry-after). */
  rateLimit(matcher?: FaultMatcher, times?: number): void;
  /** Queues `times` 403 "Resource not accessible by integration" answers. */
  notAccessible(matcher?: FaultMatcher, times?: number): void;
  close(): Promise<void>;
}

const iso = (t = Date.now()) => new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
const nodeId = (kind: string, id: number) => Buffer.from(`${kind}:${id}`).toString('base64').replace(/=+$/, '');

export async function startGithubStandin(opts: GithubStandinOptions = {}): Promise<GithubStandin> {
  const token = opts.token ?? 'ghs_testtoken';
  const defaultPerPage = opts.defaultPerPage ?? 30;
  const stub = await startStub('github');
  const state: GithubStandinState = { comments: new Map(), deployments: new Map(), deploymentStatuses: new Map(), commitStatuses: [], checkRuns: new Map() };
  let nextId = 1_000_000;
  const newId = () => ++nextId;
  const api = stub.url; // resource urls point back at the stand-in
  const web = 'https://github.com';

  const error = (status: number, message: string, extra: Record<string, unknown> = {}): StubResponse => ({
    status,
    body: { message, documentation_url: DOCS, status: String(status), ...extra },
  });
  const invalid = (resource: string, field: string, code = 'missing_field'): StubResponse =>
    error(422, 'Validation Failed', { errors: [{ resource, field, code }] });
  const bodyOf = (req: StubRequest) => (req.body && typeof req.body === 'object' && !Buffer.isBuffer(req.body) ? (req.body as Record<string, unknown>) : {});

  /** Pages an array GitHub-style: per_page (max 100), page, and a Link header. */
  function paginate(req: StubRequest, items: unknown[]): StubResponse {
    const perPage = Math.max(1, Math.min(100, Number(req.query['per_page'] ?? defaultPerPage) || defaultPerPage));
    const page = Math.max(1, Number(req.query['page'] ?? 1) || 1);
    const last = Math.max(1, Math.ceil(items.length / perPage));
    const slice = items.slice((page - 1) * perPage, page * perPage);
    const link = (p: number, rel: string) => {
      const q = new URLSearchParams(req.searchParams);
      q.set('per_page', String(perPage));
      q.set('page', String(p));
      return `<${stub.url}${req.path}?${q.toString()}>; rel="${rel}"`;
    };
    const links: string[] = [];
    if (page > 1) links.push(link(page - 1, 'prev'));
    if (page < last) links.push(link(page + 1, 'next'), link(last, 'last'));
    if (page > 1) links.push(link(1, 'first'));
    return { status: 200, headers: links.length ? { link: links.join(', ') } : {}, body: slice };
  }

  // ---- auth and repository check ------------------------------------------------------------

  stub.before((req) => {
    if (!req.headers.authorization) return error(401, 'Requires authentication');
    if (authToken(req.headers, ['bearer', 'token']) !== token) return error(401, 'Bad credentials');
    const m = /^\/repos\/([^/]+)\/([^/]+)/.exec(req.path);
    if (m && opts.repos && !opts.repos.includes(`${m[1]}/${m[2]}`)) return error(404, 'Not Found');
    return undefined;
  });

  // ---- issue comments -----------------------------------------------------------------------

  const renderComment = (c: GithubComment) => ({
    id: c.id,
    node_id: nodeId('IssueComment', c.id),
    url: `${api}/repos/${c.owner}/${c.repo}/issues/comments/${c.id}`,
    html_url: `${web}/${c.owner}/${c.repo}/pull/${c.issue_number}#issuecomment-${c.id}`,
    issue_url: `${api}/repos/${c.owner}/${c.repo}/issues/${c.issue_number}`,
    body: c.body,
    user: BOT_USER,
    created_at: c.created_at,
    updated_at: c.updated_at,
    author_association: 'NONE',
    performed_via_github_app: { id: 15368, slug: 'github-actions', name: 'GitHub Actions' },
    reactions: { url: `${api}/repos/${c.owner}/${c.repo}/issues/comments/${c.id}/reactions`, total_count: 0 },
  });
  const commentsOn = (owner: string, repo: string, issue: number) =>
    [...state.comments.values()].filter((c) => c.owner === owner && c.repo === repo && c.issue_number === issue).sort((a, b) => a.id - b.id);

  stub.route('GET', '/repos/:owner/:repo/issues/:n/comments', (req) => {
    const { owner, repo, n } = req.params as { owner: string; repo: string; n: string };
    return paginate(req, commentsOn(owner, repo, Number(n)).map(renderComment));
  });

  stub.route('POST', '/repos/:owner/:repo/issues/:n/comments', (req) => {
    const { owner, repo, n } = req.params as { owner: string; repo: string; n: string };
    const body = bodyOf(req)['body'];
    if (typeof body !== 'string' || body === '') return invalid('IssueComment', 'body');
    if (body.length > 65536) return invalid('IssueComment', 'body', 'custom');
    const t = iso();
    const c: GithubComment = { id: newId(), owner, repo, issue_number: Number(n), body, created_at: t, updated_at: t, history: [] };
    state.comments.set(c.id, c);
    return { status: 201, headers: { location: `${api}/repos/${owner}/${repo}/issues/comments/${c.id}` }, body: renderComment(c) };
  });

  stub.route('PATCH', '/repos/:owner/:repo/issues/comments/:id', (req) => {
    const c = state.comments.get(Number(req.params['id']));
    if (!c || c.owner !== req.params['owner'] || c.repo !== req.params['repo']) return error(404, 'Not Found');
    const body = bodyOf(req)['body'];
    if (typeof body !== 'string' || body === '') return invalid('IssueComment', 'body');
    c.history.push(c.body);
    c.body = body;
    c.updated_at = iso();
    return { status: 200, body: renderComment(c) };
  });

  // ---- deployments --------------------------------------------------------------------------

  const renderDeployment = (d: GithubDeployment) => ({
    url: `${api}/repos/${d.owner}/${d.repo}/deployments/${d.id}`,
    id: d.id,
    node_id: nodeId('Deployment', d.id),
    sha: d.sha,
    ref: d.ref,
    task: d.task,
    payload: d.payload,
    original_environment: d.environment,
    environment: d.environment,
    description: d.description,
    creator: BOT_USER,
    created_at: d.created_at,
    updated_at: d.updated_at,
    statuses_url: `${api}/repos/${d.owner}/${d.repo}/deployments/${d.id}/statuses`,
    repository_url: `${api}/repos/${d.owner}/${d.repo}`,
    transient_environment: d.transient_environment,
    production_environment: d.production_environment,
    performed_via_github_app: null,
  });

  stub.route('POST', '/repos/:owner/:repo/deployments', (req) => {
    const { owner, repo } = req.params as { owner: string; repo: string };
    const b = bodyOf(req);
    if (typeof b['ref'] !== 'string' || b['ref'] === '') return invalid('Deployment', 'ref');
    const ref = b['ref'];
    const sha = /^[0-9a-f]{40}$/i.test(ref) ? ref.toLowerCase() : createHash('sha1').update(`${owner}/${repo}@${ref}`).digest('hex');
    const environment = typeof b['environment'] === 'string' ? b['environment'] : 'production';
    const t = iso();
    const d: GithubDeployment = {
      id: newId(),
      owner,
      repo,
      sha,
      ref,
      task: typeof b['task'] === 'string' ? b['task'] : 'deploy',
      environment,
      description: typeof b['description'] === 'string' ? b['description'] : null,
      payload: b['payload'] ?? {},
      transient_environment: b['transient_environment'] === true,
      production_environment: typeof b['production_environment'] === 'boolean' ? b['production_environment'] : environment === 'production',
      created_at: t,
      updated_at: t,
      request: b,
    };
    state.deployments.set(d.id, d);
    state.deploymentStatuses.set(d.id, []);
    return { status: 201, body: renderDeployment(d) };
  });

  stub.route('GET', '/repos/:owner/:repo/deployments', (req) => {
    const { owner, repo } = req.params as { owner: string; repo: string };
    const q = req.query;
    const rows = [...state.deployments.values()]
      .filter((d) => d.owner === owner && d.repo === repo)
      .filter((d) => !q['environment'] || d.environment === q['environment'])
      .filter((d) => !q['ref'] || d.ref === q['ref'])
      .filter((d) => !q['sha'] || d.sha === q['sha'])
      .filter((d) => !q['task'] || d.task === q['task'])
      .sort((a, b) => b.id - a.id)
      .map(renderDeployment);
    return paginate(req, rows);
  });

  const STATUS_STATES = ['error', 'failure', 'inactive', 'in_progress', 'queued', 'pending', 'success'];
  const renderStatus = (d: GithubDeployment, s: GithubDeploymentStatus) => ({
    url: `${api}/repos/${d.owner}/${d.repo}/deployments/${d.id}/statuses/${s.id}`,
    id: s.id,
    node_id: nodeId('DeploymentStatus', s.id),
    state: s.state,
    creator: BOT_USER,
    description: s.description,
    environment: s.environment,
    target_url: s.target_url,
    log_url: s.log_url,
    environment_url: s.environment_url,
    created_at: s.created_at,
    updated_at: s.updated_at,
    deployment_url: `${api}/repos/${d.owner}/${d.repo}/deployments/${d.id}`,
    repository_url: `${api}/repos/${d.owner}/${d.repo}`,
    performed_via_github_app: null,
  });

  function addStatus(d: GithubDeployment, b: Record<string, unknown>): GithubDeploymentStatus {
    const t = iso();
    const s: GithubDeploymentStatus = {
      id: newId(),
      deployment_id: d.id,
      state: String(b['state']),
      description: typeof b['description'] === 'string' ? b['description'] : '',
      environment: typeof b['environment'] === 'string' ? b['environment'] : d.environment,
      environment_url: typeof b['environment_url'] === 'string' ? b['environment_url'] : '',
      log_url: typeof b['log_url'] === 'string' ? b['log_url'] : typeof b['target_url'] === 'string' ? b['target_url'] : '',
      target_url: typeof b['target_url'] === 'string' ? b['target_url'] : typeof b['log_url'] === 'string' ? b['log_url'] : '',
      created_at: t,
      updated_at: t,
    };
    state.deploymentStatuses.get(d.id)!.push(s);
    d.updated_at = t;
    return s;
  }

  stub.route('POST', '/repos/:owner/:repo/deployments/:id/statuses', (req) => {
    const d = state.deployments.get(Number(req.params['id']));
    if (!d || d.owner !== req.params['owner'] || d.repo !== req.params['repo']) return error(404, 'Not Found');
    const b = bodyOf(req);
    if (typeof b['state'] !== 'string' || !STATUS_STATES.includes(b['state'])) return invalid('DeploymentStatus', 'state', b['state'] === undefined ? 'missing_field' : 'invalid');
    const s = addStatus(d, b);
    // GitHub marks earlier non-transient, non-production deployments of the environment inactive on success.
    if (s.state === 'success' && b['auto_inactive'] !== false) {
      for (const other of state.deployments.values()) {
        if (other.id === d.id || other.owner !== d.owner || other.repo !== d.repo || other.environment !== d.environment) continue;
        const statuses = state.deploymentStatuses.get(other.id)!;
        if (statuses.length && statuses[statuses.length - 1]!.state === 'success') addStatus(other, { state: 'inactive' });
      }
    }
    return { status: 201, body: renderStatus(d, s) };
  });

  stub.route('GET', '/repos/:owner/:repo/deployments/:id/statuses', (req) => {
    const d = state.deployments.get(Number(req.params['id']));
    if (!d || d.owner !== req.params['owner'] || d.repo !== req.params['repo']) return error(404, 'Not Found');
    const rows = [...state.deploymentStatuses.get(d.id)!].reverse().map((s) => renderStatus(d, s));
    return paginate(req, rows);
  });

  // ---- commit statuses ----------------------------------------------------------------------

  stub.route('POST', '/repos/:owner/:repo/statuses/:sha', (req) => {
    const { owner, repo, sha } = req.params as { owner: string; repo: string; sha: string };
    if (!/^[0-9a-f]{7,40}$/i.test(sha)) return error(422, `No commit found for SHA: ${sha}`);
    const b = bodyOf(req);
    if (typeof b['state'] !== 'string' || !['error', 'failure', 'pending', 'success'].includes(b['state'])) return invalid('Status', 'state', 'invalid');
    const s: GithubCommitStatus = {
      id: newId(),
      owner,
      repo,
      sha,
      state: b['state'],
      context: typeof b['context'] === 'string' ? b['context'] : 'default',
      description: typeof b['description'] === 'string' ? b['description'] : null,
      target_url: typeof b['target_url'] === 'string' ? b['target_url'] : null,
      created_at: iso(),
    };
    if (s.description && s.description.length > 140) return invalid('Status', 'description', 'custom');
    state.commitStatuses.push(s);
    return {
      status: 201,
      body: {
        url: `${api}/repos/${owner}/${repo}/statuses/${sha}`,
        avatar_url: BOT_USER.avatar_url,
        id: s.id,
        node_id: nodeId('StatusContext', s.id),
        state: s.state,
        description: s.description,
        target_url: s.target_url,
        context: s.context,
        created_at: s.created_at,
        updated_at: s.created_at,
        creator: BOT_USER,
      },
    };
  });

  // ---- check runs ---------------------------------------------------------------------------

  const renderCheck = (c: GithubCheckRun) => ({
    id: c.id,
    node_id: nodeId('CheckRun', c.id),
    head_sha: c.head_sha,
    external_id: '',
    url: `${api}/repos/${c.owner}/${c.repo}/check-runs/${c.id}`,
    html_url: `${web}/${c.owner}/${c.repo}/runs/${c.id}`,
    details_url: c.details_url ?? `${web}/${c.owner}/${c.repo}/runs/${c.id}`,
    status: c.status,
    conclusion: c.conclusion,
    started_at: c.started_at,
    completed_at: c.completed_at,
    output: c.output ?? { title: null, summary: null, text: null, annotations_count: 0 },
    name: c.name,
    app: { id: 15368, slug: 'github-actions', name: 'GitHub Actions' },
  });

  function applyCheck(c: GithubCheckRun, b: Record<string, unknown>): void {
    if (typeof b['status'] === 'string') c.status = b['status'];
    if (typeof b['conclusion'] === 'string') {
      c.conclusion = b['conclusion'];
      c.status = 'completed';
    }
    if (c.status === 'completed' && !c.completed_at) c.completed_at = typeof b['completed_at'] === 'string' ? b['completed_at'] : iso();
    if (b['output'] !== undefined) c.output = b['output'];
    if (typeof b['details_url'] === 'string') c.details_url = b['details_url'];
    if (typeof b['name'] === 'string') c.name = b['name'];
  }

  stub.route('POST', '/repos/:owner/:repo/check-runs', (req) => {
    const { owner, repo } = req.params as { owner: string; repo: string };
    const b = bodyOf(req);
    if (typeof b['name'] !== 'string') return invalid('CheckRun', 'name');
    if (typeof b['head_sha'] !== 'string') return invalid('CheckRun', 'head_sha');
    const c: GithubCheckRun = { id: newId(), owner, repo, name: b['name'], head_sha: b['head_sha'], status: 'queued', conclusion: null, started_at: iso(), completed_at: null };
    applyCheck(c, b);
    state.checkRuns.set(c.id, c);
    return { status: 201, body: renderCheck(c) };
  });

  stub.route('PATCH', '/repos/:owner/:repo/check-runs/:id', (req) => {
    const c = state.checkRuns.get(Number(req.params['id']));
    if (!c || c.owner !== req.params['owner'] || c.repo !== req.params['repo']) return error(404, 'Not Found');
    applyCheck(c, bodyOf(req));
    return { status: 200, body: renderCheck(c) };
  });

  return {
    url: stub.url,
    token,
    stub,
    state,
    commentsOn,
    rateLimit(matcher = '*', times = 1) {
      stub.fail(matcher, {
        status: 403,
        times,
        retryAfter: 1,
        headers: { 'x-ratelimit-limit': '5000', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 60), 'x-ratelimit-resource': 'core' },
        body: GITHUB_RATE_LIMITED,
      });
    },
    notAccessible(matcher = '*', times = 1) {
      stub.fail(matcher, { status: 403, times, body: GITHUB_NOT_ACCESSIBLE });
    },
    close: () => stub.close(),
  };
}
