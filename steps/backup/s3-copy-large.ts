import {
  AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateMultipartUploadCommand, type S3Client, UploadPartCopyCommand,
} from '@aws-sdk/client-s3';

/** `x-amz-copy-source` for a key: the bucket, then the key's segments URL-encoded. */
export function copySource(bucket: string, key: string): string {
  return `${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
}

/** CopyObject copies at most 5 GiB in one request; larger objects are copied part by part. */
export const SINGLE_COPY_LIMIT = 5 * 1024 ** 3;
const COPY_PART = 512 * 1024 ** 2;

export interface LargeCopy {
  readonly bucket: string;
  readonly from: string;
  readonly to: string;
  readonly size: number;
  readonly metadata: Record<string, string>;
}

/**
 * Copies an object of more than 5 GiB with UploadPartCopy. The target key only
 * appears when the copy completes, like a single CopyObject.
 */
export async function copyLarge(client: S3Client, copy: LargeCopy): Promise<void> {
  const { bucket, to } = copy;
  const { UploadId } = await client.send(new CreateMultipartUploadCommand({
    Bucket: bucket, Key: to, Metadata: copy.metadata, ContentType: 'application/gzip',
  }));
  try {
    const parts: { ETag: string; PartNumber: number }[] = [];
    for (let start = 0, n = 1; start < copy.size; start += COPY_PART, n += 1) {
      const end = Math.min(start + COPY_PART, copy.size) - 1;
      const part = await client.send(new UploadPartCopyCommand({
        Bucket: bucket, Key: to, UploadId, PartNumber: n,
        CopySource: copySource(bucket, copy.from), CopySourceRange: `bytes=${start}-${end}`,
      }));
      parts.push({ ETag: part.CopyPartResult?.ETag ?? '', PartNumber: n });
    }
    await client.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: to, UploadId, MultipartUpload: { Parts: parts } }));
  } catch (error) {
    await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: to, UploadId })).catch(() => undefined);
    throw error;
  }
}
