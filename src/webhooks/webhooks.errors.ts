/** The problem `code`s of this module: one code per meaning, stable for clients. */
export enum WebhookError {
  /** A re-send of a delivery that is still pending: it will be attempted anyway. */
  DeliveryPending = 'webhook_delivery_pending',
}
