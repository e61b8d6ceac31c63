import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const SRC = join(__dirname, '..', 'src');
const EXPORTED_CLASS = /^export\s+(?:default\s+)?(?:abstract\s+)?class\s+([A-Za-z_$][\w$]*)/gm;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Class name → the files that export a class of that name, for names exported more than once. */
function duplicateClassNames(files: { path: string; text: string }[]): Record<string, string[]> {
  const where = new Map<string, string[]>();
  for (const f of files) for (const m of f.text.matchAll(EXPORTED_CLASS)) where.set(m[1], [...(where.get(m[1]) ?? []), f.path]);
  return Object.fromEntries([...where].filter(([, paths]) => paths.length > 1));
}

describe('class names', () => {
  it('finds a class exported twice under one name (the guard works)', () => {
    const files = [
      { path: 'a.ts', text: 'export class AgendaReasonView {}\nexport class A {}' },
      { path: 'b.ts', text: 'import x from "y";\nexport abstract class AgendaReasonView {}\nclass A {}' },
    ];
    expect(duplicateClassNames(files)).toEqual({ AgendaReasonView: ['a.ts', 'b.ts'] });
  });

  it('exports no two classes with the same name anywhere in src', () => {
    const files = sourceFiles(SRC).map((path) => ({ path: relative(SRC, path), text: readFileSync(path, 'utf8') }));
    expect(files.length).toBeGreaterThan(100);
    expect(duplicateClassNames(files)).toEqual({});
  });
});
