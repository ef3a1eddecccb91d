/** The webhook mutation fields (docs/webhooks.md), one resolver class per field. */
import { CreateWebhookRegistrationResolver } from './create-webhook-registration.js';
import { DeleteWebhookRegistrationResolver } from './delete-webhook-registration.js';
import { SendWebhookTestEventResolver } from './send-webhook-test-event.js';
import { UpdateWebhookRegistrationResolver } from './update-webhook-registration.js';

export const webhookMutations = [
  CreateWebhookRegistrationResolver,
  UpdateWebhookRegistrationResolver,
  DeleteWebhookRegistrationResolver,
  SendWebhookTestEventResolver,
] as const;
