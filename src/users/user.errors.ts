/** The problem `code`s of this module: one code per meaning, stable for clients. */
export enum UserError {
  EmailTaken = 'email_taken',
}
