/** The problem `code`s of this module: one code per meaning, stable for clients. */
export enum SessionError {
  NotACaseItem = 'not_a_case_item',
}
