import type { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand, CopyObjectCommand, DeleteObjectCommand, GetObjectCommand, HeadObjectCommand,
  ListMultipartUploadsCommand, paginateListObjectsV2, type S3Client, S3ServiceException,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { copyLarge, copySource, SINGLE_COPY_LIMIT } from './s3-copy-large.ts';
import type { BackupTarget, Digest, ObjectInfo, StoredObject } from './target.ts';

/**
 * Parts of 8 MiB, two in flight: the upload holds at most ~16 MiB of the
 * archive in memory, and 10,000 parts allow archives up to ~80 GB.
 */
export const PART_SIZE = 8 * 1024 * 1024;
const QUEUE_SIZE = 2;

/** Backups in an S3 bucket (AWS, DigitalOcean Spaces, MinIO, …). */
export function createS3Target(client: S3Client, bucket: string): BackupTarget {
  return {
    description: `s3://${bucket}`,
    async upload(key, body, signal) {
      const upload = new Upload({
        client,
        params: { Bucket: bucket, Key: key, Body: body, ContentType: 'application/gzip' },
        partSize: PART_SIZE,
        queueSize: QUEUE_SIZE,
        leavePartsOnError: false,
      });
      const onAbort = (): void => void upload.abort().catch(() => undefined);
      signal.addEventListener('abort', onAbort, { once: true });
      try {
        await upload.done();
      } finally {
        signal.removeEventListener('abort', onAbort);
      }
    },
    async head(key) {
      try {
        const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
        return infoOf(key, head.ContentLength ?? 0, head.LastModified ?? new Date(0), head.Metadata ?? {});
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
    },
    async promote(from, to, digest) {
      const metadata = { sha256: digest.sha256, size: String(digest.size) };
      if (digest.size > SINGLE_COPY_LIMIT) {
        await copyLarge(client, { bucket, from, to, size: digest.size, metadata });
        return;
      }
      await client.send(new CopyObjectCommand({
        Bucket: bucket,
        Key: to,
        CopySource: copySource(bucket, from),
        MetadataDirective: 'REPLACE',
        Metadata: metadata,
        ContentType: 'application/gzip',
      }));
    },
    async *list(prefix) {
      for await (const page of paginateListObjectsV2({ client, pageSize: 1000 }, { Bucket: bucket, Prefix: prefix })) {
        for (const object of page.Contents ?? []) {
          if (object.Key === undefined) continue;
          yield { key: object.Key, size: object.Size ?? 0, modified: object.LastModified ?? new Date(0) } satisfies StoredObject;
        }
      }
    },
    async delete(key) {
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    },
    async download(key, signal) {
      const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal });
      return object.Body as Readable;
    },
    async abortStaleUploads(prefix, before) {
      let uploads;
      try {
        uploads = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: prefix }));
      } catch (error) {
        // Some S3-compatible servers (s3rver) do not list uploads; a lifecycle rule cleans those.
        if (error instanceof S3ServiceException && error.name === 'NotImplemented') return 0;
        throw error;
      }
      const stale = (uploads.Uploads ?? []).filter((u) => u.Key && u.UploadId && (u.Initiated ?? before) < before);
      for (const u of stale) await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: u.Key, UploadId: u.UploadId }));
      return stale.length;
    },
  };
}

function infoOf(key: string, size: number, modified: Date, metadata: Record<string, string>): ObjectInfo {
  const sha256 = metadata['sha256'];
  const declared = Number(metadata['size']);
  const digest: Digest | undefined = sha256 !== undefined && /^[0-9a-f]{64}$/.test(sha256) && Number.isSafeInteger(declared)
    ? { sha256, size: declared }
    : undefined;
  return { key, size, modified, digest };
}

function isNotFound(error: unknown): boolean {
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return status === 404 || (error instanceof Error && (error.name === 'NotFound' || error.name === 'NoSuchKey'));
}
