import { webhookOrigin, webhookUrlDefect } from './webhook-url';

describe('webhook target URLs', () => {
  it('accepts an absolute http(s) URL with a host, and http only where https is not required', () => {
    expect(webhookUrlDefect('https://koppeling.example/hooks?kanaal=1', true)).toBeUndefined();
    expect(webhookUrlDefect('http://127.0.0.1:8080/hooks', false)).toBeUndefined();
    expect(webhookUrlDefect('http://127.0.0.1:8080/hooks', true)).toBe('must use https');
  });

  it('refuses credentials, fragments, other schemes, white space and overlong URLs', () => {
    expect(webhookUrlDefect('https://user:pw@koppeling.example/hooks', true)).toMatch(/credentials/);
    expect(webhookUrlDefect('https://user@koppeling.example/hooks', true)).toMatch(/credentials/);
    expect(webhookUrlDefect('https://koppeling.example/hooks#x', true)).toMatch(/fragment/);
    expect(webhookUrlDefect('https://koppeling.example/hooks#', true)).toMatch(/fragment/);
    expect(webhookUrlDefect('file:///etc/passwd', false)).toMatch(/http\(s\)/);
    expect(webhookUrlDefect('javascript:alert(1)', false)).toMatch(/http\(s\)/);
    expect(webhookUrlDefect('https://koppeling.example/a b', true)).toMatch(/white space/);
    expect(webhookUrlDefect('https://koppeling.example/\u0000', true)).toMatch(/control/);
    expect(webhookUrlDefect(`https://koppeling.example/${'a'.repeat(2000)}`, true)).toMatch(/at most 2000/);
    expect(webhookUrlDefect('koppeling.example/hooks', true)).toMatch(/absolute/);
    expect(webhookUrlDefect(42, true)).toBe('must be a string');
  });

  it('logs only the origin of a target, never its path or query', () => {
    expect(webhookOrigin('https://koppeling.example:8443/hooks/geheim?token=geheim')).toBe('https://koppeling.example:8443');
  });
});
