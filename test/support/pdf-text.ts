import { inflateSync } from 'node:zlib';

/**
 * Text extraction for the PDFs this product renders (pdfmake 0.3 on pdfkit, standard fonts): a real reading
 * of the file, so that tests assert on what a reader would see, not merely that a PDF came back.
 *
 * Pages are taken in the order of the page tree; in each page's content stream the strings shown by
 * Tj, TJ, ' and " inside BT…ET are decoded (hex or literal, WinAnsi encoding). Runs on the same baseline
 * form one line; pdfmake draws every word as its own run, so a run that follows one not ending where a
 * word may break (another table cell or column) is separated by a space.
 */
export interface PdfText {
  pages: string[];
  text: string;
}

/**
 * Where pdfmake may end a run inside a line without a space: after whitespace, or at a break opportunity
 * within a word (after a hyphen, dash or slash). Any other run boundary on one baseline is a new cell or column.
 */
const WORD_END = /[\s\-–—/]$/;

// WinAnsiEncoding differs from Latin-1 only in 0x80–0x9F.
const WIN_ANSI_80_9F = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ';

export function decodeWinAnsi(bytes: number[]): string {
  return bytes.map((b) => (b >= 0x80 && b <= 0x9f ? WIN_ANSI_80_9F[b - 0x80] : String.fromCharCode(b))).join('');
}

interface PdfObject {
  dict: string;
  stream?: Buffer;
}

/** Every `N G obj … endobj` of the file, with its stream (decompressed when Flate-encoded). */
function readObjects(pdf: Buffer): Map<number, PdfObject> {
  const raw = pdf.toString('latin1');
  const objects = new Map<number, PdfObject>();
  const header = /(\d+) \d+ obj\b/g;
  const pending: { id: number; dict: string; streamStart: number }[] = [];
  for (let match = header.exec(raw); match; match = header.exec(raw)) {
    const id = Number(match[1]);
    const bodyStart = match.index + match[0].length;
    const streamAt = raw.indexOf('stream', bodyStart);
    const endAt = raw.indexOf('endobj', bodyStart);
    if (streamAt >= 0 && streamAt < endAt && raw.slice(bodyStart, streamAt).trimEnd().endsWith('>>')) {
      const dict = raw.slice(bodyStart, streamAt);
      const start = streamAt + 'stream'.length + (raw[streamAt + 6] === '\r' ? 2 : 1);
      pending.push({ id, dict, streamStart: start });
      // Skip past the stream, whose bytes might look like an object header.
      const end = raw.indexOf('endstream', start);
      header.lastIndex = end > 0 ? end : bodyStart;
    } else {
      objects.set(id, { dict: raw.slice(bodyStart, endAt) });
    }
  }
  for (const p of pending) {
    const length = /\/Length (\d+)(?: \d+ R)?/.exec(p.dict);
    let n = length ? Number(length[1]) : NaN;
    if (length && / R$/.test(length[0])) n = Number(objects.get(n)?.dict.trim());
    const end = Number.isFinite(n) ? p.streamStart + n : raw.indexOf('endstream', p.streamStart);
    let stream = pdf.subarray(p.streamStart, end);
    if (/\/Filter\s*\/FlateDecode/.test(p.dict)) stream = inflateSync(stream);
    objects.set(p.id, { dict: p.dict, stream });
  }
  return objects;
}

const refs = (s: string) => [...s.matchAll(/(\d+) \d+ R/g)].map((m) => Number(m[1]));

/** Page objects in reading order, following the page tree from the catalog's /Pages. */
function pageIds(objects: Map<number, PdfObject>): number[] {
  const catalog = [...objects.values()].find((o) => /\/Type\s*\/Catalog\b/.test(o.dict));
  const root = catalog && /\/Pages (\d+) \d+ R/.exec(catalog.dict);
  if (!root) throw new Error('not a PDF: no catalog with a page tree');
  const walk = (id: number): number[] => {
    const dict = objects.get(id)?.dict ?? '';
    if (/\/Type\s*\/Pages\b/.test(dict)) return refs(/\/Kids\s*\[([^\]]*)\]/.exec(dict)?.[1] ?? '').flatMap(walk);
    return /\/Type\s*\/Page\b/.test(dict) ? [id] : [];
  };
  return walk(Number(root[1]));
}

type Token = { kind: 'string'; bytes: number[] } | { kind: 'number'; value: number } | { kind: 'op'; value: string } | { kind: 'array'; items: Token[] } | { kind: 'other' };

