export const id = 664;
export const ids = [664];
export const modules = {

/***/ 1664:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   createSdkDeployApi: () => (/* binding */ createSdkDeployApi),
/* harmony export */   injectCreateExtras: () => (/* binding */ injectCreateExtras),
/* harmony export */   toDeploymentInfo: () => (/* binding */ toDeploymentInfo)
/* harmony export */ });
/* harmony import */ var _vercel_sdk_funcs_aliasesAssignAlias_js__WEBPACK_IMPORTED_MODULE_8__ = __webpack_require__(1239);
/* harmony import */ var _vercel_sdk_funcs_deploymentsCancelDeployment_js__WEBPACK_IMPORTED_MODULE_7__ = __webpack_require__(7284);
/* harmony import */ var _vercel_sdk_funcs_deploymentsCreateDeployment_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(4074);
/* harmony import */ var _vercel_sdk_funcs_deploymentsGetDeployment_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(9172);
/* harmony import */ var _vercel_sdk_funcs_deploymentsGetDeploymentEvents_js__WEBPACK_IMPORTED_MODULE_6__ = __webpack_require__(9567);
/* harmony import */ var _vercel_sdk_funcs_deploymentsGetDeployments_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(9811);
/* harmony import */ var _vercel_sdk_funcs_deploymentsUploadFile_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(7842);
/* harmony import */ var _vercel_sdk_funcs_projectsGetProject_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(8774);
/* harmony import */ var _vercel_sdk_funcs_projectsRequestPromote_js__WEBPACK_IMPORTED_MODULE_9__ = __webpack_require__(1544);
/* harmony import */ var _vercel_sdk_funcs_projectsRequestRollback_js__WEBPACK_IMPORTED_MODULE_10__ = __webpack_require__(2401);
/* harmony import */ var _lib_vercel_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(8768);











