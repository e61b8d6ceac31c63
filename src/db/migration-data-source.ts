import { DataSource } from 'typeorm';
import { loadConfig } from '../config/app-config';
import { dataSourceOptions } from './data-source-options';
import { ENTITIES } from './entities';

// The TypeORM CLI's data source: the migration role, which owns the schema.
export default new DataSource(dataSourceOptions(loadConfig().MIGRATION_DATABASE_URL, { entities: ENTITIES }));
