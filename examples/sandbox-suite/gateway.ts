import { inject } from 'vitest';
import type { SandboxOptions } from 'partner-center-gateway/testing';

/** Where the suite's sandboxes are made, as global-setup.ts provided it: the gateway and an administrator's token. */
export const gateway: Pick<SandboxOptions, 'url' | 'adminToken'> = { url: inject('gatewayUrl'), adminToken: inject('adminToken') };
