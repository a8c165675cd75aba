export const id = 999;
export const ids = [999];
export const modules = {

/***/ 77999:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  backupPorts: () => (/* binding */ backupPorts),
  backupStage: () => (/* binding */ backupStage),
  restoreBackup: () => (/* reexport */ restoreBackup)
});

// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __webpack_require__(48161);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(76760);
// EXTERNAL MODULE: ./node_modules/@aws-sdk/client-s3/dist-cjs/index.js
var dist_cjs = __webpack_require__(53711);
;// CONCATENATED MODULE: ./src/lib/s3.ts
/**
 * Shared S3 helpers (backup stores dumps and manifests; notify keeps its run record). A client factory that
 * works against AWS and S3-compatible stores (custom endpoint -> path-style addressing, checksums only where
 * S3 requires them), and small put/get/list/delete helpers that page through listings and speak plain
 * strings, Buffers and streams. Credentials come from the SDK's default chain (AWS_* env, OIDC role, profile).
 */

function s3Config(loc, env = process.env) {
    const config = {
        region: loc.region || env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1',
    };
    if (loc.endpoint) {
        config.endpoint = loc.endpoint;
        config.forcePathStyle = true;
        // Many S3-compatible stores reject the SDK's default CRC32 checksums / aws-chunked trailers.
        config.requestChecksumCalculation = 'WHEN_REQUIRED';
        config.responseChecksumValidation = 'WHEN_REQUIRED';
    }
    if (loc.credentials)
        config.credentials = loc.credentials;
    return config;
}
function createS3Client(loc, env = process.env) {
    // The bundle pins its SDK version, so the SDK's notice that *later* SDK releases will need Node 22 does not
    // apply to it; on the runner's node24 it never shows, on a Node 20 CLI run it would only be noise in the log.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    return new dist_cjs.S3Client(s3Config(loc, env));
}
function s3Uri(bucket, key) {
    return `s3://${bucket}/${key}`;
}
/** Parameters for server-side encryption on Put/CreateMultipartUpload. */
function sseParams(enc) {
    if (!enc?.sse)
        return {};
    if (enc.sse === 'aws:kms')
        return { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: enc.kmsKeyId, BucketKeyEnabled: true };
    return { ServerSideEncryption: 'AES256' };
}
async function putObject(client, bucket, key, body, opts = {}) {
    await client.send(new dist_cjs.PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: opts.contentType, ...sseParams(opts.encryption) }));
}
/** The object's bytes as a stream (the caller must consume or destroy it). */
async function getObjectStream(client, bucket, key) {
    const res = await client.send(new dist_cjs.GetObjectCommand({ Bucket: bucket, Key: key }));
    return { body: res.Body, size: res.ContentLength };
}
async function getObjectText(client, bucket, key) {
    const res = await client.send(new dist_cjs.GetObjectCommand({ Bucket: bucket, Key: key }));
    return res.Body.transformToString('utf8');
}
/** undefined when the key does not exist. */
async function headObject(client, bucket, key) {
    try {
        const res = await client.send(new dist_cjs.HeadObjectCommand({ Bucket: bucket, Key: key }));
        return { key, size: res.ContentLength ?? 0, lastModified: res.LastModified };
    }
    catch (err) {
        if (isNotFound(err))
            return undefined;
        throw err;
    }
}
/** Every object under `prefix`, in key order, across all pages (ListObjectsV2 stops at 1,000 keys per page). */
async function listObjects(client, bucket, prefix) {
    const out = [];
    let token;
    for (;;) {
        const page = await client.send(new dist_cjs.ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
        for (const o of page.Contents ?? [])
            if (o.Key)
                out.push({ key: o.Key, size: o.Size ?? 0, lastModified: o.LastModified });
        if (!page.IsTruncated || !page.NextContinuationToken)
            return out;
        token = page.NextContinuationToken;
    }
}
async function deleteObject(client, bucket, key) {
    await client.send(new dist_cjs.DeleteObjectCommand({ Bucket: bucket, Key: key }));
}
function s3ErrorName(err) {
    const e = err;
    return e?.Code ?? e?.name ?? '';
}
function isNotFound(err) {
    const e = err;
    return ['NotFound', 'NoSuchKey'].includes(s3ErrorName(err)) || e?.$metadata?.httpStatusCode === 404;
}
/** Refusals that Object Lock (retention, legal hold) or a deny policy produce on delete. */
function isAccessRefusal(err) {
    const e = err;
    return ['AccessDenied', 'ObjectLocked', 'InvalidRequest'].includes(s3ErrorName(err)) || e?.$metadata?.httpStatusCode === 403;
}

// EXTERNAL MODULE: ./src/lib/inputs.ts
var lib_inputs = __webpack_require__(51662);
// EXTERNAL MODULE: ./src/lib/postgres.ts + 1 modules
var postgres = __webpack_require__(21588);
;// CONCATENATED MODULE: ./src/backup/names.ts
/** Input and output names of the backup stage; a test keeps them equal to actions/backup/action.yml. */
const INPUT = {
    mode: 'mode',
    databaseUrl: 'database-url',
    environment: 'environment',
    s3Bucket: 's3-bucket',
    s3Prefix: 's3-prefix',
    s3Region: 's3-region',
    s3Endpoint: 's3-endpoint',
    s3Sse: 's3-sse',
    s3KmsKeyId: 's3-kms-key-id',
    backupId: 'backup-id',
    verify: 'verify',
    verifyDatabaseUrl: 'verify-database-url',
    retentionKeepLast: 'retention-keep-last',
    retentionDays: 'retention-days',
    artifact: 'artifact',
    schemas: 'schemas',
    excludeSchemas: 'exclude-schemas',
    pgDumpArgs: 'pg-dump-args',
    confirm: 'confirm',
    safetySnapshot: 'safety-snapshot',
};
const OUTPUT = {
    backupId: 'backup-id',
    backupUri: 'backup-uri',
    manifestUri: 'manifest-uri',
    sha256: 'sha256',
    sizeBytes: 'size-bytes',
    durationMs: 'duration-ms',
    restoredFrom: 'restored-from',
};

;// CONCATENATED MODULE: ./src/backup/inputs.ts
/** Reads and validates the backup stage's inputs into one typed settings object. */



const MODES = ['backup', 'restore', 'list', 'prune'];
const VERIFY_LEVELS = ['read', 'restore', 'none'];
/** pg_dump options that would change where it connects, where it writes or the archive format. */
const FORBIDDEN_DUMP_ARGS = [
    '-h', '--host', '-p', '--port', '-U', '--username', '-d', '--dbname', '-W', '--password', '-w', '--no-password',
    '-f', '--file', '-F', '--format', '-j', '--jobs', '--role', '--snapshot', '-n', '--schema', '-N', '--exclude-schema',
];
function listOf(inputs, name) {
    return inputs
        .string(name)
        .split(/[,\n]/)
        .map((s) => s.trim())
        .filter(Boolean);
}
function validPrefix(p) {
    return /^[A-Za-z0-9!_.*'()\-/]+$/.test(p) && !p.startsWith('/') && !p.includes('//') && !p.split('/').includes('..');
}
function readPgDumpArgs(inputs) {
    const args = inputs.lines(INPUT.pgDumpArgs);
    for (const a of args) {
        const flag = a.startsWith('--') ? a.split('=')[0] : a.slice(0, 2);
        if (!a.startsWith('-'))
            throw (0,lib_inputs/* inputError */.Xu)(INPUT.pgDumpArgs, a, 'pg_dump options, one per line (e.g. --no-comments), each starting with -');
        if (FORBIDDEN_DUMP_ARGS.includes(flag)) {
            throw (0,lib_inputs/* inputError */.Xu)(INPUT.pgDumpArgs, a, `pg_dump options other than connection, output, format and schema options (${FORBIDDEN_DUMP_ARGS.filter((f) => f.startsWith('--')).join(', ')}); use ${INPUT.databaseUrl}, ${INPUT.schemas} and ${INPUT.excludeSchemas}`);
        }
    }
    return args;
}
function readBackupSettings(inputs, env = {}) {
    const mode = inputs.enum(INPUT.mode, MODES, 'backup');
    const needsDb = mode === 'backup' || mode === 'restore';
    const databaseUrl = inputs.url(INPUT.databaseUrl, {
        protocols: lib_inputs/* DATABASE_PROTOCOLS */.Uu,
        secret: true,
        required: needsDb,
        expected: 'a direct PostgreSQL or MongoDB URL (postgres://user:password@host:5432/db or mongodb://…)',
    });
    if (databaseUrl && !(0,postgres/* isMongoUrl */.cn)(databaseUrl)) {
        const pooled = (0,postgres/* poolerReason */.CS)(databaseUrl);
        if (pooled)
            throw (0,lib_inputs/* inputError */.Xu)(INPUT.databaseUrl, databaseUrl, `a direct (unpooled) URL: ${pooled}`, true);
        if (needsDb && !(0,postgres/* databaseName */.Do)(databaseUrl))
            throw (0,lib_inputs/* inputError */.Xu)(INPUT.databaseUrl, databaseUrl, 'a URL that names the database (…/dbname)', true);
    }
    const environment = inputs.string(INPUT.environment, { default: 'production' });
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/.test(environment)) {
        throw (0,lib_inputs/* inputError */.Xu)(INPUT.environment, environment, 'a name of letters, digits, "_", "." or "-" (e.g. production)');
    }
    const bucket = inputs.string(INPUT.s3Bucket, { required: true, expected: 'an S3 bucket name (this input is required)' });
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket))
        throw (0,lib_inputs/* inputError */.Xu)(INPUT.s3Bucket, bucket, 'an S3 bucket name (3-63 lower-case letters, digits, "." or "-")');
    const prefix = inputs.string(INPUT.s3Prefix, { default: 'shipgate' }).replace(/\/+$/, '');
    if (!validPrefix(prefix))
        throw (0,lib_inputs/* inputError */.Xu)(INPUT.s3Prefix, prefix, 'a key prefix such as shipgate or backups/app (no leading "/", no "..")');
    const endpoint = inputs.url(INPUT.s3Endpoint, { protocols: ['http:', 'https:'], expected: 'an http(s):// endpoint of an S3-compatible store' });
    const sse = inputs.optional(INPUT.s3Sse);
    if (sse !== undefined && sse !== 'AES256' && sse !== 'aws:kms')
        throw (0,lib_inputs/* inputError */.Xu)(INPUT.s3Sse, sse, 'AES256 or aws:kms');
    const kmsKeyId = inputs.optional(INPUT.s3KmsKeyId);
    if (kmsKeyId && sse !== 'aws:kms')
        throw (0,lib_inputs/* inputError */.Xu)(INPUT.s3KmsKeyId, kmsKeyId, `nothing unless ${INPUT.s3Sse} is aws:kms`);
    const verify = inputs.enum(INPUT.verify, VERIFY_LEVELS, 'read');
    const verifyDatabaseUrl = inputs.url(INPUT.verifyDatabaseUrl, {
        protocols: lib_inputs/* POSTGRES_PROTOCOLS */.k3,
        secret: true,
        expected: 'a PostgreSQL URL of a scratch database (it is overwritten)',
    });
    if (mode === 'backup' && verify === 'restore') {
        if (!verifyDatabaseUrl)
            throw (0,lib_inputs/* inputError */.Xu)(INPUT.verifyDatabaseUrl, '', `a scratch PostgreSQL database URL when ${INPUT.verify} is restore`);
        if (databaseUrl && (0,postgres/* isMongoUrl */.cn)(databaseUrl))
            throw (0,lib_inputs/* inputError */.Xu)(INPUT.verify, verify, 'read or none for a MongoDB backup');
        if (databaseUrl && sameDatabase(verifyDatabaseUrl, databaseUrl)) {
            throw (0,lib_inputs/* inputError */.Xu)(INPUT.verifyDatabaseUrl, verifyDatabaseUrl, `a scratch database, not the database being backed up`, true);
        }
        const pooled = (0,postgres/* poolerReason */.CS)(verifyDatabaseUrl);
        if (pooled)
            throw (0,lib_inputs/* inputError */.Xu)(INPUT.verifyDatabaseUrl, verifyDatabaseUrl, `a direct (unpooled) URL: ${pooled}`, true);
    }
    const keepLast = inputs.int(INPUT.retentionKeepLast, { min: 1 });
    const retentionDays = inputs.number(INPUT.retentionDays, { min: 0 });
    if (mode === 'prune' && keepLast === undefined && retentionDays === undefined) {
        throw (0,lib_inputs/* inputError */.Xu)(INPUT.retentionKeepLast, '', `a number of backups to keep (or ${INPUT.retentionDays}) when ${INPUT.mode} is prune`);
    }
    const backupId = inputs.optional(INPUT.backupId);
    if (backupId !== undefined && !/^[A-Za-z0-9_.-]+$/.test(backupId)) {
        throw (0,lib_inputs/* inputError */.Xu)(INPUT.backupId, backupId, 'a backup id (e.g. 20260101T120000Z-0123abc-4242), latest, or a git sha');
    }
    const confirm = inputs.optional(INPUT.confirm);
    if (mode === 'restore') {
        if (!backupId)
            throw (0,lib_inputs/* inputError */.Xu)(INPUT.backupId, '', `a backup id, latest, or a git sha when ${INPUT.mode} is restore`);
        const target = (0,postgres/* databaseName */.Do)(databaseUrl);
        if (confirm !== target) {
            throw (0,lib_inputs/* inputError */.Xu)(INPUT.confirm, confirm ?? '', `the target database's name (${JSON.stringify(target)}) to confirm that it is overwritten`);
        }
    }
    const safetySnapshot = inputs.bool(INPUT.safetySnapshot, true);
    const partSizeEnv = env.SHIPGATE_BACKUP_PART_SIZE;
    return {
        mode,
        databaseUrl,
        environment,
        store: { bucket, prefix, region: inputs.optional(INPUT.s3Region), endpoint, sse: sse, kmsKeyId },
        backupId,
        verify,
        verifyDatabaseUrl,
        keepLast,
        retentionDays,
        artifact: inputs.bool(INPUT.artifact, false),
        schemas: listOf(inputs, INPUT.schemas),
        excludeSchemas: listOf(inputs, INPUT.excludeSchemas),
        pgDumpArgs: readPgDumpArgs(inputs),
        confirm,
        safetySnapshot,
        partSize: partSizeEnv && /^\d+$/.test(partSizeEnv) ? Number(partSizeEnv) : undefined,
    };
}
function sameDatabase(a, b) {
    try {
        const x = new URL(a);
        const y = new URL(b);
        return x.hostname === y.hostname && (x.port || '5432') === (y.port || '5432') && x.pathname === y.pathname;
    }
    catch {
        return a === b;
    }
}

// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(73024);
// EXTERNAL MODULE: ./src/lib/errors.ts
var errors = __webpack_require__(97268);
;// CONCATENATED MODULE: ./src/backup/pgtools.ts
/**
 * pg_dump / pg_restore matched to the server's major version. Looks in /usr/lib/postgresql/<N>/bin and on
 * the PATH; when that major is missing on a Debian/Ubuntu runner, installs `postgresql-client-<N>` from the
 * PGDG apt repository the way Neon's GitHub Actions guide does (postgresql-common's apt.postgresql.org.sh),
 * keeping the downloaded .deb files in the Actions cache so the next run installs offline.
 */



const nodeToolHost = (env = process.env) => ({
    exists: (p) => (0,external_node_fs_.existsSync)(p),
    listDir: (p) => {
        try {
            return (0,external_node_fs_.readdirSync)(p);
        }
        catch {
            return [];
        }
    },
    pathDirs: () => (env.PATH ?? '').split(external_node_path_.delimiter).filter(Boolean),
    realpath: (p) => {
        try {
            return (0,external_node_fs_.realpathSync)(p);
        }
        catch {
            return p;
        }
    },
    osIds: () => {
        try {
            const text = (0,external_node_fs_.readFileSync)('/etc/os-release', 'utf8');
            const get = (k) => new RegExp(`^${k}="?([^"\\n]*)"?`, 'm').exec(text)?.[1] ?? '';
            return [get('ID'), ...get('ID_LIKE').split(/\s+/)].map((s) => s.toLowerCase()).filter(Boolean);
        }
        catch {
            return [];
        }
    },
});
function parseClientVersion(text) {
    const m = /\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?/.exec(text);
    if (!m)
        return undefined;
    return { major: Number(m[1]), version: m[2] !== undefined ? `${m[1]}.${m[2]}` : m[1] };
}
/** Candidate directories for a major: every PATH entry (an explicit choice wins), then the Debian layout. */
function candidateDirs(major, host) {
    const dirs = [...host.pathDirs(), `/usr/lib/postgresql/${major}/bin`];
    // Debian's pg_wrapper (/usr/bin/pg_dump) picks a version per call from the cluster it connects to, so the
    // version it reports is not necessarily the one that runs: use the versioned directories it points at.
    const isWrapper = (f) => (host.realpath?.(f) ?? f).endsWith('/pg_wrapper');
    return [...new Set(dirs)].filter((d) => host.exists((0,external_node_path_.join)(d, 'pg_dump')) && host.exists((0,external_node_path_.join)(d, 'pg_restore')) && !isWrapper((0,external_node_path_.join)(d, 'pg_dump')));
}
async function versionOf(processes, file) {
    try {
        const r = await processes.run(file, ['--version'], { env: { PATH: process.env.PATH, LANG: 'C' } });
        return r.code === 0 ? parseClientVersion(r.stdout) : undefined;
    }
    catch {
        return undefined;
    }
}
/** Find the client tools of exactly `major`; undefined when absent. `found` collects the majors seen. */
async function findPgTools(major, processes, host, found = new Set()) {
    for (const dir of candidateDirs(major, host)) {
        const pgDump = (0,external_node_path_.join)(dir, 'pg_dump');
        const v = await versionOf(processes, pgDump);
        if (!v)
            continue;
        found.add(`${v.version} (${dir})`);
        if (v.major === major)
            return { major, version: v.version, pgDump, pgRestore: (0,external_node_path_.join)(dir, 'pg_restore'), binDir: dir };
    }
    for (const n of host.listDir('/usr/lib/postgresql'))
        if (/^\d+$/.test(n) && Number(n) !== major)
            found.add(`${n} (/usr/lib/postgresql/${n}/bin)`);
    return undefined;
}
/** Locate, else install (Debian/Ubuntu), else fail with what was found and what to do. */
async function locatePgTools(major, processes, host, install) {
    const found = new Set();
    const tools = await findPgTools(major, processes, host, found);
    if (tools)
        return tools;
    const isDebian = host.osIds().some((id) => id === 'debian' || id === 'ubuntu');
    if (install && isDebian) {
        try {
            await install(major);
        }
        catch (err) {
            throw new errors/* StageError */.Zu(`pg_dump ${major} is needed for this PostgreSQL ${major} server and installing postgresql-client-${major} failed: ${(0,errors/* errorMessage */.gJ)(err)}`);
        }
        const after = await findPgTools(major, processes, host);
        if (after)
            return after;
        throw new errors/* StageError */.Zu(`postgresql-client-${major} was installed but /usr/lib/postgresql/${major}/bin/pg_dump was not found`);
    }
    const seen = found.size ? `found only ${[...found].join(', ')}` : 'found no pg_dump';
    throw new errors/* StageError */.Zu(`pg_dump ${major} is needed for this PostgreSQL ${major} server (pg_dump refuses newer servers, and an archive from a newer pg_dump may not restore here); ${seen}. ` +
        `Install postgresql-client-${major} (Debian/Ubuntu runners get it automatically) or put its bin directory on PATH.`);
}
/** The apt installer with a cache of .deb files (the Neon recipe: add the PGDG repo, install the -client- package). */
function aptInstaller(ports) {
    return async (major) => {
        const { processes, logger, sudo } = ports;
        const dir = ports.debDir(major);
        (0,external_node_fs_.mkdirSync)((0,external_node_path_.join)(dir, 'partial'), { recursive: true });
        const osKey = ports.host.osIds().join('-') || 'linux';
        const cacheKey = `shipgate-postgresql-client-${major}-${osKey}-${ports.arch}-v1`;
        const run = async (args, what) => {
            const [cmd, ...rest] = [...sudo, ...args];
            const r = await processes.run(cmd, rest, { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, timeoutMs: 10 * 60_000 });
            if (r.code !== 0)
                throw new Error(`${what} failed (exit ${r.code}): ${r.stderr.trim().split('\n').slice(-3).join(' ')}`);
        };
        let hit = false;
        if (ports.cache) {
            try {
                hit = await ports.cache.restore([dir], cacheKey);
            }
            catch (err) {
                logger.info(`cache restore of ${cacheKey} failed: ${(0,errors/* errorMessage */.gJ)(err)}`);
            }
        }
        const debs = () => ports.host.listDir(dir).filter((f) => f.endsWith('.deb'));
        if (hit && debs().length) {
            logger.info(`installing postgresql-client-${major} from the Actions cache (${debs().length} packages)`);
            await run(['apt-get', 'install', '-y', '--no-install-recommends', ...debs().map((f) => (0,external_node_path_.join)(dir, f))], `apt-get install of cached postgresql-client-${major}`);
            return;
        }
        logger.info(`installing postgresql-client-${major} from apt.postgresql.org (PGDG)`);
        await run(['apt-get', 'update', '-qq'], 'apt-get update');
        await run(['apt-get', 'install', '-y', '--no-install-recommends', 'postgresql-common'], 'apt-get install postgresql-common');
        await run(['/usr/share/postgresql-common/pgdg/apt.postgresql.org.sh', '-y'], 'adding the PGDG apt repository');
        await run(['apt-get', 'install', '-y', '--no-install-recommends', '-o', `Dir::Cache::archives=${dir}`, `postgresql-client-${major}`], `apt-get install postgresql-client-${major}`);
        if (ports.cache && debs().length) {
            try {
                await ports.cache.save([dir], cacheKey);
            }
            catch (err) {
                logger.info(`cache save of ${cacheKey} failed: ${(0,errors/* errorMessage */.gJ)(err)}`);
            }
        }
    };
}

