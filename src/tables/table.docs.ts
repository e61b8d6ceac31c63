import { ApiParam } from '@nestjs/swagger';

export const ApiUuidParam = (name: string, description: string) => ApiParam({ name, description, schema: { type: 'string', format: 'uuid' } });

export const ApiTableIdParam = () => ApiUuidParam('id', 'Id of the table.');
