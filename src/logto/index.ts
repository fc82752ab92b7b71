// The Logto leaf's public surface: organizations over a core verifier.
export { createOrganizationVerifier, ORGANIZATION_URN_PREFIX } from './organizations.js';
export type { OrganizationAuth, OrganizationCallOptions, OrganizationVerifier, OrganizationVerifierOptions } from './organizations.js';
