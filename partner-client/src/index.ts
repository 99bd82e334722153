export { subscribeAlerts, memoryCursorStore, fileCursorStore } from './alerts.ts';
export type { Alert, AlertSubscription, CursorStore, Severity, SubscribeAlertsOptions } from './alerts.ts';
export { verifyWebhook, WebhookVerificationError } from './webhooks.ts';
export type { VerifyOptions, WebhookEvent } from './webhooks.ts';
export { createRestClient, buildRequest, restOperations, RestProblemError } from './rest.ts';
export type {
  RestClient,
  RestClientOptions,
  RestOperationTypes,
  Problem,
  StreamHandlers,
  StreamHandle,
} from './rest.ts';
