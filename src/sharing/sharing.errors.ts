/** The problem `code`s of this module: one code per meaning, stable for clients. */
export enum SharingError {
  ChairOnly = 'chair_only',
  CategoryNotGranted = 'category_not_granted',
}
