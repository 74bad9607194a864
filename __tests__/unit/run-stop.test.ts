import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { EventEmitter } from 'node:events';
import { CANCEL_GRACE_MS, runStop, type SignalTarget } from '../../src/runner/run-stop.js';

/** A stand-in for `process`: signals are emitted by the test, exits are recorded. */
function fakeProcess() {
  const events = new EventEmitter();
  const exits: number[] = [];
  const target: SignalTarget = {
    on: (event, listener) => events.on(event, listener),
    off: (event, listener) => events.off(event, listener),
    exit: (code) => void exits.push(code),
  };
  return { target, exits, send: (signal: string) => events.emit(signal), events };
}

afterEach(() => {
  jest.useRealTimers();
});

describe('runStop', () => {
  it('stops the run at its timeout, and says so', () => {
    jest.useFakeTimers();
    const { target } = fakeProcess();
    const stop = runStop(90_000, target);
    jest.advanceTimersByTime(89_999);
    expect(stop.signal.aborted).toBe(false);
    expect(stop.stoppedBecause()).toBeUndefined();
    jest.advanceTimersByTime(1);
    expect(stop.signal.aborted).toBe(true);
    expect(stop.stoppedBecause()).toBe('the run reached its timeout (timeout: 1m 30s)');
    expect(stop.cancelled()).toBe(false);
    stop.dispose();
  });

  // Node fires a timer of more than 2^31-1 ms (24.8 days) at once, and so do jest's fake
  // timers, which mimic it: a timeout of 30d must not stop the run before it starts.
  it('holds a timeout longer than a timer can, rather than stopping at once', () => {
    jest.useFakeTimers();
    const { target } = fakeProcess();
    const longestTimerMs = 2 ** 31 - 1;
    const stop = runStop(30 * 24 * 3600_000, target);
    jest.advanceTimersByTime(1000);
    expect(stop.signal.aborted).toBe(false);
    jest.advanceTimersByTime(longestTimerMs - 1001);
    expect(stop.signal.aborted).toBe(false);
    jest.advanceTimersByTime(1);
    expect(stop.stoppedBecause()).toBe('the run reached its timeout (timeout: 30d)');
    stop.dispose();
  });

  it.each(['SIGINT', 'SIGTERM'])('stops the run on %s, as the runner cancels a step', (signal) => {
    const { target, exits, send } = fakeProcess();
    const stop = runStop(60_000, target);
    send(signal);
    expect(stop.signal.aborted).toBe(true);
    expect(stop.cancelled()).toBe(true);
    expect(stop.stoppedBecause()).toBe(`the job was cancelled (the runner sent ${signal})`);
    expect(exits).toEqual([]);
    stop.dispose();
  });

  it('ends the process at once on a second signal', () => {
    const { target, exits, send } = fakeProcess();
    const stop = runStop(60_000, target);
    send('SIGINT');
    send('SIGTERM');
    expect(exits).toEqual([143]);
    stop.dispose();
  });

  it('ends the process after a grace period if the report after a cancel hangs', () => {
    jest.useFakeTimers();
    const { target, exits, send } = fakeProcess();
    const stop = runStop(60_000, target);
    send('SIGINT');
    jest.advanceTimersByTime(CANCEL_GRACE_MS - 1);
    expect(exits).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(exits).toEqual([130]);
    expect(CANCEL_GRACE_MS).toBeLessThan(7_500); // before the runner's SIGTERM
    stop.dispose();
  });

  it('does not end the process once the run has reported', () => {
    jest.useFakeTimers();
    const { target, exits, send } = fakeProcess();
    const stop = runStop(60_000, target);
    send('SIGINT');
    stop.dispose();
    jest.advanceTimersByTime(CANCEL_GRACE_MS);
    expect(exits).toEqual([]);
  });

  it('stops listening once disposed', () => {
    const { target, events } = fakeProcess();
    const stop = runStop(60_000, target);
    expect(events.listenerCount('SIGINT')).toBe(1);
    stop.dispose();
    expect(events.listenerCount('SIGINT') + events.listenerCount('SIGTERM')).toBe(0);
  });
});
