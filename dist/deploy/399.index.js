export const id = 399;
export const ids = [399];
export const modules = {

/***/ 399:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  BUILD_LOG_TAIL_LINES: () => (/* binding */ BUILD_LOG_TAIL_LINES),
  runDeploy: () => (/* binding */ runDeploy)
});

// EXTERNAL MODULE: ./src/lib/durations.ts
var durations = __webpack_require__(1542);
// EXTERNAL MODULE: ./src/lib/errors.ts
var errors = __webpack_require__(7268);
// EXTERNAL MODULE: ./src/lib/vercel.ts
var vercel = __webpack_require__(8768);
// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(7598);
// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(1455);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(3024);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
// EXTERNAL MODULE: ./src/lib/retry.ts
var retry = __webpack_require__(1737);
;// CONCATENATED MODULE: ./src/deploy/files.ts
/**
 * The prebuilt output as the Vercel CLI sends it: every file under the output directory, named
 * `.vercel/output/<path>` (posix), with its sha1, size and mode (st_mode from lstat). A symlink is not
 * followed: its content is its link text, sent with its own mode, so symlinked function folders stay one
 * function. Missing files are uploaded with bounded concurrency and retries on 5xx and network errors.
 */







const OUTPUT_PREFIX = '.vercel/output';
async function contentOf(path, symlink) {
    return symlink ? Buffer.from(await (0,promises_.readlink)(path), 'utf8') : (0,promises_.readFile)(path);
}
/** Lists and hashes the output directory (sorted by name). */
async function collectPrebuiltFiles(dir, concurrency = 32) {
    let top;
    try {
        top = await (0,promises_.lstat)(dir);
    }
    catch {
        throw new errors/* StageError */.Zu(`prebuilt output ${dir} does not exist: run \`vercel build\` (or point prebuilt-dir at the build output) first`);
    }
    if (!top.isDirectory())
        throw new errors/* StageError */.Zu(`prebuilt output ${dir} is not a directory`);
    const paths = [];
    const walk = async (d) => {
        for (const entry of await (0,promises_.readdir)(d, { withFileTypes: true })) {
            const p = (0,external_node_path_.join)(d, entry.name);
            if (entry.isDirectory())
                await walk(p);
            else if (entry.isFile() || entry.isSymbolicLink())
                paths.push(p);
        }
    };
    await walk(dir);
    paths.sort();
    const out = new Array(paths.length);
    let next = 0;
    await Promise.all(Array.from({ length: Math.min(concurrency, paths.length) }, async () => {
        while (next < paths.length) {
            const i = next++;
            const path = paths[i];
            const st = await (0,promises_.lstat)(path);
            const symlink = st.isSymbolicLink();
            const data = await contentOf(path, symlink);
            out[i] = {
                file: `${OUTPUT_PREFIX}/${(0,external_node_path_.relative)(dir, path).split(external_node_path_.sep).join('/')}`,
                path,
                sha: (0,external_node_crypto_.createHash)('sha1').update(data).digest('hex'),
                size: data.byteLength,
                mode: st.mode,
                symlink,
            };
        }
    }));
    if (!out.some((f) => f.file === `${OUTPUT_PREFIX}/config.json`)) {
        throw new errors/* StageError */.Zu(`prebuilt output ${dir} has no config.json: it is not a Build Output API directory (run \`vercel build\`)`);
    }
    return out;
}
/**
 * What `vercel build` recorded in builds.json: a failed build or a build for another target is refused before
 * anything is uploaded (the CLI does the same: a preview build must not go to production with preview env).
 */
function checkBuildsJson(dir, target) {
    const file = (0,external_node_path_.join)(dir, 'builds.json');
    if (!(0,external_node_fs_.existsSync)(file))
        return;
    let builds;
    try {
        builds = JSON.parse((0,external_node_fs_.readFileSync)(file, 'utf8'));
    }
    catch {
        return;
    }
    const error = builds.error ?? builds.builds?.find((b) => b && b.error)?.error;
    if (error)
        throw new errors/* StageError */.Zu(`the prebuilt output records a failed \`vercel build\`: ${String(error.message ?? 'unknown error')}`);
    if (typeof builds.target === 'string' && builds.target !== target) {
        throw new errors/* StageError */.Zu(`the prebuilt output was built for target ${builds.target} but target is ${target}: run \`vercel build${target === 'production' ? ' --prod' : target === 'preview' ? '' : ` --target ${target}`}\` for the target you deploy`);
    }
}
/**
 * Uploads the files whose sha the API reported missing (each sha once). Network errors, 429 and 5xx are
 * retried; any other answer aborts the remaining uploads.
 */
