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
  [Input.Concurrency]: '16',
  [Input.FailOnError]: 'true',
  [Input.Timeout]: '10m',
};

/** Every output of action.yml, named once. */
export enum Output {
  AbortedCount = 'aborted-count',
  MatchedCount = 'matched-count',
  FoundCount = 'found-count',
  FailedCount = 'failed-count',
  GoneCount = 'gone-count',
}
