import { registerEnumType } from 'type-graphql';
import type {
  BillingCycle,
  BillingType,
  CommerceType,
  CustomerDoc,
  CustomerSegment,
  OfferCategory,
  OfferDoc,
  OrderLineItem,
  OrderStatus,
  PartnerRole,
  PartnerType,
  Publisher,
  ReservationDoc,
  ReservationScopeType,
  SoftwareOrderDoc,
  SubscriptionDoc,
  SubscriptionStatus,
  SuspensionReason,
  TermDuration,
} from '../db/documents.js';

/*
 * GraphQL enums. Names are GraphQL style (SCREAMING_SNAKE); values are the Partner Center wire
 * values stored in MongoDB (`active`, `new_commerce`, `P1M` ...), so documents need no mapping.
 */

export enum PartnerTypeEnum {
  DIRECT_BILL = 'direct_bill',
  INDIRECT_PROVIDER = 'indirect_provider',
  INDIRECT_RESELLER = 'indirect_reseller',
}

export enum PartnerRoleEnum {
  ADMIN_AGENT = 'admin_agent',
  BILLING_ADMIN = 'billing_admin',
  GLOBAL_ADMIN = 'global_admin',
  HELPDESK_AGENT = 'helpdesk_agent',
  SALES_AGENT = 'sales_agent',
  ACCOUNT_ADMIN = 'account_admin',
  REFERRAL_ADMIN = 'referral_admin',
  MARKETING_CONTENT_ADMIN = 'marketing_content_admin',
  USER_MANAGEMENT_ADMIN = 'user_management_admin',
}

export enum CustomerSegmentEnum {
  COMMERCIAL = 'commercial',
  EDUCATION = 'education',
  GOVERNMENT = 'government',
  NONPROFIT = 'nonprofit',
}

export enum RelationshipToPartnerEnum {
  RESELLER = 'reseller',
  ADVISOR = 'advisor',
  NONE = 'none',
}

export enum PublisherEnum {
  MICROSOFT = 'microsoft',
  ISV = 'isv',
}

export enum CommerceTypeEnum {
  LEGACY = 'legacy',
  NEW_COMMERCE = 'new_commerce',
  MARKETPLACE_SAAS = 'marketplace_saas',
  SOFTWARE = 'software',
  RESERVATION = 'reservation',
}

export enum BillingTypeEnum {
  LICENSE = 'license',
  USAGE = 'usage',
}

export enum BillingCycleEnum {
  MONTHLY = 'monthly',
  ANNUAL = 'annual',
  TRIENNIAL = 'triennial',
  ONE_TIME = 'one_time',
  NONE = 'none',
}

export enum TermDurationEnum {
  P1M = 'P1M',
  P1Y = 'P1Y',
  P3Y = 'P3Y',
}

export enum OfferCategoryEnum {
  ENTERPRISE = 'enterprise',
  SMALL_BUSINESS = 'small_business',
  TRIAL = 'trial',
}

export enum SubscriptionStatusEnum {
  ACTIVE = 'active',
  SUSPENDED = 'suspended',
  DELETED = 'deleted',
  EXPIRED = 'expired',
  DISABLED = 'disabled',
  PENDING = 'pending',
}

export enum SuspensionReasonEnum {
  CUSTOMER_REQUEST = 'customer_request',
  NON_PAYMENT = 'non_payment',
  FRAUD = 'fraud',
}

export enum SuspendedByEnum {
  PARTNER = 'partner',
  PAUSE = 'pause',
  CASCADE = 'cascade',
}

export enum DeletedReasonEnum {
  CANCELLED = 'cancelled',
  TERM_ENDED = 'term_ended',
  UPGRADED = 'upgraded',
  DATA_DELETED = 'data_deleted',
}

export enum FulfilmentStatusEnum {
  ACTION_NEEDED = 'action_needed',
  FULFILLED = 'fulfilled',
}

export enum OrderStatusEnum {
  COMPLETED = 'completed',
  PENDING = 'pending',
  CANCELLED = 'cancelled',
}

export enum TransactionTypeEnum {
  NEW = 'new',
  ADD_QUANTITY = 'addQuantity',
  RENEW = 'renew',
  CONVERT = 'convert',
}

export enum SoftwareKindEnum {
  PERPETUAL = 'perpetual',
  SUBSCRIPTION = 'subscription',
}

export enum SoftwareOrderStatusEnum {
  ACTIVE = 'active',
  CANCELLED = 'cancelled',
}

export enum ReservationTypeEnum {
  VIRTUAL_MACHINES = 'virtual_machines',
  SQL_DATABASE = 'sql_database',
  COSMOS_DB = 'cosmos_db',
}

export enum ReservationScopeTypeEnum {
  SINGLE = 'single',
  SHARED = 'shared',
  RESOURCE_GROUP = 'resource_group',
  MANAGEMENT_GROUP = 'management_group',
}

export enum ReservationStatusEnum {
  ACTIVE = 'active',
  CANCELLED = 'cancelled',
  EXCHANGED = 'exchanged',
  EXPIRED = 'expired',
}

/*
 * One vocabulary: every GraphQL enum above has exactly the values of its document union in
 * src/db/documents.ts, checked by the compiler. A value added to one side only fails `tsc` here,
 * naming the enum and the values missing on the other side.
 */

/** `true` when two sets of string literals are equal, else what each side has that the other lacks. */
type Same<GraphQL extends string, Stored extends string> = [Exclude<GraphQL, Stored>, Exclude<Stored, GraphQL>] extends [never, never]
  ? true
  : { onlyInGraphQLEnum: Exclude<GraphQL, Stored>; onlyInDocuments: Exclude<Stored, GraphQL> };
