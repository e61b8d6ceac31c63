import { classifySmtpFailure, MAIL_MAX_ATTEMPTS, retryDelayMs } from './mail-retry.policy';

describe('the e-mail retry policy', () => {
  it('doubles the wait from one minute up to four hours, and gives up after about a day', () => {
    const minutes = Array.from({ length: MAIL_MAX_ATTEMPTS + 1 }, (_, i) => retryDelayMs(i + 1)).map((ms) => (ms === null ? null : ms / 60_000));
    expect(minutes).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 240, 240, 240, 240, 240, null, null]);
    const total = minutes.reduce<number>((sum, m) => sum + (m ?? 0), 0) / 60;
    expect(total).toBeGreaterThan(23);
    expect(total).toBeLessThan(25);
    expect(retryDelayMs(0)).toBeNull();
  });

  it('takes a 5xx answer as permanent, a refused login, a 4xx and a lost connection as temporary, and keeps only codes', () => {
    const smtp = (code: string, responseCode?: number) => Object.assign(new Error(`${responseCode} <someone@example.nl>: refused`), { code, responseCode });
    expect(classifySmtpFailure(smtp('EENVELOPE', 550))).toEqual({ permanent: true, code: 'smtp_550' });
    expect(classifySmtpFailure(smtp('EMESSAGE', 554))).toEqual({ permanent: true, code: 'smtp_554' });
    expect(classifySmtpFailure(smtp('EAUTH', 535))).toEqual({ permanent: false, code: 'smtp_535' });
    expect(classifySmtpFailure(smtp('EENVELOPE', 451))).toEqual({ permanent: false, code: 'smtp_451' });
    expect(classifySmtpFailure(smtp('ECONNECTION'))).toEqual({ permanent: false, code: 'ECONNECTION' });
    expect(classifySmtpFailure(smtp('ETIMEDOUT'))).toEqual({ permanent: false, code: 'ETIMEDOUT' });
    expect(classifySmtpFailure(smtp('EENVELOPE'))).toEqual({ permanent: true, code: 'EENVELOPE' });
    expect(classifySmtpFailure(new Error('no code: someone@example.nl'))).toEqual({ permanent: false, code: 'EUNKNOWN' });
    expect(classifySmtpFailure(Object.assign(new Error('x'), { code: 'some code with spaces and an@address' }))).toEqual({ permanent: false, code: 'EUNKNOWN' });
  });
});
