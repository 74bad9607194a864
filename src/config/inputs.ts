import { Input, INPUT_DEFAULTS } from './constants.js';
import { parseDuration } from './duration.js';
import { isBucketPattern } from '../engine/buckets.js';
import { isRegionName } from '../engine/regions.js';
import type { Target } from '../engine/types.js';
import { MAX_CONCURRENCY, type ConcurrencySetting } from '../engine/traffic/traffic.js';

/** What a GB-month of storage costs, for the summary's monthly cost of the leak. */
export interface StoragePrice {
  usdPerGbMonth: number;
  /** Given as storage-price; else the default of Amazon S3 (an empty endpoint). */
  given: boolean;
}

/** Amazon S3 Standard's list price in us-east-1 for the first 50 TB, in USD per GB-month. */
export const S3_STANDARD_USD_PER_GB_MONTH = 0.023;

/** Everything the action was asked to do, validated and typed. */
export interface Config {
  /** Bucket names and glob patterns of names (`ci-*`, see isBucketPattern), in the order given. */
  buckets: string[];
  /** Never empty; `''` means the whole bucket. No prefix in the list starts with another one. */
  prefixes: string[];
  maxAgeMs: number;
  dryRun: boolean;
  region: string;
  endpoint: string | undefined;
  forcePathStyle: boolean;
  /** `auto`: the run finds how many aborts in flight the store takes; a number: at most that. */
  concurrency: ConcurrencySetting;
  failOnError: boolean;
  /** The whole run's time limit: after it, nothing new is listed or aborted. */
  timeoutMs: number;
  /** `post`: the main step only validates; the job's post step cleans up. */
  when: 'now' | 'post';
  /** Glob patterns of keys never to abort. */
  exclude: string[];
  /**
   * Glob patterns of the initiators (Initiator.ID) whose stale uploads may be aborted; empty:
   * anyone's.
   */
  initiatedBy: string[];
  /** Count each selected upload's parts and bytes (ListParts) before aborting it. */
  reportBytes: boolean;
  /** The most uploads one run aborts; 0 means no limit. */
  limit: number;
  /** Read each bucket's lifecycle rules, to say whether it aborts stale uploads by itself. */
  checkLifecycle: boolean;
  /**
   * Days after which a bucket aborts an incomplete upload, by a lifecycle rule this run adds
   * where none covers a prefix; undefined adds none.
   */
  addAbortRule: number | undefined;
  /** What the leak's bytes cost a month is shown at this price; undefined: not shown. */
  storagePrice: StoragePrice | undefined;
}

/** Bad input: the message names every input that is wrong, with its value and a valid example. */
export class InputError extends Error {
  override name = 'InputError';
}

class Problem {
  constructor(readonly message: string) {}
}

type ReadInput = (name: Input) => string;
type Environment = Record<string, string | undefined>;

/**
 * Reads and validates every input. `read` returns the raw text of an input ('' when unset);
 * `env` supplies the region fallbacks. Throws one InputError that lists every problem.
 */
