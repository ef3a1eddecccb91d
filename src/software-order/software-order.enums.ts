import { registerEnumType } from 'type-graphql';
import type { SoftwareActivityDoc, SoftwareKey, SupportRequestDoc } from '../db/documents.js';
import { SOFTWARE_ORDER_ACTIONS, type SoftwareCancelState, type SoftwareOrderAction } from '../policy/software.js';

export enum SoftwareBitnessEnum {
  X64 = 'x64',
  X86 = 'x86',
}

/** SW-MAK: KMS is listed so a client can ask for it, and be refused. */
export enum SoftwareKeyTypeEnum {
  MAK = 'MAK',
  KMS = 'KMS',
}

export enum SoftwareActivityKindEnum {
  VIEW_KEY = 'view_key',
  DOWNLOAD = 'download',
}

export enum SoftwareCancelStateEnum {
  CANCELLABLE = 'cancellable',
  WINDOW_PASSED = 'window_passed',
  EXCLUDED = 'excluded',
  CANCELLED = 'cancelled',
}

export enum SupportRequestKindEnum {
  SOFTWARE_REFUND = 'software_refund',
  RESERVATION_REFUND = 'reservation_refund',
  RESERVATION_EXCHANGE = 'reservation_exchange',
}

export enum SupportRequestStatusEnum {
  OPEN = 'open',
  CLOSED = 'closed',
}

export const SoftwareOrderActionEnum = Object.fromEntries(SOFTWARE_ORDER_ACTIONS.map((a) => [a.toUpperCase(), a])) as {
  [K in SoftwareOrderAction as Uppercase<K>]: K;
};

/** `true` when two sets of string literals are equal (as src/shared/enums.ts). */
type Same<GraphQL extends string, Stored extends string> = [Exclude<GraphQL, Stored>, Exclude<Stored, GraphQL>] extends [never, never]
  ? true
  : { onlyInGraphQLEnum: Exclude<GraphQL, Stored>; onlyInDocuments: Exclude<Stored, GraphQL> };
type Assert<T extends true> = T;

/** Compile-time only: the GraphQL enums have exactly the values of the documents' and the policy's unions. */
export type SoftwareVocabularyInSync = [
  Assert<Same<`${SoftwareBitnessEnum}`, SoftwareKey['bitness']>>,
  Assert<Same<`${SoftwareActivityKindEnum}`, SoftwareActivityDoc['activity']>>,
  Assert<Same<`${SoftwareCancelStateEnum}`, SoftwareCancelState>>,
  Assert<Same<`${SupportRequestKindEnum}`, SupportRequestDoc['kind']>>,
  Assert<Same<`${SupportRequestStatusEnum}`, SupportRequestDoc['status']>>,
];

registerEnumType(SoftwareBitnessEnum, { name: 'SoftwareBitness', description: 'Bitness of a software download (SW-KEYS).' });
registerEnumType(SoftwareKeyTypeEnum, {
  name: 'SoftwareKeyType',
  description: 'Product key type. CSP software activates with a MAK; KMS keys are never issued, even on request (SW-MAK).',
});
registerEnumType(SoftwareActivityKindEnum, {
  name: 'SoftwareActivityKind',
  description: 'What was done with a product key: viewed (shown to copy) or downloaded (SW-ACTIVITY-LOG).',
});
registerEnumType(SoftwareCancelStateEnum, {
  name: 'SoftwareCancelState',
  description:
    'SW-CANCEL-INFO: whether a software order can be cancelled now, its window has passed (a support request is needed), it is excluded (SUSE, Red Hat), or it is cancelled.',
});
registerEnumType(SupportRequestKindEnum, {
  name: 'SupportRequestKind',
  description:
    'What a support request asks for: a software purchase refund (SW-SUPPORT-REQUEST), a reservation refund or exchange (RES-SUPPORT-REQUEST).',
});
registerEnumType(SupportRequestStatusEnum, { name: 'SupportRequestStatus', description: 'Whether a support request is open.' });
registerEnumType(SoftwareOrderActionEnum, {
  name: 'SoftwareOrderAction',
  description: 'Actions on a software order, as allowedActions lists them.',
});