;// CONCATENATED MODULE: ./src/backup/catalog.ts
/**
 * Key layout, manifests and finding backups in the bucket.
 * Keys sort by time: `<prefix>/<environment>/<YYYY>/<MM>/<DD>/<timestamp>-<sha7>-<run-id>/` holding the dump
 * and `manifest.json` (written last: a backup without a manifest does not exist).
 */

const MANIFEST_FILE = 'manifest.json';
const MANIFEST_SCHEMA_VERSION = 1;
function pad(n, w = 2) {
    return String(n).padStart(w, '0');
}
/** 20260101T120501Z */
function timestampOf(ms) {
    const d = new Date(ms);
    return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}Z`;
}
function backupIdFor(ms, sha, runId) {
    const sha7 = /^[0-9a-f]{7,}$/i.test(sha) ? sha.slice(0, 7).toLowerCase() : 'nosha00';
    const run = /^[A-Za-z0-9]+$/.test(runId) ? runId : 'local';
    return `${timestampOf(ms)}-${sha7}-${run}`;
}
function environmentPrefix(prefix, environment) {
    return `${prefix ? `${prefix}/` : ''}${environment}/`;
}
/** The folder of one backup (ends with '/'). */
function backupDir(prefix, environment, ms, id) {
    const d = new Date(ms);
    return `${environmentPrefix(prefix, environment)}${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}/${id}/`;
}
function idOfManifestKey(key) {
    const parts = key.split('/');
    return parts[parts.length - 2] ?? '';
}
function isVerified(m) {
    return m.verification?.result === 'passed' && m.verification.level !== 'none';
}
/** Every manifest under the environment, oldest first (keys sort by time). Unreadable manifests are reported. */
async function listManifests(store, prefix, environment, onBad) {
    const objects = await store.list(environmentPrefix(prefix, environment));
    const keys = objects.map((o) => o.key).filter((k) => k.endsWith(`/${MANIFEST_FILE}`));
    keys.sort();
    const out = [];
    const batch = 8;
    for (let i = 0; i < keys.length; i += batch) {
        const slice = keys.slice(i, i + batch);
        const read = await Promise.all(slice.map(async (key) => {
            try {
                const m = JSON.parse(await store.getText(key));
                if (!m || typeof m !== 'object' || !m.object?.key || !m.id)
                    throw new Error('not a Shipgate manifest');
                return { key, manifest: m };
            }
            catch (err) {
                onBad?.(key, err.message);
                return undefined;
            }
        }));
        for (const r of read)
            if (r)
                out.push(r);
    }
    return out;
}
/**
 * `latest` = the newest verified backup (safety snapshots excluded); an id = that backup; a git sha (7-40 hex)
 * = the newest verified backup of that commit (else its newest backup).
 */
function resolveBackup(entries, wanted, environment) {
    const newestFirst = [...entries].reverse();
    if (wanted === 'latest') {
        const hit = newestFirst.find((e) => e.manifest.kind === 'backup' && isVerified(e.manifest));
        if (!hit)
            throw new errors/* StageError */.Zu(`no verified backup found for environment ${environment}`);
        return hit;
    }
    const byId = newestFirst.find((e) => e.manifest.id === wanted || idOfManifestKey(e.key) === wanted);
    if (byId)
        return byId;
    if (/^[0-9a-f]{7,40}$/i.test(wanted)) {
        const sha = wanted.toLowerCase();
        const ofCommit = newestFirst.filter((e) => e.manifest.kind === 'backup' && (e.manifest.git?.sha ?? '').toLowerCase().startsWith(sha));
        const hit = ofCommit.find((e) => isVerified(e.manifest)) ?? ofCommit[0];
        if (hit)
            return hit;
    }
    throw new errors/* StageError */.Zu(`backup ${wanted} not found under environment ${environment} (${entries.length} backup(s) there)`);
}

// EXTERNAL MODULE: external "node:stream"
var external_node_stream_ = __webpack_require__(57075);
// EXTERNAL MODULE: external "node:stream/promises"
var promises_ = __webpack_require__(46466);
// EXTERNAL MODULE: external "node:zlib"
var external_node_zlib_ = __webpack_require__(38522);
// EXTERNAL MODULE: ./node_modules/mongodb/lib/index.js
var lib = __webpack_require__(84294);
// EXTERNAL MODULE: ./src/lib/secrets.ts
var secrets = __webpack_require__(55714);
;// CONCATENATED MODULE: ./src/backup/mongo-archive.ts
/**
 * mongodump's archive format (mongo-tools common/archive/spec.md), written and read without the MongoDB tools:
 *
 *   magic 0x8199E26D (little-endian: 6D E2 99 81)
 *   header BSON {concurrent_collections: int32, version: "0.1", server_version, tool_version}
 *   per collection: BSON {db, collection, metadata: <canonical Extended JSON>, size, type}
 *   terminator FF FF FF FF
 *   per namespace: segments of BSON {db, collection, EOF: false, CRC: int64 0} + raw BSON documents + FF FF FF FF,
 *   then BSON {db, collection, EOF: true, CRC: int64 CRC-64/XZ of every document byte} + FF FF FF FF
 *
 * The whole stream is gzip-compressed for `mongorestore --archive --gzip`.
 */

const ARCHIVE_MAGIC = 0x8199e26d;
const TERMINATOR = Buffer.from([0xff, 0xff, 0xff, 0xff]);
const ARCHIVE_VERSION = '0.1';
/** Documents per segment are capped by bytes, like mongodump's multiplexer buffers. */
const SEGMENT_BYTES = 16 * 1024 * 1024;
// ---------------------------------------------------------------------------------------------------------------
// CRC-64/XZ (Go's crc64.ECMA table with inversion): reflected polynomial 0xC96C5795D7870F42, init and xorout ~0.
// Computed on two 32-bit halves (no BigInt in the loop).
const POLY_HI = 0xc96c5795;
const POLY_LO = 0xd7870f42;
const TABLE_HI = new Uint32Array(256);
const TABLE_LO = new Uint32Array(256);
for (let i = 0; i < 256; i++) {
    let hi = 0;
    let lo = i;
    for (let k = 0; k < 8; k++) {
        const lsb = lo & 1;
        lo = ((lo >>> 1) | ((hi & 1) << 31)) >>> 0;
        hi = hi >>> 1;
        if (lsb) {
            hi = (hi ^ POLY_HI) >>> 0;
            lo = (lo ^ POLY_LO) >>> 0;
        }
    }
    TABLE_HI[i] = hi;
    TABLE_LO[i] = lo;
}
/** Incremental CRC-64/XZ. */
class Crc64 {
    hi = 0xffffffff;
    lo = 0xffffffff;
    update(data) {
        let hi = this.hi;
        let lo = this.lo;
        for (let i = 0; i < data.length; i++) {
            const idx = (lo ^ data[i]) & 0xff;
            const nlo = ((lo >>> 8) | ((hi & 0xff) << 24)) >>> 0;
            const nhi = hi >>> 8;
            lo = (nlo ^ TABLE_LO[idx]) >>> 0;
            hi = (nhi ^ TABLE_HI[idx]) >>> 0;
        }
        this.hi = hi;
        this.lo = lo;
        return this;
    }
    /** Unsigned 64-bit value. */
    digest() {
        return (BigInt((~this.hi) >>> 0) << 32n) | BigInt((~this.lo) >>> 0);
    }
}
function crc64(data) {
    return new Crc64().update(data).digest();
}
/** The CRC as the archive stores it (Go int64). */
function crcLong(crc) {
    return lib.Long.fromBigInt(BigInt.asIntN(64, crc));
}
function int32LE(n) {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(n >>> 0);
    return b;
}
function bson(doc) {
    return Buffer.from(lib.BSON.serialize(doc));
}
/**
 * The archive as a sequence of Buffers. Documents are validated as BSON frames (length prefix matches), so a
 * corrupt driver buffer cannot poison the archive; every namespace gets its EOF block with the CRC.
 */
async function* writeArchive(header, namespaces, segmentBytes = SEGMENT_BYTES) {
    yield int32LE(ARCHIVE_MAGIC);
    yield bson({
        concurrent_collections: header.concurrentCollections ?? 1,
        version: ARCHIVE_VERSION,
        server_version: header.serverVersion,
        tool_version: header.toolVersion,
    });
    for (const ns of namespaces) {
        yield bson({ db: ns.db, collection: ns.collection, metadata: ns.metadata, size: 0, type: ns.type ?? 'collection' });
    }
    yield TERMINATOR;
    for (const ns of namespaces) {
        const crc = new Crc64();
        let open = false;
        let bytesInSegment = 0;
        for await (const doc of ns.documents) {
            const buf = Buffer.isBuffer(doc) ? doc : Buffer.from(doc.buffer, doc.byteOffset, doc.byteLength);
            if (buf.length < 5 || buf.readInt32LE(0) !== buf.length)
                throw new Error(`invalid BSON document in ${ns.db}.${ns.collection}`);
            if (!open) {
                yield bson({ db: ns.db, collection: ns.collection, EOF: false, CRC: lib.Long.fromInt(0) });
                open = true;
                bytesInSegment = 0;
            }
            crc.update(buf);
            // Copy: the driver may reuse the buffer it handed out.
            yield Buffer.from(buf);
            bytesInSegment += buf.length;
            if (bytesInSegment >= segmentBytes) {
                yield TERMINATOR;
                open = false;
            }
        }
        if (open)
            yield TERMINATOR;
        yield bson({ db: ns.db, collection: ns.collection, EOF: true, CRC: crcLong(crc.digest()) });
        yield TERMINATOR;
    }
}
/** Pulls exact byte counts out of a (async) stream of chunks, without quadratic copying. */
class ByteReader {
    buf = Buffer.alloc(0);
    pending = [];
    pendingBytes = 0;
    it;
    done = false;
    constructor(source) {
        this.it = Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : source[Symbol.iterator]();
    }
    async fill(n) {
        while (this.buf.length + this.pendingBytes < n && !this.done) {
            const r = await this.it.next();
            if (r.done)
                this.done = true;
            else {
                const b = Buffer.from(r.value);
                this.pending.push(b);
                this.pendingBytes += b.length;
            }
        }
        if (this.pending.length) {
            this.buf = Buffer.concat([this.buf, ...this.pending]);
            this.pending = [];
            this.pendingBytes = 0;
        }
        return this.buf.length >= n;
    }
    async read(n, what) {
        if (!(await this.fill(n)))
            throw new Error(`archive truncated: expected ${n} bytes for ${what}, ${this.buf.length} left`);
        const out = this.buf.subarray(0, n);
        this.buf = this.buf.subarray(n);
        return out;
    }
    async peekInt32(what) {
        if (!(await this.fill(4)))
            throw new Error(`archive truncated: expected ${what}`);
        return this.buf.readInt32LE(0);
    }
    async atEnd() {
        return !(await this.fill(1));
    }
}
async function readBson(r, what) {
    const len = await r.peekInt32(what);
    if (len < 5 || len > 48 * 1024 * 1024)
        throw new Error(`archive corrupt: ${what} has BSON length ${len}`);
    return Buffer.from(await r.read(len, what));
}
/**
 * Parse an (uncompressed) archive, checking the magic number, the structure, and every namespace's CRC-64.
 * Throws "CRC mismatch for namespace <db.coll>" like mongorestore.
 */
async function* readArchive(source) {
    const r = new ByteReader(source);
    const magic = (await r.read(4, 'the magic number')).readUInt32LE(0);
    if (magic !== ARCHIVE_MAGIC)
        throw new Error(`not a mongodump archive (magic 0x${magic.toString(16)})`);
    const header = lib.BSON.deserialize(await readBson(r, 'the header'));
    yield { kind: 'header', header };
    const known = new Map();
    for (;;) {
        if ((await r.peekInt32('collection metadata')) === -1) {
            await r.read(4, 'terminator');
            break;
        }
        const d = lib.BSON.deserialize(await readBson(r, 'collection metadata'), { promoteLongs: true });
        known.set(`${d.db}.${d.collection}`, { crc: new Crc64(), documents: 0, eof: false });
        yield { kind: 'collection', meta: { db: d.db, collection: d.collection, metadata: d.metadata, size: Number(d.size ?? 0), type: d.type ?? 'collection' } };
    }
    while (!(await r.atEnd())) {
        const h = lib.BSON.deserialize(await readBson(r, 'namespace header'), { useBigInt64: true });
        const name = `${h.db}.${h.collection}`;
        const state = known.get(name);
        if (!state)
            throw new Error(`archive corrupt: data for ${name}, which has no metadata`);
        if (state.eof)
            throw new Error(`archive corrupt: data for ${name} after its EOF block`);
        if (h.EOF) {
            const expected = BigInt.asUintN(64, BigInt(h.CRC));
            const actual = state.crc.digest();
            if (expected !== actual)
                throw new Error(`CRC mismatch for namespace ${name}: archive says ${expected.toString(16)}, data is ${actual.toString(16)}`);
            if ((await r.peekInt32('terminator')) !== -1)
                throw new Error(`archive corrupt: no terminator after the EOF block of ${name}`);
            await r.read(4, 'terminator');
            state.eof = true;
            yield { kind: 'eof', db: h.db, collection: h.collection, crc: actual, documents: state.documents };
            continue;
        }
        for (;;) {
            if ((await r.peekInt32('document or terminator')) === -1) {
                await r.read(4, 'terminator');
                break;
            }
            const doc = await readBson(r, `a document of ${name}`);
            state.crc.update(doc);
            state.documents++;
            yield { kind: 'document', db: h.db, collection: h.collection, bytes: doc };
        }
    }
    const open = [...known].filter(([, s]) => !s.eof).map(([n]) => n);
    if (open.length)
        throw new Error(`archive truncated: no EOF block for ${open.join(', ')}`);
}

// EXTERNAL MODULE: ./node_modules/@aws-sdk/lib-storage/dist-cjs/index.js
var lib_storage_dist_cjs = __webpack_require__(22358);
;// CONCATENATED MODULE: ./src/backup/store.ts
/**
 * Where backups live: a port over the bucket, and its S3 implementation (lib-storage multipart upload for
 * dumps, small helpers from src/lib/s3.ts for manifests, listings and deletes).
 */



class S3BackupStore {
    client;
    bucket;
    encryption;
    constructor(client, bucket, encryption) {
        this.client = client;
        this.bucket = bucket;
        this.encryption = encryption;
    }
    uri(key) {
        return s3Uri(this.bucket, key);
    }
    async upload(key, body, opts) {
        const upload = new lib_storage_dist_cjs/* Upload */._({
            client: this.client,
            params: { Bucket: this.bucket, Key: key, Body: body, ContentType: opts.contentType ?? 'application/octet-stream', ...sseParams(this.encryption) },
            partSize: opts.partSize,
            queueSize: opts.queueSize ?? 4,
            leavePartsOnError: false,
        });
        try {
            await upload.done();
        }
        catch (err) {
            // lib-storage aborts the multipart upload itself; some S3-compatible stores refuse AbortMultipartUpload
            // (s3rver answers 405), which then replaces the original error. Try once more, never mask the cause.
            const uploadId = upload.uploadId;
            if (uploadId) {
                await this.client.send(new dist_cjs.AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId })).catch(() => undefined);
            }
            throw err;
        }
    }
    async putText(key, text, contentType = 'application/json') {
        await putObject(this.client, this.bucket, key, text, { contentType, encryption: this.encryption });
    }
    async getStream(key) {
        return (await getObjectStream(this.client, this.bucket, key)).body;
    }
    getText(key) {
        return getObjectText(this.client, this.bucket, key);
    }
    list(prefix) {
        return listObjects(this.client, this.bucket, prefix);
    }
    async exists(key) {
        return (await headObject(this.client, this.bucket, key)) !== undefined;
    }
    delete(key) {
        return deleteObject(this.client, this.bucket, key);
    }
}
const MiB = 1024 * 1024;
const MIN_PART_SIZE = 8 * MiB;
const MAX_PART_SIZE = 5 * 1024 * MiB;
const MAX_PARTS = 10_000;
/**
 * Part size for an object of unknown length: lib-storage defaults to 5 MiB (10,000 parts cap it at ~48.8 GiB).
 * Sized from the database size with 4x headroom (dumps are usually smaller, but bloat and compression-off
 * settings vary), at least 8 MiB, rounded up to a whole MiB, at most S3's 5 GiB.
 */
function partSizeFor(databaseBytes) {
    const needed = Math.ceil((Math.max(0, databaseBytes) * 4) / (MAX_PARTS * 0.9));
    const rounded = Math.ceil(needed / MiB) * MiB;
    return Math.min(MAX_PART_SIZE, Math.max(MIN_PART_SIZE, rounded));
}
/** Fewer parts in flight when parts are big, so memory stays near 256 MiB at most for large databases. */
function queueSizeFor(partSize) {
    if (partSize <= 64 * MiB)
        return 4;
    if (partSize <= 128 * MiB)
        return 2;
    return 1;
}

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(77598);
;// CONCATENATED MODULE: ./src/backup/stream.ts
/**
 * Streaming a dump into the bucket without ever publishing a truncated object: the producer's bytes go
 * through a SHA-256/byte-counting tap into the upload body, and the body is ended only once the producer
 * has succeeded (pg_dump exit 0). On failure the body is destroyed, which makes lib-storage abort the
 * multipart upload (or never send the single PutObject); afterwards the key is checked and deleted if an
 * object exists anyway.
 */




const PROGRESS_INTERVAL_MS = 5_000;
function formatBytes(n) {
    if (n < 1024)
        return `${n} B`;
    const units = ['KiB', 'MiB', 'GiB', 'TiB'];
    let v = n / 1024;
    let i = 0;
    while (v >= 1024 && i < units.length - 1) {
        v /= 1024;
        i++;
    }
    return `${v.toFixed(1)} ${units[i]}`;
}
/** Logs "<what>: <bytes> (<MB/s>)" at most once per interval. */
class Progress {
    what;
    clock;
    logger;
    intervalMs;
    last;
    start;
    bytes = 0;
    constructor(what, clock, logger, intervalMs = PROGRESS_INTERVAL_MS) {
        this.what = what;
        this.clock = clock;
        this.logger = logger;
        this.intervalMs = intervalMs;
        this.start = clock.now();
        this.last = this.start;
    }
    add(n) {
        this.bytes += n;
        const now = this.clock.now();
        if (now - this.last >= this.intervalMs) {
            this.last = now;
            this.logger.info(`${this.what}: ${formatBytes(this.bytes)} (${this.rate(now)})`);
        }
    }
    rate(now = this.clock.now()) {
        const s = Math.max(1, now - this.start) / 1000;
        return `${(this.bytes / 1e6 / s).toFixed(1)} MB/s`;
    }
}
/** A pass-through that hashes and counts what flows through it. */
class HashTap extends external_node_stream_.Transform {
    progress;
    hash = (0,external_node_crypto_.createHash)('sha256');
    size = 0;
    constructor(progress) {
        super();
        this.progress = progress;
    }
    _transform(chunk, _enc, cb) {
        this.hash.update(chunk);
        this.size += chunk.length;
        this.progress?.add(chunk.length);
        cb(null, chunk);
    }
    digest() {
        return this.hash.digest('hex');
    }
}
/**
 * Upload `source` to `key`. `succeeded` resolves when the producer succeeded and rejects with the reason it
 * failed (it must settle after the producer's output ended, e.g. on the process's `close`). `abortProducer` is
 * called when the upload fails first, so the producer does not run on into a dead pipe.
 */
async function guardedUpload(store, key, source, succeeded, opts) {
    const tap = new HashTap(opts.progress);
    const body = new external_node_stream_.PassThrough({ highWaterMark: 1024 * 1024 });
    source.on('error', (err) => tap.destroy(err));
    source.pipe(tap).pipe(body, { end: false });
    let uploadError;
    const uploading = store.upload(key, body, opts).catch((err) => {
        uploadError = err;
        opts.abortProducer?.();
        source.unpipe(tap);
        source.resume();
        tap.destroy();
        throw err;
    });
    uploading.catch(() => undefined);
    let producerError;
    try {
        await succeeded;
        // Every byte the producer wrote must have passed the tap before the body may end.
        await (0,promises_.finished)(tap);
    }
    catch (err) {
        producerError = err;
    }
    if (uploadError !== undefined) {
        await removeIfPresent(store, key);
        throw new errors/* StageError */.Zu(`upload to ${store.uri(key)} failed: ${(0,errors/* errorMessage */.gJ)(uploadError)}`, undefined, { cause: uploadError });
    }
    if (producerError === undefined && tap.size === 0)
        producerError = new Error('the dump is empty (0 bytes)');
    if (producerError !== undefined) {
        body.destroy(producerError instanceof Error ? producerError : new Error(String(producerError)));
        await uploading.catch(() => undefined);
        await removeIfPresent(store, key);
        throw producerError;
    }
    body.end();
    try {
        await uploading;
    }
    catch (err) {
        await removeIfPresent(store, key);
        throw new errors/* StageError */.Zu(`upload to ${store.uri(key)} failed: ${(0,errors/* errorMessage */.gJ)(err)}`, undefined, { cause: err });
    }
    return { sha256: tap.digest(), size: tap.size };
}
/** Make sure no (partial) object is left at `key`; failures to check are reported, not thrown. */
async function removeIfPresent(store, key) {
    try {
        if (await store.exists(key))
            await store.delete(key);
    }
    catch {
        // best effort: the caller's error already says the upload failed, and no manifest is written
    }
}

;// CONCATENATED MODULE: ./src/backup/mongo.ts
/**
 * MongoDB backup without the MongoDB tools: the driver reads raw BSON and collection/index metadata, written
 * as a gzip-compressed mongodump archive (restorable with `mongorestore --archive --gzip --drop`), streamed
 * through the same guarded upload as pg_dump. Shipgate's own restore reads the archive back (CRC-checked),
 * inserts in batches and recreates indexes.
 */











const TOOL_VERSION = 'shipgate-mongo-archive 1';
const SKIP_DBS = new Set(['admin', 'local', 'config']);
function mongoDbName(url) {
    try {
        return decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
    }
    catch {
        return '';
    }
}
function connector(ports) {
    if (ports.mongo)
        return ports.mongo;
    return async (url) => {
        const { MongoClient } = await Promise.resolve(/* import() */).then(__webpack_require__.bind(__webpack_require__, 84294));
        const client = new MongoClient(url, { serverSelectionTimeoutMS: 15_000, appName: 'shipgate-backup' });
        try {
            await client.connect();
        }
        catch (err) {
            throw new errors/* StageError */.Zu(`cannot connect to ${(0,secrets/* redactUrl */.BO)(url)}: ${(0,errors/* errorMessage */.gJ)(err)}`);
        }
        return client;
    };
}
/** The namespaces of one database (or all user databases), with canonical-EJSON metadata and raw documents. */
async function namespaces(client, dbNames) {
    const out = [];
    for (const dbName of dbNames) {
        const db = client.db(dbName);
        const colls = await db.listCollections({}, { nameOnly: false }).toArray();
        colls.sort((a, b) => a.name.localeCompare(b.name));
        for (const c of colls) {
            const info = c;
            const type = info.type ?? 'collection';
            if (c.name.startsWith('system.') && c.name !== 'system.js')
                continue;
            if (type === 'view')
                continue;
            const coll = db.collection(c.name);
            const indexes = await coll.listIndexes().toArray();
            const meta = {
                options: info.options ?? {},
                indexes,
                collectionName: c.name,
                type,
            };
            if (info.info?.uuid)
                meta.uuid = Buffer.from(info.info.uuid.buffer).toString('hex');
            out.push({
                db: dbName,
                collection: c.name,
                type,
                metadata: lib.BSON.EJSON.stringify(meta, { relaxed: false }),
                documents: (async function* () {
                    for await (const doc of coll.find({}, { raw: true, batchSize: 1000 }))
                        yield doc;
                })(),
            });
        }
    }
    return out;
}
async function backupMongo(req, ports) {
    const { store, logger, clock, context } = ports;
    const started = clock.now();
    const client = await connector(ports)(req.databaseUrl);
    try {
        const buildInfo = await client.db('admin').command({ buildInfo: 1 });
        const serverVersion = String(buildInfo.version ?? 'unknown');
        const dbName = mongoDbName(req.databaseUrl);
        const dbNames = dbName
            ? [dbName]
            : (await client.db('admin').admin().listDatabases({ nameOnly: true })).databases.map((d) => d.name).filter((n) => !SKIP_DBS.has(n));
        const stats = dbName ? await client.db(dbName).stats().catch(() => ({ dataSize: 0 })) : { dataSize: 0 };
        const sizeBytes = Number(stats.dataSize ?? 0);
        const id0 = backupIdFor(started, context.sha, context.runId);
        let id = id0;
        for (let n = 2; await store.exists(`${backupDir(req.prefix, req.environment, started, id)}${MANIFEST_FILE}`); n++)
            id = `${id0}-${n}`;
        const dir = backupDir(req.prefix, req.environment, started, id);
        const key = `${dir}dump.archive.gz`;
        const manifestKey = `${dir}${MANIFEST_FILE}`;
        const counts = {};
        const nss = await namespaces(client, dbNames);
        for (const ns of nss) {
            const docs = ns.documents;
            const name = `${ns.db}.${ns.collection}`;
            counts[name] = 0;
            ns.documents = (async function* () {
                for await (const d of docs) {
                    counts[name]++;
                    yield d;
                }
            })();
        }
        const archive = external_node_stream_.Readable.from(writeArchive({ serverVersion, toolVersion: TOOL_VERSION }, nss));
        const gzip = (0,external_node_zlib_.createGzip)({ level: 6 });
        const produced = (0,promises_.pipeline)(archive, gzip).catch((err) => {
            throw new errors/* StageError */.Zu(`reading MongoDB failed: ${(0,errors/* errorMessage */.gJ)(err)}`);
        });
        const partSize = req.partSize ?? partSizeFor(sizeBytes);
        logger.info(`dumping ${dbNames.join(', ')} (MongoDB ${serverVersion}) to ${store.uri(key)}`);
        const progress = new Progress('dumped', clock, logger);
        let uploaded;
        try {
            uploaded = await guardedUpload(store, key, gzip, produced, { partSize, queueSize: queueSizeFor(partSize), contentType: 'application/gzip', progress, abortProducer: () => archive.destroy() });
        }
        catch (err) {
            throw new errors/* StageError */.Zu(`backup failed, nothing was stored (no object, no manifest): ${(0,errors/* errorMessage */.gJ)(err)}`, undefined, { cause: err });
        }
        let verification = { level: 'none', result: 'skipped', detail: 'verify: none' };
        if (req.verify !== 'none') {
            try {
                const seen = await verifyArchiveStream(await store.getStream(key), uploaded, ports);
                const diff = Object.entries(counts).filter(([n, c]) => seen[n] !== c);
                if (diff.length)
                    throw new errors/* StageError */.Zu(`document counts read back differ: ${diff.map(([n, c]) => `${n} ${seen[n]} vs ${c}`).join('; ')}`);
                verification = { level: 'read', result: 'passed', detail: 'sha256 matches; every namespace CRC-64 and document count checked' };
            }
            catch (err) {
                await store.delete(key).catch(() => undefined);
                throw new errors/* StageError */.Zu(`verification of the backup failed, so it was deleted (no object, no manifest): ${(0,errors/* errorMessage */.gJ)(err)}`, undefined, { cause: err });
            }
        }
        const finished = clock.now();
        const manifest = {
            schemaVersion: MANIFEST_SCHEMA_VERSION,
            id,
            kind: req.kind ?? 'backup',
            engine: 'mongodb',
            environment: req.environment,
            createdAt: new Date(started).toISOString(),
            finishedAt: new Date(finished).toISOString(),
            durationMs: finished - started,
            database: { url: (0,secrets/* redactUrl */.BO)(req.databaseUrl), name: dbName || dbNames.join(','), serverVersion, sizeBytes },
            tool: { name: 'shipgate (mongodump archive format)', version: TOOL_VERSION, flags: ['--archive', '--gzip'] },
            format: 'mongodump archive',
            compression: 'gzip',
            encryption: { sse: req.encryption?.sse, kmsKeyId: req.encryption?.kmsKeyId },
            object: { bucket: store.bucket, key, uri: store.uri(key), size: uploaded.size, sha256: uploaded.sha256, partSize },
            git: { sha: context.sha, ref: context.ref, runId: context.runId, runAttempt: context.runAttempt, runUrl: context.runUrl, repository: context.repository },
            ledgerHead: null,
            tables: counts,
            verification,
            restore: {
                command: `aws s3 cp '${store.uri(key)}' - | mongorestore --uri="$MONGODB_URI" --archive --gzip --drop`,
                action: `mode: restore, backup-id: ${id}, environment: ${req.environment}, confirm: ${dbName}`,
            },
        };
        await store.putText(manifestKey, JSON.stringify(manifest, null, 2) + '\n');
        logger.info(`manifest ${store.uri(manifestKey)} written; backup ${id} is complete (${formatBytes(uploaded.size)})`);
        return { manifest, manifestKey };
    }
    finally {
        await client.close().catch(() => undefined);
    }
}
/** Read a gzip archive stream back: sha256 of the stored bytes, CRC-64 of every namespace; document counts. */
async function verifyArchiveStream(stream, expected, ports) {
    const tap = new HashTap(new Progress('verified', ports.clock, ports.logger));
    const gunzip = (0,external_node_zlib_.createGunzip)();
    stream.on('error', (err) => tap.destroy(err));
    stream.pipe(tap).pipe(gunzip);
    const counts = {};
    for await (const ev of readArchive(gunzip))
        if (ev.kind === 'eof')
            counts[`${ev.db}.${ev.collection}`] = ev.documents;
    if (tap.size !== expected.size || tap.digest() !== expected.sha256) {
        throw new errors/* StageError */.Zu(`the stored object does not match what was uploaded (size ${tap.size} vs ${expected.size})`);
    }
    return counts;
}
/** Restore a verified archive file into the database named by `url`: drop, recreate, insert in batches, indexes. */
async function restoreMongo(url, file, ports) {
    const target = mongoDbName(url);
    const client = await connector(ports)(url);
    const counts = {};
    try {
        const metas = new Map();
        let batch = [];
        let current = '';
        const flush = async () => {
            if (!batch.length)
                return;
            const [db, ...rest] = current.split('.');
            await client.db(target || db).collection(rest.join('.')).insertMany(batch, { ordered: true, bypassDocumentValidation: true });
            batch = [];
        };
        for await (const ev of readArchive((0,external_node_fs_.createReadStream)(file).pipe((0,external_node_zlib_.createGunzip)()))) {
            if (ev.kind === 'collection') {
                const meta = lib.BSON.EJSON.parse(ev.meta.metadata, { relaxed: false });
                metas.set(`${ev.meta.db}.${ev.meta.collection}`, { options: meta.options ?? {}, indexes: meta.indexes ?? [] });
                const db = client.db(target || ev.meta.db);
                await db.collection(ev.meta.collection).drop().catch(() => undefined);
                await db.createCollection(ev.meta.collection, meta.options ?? {});
                counts[`${target || ev.meta.db}.${ev.meta.collection}`] = 0;
            }
            else if (ev.kind === 'document') {
                const ns = `${ev.db}.${ev.collection}`;
                if (ns !== current || batch.length >= 1000) {
                    await flush();
                    current = ns;
                }
                batch.push(lib.BSON.deserialize(ev.bytes, { promoteValues: false }));
                counts[`${target || ev.db}.${ev.collection}`]++;
            }
            else if (ev.kind === 'eof') {
                await flush();
            }
        }
        await flush();
        for (const [ns, meta] of metas) {
            const [db, ...rest] = ns.split('.');
            const indexes = meta.indexes.filter((i) => i.name !== '_id_').map(({ v: _v, ns: _ns, ...spec }) => spec);
            if (indexes.length)
                await client.db(target || db).collection(rest.join('.')).createIndexes(indexes);
        }
        return counts;
    }
    finally {
        await client.close().catch(() => undefined);
    }
}

;// CONCATENATED MODULE: ./src/backup/pg.ts
/**
 * PostgreSQL backup, verification and restore: `pg_dump -Fc` of the server's own major streamed into the
 * bucket (credentials only in PG* variables), verified by reading it back through `pg_restore --file=/dev/null`
 * with its sha256 (or by a restore drill with per-table row counts), and a manifest written last.
 */









/** Environment for a libpq tool: the base environment minus stray PG*, plus the URL's PG* (never argv). */
function toolEnv(ports, url) {
    if (url)
        return (0,postgres/* childPgEnv */.Jh)(url, ports.env);
    const env = {};
    for (const [k, v] of Object.entries(ports.env))
        if (!k.startsWith('PG') && !k.startsWith('INPUT_'))
            env[k] = v;
    return env;
}
/** The conninfo naming only the database (host, user and password come from PG* variables). */
function dbnameConninfo(name) {
    return `dbname='${name.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
