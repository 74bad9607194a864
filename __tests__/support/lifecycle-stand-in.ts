import { randomBytes } from 'node:crypto';
import { load, type Cheerio } from 'cheerio';
import type { AnyNode } from 'domhandler';

/** An S3 error answer; a stand-in's handler throws it. */
export class S3Fault {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly message: string,
  ) {}
}

/** A 2xx answer: a status, an XML document or none (204), and headers. */
export interface Answer {
  status: number;
  xml?: string;
  headers?: Record<string, string>;
}

interface Configuration {
  /** Each rule's XML, as it was put. */
  rules: string[];
  /** TransitionDefaultMinimumObjectSize (general purpose buckets only). */
  minimumSize?: string;
}

const namespace = 'http://s3.amazonaws.com/doc/2006-03-01/';
const MINIMUM_SIZE_HEADER = 'x-amz-transition-default-minimum-object-size';

const malformed = (why: string) =>
  new S3Fault(
    400,
    'MalformedXML',
    `The XML you provided was not well-formed or did not validate against our published schema (${why})`,
  );

/**
 * Bucket lifecycle configurations as Amazon S3 keeps them, for the stand-ins: what
 * PutBucketLifecycleConfiguration refuses, what a PUT without TransitionDefaultMinimumObjectSize
 * does to it, and a new configuration that shows late. From the API reference and S3-NOTES:
 * - a configuration mixing rules with a `Filter` and rules with the legacy `Prefix` is refused
 *   with MalformedXML (cloud-custodian#5876; aws/aws-sdk-ruby#1653), as is a rule with both or
 *   neither, and a Filter with more than one of Prefix, Tag, a size bound or And;
 * - at most 1,000 rules (S3's code for more is not documented; this answers MalformedXML, as
 *   Ceph RGW does); IDs unique and at most 255 characters (InvalidArgument);
 * - AbortIncompleteMultipartUpload with a tag filter is refused (InvalidRequest);
 * - a PUT without the header `x-amz-transition-default-minimum-object-size` sets it to
 *   `all_storage_classes_128K`, and a GET answers it in that header;
 * - directory buckets take only Filter-form rules, with no tags, transitions or noncurrent
 *   versions, and no TransitionDefaultMinimumObjectSize ("Lifecycle configurations for
 *   directory buckets only support expiring objects and cancelling multipart uploads").
 */
export class StandInLifecycles {
  private readonly configurations = new Map<string, Configuration>();
  /** What a GET answers until `shownAt` (ms since the epoch): S3 applies a PUT late. */
  private readonly previous = new Map<string, { configuration?: Configuration; shownAt: number }>();
  /** Buckets whose lifecycle configuration the credentials may not read, or not write. */
  readonly deniedReads = new Set<string>();
  readonly deniedWrites = new Set<string>();
  /** How long after a PUT a GET still answers the configuration from before it. */
  showAfterMs = 0;

  constructor(readonly kind: 'general-purpose' | 'directory' = 'general-purpose') {}

  /** The bucket's TransitionDefaultMinimumObjectSize, as S3 keeps it. */
  minimumSizeOf(bucket: string): string | undefined {
    return this.configurations.get(bucket)?.minimumSize;
  }

  get(bucket: string): Answer {
    if (this.deniedReads.has(bucket)) throw accessDenied();
    const late = this.previous.get(bucket);
    const configuration =
      late && Date.now() < late.shownAt ? late.configuration : this.configurations.get(bucket);
    if (configuration === undefined) {
      throw new S3Fault(
        404,
        'NoSuchLifecycleConfiguration',
        'The lifecycle configuration does not exist',
      );
    }
    return {
      status: 200,
      headers: configuration.minimumSize
        ? { [MINIMUM_SIZE_HEADER]: configuration.minimumSize }
        : {},
      xml: `<LifecycleConfiguration xmlns="${namespace}">${configuration.rules.join('')}</LifecycleConfiguration>`,
    };
  }

