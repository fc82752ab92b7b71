// clearjwt/dpop: sender-constrained tokens (RFC 9449), a leaf of the core. Import it only
// if you use DPoP; nothing in the core imports it.

export { createDpopVerifier } from './verifier.js';
export type { DpopVerifier, TokenVerifier } from './verifier.js';
export type { DpopVerifierOptions } from './options.js';
export type { DpopRequest } from './request.js';
export { createMemoryReplayStore, DEFAULT_REPLAY_STORE_MAX } from './replay-store.js';
export type { MemoryReplayStoreOptions, ReplayStore } from './replay-store.js';
export type { NonceOptions } from './nonce.js';
export { MAX_PROOF_LENGTH } from './proof.js';