function tail(text, lines = 5) {
    return text.trim().split('\n').slice(-lines).join(' | ');
}
function exitText(r) {
    return r.signal ? `killed by ${r.signal}` : `exit ${r.code}`;
}
/** Settles when the process has exited; rejects unless it exited 0. */
function succeeded(proc, what) {
    return proc.done.then((r) => {
        if (r.code !== 0)
            throw new errors/* StageError */.Zu(`${what} failed (${exitText(r)})${r.stderr.trim() ? `: ${tail(r.stderr)}` : ''}`);
    });
}
async function listTables(client, schemas = [], excludeSchemas = []) {
    const r = await client.query(`select n.nspname, c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.relkind = 'r' and n.nspname not in ('pg_catalog', 'information_schema')
        and n.nspname not like 'pg\\_toast%' and n.nspname not like 'pg\\_temp%'
        and not exists (select 1 from pg_depend d where d.objid = c.oid and d.deptype = 'e')
      order by 1, 2`);
    return r.rows
        .filter((t) => (schemas.length === 0 || schemas.includes(t.nspname)) && !excludeSchemas.includes(t.nspname))
        .map((t) => `${t.nspname}.${t.relname}`);
}
/** Exact row counts per table (`schema.table`). */
async function countRows(client, tables) {
    const out = {};
    for (const t of tables) {
        const dot = t.indexOf('.');
        const r = await client.query(`select count(*)::text as n from ${(0,postgres/* quoteIdent */.v4)(t.slice(0, dot))}.${(0,postgres/* quoteIdent */.v4)(t.slice(dot + 1))}`);
        out[t] = Number(r.rows[0].n);
    }
    return out;
}
async function tableCounts(url, schemas = [], excludeSchemas = []) {
    const client = await (0,postgres/* connect */.Ng)(url, 'shipgate-backup');
    try {
        return await countRows(client, await listTables(client, schemas, excludeSchemas));
    }
    finally {
        await client.end().catch(() => undefined);
    }
}
/** Differences between two count maps, as readable lines. */
function diffCounts(expected, actual) {
    const out = [];
    for (const [t, n] of Object.entries(expected)) {
        if (!(t in actual))
            out.push(`${t}: missing (expected ${n} rows)`);
        else if (actual[t] !== n)
            out.push(`${t}: ${actual[t]} rows, expected ${n}`);
    }
    for (const t of Object.keys(actual))
        if (!(t in expected))
            out.push(`${t}: unexpected table (${actual[t]} rows)`);
    return out;
}
/** The last applied migration in whichever ledger the database has (Shipgate SQL, Prisma, Drizzle). */
async function ledgerHead(client) {
    const ledgers = [
        ['shipgate_migrations', 'select name::text as name from shipgate_migrations order by applied_at desc, name desc limit 1'],
        [
            '_prisma_migrations',
            'select migration_name::text as name from _prisma_migrations where finished_at is not null and rolled_back_at is null order by finished_at desc, migration_name desc limit 1',
        ],
        ['drizzle.__drizzle_migrations', 'select hash::text as name from drizzle.__drizzle_migrations order by created_at desc limit 1'],
    ];
    for (const [table, sql] of ledgers) {
        try {
            const exists = await client.query('select to_regclass($1)::text as t', [table]);
            if (!exists.rows[0].t)
                continue;
            const r = await client.query(sql);
            if (r.rows[0])
                return { table, name: r.rows[0].name };
        }
        catch {
            // a ledger we cannot read is not a reason to skip the backup
        }
    }
    return null;
}
function restoreArgs(conninfo, file) {
    return ['--clean', '--if-exists', '--no-owner', '--single-transaction', '--exit-on-error', `--dbname=${conninfo}`, ...(file ? [file] : [])];
}
function restoreCommand(tools, uri, dbName) {
    return (`aws s3 cp '${uri}' ./dump.pgdump && ` +
        `PGHOST=… PGPORT=… PGUSER=… PGPASSWORD=… ${tools.binDir}/pg_restore ${restoreArgs(dbnameConninfo(dbName)).map((a) => (a.includes("'") ? `"${a}"` : a)).join(' ')} ./dump.pgdump`);
}
/** Take one backup. Throws with nothing left in the bucket when the dump, upload or verification fails. */
async function backupPostgres(req, ports) {
    const { store, logger, clock, context } = ports;
    const started = clock.now();
    const client = await (0,postgres/* connect */.Ng)(req.databaseUrl, 'shipgate-backup');
    let inSnapshot = false;
    try {
        const server = await (0,postgres/* serverVersion */.qh)(client);
        const dbName = (0,postgres/* databaseName */.Do)(req.databaseUrl);
        const sizeRow = await client.query('select pg_database_size(current_database())::text as size');
        const dbSize = Number(sizeRow.rows[0].size);
        const head = await ledgerHead(client);
        const tools = await ports.pgTools(server.major);
        logger.info(`PostgreSQL ${server.text} (${formatBytes(dbSize)}); using pg_dump ${tools.version} from ${tools.binDir}`);
        const id0 = backupIdFor(started, context.sha, context.runId);
        let id = id0;
        for (let n = 2; await store.exists(`${backupDir(req.prefix, req.environment, started, id)}${MANIFEST_FILE}`); n++)
            id = `${id0}-${n}`;
        const dir = backupDir(req.prefix, req.environment, started, id);
        const key = `${dir}dump.pgdump`;
        const manifestKey = `${dir}${MANIFEST_FILE}`;
        // One snapshot for the dump and the row counts, so a drill compares like with like.
        let snapshot;
        try {
            await client.query('begin isolation level repeatable read read only');
            inSnapshot = true;
            snapshot = (await client.query('select pg_export_snapshot() as s')).rows[0].s;
        }
        catch (err) {
            logger.debug(`no exported snapshot (${(0,errors/* errorMessage */.gJ)(err)}); pg_dump takes its own`);
            if (inSnapshot)
                await client.query('rollback').catch(() => undefined);
            inSnapshot = false;
        }
        const countsPromise = req.verify === 'restore' && snapshot
            ? listTables(client, req.schemas, req.excludeSchemas).then((t) => countRows(client, t))
            : Promise.resolve(undefined);
        countsPromise.catch(() => undefined);
        const flags = [
            '--format=custom',
            ...req.schemas.map((s) => `--schema=${s}`),
            ...req.excludeSchemas.map((s) => `--exclude-schema=${s}`),
            ...req.pgDumpArgs,
        ];
        const args = [...flags, ...(snapshot ? [`--snapshot=${snapshot}`] : [])];
        const partSize = req.partSize ?? partSizeFor(dbSize);
        logger.info(`dumping ${dbName} to ${store.uri(key)} (parts of ${formatBytes(partSize)})`);
        const proc = ports.processes.spawn(tools.pgDump, args, { env: toolEnv(ports, req.databaseUrl), stdout: 'stream' });
        const progress = new Progress('dumped', clock, logger);
        let uploaded;
        try {
            uploaded = await guardedUpload(store, key, proc.stdout, succeeded(proc, 'pg_dump'), {
                partSize,
                queueSize: queueSizeFor(partSize),
                contentType: 'application/vnd.postgresql.custom',
                progress,
                abortProducer: () => proc.kill('SIGTERM'),
            });
        }
        catch (err) {
            await proc.done.catch(() => undefined);
            throw new errors/* StageError */.Zu(`backup failed, nothing was stored (no object, no manifest): ${(0,errors/* errorMessage */.gJ)(err)}`, undefined, { cause: err });
        }
        logger.info(`dumped ${formatBytes(uploaded.size)} (${progress.rate()}), sha256 ${uploaded.sha256}`);
        const sourceCounts = await countsPromise;
        if (inSnapshot) {
            await client.query('commit').catch(() => undefined);
            inSnapshot = false;
        }
        let verification;
        try {
            verification = await verifyBackup(req, ports, tools, key, uploaded, sourceCounts);
        }
        catch (err) {
            await store.delete(key).catch(() => undefined);
            throw new errors/* StageError */.Zu(`verification of the backup failed, so it was deleted (no object, no manifest): ${(0,errors/* errorMessage */.gJ)(err)}`, undefined, { cause: err });
        }
        const finished = clock.now();
        const manifest = {
            schemaVersion: MANIFEST_SCHEMA_VERSION,
            id,
            kind: req.kind,
            engine: 'postgresql',
            environment: req.environment,
            createdAt: new Date(started).toISOString(),
            finishedAt: new Date(finished).toISOString(),
            durationMs: finished - started,
            database: { url: (0,secrets/* redactUrl */.BO)(req.databaseUrl), name: dbName, serverVersion: server.text, serverVersionNum: server.num, sizeBytes: dbSize },
            tool: { name: 'pg_dump', version: tools.version, major: tools.major, flags },
            format: 'pg_dump custom (-Fc)',
            compression: req.pgDumpArgs.some((a) => /^(-Z|--compress)/.test(a)) ? 'per pg-dump-args' : 'pg_dump default',
            encryption: { sse: req.encryption?.sse, kmsKeyId: req.encryption?.kmsKeyId },
            object: { bucket: store.bucket, key, uri: store.uri(key), size: uploaded.size, sha256: uploaded.sha256, partSize },
            git: {
                sha: context.sha,
                ref: context.ref,
                runId: context.runId,
                runAttempt: context.runAttempt,
                runUrl: context.runUrl,
                repository: context.repository,
            },
            ledgerHead: head,
            tables: sourceCounts,
            verification,
            restore: {
                minClientMajor: tools.major,
                command: restoreCommand(tools, store.uri(key), dbName),
                action: `mode: restore, backup-id: ${id}, environment: ${req.environment}, confirm: ${dbName}`,
            },
        };
        await store.putText(manifestKey, JSON.stringify(manifest, null, 2) + '\n');
        logger.info(`manifest ${store.uri(manifestKey)} written; backup ${id} is complete`);
        return { manifest, manifestKey };
    }
    finally {
        if (inSnapshot)
            await client.query('rollback').catch(() => undefined);
        await client.end().catch(() => undefined);
    }
}
async function verifyBackup(req, ports, tools, key, uploaded, sourceCounts) {
    if (req.verify === 'none')
        return { level: 'none', result: 'skipped', detail: 'verify: none' };
    if (req.verify === 'read') {
        await verifyRead(ports, tools, key, uploaded);
        return { level: 'read', result: 'passed', detail: `sha256 and size match; pg_restore --file=/dev/null read every block` };
    }
    const url = req.verifyDatabaseUrl;
    const counts = await restoreInto(ports, tools, key, uploaded, url, 'verify');
    if (sourceCounts) {
        const diff = diffCounts(sourceCounts, counts);
        if (diff.length)
            throw new errors/* StageError */.Zu(`the restore drill into ${(0,secrets/* redactUrl */.BO)(url)} differs from the source: ${diff.slice(0, 5).join('; ')}`);
    }
    const rows = Object.values(counts).reduce((a, b) => a + b, 0);
    return {
        level: 'restore',
        result: 'passed',
        detail: `restored into ${(0,postgres/* databaseName */.Do)(url)}: ${Object.keys(counts).length} tables, ${rows} rows${sourceCounts ? ', counts equal to the source snapshot' : ''}`,
    };
}
/** Stream the stored object back through `pg_restore --file=/dev/null` and recompute its sha256. */
async function verifyRead(ports, tools, key, expected) {
    const source = await ports.store.getStream(key);
    const tap = new HashTap(new Progress('verified', ports.clock, ports.logger));
    source.on('error', (err) => tap.destroy(err));
    source.pipe(tap);
    const proc = ports.processes.spawn(tools.pgRestore, ['--file=/dev/null'], { env: toolEnv(ports), stdin: tap, stdout: 'ignore' });
    const r = await proc.done;
    if (r.code !== 0) {
        source.destroy();
        throw new errors/* StageError */.Zu(`pg_restore could not read the stored dump (${exitText(r)}): ${tail(r.stderr)}`);
    }
    // pg_restore may stop before the trailing bytes; the hash needs all of them.
    tap.unpipe();
    tap.resume();
    await (0,promises_.finished)(tap);
    if (tap.size !== expected.size || tap.digest() !== expected.sha256) {
        throw new errors/* StageError */.Zu(`the stored object ${ports.store.uri(key)} does not match what was uploaded (size ${tap.size} vs ${expected.size})`);
    }
}
/**
 * Download the object to a temp file, checking size and sha256 on the way; throws (and removes the file)
 * on a mismatch, so nothing downstream ever sees unverified bytes.
 */
