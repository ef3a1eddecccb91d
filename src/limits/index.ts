import type { ApolloServerOptions, ApolloServerPlugin } from '@apollo/server';
import type { Collection } from 'mongodb';
import type { DocumentNode, GraphQLSchema, OperationDefinitionNode, ParseOptions, ValidationRule } from 'graphql';
import type { Caller } from '../shared/caller.js';
import type { Config } from '../shared/config.js';
import { maxAliasesRule } from './aliases.js';
import { commandBudgetPlugin, type CommandBudget } from './command-budget.js';
import { maxDepthRule } from './depth.js';
import { maxDirectivesRule } from './directives.js';
import { maxListLiteralRule } from './list-arguments.js';
import { checkOperationLimits } from './operation-plugin.js';
import { admissionPlugin } from './admission.js';
import { PartnerSlots } from './fair-share.js';
import { PointBudget, type PointLeaseDoc } from './point-budget.js';
import { createRateLimit, type RateLimit } from './rate-limit.js';
import { maxRootFieldsRule } from './root-fields.js';
import { timeoutPlugin, type Deadline } from './timeout.js';

/**
 * The limits on one GraphQL document, for a transport other than Apollo's (the live transports,
 * src/app/subscriptions.ts): the same parser limit, validation rules and cost and list checks
 * Apollo is given, from the same config.
 */
export interface DocumentLimits {
  parseOptions: ParseOptions;
  /** Run in addition to graphql-js's specified rules. */
  validationRules: ValidationRule[];
  /** Cost and list lengths in variables; throws QUERY_TOO_COMPLEX. */
  checkOperation(request: {
    schema: GraphQLSchema;
    document: DocumentNode;
    operation: OperationDefinitionNode | null;
    variables?: Record<string, unknown> | null;
  }): void;
}

/**
 * Every abuse limit of the gateway (docs/security.md, "Limits"), from the config, as the pieces
 * createGateway plugs in: Apollo options (parser, validation rules, plugins, introspection,
 * suggestions, batching, admission: cost, points and in-flight slots), and the flood guard that
 * runs before Apollo (on both HTTP stacks).
 * Each limit answers with a coded error before any resolver or database command runs
 * (the timeout and the database command budget excepted, which by nature stop a query that is
 * already running).
 */
export function gatewayLimits<C extends { budget?: CommandBudget; deadline?: Deadline; caller: Caller }>(
  config: Pick<Config, 'limits' | 'mode'>,
  /** Where the partners' point leases live (POINT_LEASES_COLLECTION), shared by every instance. */
  leases: Collection<PointLeaseDoc>,
): {
  apollo: Pick<
    ApolloServerOptions<C>,
    'parseOptions' | 'validationRules' | 'introspection' | 'hideSchemaDetailsFromClientErrors' | 'allowBatchedHttpRequests'
  > & { plugins: ApolloServerPlugin<C>[] };
  rateLimit: RateLimit;
  budget: PointBudget;
  slots: PartnerSlots;
  documents: DocumentLimits;
} {
  const { limits } = config;
  const production = config.mode === 'production';
  const validationRules: ValidationRule[] = [
    maxDepthRule(limits.maxDepth),
    maxAliasesRule(limits.maxAliases),
    maxDirectivesRule(limits.maxDirectives),
    maxRootFieldsRule(limits.maxRootFields),
    maxListLiteralRule(limits.maxListLength),
  ];
  const operationLimits = { maxCost: limits.maxCost, maxListLength: limits.maxListLength };
  const budget = new PointBudget(leases, limits.ratePerMinute);
  const slots = new PartnerSlots({ maxInFlight: limits.maxInFlight, maxQueued: limits.maxQueued, queueMs: limits.queueMs });
  return {
    apollo: {
      // The parser stops after this many tokens, before building a huge document in memory.
      parseOptions: { maxTokens: limits.maxTokens },
      validationRules,
      // The schema is public knowledge in development (the IDE needs it); in production it is
      // not handed out, and validation messages do not suggest field names ("Did you mean").
      introspection: !production,
      hideSchemaDetailsFromClientErrors: production,
      // One HTTP request, one operation: a JSON array of operations is refused (BAD_REQUEST),
      // so a batch cannot multiply one request's work past the rate limit. (Apollo's default,
      // stated so that it stays so.)
      allowBatchedHttpRequests: false,
      plugins: [
        admissionPlugin<C>({ limits: operationLimits, budget, slots }),
        timeoutPlugin<C>(limits.timeoutMs),
        commandBudgetPlugin<C>(),
      ],
    },
    rateLimit: createRateLimit({ failedAuthPerMinute: limits.failedAuthPerMinute }),
    budget,
    slots,
    documents: {
      parseOptions: { maxTokens: limits.maxTokens },
      validationRules,
      checkOperation: (request) => checkOperationLimits(operationLimits, request),
    },
  };
}
