// A JSON reader that fails where Go's encoding/json does and says so in its words (scanner.go checkValid:
// "invalid character 'x' after object key", "unexpected end of JSON input", and the nesting limit
// maxNestingDepth = 10000: "invalid character '[' exceeded max depth"). Iterative, so no input can exhaust
// the JavaScript stack. It also keeps what JSON.parse loses and the typed decoder needs: duplicate keys (for
// fieldValidation=Strict) and the literal text of numbers that are not plain integers (Go refuses `1.0` for
// an int32 field).

/** encoding/json's maxNestingDepth. */
export const maxNestingDepth = 10_000;

export class GoJsonSyntaxError extends Error {
  override readonly name = 'GoJsonSyntaxError';
}

export interface GoJson {
  value: unknown;
  /** For each object or array holding a number literal Go reads differently from JS (`1.0`, `1e3`, 2^53+): key → literal. */
  rawNumbers: WeakMap<object, Map<string | number, string>>;
  /** For each object that had a key twice: those keys (the last value won, as in Go). */
  duplicates: WeakMap<object, Set<string>>;
}

/** encoding/json quoteChar: `'x'`; a single quote as `'\\''`, control characters as strconv.Quote escapes them. */
export function goQuoteChar(ch: string): string {
  if (ch === "'") return "'\\''";
  if (ch === '"') return "'\"'";
  const named: Record<string, string> = { '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v', '\\': '\\\\' };
  if (named[ch]) return `'${named[ch]}'`;
  const code = ch.codePointAt(0) ?? 0;
  if (code < 0x20 || code === 0x7f) return `'\\x${code.toString(16).padStart(2, '0')}'`;
  return `'${ch}'`;
}

type Frame = { kind: 'object'; value: Record<string, unknown>; key: string | undefined } | { kind: 'array'; value: unknown[] };

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isHex = (c: number): boolean => isDigit(c) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
const isSpace = (c: number): boolean => c === 32 || c === 9 || c === 10 || c === 13;

