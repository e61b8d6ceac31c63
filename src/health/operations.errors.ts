/** The problem `code`s of the operations module (health, metrics, queue dashboard): one code per meaning. */
export enum OperationsError {
  /** The queue dashboard was called without a valid dashboard session cookie (or one whose session ended). */
  QueueDashboardSessionRequired = 'queue_dashboard_session_required',
  /** A change through the queue dashboard came from another origin than the API's own. */
  CrossOriginRefused = 'cross_origin_refused',
  /** `GET /metrics` on the API's port without the METRICS_TOKEN bearer token (or with none configured). */
  MetricsTokenRequired = 'metrics_token_required',
  /** Redis did not answer the queue dashboard in time. */
  QueuesUnavailable = 'queues_unavailable',
}
