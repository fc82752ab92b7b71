// The safe listener: whatever the operator's onEvent does, verification never sees it.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runInNewContext } from 'node:vm';
import { safeListener, type RemoteKeyEvent } from '../src/remote/events.js';

const EVENT: RemoteKeyEvent = { type: 'kid_refetch_suppressed', kid: 'k', reason: 'cooldown', retryInMs: 5 };

test('safeListener passes the event on and swallows throws, rejections and rejecting thenables', async () => {
  const seen: RemoteKeyEvent[] = [];
  const leaked: unknown[] = [];
  const onLeak = (reason: unknown) => { leaked.push(reason); };
  process.on('unhandledRejection', onLeak);
  try {
    const listeners = [
      (event: RemoteKeyEvent) => { seen.push(event); throw new Error('logger down'); },
      async (event: RemoteKeyEvent) => { seen.push(event); throw new Error('async logger down'); },
      (event: RemoteKeyEvent) => { seen.push(event); return runInNewContext('Promise.reject(new Error("other realm"))') as unknown; },
      (event: RemoteKeyEvent) => { seen.push(event); return { then: (_: unknown, reject: (reason: unknown) => void) => reject(new Error('thenable')) }; },
    ];
    for (const listener of listeners) assert.equal(safeListener(listener as (event: RemoteKeyEvent) => void)(EVENT), undefined);
    safeListener(undefined)(EVENT);
    await new Promise((resolve) => setTimeout(resolve, 20)); // unhandledRejection fires after a turn
    assert.deepEqual(seen, [EVENT, EVENT, EVENT, EVENT]);
    assert.deepEqual(leaked, []);
  } finally {
    process.off('unhandledRejection', onLeak);
  }
});
