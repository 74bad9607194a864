/** Every input of action.yml, named once. action.yml and README.md must agree (a test checks). */
export enum Input {
  Bucket = 'bucket',
  Prefix = 'prefix',
  MaxAge = 'max-age',
  DryRun = 'dry-run',
  Region = 'region',
  Endpoint = 'endpoint',
  ForcePathStyle = 'force-path-style',
  Concurrency = 'concurrency',
  FailOnError = 'fail-on-error',
  Timeout = 'timeout',
  When = 'when',
  Exclude = 'exclude',
  InitiatedBy = 'initiated-by',
  ReportBytes = 'report-bytes',
  Limit = 'limit',
  CheckLifecycle = 'check-lifecycle',
  AddAbortRule = 'add-abort-rule',
  StoragePrice = 'storage-price',
}

/** The defaults action.yml declares, also applied when an input arrives empty. */
export const INPUT_DEFAULTS: Record<Input, string | undefined> = {
  [Input.Bucket]: undefined,
  [Input.Prefix]: '',
  [Input.MaxAge]: '24h',
  [Input.DryRun]: 'false',
  [Input.Region]: '',
  [Input.Endpoint]: '',
  [Input.ForcePathStyle]: 'false',
  [Input.Concurrency]: 'auto',
  [Input.FailOnError]: 'true',
  [Input.Timeout]: '10m',
  [Input.When]: 'now',
  [Input.Exclude]: '',
  [Input.InitiatedBy]: '',
  [Input.ReportBytes]: 'false',
  [Input.Limit]: '0',
  [Input.CheckLifecycle]: 'true',
  [Input.AddAbortRule]: '',
  // Empty, so that a price given can be told from none: the default depends on the store.
  [Input.StoragePrice]: '',
};

/** Every output of action.yml, named once. */
export enum Output {
  AbortedCount = 'aborted-count',
  MatchedCount = 'matched-count',
  FoundCount = 'found-count',
  FailedCount = 'failed-count',
  GoneCount = 'gone-count',
  ExcludedCount = 'excluded-count',
  ForeignCount = 'foreign-count',
  LeftCount = 'left-count',
  BytesFreed = 'bytes-freed',
  PartsFreed = 'parts-freed',
  ReportPath = 'report-path',
  BucketsWithoutAbortRule = 'buckets-without-abort-rule',
  AbortRuleAdded = 'abort-rule-added',
}

/** What the main step hands to the post step (GITHUB_STATE). */
export enum State {
  /**
   * Set by every main step: main and post run the same bundle, and a step that finds it
   * is the post step (as in actions/checkout).
   */
  IsPost = 'is-post',
  /** Set by the main step when the cleanup is to run in the post step. */
  CleanupInPost = 'cleanup-in-post',
}