async function uploadMissing(api, files, missing, opts) {
    const bySha = new Map();
    for (const f of files)
        if (!bySha.has(f.sha))
            bySha.set(f.sha, f);
    const todo = [...new Set(missing)];
    const unknown = todo.filter((s) => !bySha.has(s));
    if (unknown.length)
        throw new errors/* StageError */.Zu(`Vercel asked for ${unknown.length} file(s) this output does not have (sha ${unknown.slice(0, 3).join(', ')})`);
    const report = { files: 0, bytes: 0, retries: 0 };
    let next = 0;
    let failure;
    const worker = async () => {
        while (next < todo.length && failure === undefined && !opts.signal?.aborted) {
            const file = bySha.get(todo[next++]);
            try {
                const data = await contentOf(file.path, file.symlink);
                await (0,retry/* retry */.L5)(async () => {
                    try {
                        await api.uploadFile(file.sha, data);
                    }
                    catch (err) {
                        if (err instanceof vercel/* VercelApiError */.A9 && err.transient)
                            throw new retry/* RetryableError */.dw(err.message, err.details.retryAfterMs, err.status);
                        throw err;
                    }
                }, {
                    attempts: opts.attempts ?? 5,
                    baseMs: 1000,
                    maxMs: 30_000,
                    maxRetryAfterMs: 60_000,
                    clock: opts.clock,
                    onRetry: ({ attempt, delayMs, error }) => {
                        report.retries++;
                        opts.logger.debug(`upload ${file.file} attempt ${attempt} failed (${error.message}); retrying in ${delayMs}ms`);
                    },
                });
                report.files++;
                report.bytes += data.byteLength;
            }
            catch (err) {
                failure ??= err;
            }
        }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.concurrency ?? 16, todo.length)) }, worker));
    if (failure !== undefined) {
        throw new errors/* StageError */.Zu(`upload failed after ${report.files} of ${todo.length} file(s): ${failure.message}; nothing was deployed`, undefined, { cause: failure });
    }
    if (opts.signal?.aborted)
        throw new errors/* StageError */.Zu(`upload cancelled after ${report.files} of ${todo.length} file(s); nothing was deployed`);
    return report;
}

;// CONCATENATED MODULE: ./src/deploy/github-deployment.ts
/**
 * One GitHub deployment record per run: created `in_progress` when the stage starts shipping, then `success`
 * or `failure` (`inactive` when the run or the Vercel deployment is cancelled), with `environment_url` (the
 * deployment) and `log_url` (this workflow run).
 *
 * Duplicates: a job that declares `environment:` already gets a deployment record from GitHub, and GitHub
 * does not tell the step its id, so the stage cannot attach to it. Choice: the stage creates its record
 * unless `github-deployment: false`; workflows whose deploy job declares `environment:` set it to false
 * (Shipgate's reusable workflow does), and GitHub's record is the one shown. Each invocation (deploy, promote,
 * rollback) is its own record, tagged with the run id and attempt in its payload.
 *
 * Recording never fails the deploy: a missing `deployments: write` permission or an API error is a warning.
 */

class GitHubDeploymentRecord {
    api;
    init;
    id;
    logger;
    states = [];
    constructor(api, init, id, logger) {
        this.api = api;
        this.init = init;
        this.id = id;
        this.logger = logger;
    }
    /** Creates the record and sets it in_progress; undefined when GitHub refused (a warning, never a failure). */
    static async open(api, init, logger) {
        const base = `/repos/${encodeURIComponent(init.owner)}/${encodeURIComponent(init.repo)}/deployments`;
        try {
            const created = await api.request('POST', base, {
                ref: init.sha,
                environment: init.environment,
                description: init.description.slice(0, 140),
                auto_merge: false,
                required_contexts: [],
                transient_environment: !init.production && init.environment !== 'production',
                production_environment: init.production,
                payload: { ...init.payload, shipgate: { runId: init.runId, runAttempt: init.runAttempt } },
            });
            const id = typeof created.data?.id === 'number' ? created.data.id : undefined;
            if (id === undefined) {
                logger.warning(`GitHub did not create a deployment record (${created.status}: ${String(created.data?.message ?? 'no id')})`);
                return undefined;
            }
            const record = new GitHubDeploymentRecord(api, init, id, logger);
            await record.status('in_progress', { description: init.description });
            return record;
        }
        catch (err) {
            logger.warning(`GitHub deployment record not created: ${(0,errors/* errorMessage */.gJ)(err)}`);
            return undefined;
        }
    }
    async status(state, opts = {}) {
        const path = `/repos/${encodeURIComponent(this.init.owner)}/${encodeURIComponent(this.init.repo)}/deployments/${this.id}/statuses`;
        try {
            await this.api.request('POST', path, {
                state,
                log_url: this.init.logUrl || undefined,
                environment_url: opts.environmentUrl || undefined,
                description: (opts.description ?? '').slice(0, 140) || undefined,
                auto_inactive: state === 'success',
            });
            this.states.push(state);
        }
        catch (err) {
            this.logger.warning(`GitHub deployment ${this.id}: status ${state} not recorded: ${(0,errors/* errorMessage */.gJ)(err)}`);
        }
    }
}

// EXTERNAL MODULE: ./src/deploy/inputs.ts
var inputs = __webpack_require__(3614);
;// CONCATENATED MODULE: ./src/deploy/wait.ts


