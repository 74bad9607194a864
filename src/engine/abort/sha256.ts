import { createHash, createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import type { Checksum, SourceData } from '@smithy/types';

/** Each binary key, made a KeyObject once: the signer signs every abort with the day's key. */
const keyObjects = new WeakMap<object, KeyObject>();

function hashOf(secret: SourceData | undefined) {
  if (secret === undefined) return createHash('sha256');
  if (typeof secret === 'string') return createHmac('sha256', secret);
  let key = keyObjects.get(secret);
  if (!key) {
    const bytes = ArrayBuffer.isView(secret)
      ? Buffer.from(secret.buffer, secret.byteOffset, secret.byteLength)
      : Buffer.from(secret);
    key = createSecretKey(bytes);
    keyObjects.set(secret, key);
  }
  return createHmac('sha256', key);
}

/**
 * SHA-256 and HMAC-SHA256 for the SigV4 signer, as the SDK's own, but for its keys: Node 24
 * prepares a Buffer key anew for every HMAC, six times the cost of the HMAC itself (12.6 µs
 * against 2.1 µs with a KeyObject, measured on Node 24.21), and the signer uses the same key
 * for every abort of a day.
 */
export class Sha256 implements Checksum {
  private hash;

  constructor(private readonly secret?: SourceData) {
    this.hash = hashOf(secret);
  }

  update(data: Uint8Array): void {
    this.hash.update(data);
  }

  async digest(): Promise<Uint8Array> {
    const digest = this.hash.digest();
    return new Uint8Array(digest.buffer, digest.byteOffset, digest.byteLength);
  }

  reset(): void {
    this.hash = hashOf(this.secret);
  }
}