const str = (v) => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);
/** Reads a deployment from a validated SDK value or a raw JSON body (getDeployment, createDeployment, list rows). */
function toDeploymentInfo(raw) {
    const d = (raw ?? {});
    const aliasError = d.aliasError && typeof d.aliasError === 'object' ? { code: str(d.aliasError.code), message: str(d.aliasError.message) } : undefined;
    return {
        id: str(d.id) ?? str(d.uid) ?? '',
        url: (str(d.url) ?? '').replace(/^https?:\/\//, ''),
        readyState: str(d.readyState) ?? str(d.state) ?? 'UNKNOWN',
        readySubstate: str(d.readySubstate),
        target: str(d.target) ?? null,
        aliasAssigned: Boolean(d.aliasAssigned),
        aliasError,
        inspectorUrl: str(d.inspectorUrl),
        errorCode: str(d.errorCode),
        errorMessage: str(d.errorMessage),
        checksConclusion: str(d.checksConclusion),
        createdAt: typeof d.createdAt === 'number' ? d.createdAt : typeof d.created === 'number' ? d.created : undefined,
        alias: Array.isArray(d.alias) ? d.alias.filter((a) => typeof a === 'string') : [],
    };
}
/** Adds the CLI-sent fields the SDK schema strips to a createDeployment request. */
function injectCreateExtras(extras) {
    return async (req) => {
        const url = new URL(req.url);
        if (req.method !== 'POST' || !url.pathname.endsWith('/v13/deployments'))
            return;
        const body = JSON.parse(await req.clone().text());
        if (extras.prebuilt)
            url.searchParams.set('prebuilt', '1');
        if (extras.env)
            body.env = extras.env;
        if (extras.buildEnv)
            body.build = { ...(body.build ?? {}), env: extras.buildEnv };
        if (extras.autoAssignCustomDomains === false)
            body.autoAssignCustomDomains = false;
        if (extras.fileModes && Array.isArray(body.files)) {
            for (const f of body.files) {
                const mode = extras.fileModes.get(f.file);
                if (mode !== undefined)
                    f.mode = mode;
            }
        }
        return new Request(url, { method: req.method, headers: req.headers, body: JSON.stringify(body), signal: req.signal });
    };
}
function createSdkDeployApi(opts) {
    const core = (0,_lib_vercel_js__WEBPACK_IMPORTED_MODULE_0__/* .createVercelCore */ .fF)(opts);
    const team = opts.teamId ? { teamId: opts.teamId } : {};
    const now = opts.now ?? Date.now;
    return {
        async getProject() {
            const p = (0,_lib_vercel_js__WEBPACK_IMPORTED_MODULE_0__/* .resultValue */ .pm)('getProject', await (0,_vercel_sdk_funcs_projectsGetProject_js__WEBPACK_IMPORTED_MODULE_1__/* .projectsGetProject */ .u)(core, { idOrName: opts.projectId, ...team }), now());
            const prod = p.targets?.production;
            return {
                id: str(p.id) ?? opts.projectId,
                name: str(p.name) ?? opts.projectId,
                productionDeploymentId: str(prod?.id),
                autoAssignCustomDomains: typeof p.autoAssignCustomDomains === 'boolean' ? p.autoAssignCustomDomains : undefined,
                lastAliasRequest: p.lastAliasRequest && typeof p.lastAliasRequest === 'object' ? p.lastAliasRequest : undefined,
            };
        },
        async createDeployment(request, extras) {
            // A client of its own per create, so the hook applies to exactly this request.
            const createCore = (0,_lib_vercel_js__WEBPACK_IMPORTED_MODULE_0__/* .createVercelCore */ .fF)({ ...opts, beforeRequest: injectCreateExtras(extras), timeoutMs: opts.timeoutMs ?? 120_000 });
            const result = await (0,_vercel_sdk_funcs_deploymentsCreateDeployment_js__WEBPACK_IMPORTED_MODULE_2__/* .deploymentsCreateDeployment */ .I)(createCore, { ...request, ...team });
            try {
                return { kind: 'created', deployment: toDeploymentInfo((0,_lib_vercel_js__WEBPACK_IMPORTED_MODULE_0__/* .resultValue */ .pm)('createDeployment', result, now())) };
            }
            catch (err) {
                const e = (0,_lib_vercel_js__WEBPACK_IMPORTED_MODULE_0__/* .toVercelApiError */ .HB)('createDeployment', err, now());
                if (e.status === 400 && e.code === 'missing_files' && Array.isArray(e.details.body?.missing)) {
                    return { kind: 'missing-files', missing: e.details.body.missing.map(String) };
                }
                throw e;
            }
        },
        async uploadFile(sha, data) {
            const request = { contentLength: data.byteLength, xVercelDigest: sha, xNowSize: data.byteLength, requestBody: data, ...team };
            (0,_lib_vercel_js__WEBPACK_IMPORTED_MODULE_0__/* .resultValue */ .pm)('uploadFile', await (0,_vercel_sdk_funcs_deploymentsUploadFile_js__WEBPACK_IMPORTED_MODULE_3__/* .deploymentsUploadFile */ .i)(core, request, { timeoutMs: 300_000 }), now());
        },
        async getDeployment(idOrUrl) {
            return toDeploymentInfo((0,_lib_vercel_js__WEBPACK_IMPORTED_MODULE_0__/* .resultValue */ .pm)('getDeployment', await (0,_vercel_sdk_funcs_deploymentsGetDeployment_js__WEBPACK_IMPORTED_MODULE_4__/* .deploymentsGetDeployment */ .u)(core, { idOrUrl, ...team }), now()));
        },
        async listDeployments(filter) {
            const body = (0,_lib_vercel_js__WEBPACK_IMPORTED_MODULE_0__/* .resultValue */ .pm)('listDeployments', await (0,_vercel_sdk_funcs_deploymentsGetDeployments_js__WEBPACK_IMPORTED_MODULE_5__/* .deploymentsGetDeployments */ .X)(core, { ...filter, projectId: opts.projectId, ...team }), now());
            const rows = Array.isArray(body.deployments) ? body.deployments : [];
            return rows.map(toDeploymentInfo).sort((a, b) => (b.createdAt ?? 0) - (a.createdAt ?? 0));
        },
        async buildLogTail(id, lines) {
            const body = (0,_lib_vercel_js__WEBPACK_IMPORTED_MODULE_0__/* .resultValue */ .pm)('getDeploymentEvents', await (0,_vercel_sdk_funcs_deploymentsGetDeploymentEvents_js__WEBPACK_IMPORTED_MODULE_6__/* .deploymentsGetDeploymentEvents */ .L)(core, { idOrUrl: id, direction: 'backward', limit: lines, builds: 1, follow: 0, ...team }), now());
            const events = Array.isArray(body) ? body : [];
            return events
                .map((e) => ({ created: typeof e?.created === 'number' ? e.created : undefined, type: String(e?.type ?? ''), text: str(e?.text) ?? str(e?.payload?.text) ?? '' }))
                .filter((e) => e.text !== '' && ['stdout', 'stderr', 'command', 'fatal', 'exit'].includes(e.type))
                .sort((a, b) => (a.created ?? 0) - (b.created ?? 0))
                .slice(-lines);
        },
        async cancelDeployment(id) {
            (0,_lib_vercel_js__WEBPACK_IMPORTED_MODULE_0__/* .resultValue */ .pm)('cancelDeployment', await (0,_vercel_sdk_funcs_deploymentsCancelDeployment_js__WEBPACK_IMPORTED_MODULE_7__/* .deploymentsCancelDeployment */ .M)(core, { id, ...team }), now());
        },
        async assignAlias(id, alias) {
            (0,_lib_vercel_js__WEBPACK_IMPORTED_MODULE_0__/* .resultValue */ .pm)('assignAlias', await (0,_vercel_sdk_funcs_aliasesAssignAlias_js__WEBPACK_IMPORTED_MODULE_8__/* .aliasesAssignAlias */ .C)(core, { id, ...team, requestBody: { alias } }), now());
        },
        async promote(deploymentId) {
            const [result, call] = await (0,_vercel_sdk_funcs_projectsRequestPromote_js__WEBPACK_IMPORTED_MODULE_9__/* .projectsRequestPromote */ .C)(core, { projectId: opts.projectId, deploymentId, ...team }).$inspect();
            (0,_lib_vercel_js__WEBPACK_IMPORTED_MODULE_0__/* .resultValue */ .pm)('promote', result, now());
            return call.response?.status === 202 ? 202 : 201;
        },
        async rollback(deploymentId, description) {
            (0,_lib_vercel_js__WEBPACK_IMPORTED_MODULE_0__/* .resultValue */ .pm)('rollback', await (0,_vercel_sdk_funcs_projectsRequestRollback_js__WEBPACK_IMPORTED_MODULE_10__/* .projectsRequestRollback */ .s)(core, { projectId: opts.projectId, deploymentId, description, ...team }), now());
        },
    };
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

//# sourceMappingURL=664.index.js.map