const KNOWN_STATES = ['QUEUED', 'INITIALIZING', 'BUILDING', 'READY', 'ERROR', 'CANCELED', 'BLOCKED'];
const MAX_RETRY_AFTER_MS = 5 * 60_000;
/** The CLI's polling interval for the time elapsed since waiting began. */
function pollDelay(elapsedMs) {
    if (elapsedMs < 15_000)
        return 1_000;
    if (elapsedMs < 60_000)
        return 5_000;
    if (elapsedMs < 5 * 60_000)
        return 15_000;
    return 30_000;
}
/** Judges one answer: finished (with outcome) or still waiting. */
function judge(d, expectAlias) {
    if (d.checksConclusion === 'failed')
        return { outcome: 'error', reason: 'deployment checks failed' };
    switch (d.readyState) {
        case 'READY':
            if (d.aliasError)
                return { outcome: 'error', reason: `alias assignment failed: ${d.aliasError.code ?? ''} ${d.aliasError.message ?? ''}`.trim() };
            if (expectAlias && !d.aliasAssigned)
                return undefined;
            return { outcome: 'ready' };
        case 'ERROR':
            return { outcome: 'error', reason: `build failed${d.errorCode ? ` (${d.errorCode}${d.errorMessage ? `: ${d.errorMessage}` : ''})` : ''}` };
        case 'CANCELED':
            return { outcome: 'canceled', reason: 'the deployment was canceled' };
        case 'BLOCKED':
            return { outcome: 'error', reason: `the deployment is blocked${d.errorMessage ? `: ${d.errorMessage}` : ''}` };
        default:
            return undefined;
    }
}
async function waitForDeployment(api, initial, opts) {
    const { clock, logger } = opts;
    const start = clock.now();
    const deadline = start + opts.timeoutMs;
    const warned = new Set();
    let current = initial;
    let lastState = '';
    const seen = (d) => {
        const key = `${d.readyState}${d.readyState === 'READY' && opts.expectAlias && !d.aliasAssigned ? ' (assigning domains)' : ''}`;
        if (key !== lastState) {
            lastState = key;
            logger.info(`${d.id}: ${key}`);
            opts.onState?.(d);
        }
        if (!KNOWN_STATES.includes(d.readyState) && !warned.has(d.readyState)) {
            warned.add(d.readyState);
            logger.warning(`Vercel reported readyState ${JSON.stringify(d.readyState)}, which this version does not know; still waiting for READY`);
        }
    };
    seen(current);
    for (;;) {
        const verdict = judge(current, opts.expectAlias);
        if (verdict)
            return { ...verdict, deployment: current };
        if (opts.signal?.aborted)
            return { outcome: 'aborted', deployment: current, reason: 'the run was cancelled' };
        const now = clock.now();
        if (now >= deadline) {
            return { outcome: 'timeout', deployment: current, reason: `not ready after ${(0,durations/* formatDuration */.a)(opts.timeoutMs)} (last state ${current.readyState})` };
        }
        let delay = pollDelay(now - start);
        for (;;) {
            try {
                await clock.sleep(Math.max(0, Math.min(delay, deadline - clock.now())), opts.signal);
            }
            catch {
                return { outcome: 'aborted', deployment: current, reason: 'the run was cancelled' };
            }
            if (opts.signal?.aborted)
                return { outcome: 'aborted', deployment: current, reason: 'the run was cancelled' };
            try {
                current = await api.getDeployment(current.id);
                break;
            }
            catch (err) {
                if (!(err instanceof vercel/* VercelApiError */.A9) || !err.transient)
                    throw err;
                delay = err.status === 429 ? Math.min(err.details.retryAfterMs ?? 5_000, MAX_RETRY_AFTER_MS) : 5_000;
                logger.info(`${err.message}; asking again in ${(0,durations/* formatDuration */.a)(delay)}`);
                if (clock.now() >= deadline) {
                    return { outcome: 'timeout', deployment: current, reason: `not ready after ${(0,durations/* formatDuration */.a)(opts.timeoutMs)} (last state ${current.readyState})` };
                }
            }
        }
        seen(current);
    }
}

;// CONCATENATED MODULE: ./src/deploy/deploy.ts







