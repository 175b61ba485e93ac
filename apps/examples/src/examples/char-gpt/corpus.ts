// The text char-gpt trains on: Debian's `fortunes` package (about 2.5 MB of English quotations,
// jokes and poems in /usr/share/games/fortunes), or the licence texts in /usr/share/common-licenses
// when it is absent, or any file or folder the user names. Characters become ids through a
// vocabulary of the characters that occur.
import { existsSync, lstatSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const fortunesDir = '/usr/share/games/fortunes';
export const licensesDir = '/usr/share/common-licenses';

export interface Corpus {
  readonly text: string;
  /** Where it came from, for people. */
  readonly source: string;
  readonly files: number;
  /** True when the fortunes were missing and the licence texts stand in. */
  readonly fallback: boolean;
}

/** Plain text files of a folder, sorted by name: fortune's index files (.dat) and UTF-8 copies (.u8) are skipped. */
function textFiles(dir: string, skip: readonly string[] = []): string[] {
  return readdirSync(dir)
    .filter((name) => !name.endsWith('.dat') && !name.endsWith('.u8') && !name.startsWith('.') && !skip.includes(name))
    .map((name) => join(dir, name))
    .filter((path) => lstatSync(path).isFile())
    .sort();
}

function readAll(paths: readonly string[]): string {
  // Windows line ends and stray carriage returns would only grow the vocabulary.
  return paths.map((p) => readFileSync(p, 'utf8').replace(/\r\n?/g, '\n')).join('\n');
}

/**
 * The training text: `path` (a file, or a folder of text files) when given, else the fortunes, else
 * the licence texts. Throws with what to install when none is there.
 */
export function loadCorpus(path?: string): Corpus {
  if (path !== undefined) {
    if (!existsSync(path)) throw new Error(`--data ${path}: no such file or folder`);
    const files = statSync(path).isDirectory() ? textFiles(path) : [path];
    if (files.length === 0) throw new Error(`--data ${path}: the folder holds no text files`);
    return { text: readAll(files), source: path, files: files.length, fallback: false };
  }
  if (existsSync(fortunesDir)) {
    // ascii-art is pictures drawn in characters, not English.
    const files = textFiles(fortunesDir, ['ascii-art']);
    if (files.length > 0) return { text: readAll(files), source: `${fortunesDir} (Debian package fortunes)`, files: files.length, fallback: false };
  }
  if (existsSync(licensesDir)) {
    const files = textFiles(licensesDir);
    if (files.length > 0) return { text: readAll(files), source: `${licensesDir} (fortunes not installed)`, files: files.length, fallback: true };
  }
  throw new Error(
    `no English text found: install Debian's fortunes package (sudo apt-get install fortunes; \`node scripts/setup-system.mjs --for demo\` does it as root) or pass --data <file or folder>`,
  );
}

/** Characters to ids and back. Ids follow the characters' code order, so a vocabulary is reproducible. */
export class Vocabulary {
  readonly chars: readonly string[];
  readonly #ids = new Map<string, number>();

  constructor(chars: Iterable<string>) {
    this.chars = [...new Set(chars)].sort((a, b) => a.charCodeAt(0) - b.charCodeAt(0));
    this.chars.forEach((c, i) => this.#ids.set(c, i));
  }

  static of(text: string): Vocabulary {
    return new Vocabulary(text);
  }

  get size(): number {
    return this.chars.length;
  }

  encode(text: string): Int32Array {
    const out = new Int32Array(text.length);
    for (let i = 0; i < text.length; i++) {
      const id = this.#ids.get(text[i]);
      if (id === undefined) throw new Error(`character ${JSON.stringify(text[i])} is not in the vocabulary`);
      out[i] = id;
    }
    return out;
  }

  decode(ids: ArrayLike<number>): string {
    let s = '';
    for (let i = 0; i < ids.length; i++) s += this.chars[ids[i]] ?? '?';
    return s;
  }
}