/** `true` when every stored value (a narrower field reusing an enum) is a value of the enum. */
type Within<Stored extends string, GraphQL extends string> = [Exclude<Stored, GraphQL>] extends [never]
  ? true
  : { onlyInDocuments: Exclude<Stored, GraphQL> };
type Assert<T extends true> = T;

/** Compile-time only (a type: nothing runs); exported so that `noUnusedLocals` keeps it. */
export type VocabularyInSync = [
  Assert<Same<`${PartnerTypeEnum}`, PartnerType>>,
  Assert<Same<`${PartnerRoleEnum}`, PartnerRole>>,
  Assert<Same<`${CustomerSegmentEnum}`, CustomerSegment>>,
  Assert<Same<`${RelationshipToPartnerEnum}`, CustomerDoc['relationshipToPartner']>>,
  Assert<Same<`${PublisherEnum}`, Publisher>>,
  Assert<Same<`${CommerceTypeEnum}`, CommerceType>>,
  Assert<Same<`${BillingTypeEnum}`, BillingType>>,
  Assert<Same<`${BillingCycleEnum}`, BillingCycle>>,
  Assert<Same<`${TermDurationEnum}`, TermDuration>>,
  Assert<Within<ReservationDoc['termDuration'], `${TermDurationEnum}`>>,
  Assert<Same<`${OfferCategoryEnum}`, OfferCategory>>,
  Assert<Same<`${SubscriptionStatusEnum}`, SubscriptionStatus>>,
  Assert<Same<`${SuspensionReasonEnum}`, SuspensionReason>>,
  Assert<Same<`${SuspendedByEnum}`, NonNullable<SubscriptionDoc['suspendedBy']>>>,
  Assert<Same<`${DeletedReasonEnum}`, NonNullable<SubscriptionDoc['deletedReason']>>>,
  Assert<Same<`${FulfilmentStatusEnum}`, NonNullable<SubscriptionDoc['fulfilment']>['status']>>,
  Assert<Same<`${OrderStatusEnum}`, OrderStatus>>,
  Assert<Same<`${TransactionTypeEnum}`, OrderLineItem['transactionType']>>,
  Assert<Same<`${SoftwareKindEnum}`, SoftwareOrderDoc['softwareKind']>>,
  Assert<Same<`${SoftwareKindEnum}`, NonNullable<OfferDoc['softwareKind']>>>,
  Assert<Same<`${SoftwareOrderStatusEnum}`, SoftwareOrderDoc['status']>>,
  Assert<Same<`${ReservationTypeEnum}`, ReservationDoc['reservationType']>>,
  Assert<Same<`${ReservationTypeEnum}`, NonNullable<OfferDoc['reservationType']>>>,
  Assert<Same<`${ReservationScopeTypeEnum}`, ReservationScopeType>>,
  Assert<Same<`${ReservationStatusEnum}`, ReservationDoc['status']>>,
];

const enums: [object, string, string][] = [
  [PartnerTypeEnum, 'PartnerType', 'How a CSP partner transacts: direct-bill, indirect provider or indirect reseller.'],
  [PartnerRoleEnum, 'PartnerRole', 'Partner Center user roles; each operation names the roles allowed (rules ROLE-*).'],
  [CustomerSegmentEnum, 'CustomerSegment', 'Market segment; the catalog shows only offers for the customer segment (CAT-FILTER).'],
  [RelationshipToPartnerEnum, 'RelationshipToPartner', "The customer's relationship to the partner."],
  [PublisherEnum, 'Publisher', 'Microsoft, or an independent software vendor (ISV) on the marketplace.'],
  [CommerceTypeEnum, 'CommerceType', 'Commerce model, which decides the rules that apply (cancellation windows, suspension, ...).'],
  [BillingTypeEnum, 'BillingType', 'Billed per licence or by usage.'],
  [BillingCycleEnum, 'BillingCycle', 'Billing frequency.'],
  [TermDurationEnum, 'TermDuration', 'Commitment term, ISO-8601 duration.'],
  [OfferCategoryEnum, 'OfferCategory', 'Catalog category (CAT-FILTER).'],
  [SubscriptionStatusEnum, 'SubscriptionStatus', 'Partner Center subscription status.'],
  [SuspensionReasonEnum, 'SuspensionReason', 'Why a subscription was suspended (GEN-REASON).'],
  [SuspendedByEnum, 'SuspendedBy', 'What suspended it: the partner, a pause, or its base subscription (ADDON-CASCADE).'],
  [DeletedReasonEnum, 'DeletedReason', 'Why a subscription was deleted.'],
  [FulfilmentStatusEnum, 'FulfilmentStatus', 'Marketplace SaaS fulfilment by the publisher (CAT-ISV-FULFILMENT).'],
  [OrderStatusEnum, 'OrderStatus', 'Partner Center order status.'],
  [TransactionTypeEnum, 'TransactionType', 'What an order line did.'],
  [SoftwareKindEnum, 'SoftwareKind', 'Perpetual software or a software subscription.'],
  [SoftwareOrderStatusEnum, 'SoftwareOrderStatus', 'Whether a software purchase stands or was cancelled.'],
  [ReservationTypeEnum, 'ReservationType', 'Azure reservation type; exchanges stay within a type (RES-EXCHANGE).'],
  [ReservationScopeTypeEnum, 'ReservationScopeType', 'Where an Azure reservation applies.'],
  [ReservationStatusEnum, 'ReservationStatus', 'Azure reservation status.'],
];
for (const [enumObj, name, description] of enums) registerEnumType(enumObj, { name, description });