const BUILD_LOG_TAIL_LINES = 40;
const CREATE_ATTEMPTS = 3;
const MISSING_FILES_ROUNDS = 3;
const https = (host) => (host ? (/^https?:\/\//.test(host) ? host : `https://${host}`) : '');
class Run {
    s;
    d;
    started;
    timeline = [];
    record;
    constructor(s, d) {
        this.s = s;
        this.d = d;
        this.started = d.clock.now();
    }
    mark(state) {
        this.timeline.push({ state, at: this.d.clock.now() - this.started });
    }
    async openRecord(environment, description, payload) {
        const { github, context, logger } = this.d;
        if (!github)
            return;
        if (!context.owner || !context.repo) {
            logger.info('no GITHUB_REPOSITORY: GitHub deployment record skipped');
            return;
        }
        this.record = await GitHubDeploymentRecord.open(github, {
            owner: context.owner,
            repo: context.repo,
            sha: this.s.gitSha || context.sha,
            environment,
            production: environment === 'production',
            description,
            runId: context.runId,
            runAttempt: context.runAttempt,
            logUrl: context.runUrl,
            payload,
        }, logger);
    }
    async recordStatus(state, environmentUrl, description) {
        await this.record?.status(state, { environmentUrl, description });
    }
    summarize(title, rows, notes = []) {
        const { summary } = this.d;
        summary.heading(title, 2);
        summary.table(['Deployment', 'Value'], rows.filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => [k, v]));
        if (notes.length)
            summary.list(notes);
        if (this.timeline.length) {
            summary.heading('State timeline', 3);
            summary.table(['State', 'At'], this.timeline.map((t) => [t.state, `+${(0,durations/* formatDuration */.a)(t.at)}`]));
        }
    }
}
async function runDeploy(s, d) {
    const run = new Run(s, d);
    const project = await d.vercel.getProject();
    d.logger.info(`Vercel project ${project.name} (${project.id}); production is served by ${project.productionDeploymentId ?? 'no deployment yet'}`);
    switch (s.mode) {
        case 'git':
        case 'prebuilt':
            return ship(run, project);
        case 'promote':
            return promote(run, project);
        case 'rollback':
            return rollback(run, project);
    }
}
// ---- git / prebuilt ------------------------------------------------------------------------------
function createRequest(run, project, files) {
    const { s, d } = run;
    const ctx = d.context;
    const body = {
        name: project.name,
        project: project.id,
        meta: {
            githubCommitSha: s.gitSha,
            githubCommitRef: s.gitRef,
            ...(ctx.owner ? { githubCommitOrg: ctx.owner, githubCommitRepo: ctx.repo } : {}),
            ...(ctx.runUrl ? { shipgateRunUrl: ctx.runUrl } : {}),
        },
        gitMetadata: {
            commitSha: s.gitSha,
            commitRef: s.gitRef,
            ...(d.commitMessage ? { commitMessage: d.commitMessage.slice(0, 1000) } : {}),
            ...(ctx.actor ? { commitAuthorName: ctx.actor } : {}),
            ...(ctx.repository ? { remoteUrl: `${ctx.serverUrl}/${ctx.repository}` } : {}),
            dirty: false,
            ci: true,
            ciType: 'github-actions',
        },
    };
    if (s.target === 'production')
        body.target = 'production';
    else if (s.target !== 'preview')
        body.customEnvironmentSlugOrId = s.target;
    if (s.mode === 'git') {
        if (!ctx.owner || !ctx.repo)
            throw new errors/* StageError */.Zu('git mode needs GITHUB_REPOSITORY (owner/repo) to tell Vercel which repository to build');
        body.gitSource = { type: 'github', org: ctx.owner, repo: ctx.repo, ref: s.gitRef, sha: s.gitSha };
    }
    else {
        body.files = (files ?? []).map((f) => ({ file: f.file, sha: f.sha, size: f.size }));
    }
    return { skipAutoDetectionConfirmation: '1', requestBody: body };
}
/** createDeployment, repeated only when Vercel provably created nothing (429, connection never made). */
async function createOnce(run, request, extras) {
    const { d } = run;
    for (let attempt = 1;; attempt++) {
        try {
            return await d.vercel.createDeployment(request, extras);
        }
        catch (err) {
            const e = err instanceof vercel/* VercelApiError */.A9 ? err : undefined;
            const safe = e && (e.status === 429 || e.details.neverSent);
            if (!safe || attempt >= CREATE_ATTEMPTS) {
                if (e && (e.status === undefined || e.status >= 500)) {
                    throw new errors/* StageError */.Zu(`${e.message}. The request may have created a deployment, so it was not repeated: check the project's deployments before running again`, undefined, { cause: err });
                }
                throw err instanceof vercel/* VercelApiError */.A9 ? new errors/* StageError */.Zu(err.message, undefined, { cause: err }) : err;
            }
            const wait = e.status === 429 ? Math.min(e.details.retryAfterMs ?? 10_000, 5 * 60_000) : 2_000 * attempt;
            d.logger.info(`${e.message}; nothing was created, trying again in ${(0,durations/* formatDuration */.a)(wait)}`);
            await d.clock.sleep(wait, d.signal);
        }
    }
}
async function ship(run, project) {
    const { s, d } = run;
    const { logger } = d;
    const previous = project.productionDeploymentId;
    const outputs = { previousDeploymentId: previous ?? '' };
    const production = s.target === 'production';
    // After an instant rollback Vercel keeps production pinned: a new production deployment is staged whatever we ask.
    const pinned = production && !s.staged && project.autoAssignCustomDomains === false;
    if (pinned) {
        logger.warning('Production is pinned after an instant rollback (automatic domain assignment is off): this deployment will not receive the production domains until it is promoted (mode: promote).');
    }
    const aliases = s.aliases.map((a) => (0,inputs/* expandAlias */.V3)(a, { branch: s.gitRef, pr: d.context.pullRequest, sha: s.gitSha }));
    const env = { ...s.env, GIT_SHA: s.gitSha, BUILD_TIMESTAMP: new Date(run.started).toISOString() };
    logger.info(`Deploying ${s.gitSha.slice(0, 7)} (${s.gitRef}) to ${s.target}${s.staged ? ' (staged: no domains until promote)' : ''} from ${s.mode === 'git' ? 'GitHub' : s.prebuiltDir}`);
    logger.info(`Deployment env: ${Object.keys(env).join(', ')}`);
    let files;
    if (s.mode === 'prebuilt') {
        checkBuildsJson(s.prebuiltDir, s.target);
        files = await collectPrebuiltFiles(s.prebuiltDir);
        const bytes = files.reduce((n, f) => n + f.size, 0);
        logger.info(`Prebuilt output: ${files.length} files, ${bytes} bytes, ${files.filter((f) => f.symlink).length} symlinks`);
    }
    await run.openRecord(s.target, `Vercel ${s.target}${s.staged ? ' (staged)' : ''} deployment of ${s.gitSha.slice(0, 7)}`, { target: s.target, staged: s.staged });
    const request = createRequest(run, project, files);
    const extras = {
        prebuilt: s.mode === 'prebuilt' || undefined,
        env,
        buildEnv: env,
        ...(s.staged ? { autoAssignCustomDomains: false } : {}),
        ...(files ? { fileModes: new Map(files.map((f) => [f.file, f.mode])) } : {}),
    };
    let created;
    const uploaded = { files: 0, bytes: 0 };
    try {
        for (let round = 1; !created; round++) {
            const outcome = await createOnce(run, request, extras);
            if (outcome.kind === 'created') {
                created = outcome.deployment;
                break;
            }
            if (round > MISSING_FILES_ROUNDS)
                throw new errors/* StageError */.Zu(`Vercel still reports ${outcome.missing.length} missing file(s) after ${MISSING_FILES_ROUNDS} uploads; nothing was deployed`);
            logger.info(`Uploading ${outcome.missing.length} file(s) Vercel does not have yet`);
            const report = await uploadMissing(d.vercel, files ?? [], outcome.missing, { clock: d.clock, logger, signal: d.signal, concurrency: d.uploadConcurrency });
            uploaded.files += report.files;
            uploaded.bytes += report.bytes;
            logger.info(`Uploaded ${report.files} file(s), ${report.bytes} bytes${report.retries ? ` (${report.retries} retries)` : ''}`);
        }
    }
    catch (err) {
        await run.recordStatus(d.signal?.aborted ? 'inactive' : 'failure', undefined, `deployment not created: ${(0,errors/* errorMessage */.gJ)(err)}`);
        run.summarize(`Deploy to ${s.target} failed`, [['Error', (0,errors/* errorMessage */.gJ)(err)], ['Previous production deployment', previous]]);
        return { outputs: { ...outputs, githubDeploymentId: run.record?.id }, error: err instanceof Error ? err : new errors/* StageError */.Zu(String(err)) };
    }
    const dep = created;
    Object.assign(outputs, { deploymentId: dep.id, url: https(dep.url), inspectorUrl: dep.inspectorUrl ?? '', githubDeploymentId: run.record?.id });
    logger.info(`Created ${dep.id}: ${https(dep.url)}`);
    if (dep.inspectorUrl)
        logger.info(`Inspect: ${dep.inspectorUrl}`);
    if (files)
        logger.info(`Files uploaded: ${uploaded.files} (${uploaded.bytes} bytes) of ${files.length}`);
    const result = await waitForDeployment(d.vercel, dep, {
        timeoutMs: s.timeoutMs,
        clock: d.clock,
        logger,
        expectAlias: !s.staged && !pinned,
        signal: d.signal,
        onState: (x) => run.mark(x.readyState === 'READY' && !s.staged && !pinned && !x.aliasAssigned ? 'READY (assigning domains)' : x.readyState),
    });
    const final = result.deployment;
    outputs.readyState = final.readyState;
    const inspector = final.inspectorUrl ?? dep.inspectorUrl;
    if (inspector)
        outputs.inspectorUrl = inspector;
    const rows = () => [
        ['URL', https(final.url || dep.url)],
        ['Inspector', inspector ? `[${inspector}](${inspector})` : undefined],
        ['Deployment', final.id],
        ['State', `${final.readyState}${final.readySubstate ? ` (${final.readySubstate})` : ''}`],
        ['Target', `${s.target}${s.staged ? ' (staged: promote to assign domains)' : ''}`],
        ['Commit', `${s.gitSha.slice(0, 7)} (${s.gitRef})`],
        ['Previous production deployment', previous],
        ['Files uploaded', files ? `${uploaded.files} of ${files.length} (${uploaded.bytes} bytes)` : undefined],
        ['GitHub deployment', run.record ? String(run.record.id) : undefined],
    ];
    if (result.outcome !== 'ready')
        return failShip(run, result, rows, outputs, inspector);
    const assigned = [];
    for (const alias of aliases) {
        try {
            await d.vercel.assignAlias(final.id, alias);
            assigned.push(alias);
            logger.info(`Alias https://${alias} → ${final.id}`);
        }
        catch (err) {
            run.mark('ALIAS FAILED');
            await run.recordStatus('failure', https(final.url), `alias ${alias} failed`);
            run.summarize(`Deploy to ${s.target}: alias failed`, [...rows(), ['Alias error', `${alias}: ${(0,errors/* errorMessage */.gJ)(err)}`]]);
            return { outputs, error: new errors/* StageError */.Zu(`alias ${alias} was not assigned to ${final.id}: ${(0,errors/* errorMessage */.gJ)(err)} (the deployment is READY at ${https(final.url)})`, undefined, { cause: err }) };
        }
    }
    const environmentUrl = https(assigned[0] ?? final.url);
    await run.recordStatus('success', environmentUrl, s.staged ? 'staged: promote to assign production domains' : `ready at ${environmentUrl}`);
    const notes = s.staged ? [`Staged: production domains still point at ${previous ?? 'the previous deployment'}. Promote with \`mode: promote\` and \`deployment-id: ${final.id}\`.`] : [];
    run.summarize(`Deployed to ${s.target}`, [...rows(), ['Aliases', assigned.map((a) => `https://${a}`).join(', ') || undefined]], notes);
    logger.info(`${final.id} is READY${s.staged ? ' (staged)' : ''} after ${(0,durations/* formatDuration */.a)(d.clock.now() - run.started)}`);
    return { outputs };
}
async function failShip(run, result, rows, outputs, inspector) {
    const { d } = run;
    const dep = result.deployment;
    let tail = [];
    if (result.outcome === 'error' || result.outcome === 'canceled') {
        try {
            tail = (await d.vercel.buildLogTail(dep.id, BUILD_LOG_TAIL_LINES)).map((l) => l.text);
        }
        catch (err) {
            d.logger.warning(`build log not available: ${(0,errors/* errorMessage */.gJ)(err)}`);
        }
        if (tail.length) {
            await d.logger.group(`Build log of ${dep.id} (last ${tail.length} lines)`, async () => {
                for (const line of tail)
                    d.logger.info(line);
            });
        }
    }
    let reason = result.reason ?? result.outcome;
    let state = 'failure';
    if (result.outcome === 'aborted') {
        state = 'inactive';
        try {
            await d.vercel.cancelDeployment(dep.id);
            run.mark('CANCELED');
            outputs.readyState = 'CANCELED';
            reason = `the run was cancelled; Vercel deployment ${dep.id} was cancelled too`;
        }
        catch (err) {
            reason = `the run was cancelled; cancelling Vercel deployment ${dep.id} failed (${(0,errors/* errorMessage */.gJ)(err)}): cancel it at ${inspector ?? 'the Vercel dashboard'}`;
        }
    }
    else if (result.outcome === 'canceled') {
        state = 'inactive';
    }
    else if (result.outcome === 'timeout') {
        reason = `${reason}; the deployment was left running: inspect it at ${inspector ?? https(dep.url)}`;
    }
    await run.recordStatus(state, https(dep.url), reason);
    const extra = [['Failure', reason]];
    run.summarize(`Deploy to ${run.s.target} failed`, [...rows(), ...extra]);
    if (tail.length)
        d.summary.details(`Build log (last ${tail.length} lines)`, '```\n' + tail.join('\n').replace(/```/g, '`\u200b``') + '\n```');
    const where = inspector ? ` — ${inspector}` : '';
    return { outputs, error: new errors/* StageError */.Zu(`deployment ${dep.id} ${reason}${result.outcome === 'timeout' ? '' : where}`) };
}
// ---- promote / rollback --------------------------------------------------------------------------
/** Polls the project until production points at `id` (or Vercel reports the alias job failed). */
async function waitForProduction(run, id, kind) {
    const { d, s } = run;
    const deadline = run.started + s.timeoutMs;
    const start = d.clock.now();
    for (;;) {
        const p = await d.vercel.getProject();
        const job = p.lastAliasRequest;
        if (job && job.toDeploymentId === id && (job.jobStatus === 'failed' || job.jobStatus === 'skipped')) {
            throw new errors/* StageError */.Zu(`${kind} of ${id} ${job.jobStatus} on Vercel; production is still ${p.productionDeploymentId ?? 'unknown'}`);
        }
        const jobDone = !job || job.toDeploymentId !== id || job.jobStatus === 'succeeded';
        if (p.productionDeploymentId === id && jobDone)
            return p;
        if (d.clock.now() >= deadline)
            throw new errors/* StageError */.Zu(`${kind} of ${id} not finished after ${(0,durations/* formatDuration */.a)(s.timeoutMs)}; production is ${p.productionDeploymentId ?? 'unknown'}`);
        await d.clock.sleep(Math.min(pollDelay(d.clock.now() - start), Math.max(0, deadline - d.clock.now())), d.signal);
    }
}
async function promote(run, project) {
    const { s, d } = run;
    const id = s.deploymentId;
    const previous = project.productionDeploymentId;
    const dep = await d.vercel.getDeployment(id);
    const outputs = { deploymentId: dep.id, url: https(dep.url), inspectorUrl: dep.inspectorUrl ?? '', previousDeploymentId: previous ?? '', readyState: dep.readyState };
    if (dep.target !== 'production') {
        throw new errors/* StageError */.Zu(`${id} is a ${dep.target ?? 'preview'} deployment; promoting it would rebuild it with production settings. Deploy with target: production and staged: true, then promote that deployment`);
    }
    if (dep.readyState !== 'READY')
        throw new errors/* StageError */.Zu(`${id} is ${dep.readyState}; only a READY deployment can be promoted`);
    run.mark('READY');
    if (previous === id) {
        d.logger.notice(`${id} already serves production; nothing to promote`);
        run.summarize('Promote: nothing to do', [['Deployment', id], ['URL', https(dep.url)]]);
        return { outputs };
    }
    await run.openRecord('production', `Promote ${id} to production`, { promote: id, previous });
    let status;
    try {
        status = await d.vercel.promote(id);
    }
    catch (err) {
        await run.recordStatus('failure', undefined, `promote failed: ${(0,errors/* errorMessage */.gJ)(err)}`);
        throw err instanceof vercel/* VercelApiError */.A9 ? new errors/* StageError */.Zu(`promote of ${id} failed: ${err.message}; production is still ${previous ?? 'unchanged'}`) : err;
    }
    outputs.githubDeploymentId = run.record?.id;
    const rows = [
        ['Deployment', id],
        ['URL', https(dep.url)],
        ['Inspector', dep.inspectorUrl],
        ['Previous production deployment', previous],
    ];
    if (status === 202) {
        run.mark('PROMOTE QUEUED');
        d.logger.notice(`Promotion of ${id} is queued behind a rolling release (HTTP 202): production moves when the release advances`);
        await run.recordStatus('queued', https(dep.url), 'queued behind a rolling release');
        run.summarize('Promote queued behind a rolling release', rows, ['Vercel answered 202: the promotion waits for the current rolling release.']);
        return { outputs };
    }
    run.mark('PROMOTE REQUESTED');
    try {
        await waitForProduction(run, id, 'promote');
    }
    catch (err) {
        await run.recordStatus('failure', https(dep.url), (0,errors/* errorMessage */.gJ)(err));
        throw err;
    }
    run.mark('PRODUCTION');
    await run.recordStatus('success', https(dep.url), `${id} promoted to production`);
    d.logger.info(`${id} now serves production (was ${previous ?? 'none'})`);
    run.summarize('Promoted to production', rows);
    return { outputs };
}
async function rollback(run, project) {
    const { s, d } = run;
    const current = project.productionDeploymentId;
    if (!current)
        throw new errors/* StageError */.Zu('the project has no production deployment, so there is nothing to roll back from');
    let targetId = s.deploymentId;
    if (!targetId) {
        const serving = await d.vercel.getDeployment(current);
        const candidates = await d.vercel.listDeployments({ target: 'production', state: 'READY', rollbackCandidate: true, limit: 50 });
        const older = candidates.filter((c) => c.id !== current && (serving.createdAt === undefined || c.createdAt === undefined || c.createdAt < serving.createdAt));
        targetId = older[0]?.id;
        if (!targetId)
            throw new errors/* StageError */.Zu(`no earlier production deployment to roll back to from ${current}; pass deployment-id`);
        d.logger.info(`Rolling back to the previous production deployment ${targetId} (production is ${current})`);
    }
    const target = await d.vercel.getDeployment(targetId);
    const outputs = { deploymentId: target.id, url: https(target.url), inspectorUrl: target.inspectorUrl ?? '', previousDeploymentId: current, readyState: target.readyState };
    if (target.id === current) {
        d.logger.notice(`${target.id} already serves production; nothing to roll back`);
        run.summarize('Rollback: nothing to do', [['Deployment', target.id]]);
        return { outputs };
    }
    await run.openRecord('production', `Roll back production to ${target.id}`, { rollback: target.id, from: current });
    outputs.githubDeploymentId = run.record?.id;
    try {
        await d.vercel.rollback(target.id, `Shipgate rollback from ${current}${d.context.runUrl ? ` (${d.context.runUrl})` : ''}`);
        run.mark('ROLLBACK REQUESTED');
        await waitForProduction(run, target.id, 'rollback');
    }
    catch (err) {
        await run.recordStatus('failure', undefined, `rollback failed: ${(0,errors/* errorMessage */.gJ)(err)}`);
        if (err instanceof vercel/* VercelApiError */.A9)
            throw new errors/* StageError */.Zu(`rollback to ${target.id} failed: ${err.message}; production is still ${current}`);
        throw err;
    }
    run.mark('PRODUCTION');
    const pinned = `Vercel now keeps production pinned to ${target.id}: automatic domain assignment is off, so new production deployments stay staged ` +
        `until one is promoted. To undo the rollback, run this stage with mode: promote and deployment-id: ${current} (or a newer deployment).`;
    d.logger.notice(pinned);
    await run.recordStatus('success', https(target.url), `rolled back from ${current}`);
    run.summarize('Rolled back production', [
        ['Now serving', target.id],
        ['URL', https(target.url)],
        ['Inspector', target.inspectorUrl],
        ['Rolled back from', current],
    ], [pinned]);
    return { outputs };
}


/***/ }),

/***/ 8768:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   A9: () => (/* binding */ VercelApiError),
/* harmony export */   HB: () => (/* binding */ toVercelApiError),
/* harmony export */   fF: () => (/* binding */ createVercelCore),
/* harmony export */   pm: () => (/* binding */ resultValue)
/* harmony export */ });
/* unused harmony exports VERCEL_API_URL, isSchemaDrift */
/* harmony import */ var _vercel_sdk_core_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(8526);
/* harmony import */ var _vercel_sdk_lib_http_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(3157);
/* harmony import */ var _vercel_sdk_models_responsevalidationerror_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(5070);
/* harmony import */ var _vercel_sdk_models_vercelerror_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(9919);
/* harmony import */ var _retry_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(1737);
/**
 * The Vercel API through @vercel/sdk's standalone functions: one client factory (`VercelCore` with an
 * `HTTPClient` that can carry a `beforeRequest` hook) and one way to read a call's result.
 *
 * Reading results: a 2xx answer whose body does not match the SDK's closed schemas (a new `readyState`, a new
 * framework slug) arrives as `ResponseValidationError`; the call did succeed, so `resultValue` returns the raw
 * JSON body (`rawValue`) instead of failing. Every other failure becomes a `VercelApiError` that says whether
 * it is worth retrying and whether the request provably never reached the server.
 */





const VERCEL_API_URL = 'https://api.vercel.com';
function createVercelCore(opts) {
    const httpClient = new _vercel_sdk_lib_http_js__WEBPACK_IMPORTED_MODULE_1__/* .HTTPClient */ .ST(opts.fetcher ? { fetcher: opts.fetcher } : {});
    if (opts.beforeRequest)
        httpClient.addHook('beforeRequest', opts.beforeRequest);
    return new _vercel_sdk_core_js__WEBPACK_IMPORTED_MODULE_2__/* .VercelCore */ .B({
        bearerToken: opts.token,
        serverURL: (opts.serverURL ?? VERCEL_API_URL).replace(/\/+$/, ''),
        httpClient,
        timeoutMs: opts.timeoutMs ?? 60_000,
        // Retries are the caller's, per operation (createDeployment must never be retried blindly).
        retryConfig: { strategy: 'none' },
    });
}
/** Network error codes that prove the request never reached a server (nothing can have been created). */
const NEVER_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
class VercelApiError extends Error {
    details;
    name = 'VercelApiError';
    constructor(message, details) {
        super(message);
        this.details = details;
    }
    get status() {
        return this.details.status;
    }
    get code() {
        return this.details.code;
    }
    /** 429, 5xx, or no answer. */
    get transient() {
        const s = this.details.status;
        return this.details.network || s === 429 || (s !== undefined && s >= 500);
    }
}
function causeCodes(err) {
    const codes = [];
    let e = err;
    for (let i = 0; e && i < 6; i++, e = e.cause)
        if (typeof e.code === 'string')
            codes.push(e.code);
    return codes;
}
function toVercelApiError(operation, err, now = Date.now()) {
    if (err instanceof VercelApiError)
        return err;
    if (err instanceof _vercel_sdk_models_vercelerror_js__WEBPACK_IMPORTED_MODULE_3__/* .VercelError */ .q && !(err instanceof _vercel_sdk_models_responsevalidationerror_js__WEBPACK_IMPORTED_MODULE_4__/* .ResponseValidationError */ .d)) {
        let body;
        try {
            body = err.body ? JSON.parse(err.body) : undefined;
        }
        catch {
            body = undefined;
        }
        const envelope = body?.error ?? body;
        const code = typeof envelope?.code === 'string' ? envelope.code : undefined;
        const text = typeof envelope?.message === 'string' ? envelope.message : (err.body ?? '').slice(0, 200);
        return new VercelApiError(`Vercel API ${operation}: ${err.statusCode}${code ? ` ${code}` : ''}${text ? `: ${text}` : ''}`, {
            operation,
            status: err.statusCode,
            code,
            body: envelope,
            retryAfterMs: (0,_retry_js__WEBPACK_IMPORTED_MODULE_0__/* .parseRetryAfter */ .mu)(err.headers.get('retry-after'), now),
            network: false,
            neverSent: false,
        });
    }
    const name = err?.name ?? '';
    const codes = causeCodes(err);
    // Node's fetch fails with TypeError('fetch failed', { cause: <socket error> }), which the SDK does not
    // recognise as a connection error and wraps as UnexpectedClientError.
    const fetchFailed = /fetch failed/i.test(String(err?.cause?.message ?? err?.message ?? ''));
    const network = ['ConnectionError', 'RequestTimeoutError', 'RequestAbortedError', 'TypeError', 'AbortError'].includes(name) || fetchFailed || codes.length > 0;
    const neverSent = codes.some((c) => NEVER_SENT.has(c));
    const message = err?.message ?? String(err);
    return new VercelApiError(`Vercel API ${operation}: ${message}`, { operation, network, neverSent });
}
/**
 * The value of a call: the validated body, or — when only the SDK's response validation failed on a 2xx —
 * the raw JSON body. Throws VercelApiError for everything else.
 */
function resultValue(operation, result, now) {
    if (result.ok)
        return result.value;
    if (result.error instanceof _vercel_sdk_models_responsevalidationerror_js__WEBPACK_IMPORTED_MODULE_4__/* .ResponseValidationError */ .d)
        return (result.error.rawValue ?? {});
    throw toVercelApiError(operation, result.error, now);
}
/** True when a validated or raw body only failed the SDK's schema (tests and logs use it). */
function isSchemaDrift(result) {
    return !result.ok && result.error instanceof ResponseValidationError;
}


/***/ })

};

//# sourceMappingURL=399.index.js.map