async function downloadVerified(ports, key, expected) {
    const dir = (0,external_node_fs_.mkdtempSync)((0,external_node_path_.join)(ports.tmpDir, 'shipgate-restore-'));
    const cleanup = () => (0,external_node_fs_.rmSync)(dir, { recursive: true, force: true });
    const file = (0,external_node_path_.join)(dir, 'dump');
    try {
        const tap = new HashTap(new Progress('downloaded', ports.clock, ports.logger));
        await (0,promises_.pipeline)(await ports.store.getStream(key), tap, (0,external_node_fs_.createWriteStream)(file, { mode: 0o600 }));
        const sha = tap.digest();
        if (sha !== expected.sha256 || tap.size !== expected.size) {
            throw new errors/* StageError */.Zu(`sha256 mismatch for ${ports.store.uri(key)}: the manifest says ${expected.sha256} (${expected.size} bytes), the stored object is ${sha} (${tap.size} bytes); refusing to restore it, nothing was changed`);
        }
        return { file, cleanup };
    }
    catch (err) {
        cleanup();
        throw err;
    }
}
/** Download (verified) and restore into `url`; returns per-table row counts afterwards. */
async function restoreInto(ports, tools, key, expected, url, what, beforeRestore) {
    const { file, cleanup } = await downloadVerified(ports, key, expected);
    try {
        await beforeRestore?.();
        ports.logger.info(`${what}: pg_restore ${tools.version} into ${(0,postgres/* databaseName */.Do)(url)}`);
        const r = await ports.processes.run(tools.pgRestore, restoreArgs(dbnameConninfo((0,postgres/* databaseName */.Do)(url)), file), { env: toolEnv(ports, url), stdout: 'ignore' });
        if (r.code !== 0) {
            throw new errors/* StageError */.Zu(`pg_restore into ${(0,postgres/* databaseName */.Do)(url)} failed (${exitText(r)}); it ran in one transaction, so the database was left as it was: ${tail(r.stderr)}`);
        }
    }
    finally {
        cleanup();
    }
    return tableCounts(url);
}
async function pgServerMajor(url) {
    const client = await (0,postgres/* connect */.Ng)(url, 'shipgate-backup');
    try {
        return await (0,postgres/* serverVersion */.qh)(client);
    }
    finally {
        await client.end().catch(() => undefined);
    }
}