  put(bucket: string, body: string, headers: Record<string, string | string[] | undefined>) {
    if (this.deniedWrites.has(bucket)) throw accessDenied();
    const minimumSize = headers[MINIMUM_SIZE_HEADER];
    if (this.kind === 'directory' && minimumSize !== undefined) {
      throw new S3Fault(
        400,
        'InvalidRequest',
        'TransitionDefaultMinimumObjectSize is not supported for directory buckets',
      );
    }
    const $ = load(body, { xml: true });
    const rules = $('LifecycleConfiguration > Rule')
      .toArray()
      .map((rule) => $(rule));
    this.validate(rules);
    // A rule given without an ID gets one of the store's own, as Amazon S3 and Ceph RGW
    // (a random 48 characters, measured on 16.2) give it.
    for (const rule of rules.filter((r) => r.children('ID').text() === '')) {
      rule.children('ID').remove();
      rule.prepend(`<ID>${randomBytes(24).toString('hex')}</ID>`);
    }
    this.replace(bucket, {
      rules: rules.map((rule) => $.xml(rule)),
      ...(this.kind === 'general-purpose'
        ? { minimumSize: String(minimumSize ?? 'all_storage_classes_128K') }
        : {}),
    });
    return { status: 200 };
  }

  delete(bucket: string): Answer {
    if (this.deniedWrites.has(bucket)) throw accessDenied();
    this.replace(bucket, undefined);
    return { status: 204 };
  }

  private replace(bucket: string, configuration: Configuration | undefined): void {
    const shownAt = Date.now() + this.showAfterMs;
    this.previous.set(bucket, { configuration: this.configurations.get(bucket), shownAt });
    if (configuration) this.configurations.set(bucket, configuration);
    else this.configurations.delete(bucket);
  }

  private validate(rules: Cheerio<AnyNode>[]): void {
    if (rules.length === 0) throw malformed('no Rule');
    if (rules.length > 1000) throw malformed('more than 1,000 rules');
    const forms = new Set<string>();
    const ids = new Set<string>();
    for (const rule of rules) {
      const filter = rule.children('Filter');
      const legacy = rule.children('Prefix');
      if (filter.length + legacy.length !== 1) throw malformed('a Rule needs a Filter or a Prefix');
      forms.add(filter.length ? 'filter' : 'legacy');
      if (filter.length && filter.children().length > 1)
        throw malformed('a Filter with two conditions');
      if (!['Enabled', 'Disabled'].includes(rule.children('Status').text())) {
        throw malformed('Status');
      }
      const id = rule.children('ID').text();
      if (id.length > 255)
        throw invalidArgument('ID length should not exceed allowed limit of 255');
      if (id !== '' && ids.has(id)) throw invalidArgument('Rule ID must be unique');
      ids.add(id);
      const tagged = filter.find('Tag').length > 0;
      if (tagged && rule.children('AbortIncompleteMultipartUpload').length > 0) {
        throw new S3Fault(
          400,
          'InvalidRequest',
          'AbortIncompleteMultipartUpload cannot be specified with Tags.',
        );
      }
      if (this.kind === 'directory') validateForDirectory(rule, legacy.length > 0, tagged);
    }
    if (forms.size > 1) throw malformed('Filter and the legacy Prefix mixed');
  }
}

function validateForDirectory(rule: Cheerio<AnyNode>, legacy: boolean, tagged: boolean): void {
  const unsupported = ['Transition', 'NoncurrentVersionTransition', 'NoncurrentVersionExpiration'];
  if (legacy || tagged || unsupported.some((name) => rule.children(name).length > 0)) {
    throw new S3Fault(
      400,
      'InvalidRequest',
      'Directory buckets support only expiration and AbortIncompleteMultipartUpload rules, filtered by prefix or size.',
    );
  }
}

function accessDenied(): S3Fault {
  return new S3Fault(403, 'AccessDenied', 'Access Denied');
}

function invalidArgument(message: string): S3Fault {
  return new S3Fault(400, 'InvalidArgument', message);
}
