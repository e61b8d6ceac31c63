import { CreateIdentity1763900000000 } from '../../migrations/1763900000000-create-identity';

/** Every migration in order. Listed by hand so that the app, the CLI and Jest run the same set. */
export const MIGRATIONS = [CreateIdentity1763900000000];