export function parseConfig(read: ReadInput, env: Environment): Config {
  const problems: string[] = [];
  const parse = <T>(name: Input, parser: (value: string, raw: string) => T | Problem): T => {
    const raw = read(name);
    const result = parser(raw.trim() || (INPUT_DEFAULTS[name] ?? ''), raw);
    if (result instanceof Problem) problems.push(`${name}: ${result.message}`);
    return result as T;
  };

  const config: Config = {
    buckets: parse(Input.Bucket, parseBuckets),
    prefixes: parse(Input.Prefix, parsePrefixes),
    maxAgeMs: parse(Input.MaxAge, parseMaxAge),
    dryRun: parse(Input.DryRun, parseBoolean),
    region: parse(Input.Region, (value, raw) =>
      parseRegion(value || env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1', raw),
    ),
    endpoint: parse(Input.Endpoint, parseEndpoint),
    forcePathStyle: parse(Input.ForcePathStyle, parseBoolean),
    concurrency: parse(Input.Concurrency, parseConcurrency),
    failOnError: parse(Input.FailOnError, parseBoolean),
    timeoutMs: parse(Input.Timeout, parseTimeout),
    when: parse(Input.When, parseWhen),
    exclude: parse(Input.Exclude, parseExclude),
    initiatedBy: parse(Input.InitiatedBy, parseInitiatedBy),
    reportBytes: parse(Input.ReportBytes, parseBoolean),
    limit: parse(Input.Limit, parseLimit),
    checkLifecycle: parse(Input.CheckLifecycle, parseBoolean),
    addAbortRule: parse(Input.AddAbortRule, parseAbortRuleDays),
    storagePrice: undefined,
  };
  // Its default depends on the store: Amazon S3's list price applies only there.
  config.storagePrice = storagePriceOf(
    parse(Input.StoragePrice, parseStoragePrice),
    config.endpoint,
  );
  if (config.addAbortRule !== undefined && config.checkLifecycle === false) {
    problems.push(
      `${Input.AddAbortRule}: needs ${Input.CheckLifecycle}: true, since a rule is added only where the bucket's lifecycle rules were read and none covers the run's prefixes; remove ${Input.CheckLifecycle}: false, or leave ${Input.AddAbortRule} empty`,
    );
  }
  if (problems.length > 0) throw new InputError(problems.join('\n'));
  return config;
}

/** Every bucket with every prefix: what the run cleans, in order. */
export function targetsOf(config: Pick<Config, 'buckets' | 'prefixes'>): Target[] {
  return config.buckets.flatMap((bucket) => config.prefixes.map((prefix) => ({ bucket, prefix })));
}

/** Non-empty, trimmed lines. */
function splitLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

function parseBuckets(value: string): string[] | Problem {
  const names = splitLines(value)
    .flatMap((line) => line.split(','))
    .map((name) => name.trim())
    .filter((name) => name !== '');
  if (names.length === 0) {
    return new Problem(
      'is required; give one or more bucket names, e.g. my-test-bucket or "bucket-a, bucket-b"',
    );
  }
  const bad = names.find((name) => /[\s/\\]/.test(name) || name.length > 255);
  if (bad !== undefined) {
    return new Problem(
      `"${bad}" is not a bucket name; give the bare name, e.g. my-test-bucket, and put key prefixes in "${Input.Prefix}"`,
    );
  }
  const badPattern = names.find((name) => isBucketPattern(name) && !BUCKET_PATTERN.test(name));
  if (badPattern !== undefined) {
    return new Problem(
      `"${badPattern}" is not a bucket pattern: it may hold the characters of bucket names and the wildcards *, ? and [...] only; use e.g. ci-* or it-*-fixtures`,
    );
  }
  return [...new Set(names)];
}

/** The characters of bucket names (legacy ones too), `*`, `?`, and classes such as `[0-9]`. */
const BUCKET_PATTERN = /^(?:[A-Za-z0-9._-]|\*|\?|\[\^?[A-Za-z0-9._-]+\])+$/;

/** The longest key S3 allows, in bytes of UTF-8: a longer prefix could match nothing. */
const MAX_KEY_BYTES = 1024;

function parsePrefixes(value: string): string[] | Problem {
  const prefixes = splitLines(value);
  const tooLong = prefixes.find((prefix) => Buffer.byteLength(prefix) > MAX_KEY_BYTES);
  if (tooLong !== undefined) {
    return new Problem(
      `"${tooLong.slice(0, 40)}…" is longer than ${MAX_KEY_BYTES} bytes, the longest key S3 allows, so it could match nothing; use a shorter one, e.g. ci/`,
    );
  }
  return collapsePrefixes(prefixes);
}

function parseRegion(value: string, raw: string): string | Problem {
  if (isRegionName(value)) return value;
  return new Problem(`"${raw || value}" is not a region name; use e.g. eu-west-1`);
}

/**
 * Drops prefixes covered by a shorter one (`ci/` covers `ci/run-1`), so that no upload is
 * listed, counted or aborted twice. No prefixes means the whole bucket.
 */
export function collapsePrefixes(prefixes: string[]): string[] {
  if (prefixes.length === 0) return [''];
  const sorted = [...new Set(prefixes)].sort();
  return sorted.filter(
    (prefix, i) => !sorted.slice(0, i).some((other) => prefix.startsWith(other)),
  );
}

function parseMaxAge(value: string, raw: string): number | Problem {
  return (
    parseDuration(value) ??
    new Problem(`"${raw}" is not a duration; use e.g. 7d, 36h, 90m, 1d12h or P7D (0 means any age)`)
  );
}

function parseTimeout(value: string, raw: string): number | Problem {
  const ms = parseDuration(value);
  if (ms !== undefined && ms >= 1000) return ms;
  return new Problem(`"${raw}" is not a duration of at least 1s; use e.g. 10m, 30m or 1h`);
}

function parseWhen(value: string, raw: string): 'now' | 'post' | Problem {
  if (value === 'now' || value === 'post') return value;
  return new Problem(
    `"${raw}" is neither now nor post; use e.g. post to clean up when the job ends`,
  );
}

function parseExclude(value: string): string[] | Problem {
  const patterns = splitLines(value);
  // A pattern meant for the whole key but written with a leading slash would never match.
  const rooted = patterns.find((pattern) => pattern.startsWith('/'));
  if (rooted !== undefined) {
    return new Problem(
      `"${rooted}" starts with /, which no key does; use e.g. ci/pinned/** or **/keep-*`,
    );
  }
  return patterns;
}

/** What to write for "this role, any session" on Amazon S3; the example of every refusal. */
const INITIATOR_EXAMPLE = 'arn:aws:sts::123456789012:assumed-role/ci-integration-tests/*';

function parseInitiatedBy(value: string): string[] | Problem {
  const patterns = splitLines(value);
  // No ARN, canonical ID or store user name holds white space: such a pattern protects
  // nothing it seems to name, and aborts nothing either, so it is surely a mistake.
  const spaced = patterns.find((pattern) => /\s/.test(pattern));
  if (spaced !== undefined) {
    return new Problem(
      `"${spaced}" holds a space, which no initiator ID does, so it can never match; give one pattern a line, e.g. ${INITIATOR_EXAMPLE}`,
    );
  }
  return patterns;
}

/** Digits only: no sign, no fraction, no exponent; NaN otherwise. */
function wholeNumber(value: string): number {
  const number = /^\d+$/.test(value) ? Number(value) : NaN;
  return Number.isSafeInteger(number) ? number : NaN;
}

/** S3 reads DaysAfterInitiation as a 32-bit integer. */
const MAX_RULE_DAYS = 2 ** 31 - 1;

function parseAbortRuleDays(value: string, raw: string): number | undefined | Problem {
  if (value === '') return undefined;
  const days = wholeNumber(/^(\d+)d?$/.exec(value)?.[1] ?? '');
  if (days >= 1 && days <= MAX_RULE_DAYS) return days;
  return new Problem(
    `"${raw}" is not a whole number of days of at least 1; use e.g. 7 or 7d (empty adds no rule)`,
  );
}

function parseLimit(value: string, raw: string): number | Problem {
  const number = wholeNumber(value);
  if (!Number.isNaN(number)) return number;
  return new Problem(`"${raw}" is not a whole number; use e.g. 5000, or 0 for no limit`);
}

// The YAML 1.2 core schema booleans, as @actions/core's getBooleanInput accepts them.
const TRUE = ['true', 'True', 'TRUE'];
const FALSE = ['false', 'False', 'FALSE'];

function parseBoolean(value: string, raw: string): boolean | Problem {
  if (TRUE.includes(value)) return true;
  if (FALSE.includes(value)) return false;
  return new Problem(`"${raw}" is not a boolean; use true or false`);
}

function parseEndpoint(value: string, raw: string): string | undefined | Problem {
  if (value === '') return undefined;
  const notUrl = new Problem(
    `"${raw}" is not an http(s) URL; use e.g. https://s3.example.com or http://127.0.0.1:9000`,
  );
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return notUrl;
  }
  if (url.username || url.password) {
    // Quoting the value would put the embedded secret in the log.
    return new Problem(
      'must not contain credentials (user:password@); give them as AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, and the endpoint as e.g. https://s3.example.com',
    );
  }
  return url.protocol === 'http:' || url.protocol === 'https:' ? value : notUrl;
}

