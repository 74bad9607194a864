import { jest } from '@jest/globals';
import type * as Core from '@actions/core';

/**
 * A typed stand-in for @actions/core, for `jest.unstable_mockModule`. Inputs are read from
 * whatever `useInputs` set last; everything the action writes is recorded until `reset`.
 */
export function fakeCore() {
  let inputs: Record<string, string> = {};
  let state: Record<string, string> = {};
  let summaryText: string[] = [];
  const summary = {
    addRaw: jest.fn((text: string) => {
      summaryText.push(text);
      return summary;
    }),
    write: jest.fn(async () => summary),
  };
  const core = {
    getInput: jest.fn<typeof Core.getInput>((name) => inputs[name] ?? ''),
    setOutput: jest.fn<typeof Core.setOutput>(),
    setFailed: jest.fn<typeof Core.setFailed>(),
    debug: jest.fn<typeof Core.debug>(),
    isDebug: jest.fn<typeof Core.isDebug>(() => process.env.RUNNER_DEBUG === '1'),
    info: jest.fn<typeof Core.info>(),
    notice: jest.fn<typeof Core.notice>(),
    warning: jest.fn<typeof Core.warning>(),
    error: jest.fn<typeof Core.error>(),
    group: jest.fn(async <T>(_name: string, fn: () => Promise<T>) => fn()),
    saveState: jest.fn<typeof Core.saveState>((name, value) => {
      state[name] = String(value);
    }),
    getState: jest.fn<typeof Core.getState>((name) => state[name] ?? ''),
    summary,
  };
  return {
    core,
    /** The state a post step sees: what the main step saved, unless given. */
    useInputs(values: Record<string, string>, savedState: Record<string, string> = state) {
      inputs = values;
      state = savedState;
      summaryText = [];
      jest.clearAllMocks();
    },
    outputs: () =>
      Object.fromEntries(core.setOutput.mock.calls.map(([name, value]) => [name, String(value)])),
    logged: () =>
      [core.debug, core.info, core.notice, core.warning, core.error, core.setFailed]
        .flatMap((fn) => fn.mock.calls.map((call) => String(call[0])))
        .join('\n'),
    summaryText: () => summaryText.join(''),
  };
}
