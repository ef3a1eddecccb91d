import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import { mutationPayload, runMutation } from '../../mutation/run-mutation.js';
import { forbidden } from '../../shared/errors.js';
import { checkSoftwareKeysRole, decideGetKey } from '../../policy/software.js';
import type { Context } from '../../shared/context.js';
import { parseId } from '../../shared/ids.js';
import { GetSoftwareKeyInput } from '../software-order.input.js';
import { SoftwareKeyPayload } from '../software-order.payload.js';
import { loadSoftwareOrder } from './software-load.js';

@Resolver()
export class GetSoftwareKeyMutation {
  @Mutation(() => SoftwareKeyPayload, {
    description:
      'SW-KEYS: the MAK (SW-MAK) and download links of one product version, language and bitness; admin agents only (ROLE-SOFTWARE-KEYS). A mutation because every view or download is logged (SW-ACTIVITY-LOG).',
  })
  async getSoftwareKey(
    @Arg('input', () => GetSoftwareKeyInput) input: GetSoftwareKeyInput,
    @Ctx() ctx: Context,
  ): Promise<SoftwareKeyPayload> {
    const cols = ctx.write.collections;
    const partnerId = ctx.caller.partner._id;
    const id = parseId('software order', input.softwareOrderId, 'input.softwareOrderId');
    const first = await loadSoftwareOrder(cols, partnerId, id);
    const role = checkSoftwareKeysRole(ctx.caller);
    if (role) throw forbidden(role);
    const result = await runMutation(
      ctx,
      {
        kind: input.activity === 'download' ? 'download_software' : 'get_software_key',
        partnerId,
        customerId: first.customerId,
        at: (l) => l.now,
        load: async () => ({ now: await ctx.readClock(), order: await loadSoftwareOrder(cols, partnerId, id) }),
        decide: (l, ids) =>
          decideGetKey({
            order: l.order,
            choice: { productVersion: input.productVersion, language: input.language, bitness: input.bitness, keyType: input.keyType },
            activity: input.activity,
            actor: ctx.caller,
            now: l.now,
            ids,
          }),
      },
      input,
    );
    const softwareOrder = await ctx.loaders.softwareOrderById.load(id);
    return mutationPayload(input, result, {
      refused: () => ({
        softwareOrder,
        productKey: null,
        keyType: null,
        productVersion: null,
        language: null,
        bitness: null,
        downloadLink: null,
        copyLink: null,
        activity: null,
      }),
      // A quote tells whether the key can be got, without showing or logging it (SW-ACTIVITY-LOG).
      accepted: (o, shown) => ({
        softwareOrder,
        productKey: shown ? o.key.productKey : null,
        keyType: o.key.keyType,
        productVersion: o.key.productVersion,
        language: o.key.language,
        bitness: o.key.bitness,
        downloadLink: shown ? o.key.downloadUrl : null,
        copyLink: shown ? o.copyLink : null,
        activity: shown ? o.activity : null,
        summary: shown ? o.summary : `The key can be got; nothing was shown or logged (dryRun).`,
      }),
    });
  }
}