;// CONCATENATED MODULE: ./src/backup/prune.ts
/**
 * Retention: keep the newest N backups and/or those younger than D days, and always the newest verified backup.
 * Each backup is deleted dump first, then manifest; refusals (Object Lock retention, legal hold, a deny policy)
 * are tolerated and reported, and the manifest of a refused dump is kept so the backup stays usable.
 */



/** Which backups to keep; pure, so the policy is tested on its own. */
function planPrune(entries, settings, now) {
    const newestFirst = [...entries].sort((a, b) => (a.manifest.createdAt < b.manifest.createdAt ? 1 : a.manifest.createdAt > b.manifest.createdAt ? -1 : b.key.localeCompare(a.key)));
    const keep = new Set();
    if (settings.keepLast !== undefined)
        newestFirst.slice(0, settings.keepLast).forEach((e) => keep.add(e));
    if (settings.retentionDays !== undefined) {
        const cutoff = now - settings.retentionDays * 86_400_000;
        for (const e of newestFirst)
            if (Date.parse(e.manifest.createdAt) >= cutoff)
                keep.add(e);
    }
    const newestVerified = newestFirst.find((e) => e.manifest.kind === 'backup' && isVerified(e.manifest));
    if (newestVerified)
        keep.add(newestVerified);
    return { keep: newestFirst.filter((e) => keep.has(e)), remove: newestFirst.filter((e) => !keep.has(e)) };
}
async function pruneBackups(settings, ports) {
    const entries = await listManifests(ports.store, settings.prefix, settings.environment, (key, why) => ports.logger.warning(`skipping ${key}: ${why}`));
    const { keep, remove } = planPrune(entries, settings, ports.clock.now());
    const result = { kept: keep, deleted: [], refused: [] };
    for (const e of remove) {
        try {
            await ports.store.delete(e.manifest.object.key);
        }
        catch (err) {
            const reason = isAccessRefusal(err) ? `refused (object lock or policy): ${(0,errors/* errorMessage */.gJ)(err)}` : (0,errors/* errorMessage */.gJ)(err);
            ports.logger.warning(`kept ${e.manifest.id}: deleting its dump was ${reason}`);
            result.refused.push({ entry: e, reason });
            continue;
        }
        try {
            await ports.store.delete(e.key);
        }
        catch (err) {
            const reason = `its dump was deleted but the manifest ${ports.store.uri(e.key)} was not: ${(0,errors/* errorMessage */.gJ)(err)}`;
            ports.logger.warning(`${e.manifest.id}: ${reason}`);
            result.refused.push({ entry: e, reason });
            continue;
        }
        ports.logger.info(`deleted ${e.manifest.id} (${e.manifest.createdAt})`);
        result.deleted.push(e);
    }
    return result;
}