function setKey(target: Record<string, unknown>, key: string, value: unknown): void {
  // `__proto__` is an ordinary key in JSON; a plain assignment would change the prototype instead.
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/** Parses `text` as Go would accept it; throws GoJsonSyntaxError with Go's message. */
export function parseGoJson(text: string, options: { maxDepth?: number } = {}): GoJson {
  const maxDepth = options.maxDepth ?? maxNestingDepth;
  const rawNumbers = new WeakMap<object, Map<string | number, string>>();
  const duplicates = new WeakMap<object, Set<string>>();
  const n = text.length;
  let i = 0;
  const end = (): never => {
    throw new GoJsonSyntaxError('unexpected end of JSON input');
  };
  const bad = (context: string): never => {
    if (i >= n) end();
    // A character is one code point (Go reports the rune, not a UTF-16 half).
    const ch = String.fromCodePoint(text.codePointAt(i) ?? 0);
    throw new GoJsonSyntaxError(`invalid character ${goQuoteChar(ch)} ${context}`);
  };
  const skip = (): void => {
    while (i < n && isSpace(text.charCodeAt(i))) i++;
  };

  const readString = (): string => {
    const start = i; // at the opening quote
    i++;
    let escaped = false;
    for (;;) {
      if (i >= n) end();
      const c = text.charCodeAt(i);
      if (c === 34) break;
      if (c === 92) {
        escaped = true;
        i++;
        if (i >= n) end();
        const e = text.charCodeAt(i);
        if (e === 117) {
          for (let k = 0; k < 4; k++) {
            i++;
            if (i >= n) end();
            if (!isHex(text.charCodeAt(i))) bad('in \\u hexadecimal character escape');
          }
        } else if (!(e === 34 || e === 92 || e === 47 || e === 98 || e === 102 || e === 110 || e === 114 || e === 116)) {
          bad('in string escape code');
        }
      } else if (c < 0x20) {
        bad('in string literal');
      }
      i++;
    }
    i++; // closing quote
    return escaped ? (JSON.parse(text.slice(start, i)) as string) : text.slice(start + 1, i - 1);
  };

  const readNumber = (): { value: number; raw: string | undefined } => {
    const start = i;
    let plain = true;
    if (text.charCodeAt(i) === 45) {
      i++;
      if (i >= n) end();
      if (!isDigit(text.charCodeAt(i))) bad('in numeric literal');
    }
    if (text.charCodeAt(i) === 48) i++;
    else while (i < n && isDigit(text.charCodeAt(i))) i++;
    if (i < n && text.charCodeAt(i) === 46) {
      plain = false;
      i++;
      if (i >= n) end();
      if (!isDigit(text.charCodeAt(i))) bad('after decimal point in numeric literal');
      while (i < n && isDigit(text.charCodeAt(i))) i++;
    }
    if (i < n && (text.charCodeAt(i) === 101 || text.charCodeAt(i) === 69)) {
      plain = false;
      i++;
      if (i >= n) end();
      if (text.charCodeAt(i) === 43 || text.charCodeAt(i) === 45) i++;
      if (i >= n) end();
      if (!isDigit(text.charCodeAt(i))) bad('in exponent of numeric literal');
      while (i < n && isDigit(text.charCodeAt(i))) i++;
    }
    const raw = text.slice(start, i);
    return { value: Number(raw), raw: plain && raw.length < 16 ? undefined : raw };
  };

  const literal = (word: string, value: unknown): unknown => {
    for (let k = 1; k < word.length; k++) {
      i++;
      if (i >= n) end();
      if (text[i] !== word[k]) bad(`in literal ${word} (expecting ${goQuoteChar(word[k]!)})`);
    }
    i++;
    return value;
  };

  const stack: Frame[] = [];
  let root: unknown;
  let haveRoot = false;

  // Stores a finished value into the innermost container (or as the root).
  const store = (value: unknown, raw?: string): void => {
    const top = stack[stack.length - 1];
    if (!top) {
      root = value;
      haveRoot = true;
      return;
    }
    if (top.kind === 'array') {
      if (raw !== undefined) rawFor(top.value).set(top.value.length, raw);
      top.value.push(value);
      return;
    }
    const key = top.key!;
    if (Object.hasOwn(top.value, key)) {
      let set = duplicates.get(top.value);
      if (!set) duplicates.set(top.value, (set = new Set()));
      set.add(key);
    }
    if (raw !== undefined) rawFor(top.value).set(key, raw);
    setKey(top.value, key, value);
    top.key = undefined;
  };
  const rawFor = (container: object): Map<string | number, string> => {
    let map = rawNumbers.get(container);
    if (!map) rawNumbers.set(container, (map = new Map()));
    return map;
  };

  // One loop: read a value (pushing containers), then close containers and separators until a new value starts.
  for (;;) {
    // --- expecting the beginning of a value
    skip();
    if (i >= n) end();
    const c = text.charCodeAt(i);
    if (c === 123 || c === 91) {
      if (stack.length + 1 > maxDepth) bad('exceeded max depth');
      i++;
      skip();
      if (c === 123) {
        const value: Record<string, unknown> = {};
        if (i < n && text.charCodeAt(i) === 125) {
          i++;
          store(value);
        } else {
          if (i >= n) end();
          if (text.charCodeAt(i) !== 34) bad('looking for beginning of object key string');
          const key = readString();
          skip();
          if (i >= n) end();
          if (text.charCodeAt(i) !== 58) bad('after object key');
          i++;
          stack.push({ kind: 'object', value, key });
          continue;
        }
      } else {
        const value: unknown[] = [];
        if (i < n && text.charCodeAt(i) === 93) {
          i++;
          store(value);
        } else {
          stack.push({ kind: 'array', value });
          continue;
        }
      }
    } else if (c === 34) store(readString());
    else if (c === 45 || isDigit(c)) {
      const { value, raw } = readNumber();
      store(value, raw);
    } else if (c === 116) store(literal('true', true));
    else if (c === 102) store(literal('false', false));
    else if (c === 110) store(literal('null', null));
    else bad('looking for beginning of value');

    // --- after a value: close containers or find the next element
    let more = false;
    while (stack.length > 0) {
      skip();
      if (i >= n) end();
      const top = stack[stack.length - 1]!;
      const d = text.charCodeAt(i);
      if (top.kind === 'array') {
        if (d === 44) {
          i++;
          more = true;
          break;
        }
        if (d !== 93) bad('after array element');
      } else {
        if (d === 44) {
          i++;
          skip();
          if (i >= n) end();
          if (text.charCodeAt(i) !== 34) bad('looking for beginning of object key string');
          top.key = readString();
          skip();
          if (i >= n) end();
          if (text.charCodeAt(i) !== 58) bad('after object key');
          i++;
          more = true;
          break;
        }
        if (d !== 125) bad('after object key:value pair');
      }
      i++;
      stack.pop();
      store(top.value);
    }
    if (more) continue;
    if (haveRoot) break;
  }
  skip();
  if (i < n) bad('after top-level value');
  return { value: root, rawNumbers, duplicates };
}

/** The first syntax error Go reports for `text`, or undefined when it is valid JSON. */
export function goJsonSyntaxError(text: string): string | undefined {
  try {
    parseGoJson(text);
    return undefined;
  } catch (error) {
    if (error instanceof GoJsonSyntaxError) return error.message;
    throw error;
  }
}

/** What Go's json.Unmarshal into map[string]interface{} reports for bytes that are not a JSON object, or undefined. */
export function goJsonObjectError(bytes: Buffer | string): string | undefined {
  let parsed: unknown;
  try {
    parsed = parseGoJson(typeof bytes === 'string' ? bytes : bytes.toString('utf8')).value;
  } catch (error) {
    if (error instanceof GoJsonSyntaxError) return error.message;
    throw error;
  }
  if ((typeof parsed === 'object' && !Array.isArray(parsed)) || parsed === null) return undefined;
  return `json: cannot unmarshal ${goJsonKind(parsed)} into Go value of type map[string]interface {}`;
}

/** The JSON kind as Go's UnmarshalTypeError names it: string, number, bool, array, object (null never errs). */
export function goJsonKind(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'boolean') return 'bool';
  if (value === null) return 'null';
  return typeof value;
}
