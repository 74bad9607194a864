import {
  AbortMultipartUpload$,
  AbortMultipartUploadCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { getEndpointFromInstructions } from '@smithy/core/endpoints';
import { extendedEncodeURIComponent } from '@smithy/core/protocols';
import { HttpRequest } from '@smithy/core/transport';
import { SignatureV4 } from '@smithy/signature-v4';
import type { $ClientProtocol, $OperationSchema, HttpResponse } from '@smithy/types';
import { Sha256 } from './sha256.js';
import type { Upload } from '../types.js';

/**
 * Sends one abort of one upload, by its own key and upload id. Resolves when the store
 * accepted it; rejects with the error the SDK would have made of the store's answer.
 */
export interface AbortSender {
  (upload: Upload): Promise<void>;
  /** Whether it retries by itself (the SDK's command does; the lean path leaves it to us). */
  readonly retries: boolean;
}

/**
 * The way to abort a bucket's uploads: the lean path when the bucket's endpoint is signed
 * with plain SigV4, else the SDK's command (directory buckets need S3 Express sessions,
 * multi-region access points SigV4a, both of which the SDK does by itself).
 */
export async function abortSenderFor(client: S3Client, bucket: string): Promise<AbortSender> {
  try {
    return (await leanAbortSender(client, bucket)) ?? sdkAbortSender(client, bucket);
  } catch {
    // An endpoint the rules refuse: the SDK's command reports why, upload by upload.
    return sdkAbortSender(client, bucket);
  }
}

export function sdkAbortSender(client: S3Client, bucket: string): AbortSender {
  const send = async (upload: Upload) => {
    await client.send(
      new AbortMultipartUploadCommand({
        Bucket: bucket,
        Key: upload.key,
        UploadId: upload.uploadId,
      }),
    );
  };
  return Object.assign(send, { retries: true });
}

interface AuthScheme {
  name?: string;
  signingName?: string;
  signingRegion?: string;
}

/**
 * Aborts built from the SDK's own parts rather than its command pipeline, which for every
 * request resolves the endpoint twice, copies the resolved config several times, builds a
 * new signer and runs serde on an empty body: three quarters of an abort's CPU. Here the
 * endpoint and the signer are made once per bucket; each abort is a DELETE, signed by the
 * SDK's SigV4 signer with the client's own credential provider (refreshed as the SDK
 * refreshes it) and clock offset, and sent through the client's own request handler (its
 * sockets, proxy, time limit and the run's stop). An error answer is read by the SDK's own
 * deserializer, so it means what it means on the SDK's path.
 *
 * Undefined when the bucket's endpoint wants anything but plain SigV4.
 */
export async function leanAbortSender(
  client: S3Client,
  bucket: string,
): Promise<AbortSender | undefined> {
  const { config } = client;
  const endpoint = await getEndpointFromInstructions(
    { Bucket: bucket, Key: '' },
    AbortMultipartUploadCommand,
    config,
  );
  const schemes = (endpoint.properties?.authSchemes ?? []) as AuthScheme[];
  const scheme = schemes[0];
  if (scheme?.name !== 'sigv4' || Object.keys(endpoint.headers ?? {}).length > 0) return undefined;
  const { url } = endpoint;
  const signer = new SignatureV4({
    credentials: config.credentials,
    region: scheme.signingRegion ?? (await config.region()),
    service: scheme.signingName ?? 's3',
    sha256: Sha256,
    // S3 keys are encoded once, segment by segment, as below; not a second time to sign.
    uriEscapePath: false,
    // x-amz-content-sha256, which S3 requires: the hash of the empty body.
    applyChecksum: true,
  });
  // As the SDK joins an endpoint's path (path-style: `/bucket`) and the operation's `/{Key+}`.
  const basePath = url.pathname === '/' ? '' : url.pathname;
  const port = url.port ? Number(url.port) : undefined;
  const protocol = url.protocol;
  const hostname = url.hostname;
  const host = url.host;

  const send = async (upload: Upload) => {
    const request = new HttpRequest({
      method: 'DELETE',
      protocol,
      hostname,
      port,
      path: `${basePath}/${upload.key.split('/').map(extendedEncodeURIComponent).join('/')}`,
      query: { uploadId: upload.uploadId },
      headers: { host },
    });
    const signed = await signer.sign(request, {
      signingDate: new Date(Date.now() + config.systemClockOffset),
    });
    const { response } = await config.requestHandler.handle(signed as HttpRequest);
    if (response.statusCode < 300) {
      // Read to its end, so that the socket goes back to the pool for the next abort.
      (response.body as NodeJS.ReadableStream | undefined)?.resume();
      return;
    }
    throw await errorOf(client, response);
  };
  return Object.assign(send, { retries: false });
}

/** A skew smaller than this is not why a signature was refused (as the SDK's signer has it). */
const SKEW_WORTH_A_RETRY_MS = 240_000;

/**
 * The SDK's error for an abort's error answer, from the SDK's own deserializer. As the
 * SDK's signer does, the answer's Date header sets the client's clock offset, and an error
 * met with a large new offset says that it was corrected, which makes it worth retrying.
 * (A success is not sampled: every listing's answer sets the offset too.)
 */
async function errorOf(client: S3Client, response: HttpResponse): Promise<unknown> {
  const { config } = client;
  let error: unknown;
  // The resolved config holds the protocol's instance (its type also allows a class), which
  // reads the operation's static schema as the command would.
  const protocol = config.protocol as $ClientProtocol<unknown, HttpResponse>;
  const operation = AbortMultipartUpload$ as unknown as $OperationSchema;
  try {
    await protocol.deserializeResponse(operation, config, response);
    error = new Error(`HTTP ${response.statusCode}`);
  } catch (thrown) {
    error = thrown;
  }
  const storeTime = Date.parse(response.headers.date ?? '');
  if (!Number.isNaN(storeTime)) {
    const before = config.systemClockOffset;
    config.systemClockOffset = storeTime - Date.now();
    const metadata = (error as { $metadata?: { clockSkewCorrected?: boolean } }).$metadata;
    if (
      metadata &&
      Math.abs(config.systemClockOffset) >= SKEW_WORTH_A_RETRY_MS &&
      config.systemClockOffset !== before
    ) {
      metadata.clockSkewCorrected = true;
    }
  }
  return error;
}
