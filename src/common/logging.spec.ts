import { redactPath } from './logging';

describe('request log paths', () => {
  it('never hold a calendar-feed token', () => {
    expect(redactPath('/api/v1/calendar-feeds/s3cr3t-t0ken/events')).toBe('/api/v1/calendar-feeds/[redacted]/events');
    expect(redactPath('/api/v1/cases/123')).toBe('/api/v1/cases/123');
  });
});
