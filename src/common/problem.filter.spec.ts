import { QueryFailedError } from 'typeorm';
import { loggableError } from './problem.filter';

describe('what an unexpected error leaves in the log', () => {
  it('holds no SQL parameters, driver detail or quoted input, only where to look', () => {
    const driverError = Object.assign(new Error('invalid input syntax for type uuid: "Jansen-1985-03-02"'), {
      code: '22P02',
      detail: 'Key (email)=(p.jansen@example.nl) already exists.',
      routine: 'string_to_uuid',
    });
    const e = new QueryFailedError('SELECT * FROM subject WHERE family_name = $1', ['Jansen', '1234567890'], driverError);
    const logged = JSON.stringify(loggableError(e));
    for (const secret of ['Jansen', '1234567890', 'p.jansen@example.nl', 'family_name', 'invalid input syntax']) expect(logged).not.toContain(secret);
    expect(loggableError(e)).toMatchObject({ type: 'QueryFailedError', code: '22P02', routine: 'string_to_uuid', stack: expect.stringMatching(/^\s+at /) });
  });
});
