// A clearjwt DPoP replay store in Redis: one atomic command per proof, so every process of
// an API that shares this Redis refuses a proof any of them has already accepted.
//
//   SET <prefix><key> 1 NX PX <ttlMs>   → "OK" when the key was new, null when it existed
//
// Errors (Redis down, timeouts) reject, and clearjwt answers 503 auth.dpop_replay_store_unavailable:
// it fails closed rather than accept a proof it cannot check.

/** @param {import('redis').RedisClientType} client  @returns {import('clearjwt/dpop').ReplayStore} */
export function createRedisReplayStore(client, { prefix = 'clearjwt:dpop:' } = {}) {
  return {
    async rememberIfNew(key, ttlMs) {
      const reply = await client.sendCommand(['SET', `${prefix}${key}`, '1', 'NX', 'PX', String(ttlMs)]);
      return reply === 'OK';
    },
  };
}