;// CONCATENATED MODULE: ./src/backup/restore.ts
/**
 * Restore: resolve the backup (id, `latest` = newest verified, or a git sha), refuse unless `confirm` names
 * the target database, download while checking the sha256 BEFORE touching the target, take a safety snapshot
 * of the target, then restore in one transaction and report per-table row counts.
 * `restoreBackup` is also the entry point the migrate stage calls for `on-failure: restore`.
 */





function checkConfirm(databaseUrl, confirm) {
    const target = (0,postgres/* databaseName */.Do)(databaseUrl);
    if (!confirm)
        throw new errors/* StageError */.Zu(`restore refused: confirm must name the target database (${JSON.stringify(target)}); nothing was changed`);
    if (confirm !== target) {
        throw new errors/* StageError */.Zu(`restore refused: confirm is ${JSON.stringify(confirm)} but the target database is ${JSON.stringify(target)}; nothing was changed`);
    }
}
async function restoreBackup(settings, ports) {
    const started = ports.clock.now();
    checkConfirm(settings.databaseUrl, settings.confirm);
    const entries = await listManifests(ports.store, settings.prefix, settings.environment, (key, why) => ports.logger.warning(`skipping ${key}: ${why}`));
    const { manifest } = resolveBackup(entries, settings.backupId, settings.environment);
    ports.logger.info(`restoring backup ${manifest.id} (${manifest.createdAt}, git ${manifest.git?.sha?.slice(0, 7) || '-'}, ${manifest.object.size} bytes)`);
    const expected = { sha256: manifest.object.sha256, size: manifest.object.size };
    if (manifest.engine === 'mongodb' || (0,postgres/* isMongoUrl */.cn)(settings.databaseUrl)) {
        if (manifest.engine !== 'mongodb' || !(0,postgres/* isMongoUrl */.cn)(settings.databaseUrl)) {
            throw new errors/* StageError */.Zu(`backup ${manifest.id} is a ${manifest.engine} backup and the target is not; nothing was changed`);
        }
        const { file, cleanup } = await downloadVerified(ports, manifest.object.key, expected);
        try {
            let snapshot;
            if (settings.safetySnapshot ?? true) {
                ports.logger.info(`safety snapshot of ${mongoDbName(settings.databaseUrl) || 'the target'} before restoring over it`);
                try {
                    snapshot = await backupMongo({ databaseUrl: settings.databaseUrl, environment: settings.environment, prefix: settings.prefix, verify: 'read', kind: 'safety-snapshot', encryption: settings.encryption }, ports);
                }
                catch (err) {
                    throw new errors/* StageError */.Zu(`the safety snapshot of the target failed, so nothing was restored: ${(0,errors/* errorMessage */.gJ)(err)}`, undefined, { cause: err });
                }
                ports.logger.info(`safety snapshot ${snapshot.manifest.id} stored at ${snapshot.manifest.object.uri}`);
            }
            const tables = await restoreMongo(settings.databaseUrl, file, ports);
            return { restoredFrom: manifest, snapshot, tables, durationMs: ports.clock.now() - started };
        }
        finally {
            cleanup();
        }
    }
    const server = await pgServerMajor(settings.databaseUrl);
    const dumpMajor = manifest.tool?.major ?? 0;
    if (dumpMajor > server.major) {
        throw new errors/* StageError */.Zu(`backup ${manifest.id} was made by pg_dump ${manifest.tool.version}, newer than the target server (PostgreSQL ${server.text}); its archive may not restore there. Nothing was changed`);
    }
    const tools = await ports.pgTools(server.major);
    let snapshot;
    const tables = await restoreInto(ports, tools, manifest.object.key, expected, settings.databaseUrl, `restore of ${manifest.id}`, async () => {
        if (settings.safetySnapshot ?? true) {
            ports.logger.info(`safety snapshot of ${(0,postgres/* databaseName */.Do)(settings.databaseUrl)} before restoring over it`);
            try {
                snapshot = await backupPostgres({
                    databaseUrl: settings.databaseUrl,
                    environment: settings.environment,
                    prefix: settings.prefix,
                    kind: 'safety-snapshot',
                    verify: 'read',
                    schemas: [],
                    excludeSchemas: [],
                    pgDumpArgs: [],
                    encryption: settings.encryption,
                }, ports);
            }
            catch (err) {
                throw new errors/* StageError */.Zu(`the safety snapshot of the target failed, so nothing was restored: ${(0,errors/* errorMessage */.gJ)(err)}`, undefined, { cause: err });
            }
            ports.logger.info(`safety snapshot ${snapshot.manifest.id} stored at ${snapshot.manifest.object.uri}`);
        }
    });
    if (manifest.tables) {
        const diff = diffCounts(manifest.tables, tables);
        if (diff.length)
            ports.logger.warning(`row counts differ from the backup's manifest: ${diff.slice(0, 5).join('; ')}`);
    }
    return { restoredFrom: manifest, snapshot, tables, durationMs: ports.clock.now() - started };
}

