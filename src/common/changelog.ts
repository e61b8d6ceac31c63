import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** CHANGELOG.md at the root of the repository (next to package.json, from src/ and from dist/src/ alike). */
export const CHANGELOG_PATH = join(__dirname, __dirname.includes(`${join('dist', 'src')}`) ? '../../..' : '../..', 'CHANGELOG.md');

/**
 * The entry of one release in CHANGELOG.md (`## [version] …` up to the next `## [`), without its heading, for the
 * API documentation: the docs page shows what changed in the release it documents. Undefined when the file or the
 * release is missing (a deployment without the file still starts; the test of the document requires it).
 */
export function releaseNotes(version: string, path = CHANGELOG_PATH): string | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.startsWith(`## [${version}]`));
  if (start < 0) return undefined;
  const end = lines.findIndex((l, i) => i > start && l.startsWith('## ['));
  const body = lines
    .slice(start + 1, end < 0 ? undefined : end)
    .filter((l) => !/^<!--.*-->$/.test(l.trim()))
    .join('\n')
    .trim();
  return body || undefined;
}
