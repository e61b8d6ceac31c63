/** The problem `code`s of this module: one code per meaning, stable for clients. */
export enum AuthError {
  InvalidClient = 'invalid_client',
  InvalidCredentials = 'invalid_credentials',
  InvalidInviteToken = 'invalid_invite_token',
  InvalidRefreshToken = 'invalid_refresh_token',
  InvalidScope = 'invalid_scope',
  InvalidRequest = 'invalid_request',
  InvalidGrant = 'invalid_grant',
  UnsupportedGrantType = 'unsupported_grant_type',
  NoClientSecret = 'no_client_secret',
  AssertionReplayUnchecked = 'assertion_replay_unchecked',
  PermissionDenied = 'permission_denied',
  RouteWithoutPermission = 'route_without_permission',
  Unauthenticated = 'unauthenticated',
  TooManyFailedLogins = 'too_many_failed_logins',
  WrongCurrentPassword = 'wrong_current_password',
}
