/** The sandbox mutation fields (docs/sandboxes.md), one resolver class per field. */
import { CreateSandboxResolver } from './create-sandbox.js';
import { DeleteSandboxResolver } from './delete-sandbox.js';
import { MintSandboxTokenResolver } from './mint-sandbox-token.js';
import { ResetSandboxResolver } from './reset-sandbox.js';
import { RestoreSandboxResolver } from './restore-sandbox.js';
import { SnapshotSandboxResolver } from './snapshot-sandbox.js';

export const sandboxMutations = [
  CreateSandboxResolver,
  DeleteSandboxResolver,
  SnapshotSandboxResolver,
  RestoreSandboxResolver,
  ResetSandboxResolver,
  MintSandboxTokenResolver,
] as const;
