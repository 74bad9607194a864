import type { DeserializeMiddleware, HttpResponse, MiddlewareStack } from '@smithy/types';

/**
 * Every element of a lifecycle configuration that the SDK models (LifecycleRule and its
 * parts). A rule read through the SDK keeps only these: an element beyond them, from a newer
 * S3 feature or a store's own extension, would be dropped by writing the rule back.
 */
const KNOWN_ELEMENTS = new Set([
  'LifecycleConfiguration',
  'Rule',
  'ID',
  'Status',
  'Prefix',
  'Filter',
  'Tag',
  'Key',
  'Value',
  'And',
  'ObjectSizeGreaterThan',
  'ObjectSizeLessThan',
  'Expiration',
  'Date',
  'Days',
  'ExpiredObjectDeleteMarker',
  'Transition',
  'StorageClass',
  'NoncurrentVersionTransition',
  'NoncurrentVersionExpiration',
  'NoncurrentDays',
  'NewerNoncurrentVersions',
  'AbortIncompleteMultipartUpload',
  'DaysAfterInitiation',
]);

/** The names of the elements of `xml` that are not part of a lifecycle configuration. */
export function unknownElementsOf(xml: string): string[] {
  const names = [...xml.matchAll(/<([A-Za-z_][\w.:-]*)/g)].map((match) => match[1]);
  return [...new Set(names.filter((name) => !KNOWN_ELEMENTS.has(name)))].sort();
}

/**
 * Keeps the raw body of the command's answer, which the SDK's deserializer would otherwise
 * consume: returns a function that gives it once the command is done.
 */
export function keepBody<Input extends object, Output extends object>(command: {
  middlewareStack: MiddlewareStack<Input, Output>;
}): () => string {
  let body = '';
  const keep: DeserializeMiddleware<Input, Output> = (next) => async (args) => {
    const result = await next(args);
    const response = result.response as HttpResponse;
    if (response.body !== undefined) {
      const bytes = await bytesOf(response.body);
      body = bytes.toString('utf8');
      // The deserializer reads a Uint8Array as it is.
      response.body = bytes;
    }
    return result;
  };
  // Low priority: inside the deserializer, so that it sees the answer before it is read.
  command.middlewareStack.add(keep, { step: 'deserialize', priority: 'low', name: 'keepBody' });
  return () => body;
}

async function bytesOf(body: unknown): Promise<Buffer> {
  if (body instanceof Uint8Array) return Buffer.from(body);
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Uint8Array | string>) {
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}
