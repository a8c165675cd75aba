export const id = 302;
export const ids = [302];
export const modules = {

/***/ 6302:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  createVercelProjectPort: () => (/* binding */ createVercelProjectPort)
});

// EXTERNAL MODULE: ./node_modules/@vercel/sdk/esm/funcs/projectsFilterProjectEnvs.js + 2 modules
var projectsFilterProjectEnvs = __webpack_require__(9496);
// EXTERNAL MODULE: ./node_modules/@vercel/sdk/esm/funcs/projectsGetProject.js + 4 modules
var projectsGetProject = __webpack_require__(8774);
// EXTERNAL MODULE: ./node_modules/@vercel/sdk/esm/core.js + 6 modules
var core = __webpack_require__(8526);
// EXTERNAL MODULE: ./node_modules/@vercel/sdk/esm/lib/http.js
var http = __webpack_require__(3157);
// EXTERNAL MODULE: ./node_modules/@vercel/sdk/esm/models/responsevalidationerror.js
var responsevalidationerror = __webpack_require__(5070);
// EXTERNAL MODULE: ./node_modules/@vercel/sdk/esm/models/vercelerror.js
var vercelerror = __webpack_require__(9919);
// EXTERNAL MODULE: ./src/lib/retry.ts
var retry = __webpack_require__(1737);
;// CONCATENATED MODULE: ./src/lib/vercel.ts
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
    const httpClient = new http/* HTTPClient */.ST(opts.fetcher ? { fetcher: opts.fetcher } : {});
    if (opts.beforeRequest)
        httpClient.addHook('beforeRequest', opts.beforeRequest);
    return new core/* VercelCore */.B({
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
    if (err instanceof vercelerror/* VercelError */.q && !(err instanceof responsevalidationerror/* ResponseValidationError */.d)) {
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
            retryAfterMs: (0,retry/* parseRetryAfter */.mu)(err.headers.get('retry-after'), now),
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
    if (result.error instanceof responsevalidationerror/* ResponseValidationError */.d)
        return (result.error.rawValue ?? {});
    throw toVercelApiError(operation, result.error, now);
}
/** True when a validated or raw body only failed the SDK's schema (tests and logs use it). */
function isSchemaDrift(result) {
    return !result.ok && result.error instanceof ResponseValidationError;
}

;// CONCATENATED MODULE: ./src/preflight/vercel-port.ts
/** The Vercel project check's port over @vercel/sdk standalone functions (loaded only when configured). */



function createVercelProjectPort(opts) {
    const core = createVercelCore({ token: opts.token, serverURL: opts.serverURL, timeoutMs: 30_000 });
    const team = opts.teamId ? { teamId: opts.teamId } : {};
    return {
        async project() {
            const p = resultValue('getProject', await (0,projectsGetProject/* projectsGetProject */.u)(core, { idOrName: opts.projectId, ...team }));
            return { id: String(p.id ?? opts.projectId), name: String(p.name ?? opts.projectId) };
        },
        async envKeys() {
            const v = resultValue('filterProjectEnvs', await (0,projectsFilterProjectEnvs/* projectsFilterProjectEnvs */.A)(core, { idOrName: opts.projectId, ...team }));
            const list = Array.isArray(v?.envs) ? v.envs : Array.isArray(v) ? v : v?.key ? [v] : [];
            return list.map((e) => ({ key: String(e.key), targets: Array.isArray(e.target) ? e.target.map(String) : e.target ? [String(e.target)] : [] }));
        },
    };
}


/***/ })

};

//# sourceMappingURL=302.index.js.map