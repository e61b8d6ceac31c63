/**
 * The group role that holds the application's privileges. Migrations grant to it; the login role in
 * DATABASE_URL is made a member of it (by the bootstrap in development, by a DBA in production).
 */
export const APP_GROUP_ROLE = 'ketentafel_app_rw';
