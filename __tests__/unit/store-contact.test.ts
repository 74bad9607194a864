import { describe, expect, it } from '@jest/globals';
import {
  FIRST_ANSWER_TIMEOUT_MS,
  SILENT_ATTEMPTS_BEFORE_GIVING_UP,
  StoreContacts,
  StoreNotAnsweringError,
} from '../../src/engine/store-contact.js';

type Event = 'answer' | 'silence';

/** Replays what attempts to one store met; the time the next attempt gets, and whether it is sent. */
function replay(events: Event[]): { timeoutMs: number; dead: boolean } {
  const contacts = new StoreContacts(30_000);
  for (const event of events) {
    if (event === 'answer') contacts.answered('s3:9000');
    else contacts.noAnswer('s3:9000');
  }
  return {
    timeoutMs: contacts.timeoutFor('s3:9000'),
    dead: contacts.deadReason('s3:9000') !== undefined,
  };
}

const silences = (count: number): Event[] => Array.from({ length: count }, () => 'silence');

describe('StoreContacts', () => {
  it.each<[string, Event[], { timeoutMs: number; dead: boolean }]>([
    ['not heard from yet', [], { timeoutMs: FIRST_ANSWER_TIMEOUT_MS, dead: false }],
    ['silent, fewer times than a request tries', silences(4), { timeoutMs: 8_000, dead: false }],
    ['silent as often as a request tries', silences(5), { timeoutMs: 8_000, dead: true }],
    ['answered once', ['answer'], { timeoutMs: 30_000, dead: false }],
    // A store known to be up that stops answering is slow, not dead: each request retries.
    ['answered, then silent', ['answer', ...silences(10)], { timeoutMs: 30_000, dead: false }],
    ['silent, then answered', [...silences(4), 'answer'], { timeoutMs: 30_000, dead: false }],
    // Given up is given up: no request is sent that could answer.
    ['given up, then answered late', [...silences(5), 'answer'], { timeoutMs: 30_000, dead: true }],
  ])('%s', (_, events, expected) => {
    expect(replay(events)).toEqual(expected);
  });

  it('counts the attempts of all the requests to a store together, and each store apart', () => {
    const contacts = new StoreContacts(30_000);
    for (let i = 0; i < SILENT_ATTEMPTS_BEFORE_GIVING_UP - 1; i++) contacts.noAnswer('a:1');
    contacts.noAnswer('b:1');
    const reason = contacts.noAnswer('a:1');
    expect(reason).toBeInstanceOf(StoreNotAnsweringError);
    expect(reason?.message).toBe(
      'the store at a:1 answered none of 5 attempts of 8 s each, so no more requests were sent to it (is the endpoint right, the store up, and no firewall dropping the packets?)',
    );
    expect(contacts.deadReason('b:1')).toBeUndefined();
  });

  it('never gives a first answer more time than a later one', () => {
    expect(new StoreContacts(2_000).timeoutFor('a')).toBe(2_000);
  });
});