;// CONCATENATED MODULE: ./src/backup/run.ts
/** The backup stage's four modes, their outputs and the job summary. */








function backupOutputs(r, ports) {
    return {
        backupId: r.manifest.id,
        backupUri: r.manifest.object.uri,
        manifestUri: ports.store.uri(r.manifestKey),
        sha256: r.manifest.object.sha256,
        sizeBytes: r.manifest.object.size,
    };
}
function manifestRows(m) {
    return [
        ['id', m.id],
        ['object', m.object.uri],
        ['size', `${formatBytes(m.object.size)} (${m.object.size} bytes)`],
        ['sha256', m.object.sha256],
        ['server', `${m.engine} ${m.database.serverVersion}`],
        ['client', `${m.tool.name} ${m.tool.version}`],
        ['ledger head', m.ledgerHead ? `${m.ledgerHead.name} (${m.ledgerHead.table})` : '-'],
        ['verification', `${m.verification.level}: ${m.verification.result} — ${m.verification.detail}`],
        ['duration', `${(m.durationMs / 1000).toFixed(1)} s`],
    ];
}
async function runBackupStage(s, ports) {
    const started = ports.clock.now();
    const { summary } = ports;
    const encryption = { sse: s.store.sse, kmsKeyId: s.store.kmsKeyId };
    switch (s.mode) {
        case 'backup': {
            const url = s.databaseUrl;
            const r = (0,postgres/* isMongoUrl */.cn)(url)
                ? await backupMongo({ databaseUrl: url, environment: s.environment, prefix: s.store.prefix, verify: s.verify, partSize: s.partSize, encryption }, ports)
                : await backupPostgres({
                    databaseUrl: url,
                    environment: s.environment,
                    prefix: s.store.prefix,
                    kind: 'backup',
                    verify: s.verify,
                    verifyDatabaseUrl: s.verifyDatabaseUrl,
                    schemas: s.schemas,
                    excludeSchemas: s.excludeSchemas,
                    pgDumpArgs: s.pgDumpArgs,
                    partSize: s.partSize,
                    encryption,
                }, ports);
            summary.heading('Shipgate backup').table(['', ''], manifestRows(r.manifest));
            if (r.manifest.tables && Object.keys(r.manifest.tables).length) {
                summary.details('Rows per table', Object.entries(r.manifest.tables).map(([t, n]) => `- ${t}: ${n}`).join('\n'));
            }
            summary.paragraph('Restore by hand:').code(r.manifest.restore.command, 'sh');
            const outputs = { ...backupOutputs(r, ports), durationMs: ports.clock.now() - started };
            if (s.artifact) {
                if (!ports.uploadArtifact)
                    return { outputs, error: new errors/* StageError */.Zu('artifact: true, but workflow artifacts are not available here') };
                try {
                    const { file, cleanup } = await downloadVerified(ports, r.manifest.object.key, r.manifest.object);
                    try {
                        await ports.uploadArtifact(`shipgate-backup-${r.manifest.id}`, file);
                    }
                    finally {
                        cleanup();
                    }
                    ports.logger.info(`uploaded the dump as workflow artifact shipgate-backup-${r.manifest.id}`);
                }
                catch (err) {
                    return { outputs, error: new errors/* StageError */.Zu(`the backup ${r.manifest.id} is stored and verified, but uploading it as a workflow artifact failed: ${(0,errors/* errorMessage */.gJ)(err)}`) };
                }
            }
            return { outputs };
        }
        case 'restore': {
            const r = await restoreBackup({
                databaseUrl: s.databaseUrl,
                environment: s.environment,
                prefix: s.store.prefix,
                backupId: s.backupId,
                confirm: s.confirm,
                safetySnapshot: s.safetySnapshot,
                encryption,
            }, ports);
            summary.heading('Shipgate restore').table(['', ''], [['restored from', r.restoredFrom.id], ...manifestRows(r.restoredFrom).slice(1), ['safety snapshot', r.snapshot?.manifest.object.uri ?? 'none']]);
            summary.table(['table', 'rows after restore'], Object.entries(r.tables));
            for (const [t, n] of Object.entries(r.tables))
                ports.logger.info(`${t}: ${n} rows`);
            return {
                outputs: {
                    restoredFrom: r.restoredFrom.id,
                    ...(r.snapshot ? backupOutputs(r.snapshot, ports) : {}),
                    durationMs: ports.clock.now() - started,
                },
            };
        }
        case 'list': {
            const entries = await listManifests(ports.store, s.store.prefix, s.environment, (key, why) => ports.logger.warning(`skipping ${key}: ${why}`));
            const rows = [...entries].reverse().map((e) => [e.manifest.id, e.manifest.kind, e.manifest.createdAt, e.manifest.object.size, isVerified(e.manifest) ? e.manifest.verification.level : 'no', e.manifest.git?.sha?.slice(0, 7) ?? '']);
            for (const r of rows)
                ports.logger.info(r.join('  '));
            summary.heading(`Shipgate backups (${s.environment})`).table(['id', 'kind', 'created', 'bytes', 'verified', 'git'], rows);
            if (!rows.length)
                summary.paragraph('No backups.');
            const newest = entries.at(-1);
            return {
                outputs: newest
                    ? { backupId: newest.manifest.id, backupUri: newest.manifest.object.uri, manifestUri: ports.store.uri(newest.key), sha256: newest.manifest.object.sha256, sizeBytes: newest.manifest.object.size, durationMs: ports.clock.now() - started }
                    : { durationMs: ports.clock.now() - started },
            };
        }
        case 'prune': {
            const r = await pruneBackups({ prefix: s.store.prefix, environment: s.environment, keepLast: s.keepLast, retentionDays: s.retentionDays }, ports);
            summary.heading(`Shipgate prune (${s.environment})`).table(['id', 'created', 'result'], [
                ...r.kept.map((e) => [e.manifest.id, e.manifest.createdAt, 'kept']),
                ...r.deleted.map((e) => [e.manifest.id, e.manifest.createdAt, 'deleted']),
                ...r.refused.map((x) => [x.entry.manifest.id, x.entry.manifest.createdAt, `kept: ${x.reason}`]),
            ]);
            ports.logger.info(`prune: kept ${r.kept.length}, deleted ${r.deleted.length}, refused ${r.refused.length}`);
            return { outputs: { durationMs: ports.clock.now() - started } };
        }
    }
}

;// CONCATENATED MODULE: ./src/backup/main.ts
/** The backup stage: wires the real outside world (S3, pg_dump/pg_restore, apt + Actions cache, artifacts) to the logic. */









const actionsCache = {
    restore: async (paths, key) => {
        const cache = await Promise.all(/* import() */[__webpack_require__.e(110), __webpack_require__.e(91)]).then(__webpack_require__.bind(__webpack_require__, 18091));
        if (!cache.isFeatureAvailable())
            return false;
        return (await cache.restoreCache(paths, key)) !== undefined;
    },
    save: async (paths, key) => {
        const cache = await Promise.all(/* import() */[__webpack_require__.e(110), __webpack_require__.e(91)]).then(__webpack_require__.bind(__webpack_require__, 18091));
        if (cache.isFeatureAvailable())
            await cache.saveCache(paths, key);
    },
};
/** Real ports for the backup logic, from the stage services and the bucket settings (also used by migrate's restore). */
function backupPorts(services, store) {
    const env = services.env;
    const tmpDir = services.context.runnerTemp || (0,external_node_os_.tmpdir)();
    const host = nodeToolHost(env);
    const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
    const install = aptInstaller({
        processes: services.processes,
        cache: actionsCache,
        logger: services.logger,
        host,
        debDir: (major) => (0,external_node_path_.join)(tmpDir, `shipgate-postgresql-client-${major}`),
        sudo: isRoot ? [] : ['sudo', '-n'],
        arch: process.arch,
    });
    const client = createS3Client({ region: store.region, endpoint: store.endpoint }, env);
    return {
        store: new S3BackupStore(client, store.bucket, { sse: store.sse, kmsKeyId: store.kmsKeyId }),
        processes: services.processes,
        logger: services.logger,
        summary: services.summary,
        clock: services.clock,
        context: services.context,
        env,
        tmpDir,
        pgTools: (major) => locatePgTools(major, services.processes, host, env.SHIPGATE_NO_CLIENT_INSTALL ? undefined : install),
        uploadArtifact: async (name, file) => {
            const { DefaultArtifactClient } = await Promise.all(/* import() */[__webpack_require__.e(110), __webpack_require__.e(458)]).then(__webpack_require__.bind(__webpack_require__, 67458));
            await new DefaultArtifactClient().uploadArtifact(name, [file], (0,external_node_path_.dirname)(file));
        },
    };
}
const backupStage = {
    name: 'backup',
    outputs: OUTPUT,
    read: (inputs, services) => readBackupSettings(inputs, services.env),
    run: (settings, services) => runBackupStage(settings, backupPorts(services, settings.store)),
};


/***/ })

};

//# sourceMappingURL=999.index.js.map