import { S3ServiceException } from '@aws-sdk/client-s3';

/**
 * An error shaped as the SDK raises it for an S3 error response: the body's other elements
 * as fields, and the answer's headers under `$response` as the SDK keeps them.
 */
export function s3Error(
  code: string,
  status: number,
  message = '',
  {
    fields = {},
    headers,
  }: { fields?: Record<string, string>; headers?: Record<string, string> } = {},
): S3ServiceException {
  const error = new S3ServiceException({
    name: code,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
    message,
  });
  Object.assign(error, fields);
  if (headers) error.$response = { statusCode: status, headers, body: undefined };
  return error;
}
