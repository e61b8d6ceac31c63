import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { version } from '../../package.json';
import { CHANGELOG_PATH, releaseNotes } from './changelog';

describe('release notes from CHANGELOG.md', () => {
  it('has an entry for the version the API reports', () => {
    expect(CHANGELOG_PATH.endsWith('CHANGELOG.md')).toBe(true);
    expect(releaseNotes(version)).toMatch(/\S/);
  });

  it('takes one release entry, up to the next, without the heading', () => {
    const dir = mkdtempSync(join(tmpdir(), 'changelog-'));
    const path = join(dir, 'CHANGELOG.md');
    writeFileSync(path, '# Changelog\n\n## [0.2.0] - 2026-12-07\n\n### Added\n- B\n\n## [0.1.0] - 2026-11-23\n\n- A\n');
    expect(releaseNotes('0.2.0', path)).toBe('### Added\n- B');
    expect(releaseNotes('0.1.0', path)).toBe('- A');
    expect(releaseNotes('9.9.9', path)).toBeUndefined();
    expect(releaseNotes('0.1.0', join(dir, 'missing.md'))).toBeUndefined();
  });
});
