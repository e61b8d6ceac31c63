import { ApiClient } from '../auth/api-client.entity';
import { AuthSession, RefreshToken } from '../auth/session.entity';
import { Organisation } from '../organisations/organisation.entity';
import { User } from '../users/user.entity';

/** Every entity, for the TypeORM CLI's data source (the app registers them per module). */
export const ENTITIES = [Organisation, User, AuthSession, RefreshToken, ApiClient];