/** A price as given, or undefined when not given; `0` is a price too (it hides the cost). */
function parseStoragePrice(value: string, raw: string): number | undefined | Problem {
  if (value === '') return undefined;
  if (/^(\d+(\.\d*)?|\.\d+)$/.test(value)) return Number(value);
  return new Problem(
    `"${raw}" is not a non-negative number of US dollars per GB-month; use e.g. 0.023, or 0 to show no cost`,
  );
}

/**
 * The price the cost is shown at: the one given, else on Amazon S3 (no endpoint) the list
 * price of S3 Standard; none for another store unless given, nor for a price of 0.
 */
function storagePriceOf(
  given: number | undefined,
  endpoint: string | undefined,
): StoragePrice | undefined {
  if (typeof given === 'number')
    return given > 0 ? { usdPerGbMonth: given, given: true } : undefined;
  return endpoint === undefined
    ? { usdPerGbMonth: S3_STANDARD_USD_PER_GB_MONTH, given: false }
    : undefined;
}

function parseConcurrency(value: string, raw: string): ConcurrencySetting | Problem {
  if (value === 'auto') return value;
  const number = wholeNumber(value);
  if (number >= 1 && number <= MAX_CONCURRENCY) return number;
  return new Problem(
    `"${raw}" is neither auto nor a whole number from 1 to ${MAX_CONCURRENCY}; use e.g. auto, or 32`,
  );
}