/** Tokens of a content stream; arrays are nested, dictionaries and names are opaque. */
function tokenize(src: string): Token[] {
  let i = 0;
  const read = (): Token | ']' | undefined => {
    while (i < src.length && /\s/.test(src[i])) i++;
    if (i >= src.length) return undefined;
    const c = src[i];
    if (c === '%') {
      while (i < src.length && src[i] !== '\n' && src[i] !== '\r') i++;
      return read();
    }
    if (c === '(') return { kind: 'string', bytes: literal() };
    if (c === '<' && src[i + 1] === '<') {
      i += 2;
      return { kind: 'other' };
    }
    if (c === '>' && src[i + 1] === '>') {
      i += 2;
      return { kind: 'other' };
    }
    if (c === '<') {
      const end = src.indexOf('>', i);
      const hex = src.slice(i + 1, end).replace(/\s+/g, '');
      i = end + 1;
      const padded = hex.length % 2 ? `${hex}0` : hex;
      return { kind: 'string', bytes: Array.from({ length: padded.length / 2 }, (_, k) => parseInt(padded.slice(k * 2, k * 2 + 2), 16)) };
    }
    if (c === '[') {
      i++;
      const items: Token[] = [];
      for (let t = read(); t !== ']' && t !== undefined; t = read()) items.push(t);
      return { kind: 'array', items };
    }
    if (c === ']') {
      i++;
      return ']';
    }
    const word = /^[^\s()<>[\]{}/%]+|^\/[^\s()<>[\]{}/%]*/.exec(src.slice(i, i + 128))?.[0] ?? src[i];
    i += word.length;
    if (word.startsWith('/')) return { kind: 'other' };
    return /^[+-]?(\d+\.?\d*|\.\d+)$/.test(word) ? { kind: 'number', value: Number(word) } : { kind: 'op', value: word };
  };
  const literal = (): number[] => {
    const out: number[] = [];
    let depth = 0;
    i++;
    while (i < src.length) {
      const ch = src[i++];
      if (ch === '\\') {
        const e = src[i++];
        const simple: Record<string, number> = { n: 10, r: 13, t: 9, b: 8, f: 12, '(': 40, ')': 41, '\\': 92 };
        if (e in simple) out.push(simple[e]);
        else if (/[0-7]/.test(e)) {
          let oct = e;
          while (oct.length < 3 && /[0-7]/.test(src[i])) oct += src[i++];
          out.push(parseInt(oct, 8) & 0xff);
        } else if (e === '\r') {
          if (src[i] === '\n') i++;
        } else if (e !== '\n') out.push(e.charCodeAt(0));
        continue;
      }
      if (ch === '(') depth++;
      if (ch === ')' && depth-- === 0) break;
      out.push(ch.charCodeAt(0));
    }
    return out;
  };
  const tokens: Token[] = [];
  for (let t = read(); t !== undefined; t = read()) if (t !== ']') tokens.push(t);
  return tokens;
}

/** The lines of text one content stream shows. */
function textOf(stream: Buffer): string {
  const lines: string[] = [];
  let current = '';
  let y: number | undefined;
  let lastY: number | undefined;
  let operands: Token[] = [];
  const newLine = () => {
    if (current.trim()) lines.push(current.replace(/\s+/g, ' ').trim());
    current = '';
  };
  const show = (text: string, freshRun: boolean) => {
    if (lastY !== undefined && y !== undefined && Math.abs(y - lastY) > 0.5) newLine();
    lastY = y;
    if (freshRun && current && !WORD_END.test(current)) current += ' ';
    current += text;
  };
  let freshRun = false;
  for (const token of tokenize(stream.toString('latin1'))) {
    if (token.kind !== 'op') {
      operands.push(token);
      continue;
    }
    const nums = operands.filter((o): o is { kind: 'number'; value: number } => o.kind === 'number').map((o) => o.value);
    const strings = operands.filter((o): o is { kind: 'string'; bytes: number[] } => o.kind === 'string');
    switch (token.value) {
      case 'BT':
        freshRun = true;
        break;
      case 'Tm':
        y = nums[5];
        break;
      case 'Td':
      case 'TD':
        y = (y ?? 0) + (nums[1] ?? 0);
        break;
      case 'T*':
        y = (y ?? 0) - 1;
        break;
      case 'Tj':
        show(strings.map((s) => decodeWinAnsi(s.bytes)).join(''), freshRun);
        freshRun = false;
        break;
      case "'":
      case '"':
        y = (y ?? 0) - 1;
        show(strings.map((s) => decodeWinAnsi(s.bytes)).join(''), freshRun);
        freshRun = false;
        break;
      case 'TJ': {
        const array = operands.find((o): o is { kind: 'array'; items: Token[] } => o.kind === 'array');
        // A large negative adjustment is a word gap written as kerning.
        const text = (array?.items ?? [])
          .map((item) => (item.kind === 'string' ? decodeWinAnsi(item.bytes) : item.kind === 'number' && item.value < -200 ? ' ' : ''))
          .join('');
        show(text, freshRun);
        freshRun = false;
        break;
      }
    }
    operands = [];
  }
  newLine();
  return lines.join('\n');
}

/** The text of each page of `pdf`, and all of it joined by form feeds. */
export function pdfText(pdf: Buffer): PdfText {
  if (pdf.subarray(0, 5).toString('latin1') !== '%PDF-') throw new Error('not a PDF');
  const objects = readObjects(pdf);
  const pages = pageIds(objects).map((id) => {
    const dict = objects.get(id)!.dict;
    const contents = /\/Contents\s*(\[[^\]]*\]|\d+ \d+ R)/.exec(dict)?.[1] ?? '';
    return refs(contents)
      .map((ref) => objects.get(ref)?.stream)
      .filter((s): s is Buffer => !!s)
      .map(textOf)
      .join('\n');
  });
  return { pages, text: pages.join('\n\f\n') };
}
