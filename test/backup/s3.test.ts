/** src/lib/s3.ts against s3rver: client config, put/get/head/list (past one page)/delete. */
import { createS3Client, deleteObject, getObjectStream, getObjectText, headObject, listObjects, putObject, s3Config, s3Uri, sseParams } from '../../src/lib/s3.js';
import { startS3, type S3Server } from '../support/s3.js';

let s3: S3Server;
beforeAll(async () => {
  s3 = await startS3();
  await s3.createBucket('lib');
});
afterAll(async () => s3?.stop());

describe('S3 helpers', () => {
  it('configures path style and required-only checksums for custom endpoints, plain defaults for AWS', () => {
    expect(s3Config({ endpoint: 'http://minio:9000' }, {})).toMatchObject({ endpoint: 'http://minio:9000', forcePathStyle: true, region: 'us-east-1', requestChecksumCalculation: 'WHEN_REQUIRED' });
    const aws = s3Config({}, { AWS_REGION: 'eu-west-1' });
    expect(aws).toEqual({ region: 'eu-west-1' });
    expect(s3Config({ region: 'ap-south-1' }, { AWS_REGION: 'eu-west-1' }).region).toBe('ap-south-1');
    expect(sseParams({ sse: 'aws:kms', kmsKeyId: 'k1' })).toEqual({ ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'k1', BucketKeyEnabled: true });
    expect(sseParams({ sse: 'AES256' })).toEqual({ ServerSideEncryption: 'AES256' });
    expect(sseParams(undefined)).toEqual({});
    expect(s3Uri('b', 'a/b.json')).toBe('s3://b/a/b.json');
  });

  it('puts, reads, heads, lists past one page and deletes', async () => {
    const client = createS3Client({ endpoint: s3.endpoint, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
    await putObject(client, 'lib', 'x/run.json', '{"a":1}', { contentType: 'application/json' });
    expect(await getObjectText(client, 'lib', 'x/run.json')).toBe('{"a":1}');
    const { body, size } = await getObjectStream(client, 'lib', 'x/run.json');
    const chunks: Buffer[] = [];
    for await (const c of body) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('{"a":1}');
    expect(size).toBe(7);
    expect(await headObject(client, 'lib', 'x/run.json')).toMatchObject({ key: 'x/run.json', size: 7 });
    expect(await headObject(client, 'lib', 'x/missing.json')).toBeUndefined();

    const keys = Array.from({ length: 1050 }, (_, i) => `many/${String(i).padStart(4, '0')}`);
    for (let i = 0; i < keys.length; i += 50) await Promise.all(keys.slice(i, i + 50).map((k) => putObject(client, 'lib', k, k)));
    const listed = await listObjects(client, 'lib', 'many/');
    expect(listed.map((o) => o.key)).toEqual(keys);
    expect(listed[0].size).toBe(9);

    await deleteObject(client, 'lib', 'x/run.json');
    expect(await headObject(client, 'lib', 'x/run.json')).toBeUndefined();
    client.destroy();
  });
});
