import type { Env } from '../../config/env.ts';
import { RailyardError } from '../../core/errors.ts';

/** The S3 settings of a stack that backs up to S3. */
export interface S3Settings {
  readonly bucket: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** `https://ams3.digitaloceanspaces.com`; undefined for AWS's default endpoint. */
  readonly endpoint: string | undefined;
  /** Path-style addressing (`host/bucket/key`): every host but AWS's own. */
  readonly pathStyle: boolean;
  /** @default 'us-east-1' */
  readonly region: string;
}

/**
 * S3 settings from AWS_*, or undefined when backups go to the local folder.
 * Half a configuration (a host without a bucket, a bucket without keys) is an
 * error rather than a silent fallback to the local folder.
 */
export function s3Settings(env: Env): S3Settings | undefined {
  const { bucket, host, accessKeyId, secretAccessKey, region } = env.s3;
  if (bucket === undefined && host === undefined) return undefined;
  const missing = [
    bucket === undefined && 'AWS_S3_BUCKET',
    accessKeyId === undefined && 'AWS_ACCESS_KEY_ID',
    secretAccessKey === undefined && 'AWS_SECRET_ACCESS_KEY',
  ].filter((name): name is string => name !== false);
  if (bucket === undefined || accessKeyId === undefined || secretAccessKey === undefined) {
    throw new RailyardError('ENV_INVALID', `S3 backups need ${missing.join(', ')} (or unset AWS_S3_HOST and AWS_S3_BUCKET for local backups)`);
  }
  const endpoint = endpointOf(host);
  const pathStyle = endpoint !== undefined && !/\.amazonaws\.com(:\d+)?$/i.test(endpoint);
  return { bucket, accessKeyId, secretAccessKey, endpoint, pathStyle, region: region ?? 'us-east-1' };
}

function endpointOf(host: string | undefined): string | undefined {
  if (host === undefined) return undefined;
  const url = /^https?:\/\//i.test(host) ? host : `https://${host}`;
  try {
    return new URL(url).origin;
  } catch (error) {
    throw new RailyardError('ENV_INVALID', `AWS_S3_HOST=${JSON.stringify(host)} is not a host name or URL`, { cause: error });
  }
}
