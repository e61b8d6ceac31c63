/** The problem `code`s of this module: one code per meaning, stable for clients. */
export enum MinutesError {
  NotAvailable = 'minutes_not_available',
}
