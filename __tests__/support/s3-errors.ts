import { S3ServiceException } from '@aws-sdk/client-s3';

/** An error shaped as the SDK raises it for an S3 error response. */
export function s3Error(code: string, status: number, message = ''): S3ServiceException {
  return new S3ServiceException({
    name: code,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
    message,
  });
}
