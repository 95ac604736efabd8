// A deliberately small CEL (Common Expression Language) interpreter for the `x-kubernetes-validations`
// rules found in the Trainer and PyTorchJob CRDs. It parses the full expression grammar (so a new rule
// fails loudly at compile time instead of silently passing) but only implements the functions and macros
// those rules use; anything else is a compile error, which callers surface as `cel-unsupported`.
// Semantics follow cel-spec where it matters here: `&&`/`||` absorb errors (false && error == false),
// missing fields are "no such key" errors, and `size`/`matches` work on Unicode code points.

/** A CEL evaluation error (no such key, no matching overload, ...), carried as a value as in cel-go. */
export class CelError {
  /** cel-go style reason, e.g. "no such key: name". */
  readonly message: string;
  /** @param message cel-go style reason */
  constructor(message: string) {
    this.message = message;
  }
}

type Value = unknown;

type Ast =
  | { k: 'lit'; v: Value }
  | { k: 'ident'; name: string }
  | { k: 'list'; items: Ast[] }
  | { k: 'map'; entries: [Ast, Ast][] }
  | { k: 'select'; target: Ast; field: string }
  | { k: 'has'; target: Ast; field: string }
  | { k: 'index'; target: Ast; index: Ast }
  | { k: 'call'; fn: string; target: Ast | undefined; args: Ast[] }
  | { k: 'macro'; fn: 'all' | 'exists' | 'exists_one' | 'filter' | 'map'; target: Ast; v: string; body: Ast }
  | { k: 'unary'; op: '!' | '-'; arg: Ast }
  | { k: 'binary'; op: string; left: Ast; right: Ast }
  | { k: 'cond'; test: Ast; then: Ast; else: Ast };

/** A parsed rule ready to run; `transition` marks rules that read `oldSelf` (only evaluated on update). */
export interface CompiledCel {
  /** The source text of the rule, for messages. */
  readonly source: string;
  /** True when the rule references `oldSelf`, so it only applies when an old object exists. */
  readonly transition: boolean;
  /** Evaluates the rule with `self` (and `oldSelf` for transition rules); a CelError on evaluation failure. */
  evaluate(self: Value, oldSelf?: Value): Value | CelError;
}

/** Functions (global `f(x)` or receiver `x.f()`) the interpreter implements; any other name is unsupported. */
export const SUPPORTED_CEL_FUNCTIONS: readonly string[] = ['size', 'matches', 'startsWith', 'endsWith', 'contains'];
const MACROS = new Set(['all', 'exists', 'exists_one', 'filter', 'map']);

/** Parses a CEL rule; throws an Error naming the construct when the rule is outside the supported subset. */
export function compileCel(source: string): CompiledCel {
  const ast = new Parser(source).parseAll();
  const regexps = new Map<string, RegExp>();
  let transition = false;
  // Validate names and pre-compile literal regular expressions once, so evaluation never meets an unknown.
  const check = (n: Ast, scope: ReadonlySet<string>): void => {
    switch (n.k) {
      case 'lit':
        return;
      case 'ident':
        if (n.name === 'oldSelf') transition = true;
        else if (n.name !== 'self' && !scope.has(n.name)) throw new Error(`unknown identifier '${n.name}'`);
        return;
      case 'list':
        n.items.forEach((i) => check(i, scope));
        return;
      case 'map':
        n.entries.forEach(([a, b]) => (check(a, scope), check(b, scope)));
        return;
      case 'select':
      case 'has':
        check(n.target, scope);
        return;
      case 'index':
        check(n.target, scope);
        check(n.index, scope);
        return;
      case 'call': {
        if (!SUPPORTED_CEL_FUNCTIONS.includes(n.fn)) throw new Error(`unsupported function '${n.fn}'`);
        if (n.target) check(n.target, scope);
        n.args.forEach((a) => check(a, scope));
        const pattern = n.fn === 'matches' ? n.args[0] : undefined;
        if (pattern?.k === 'lit' && typeof pattern.v === 'string') regexps.set(pattern.v, compileRegExp(pattern.v));
        return;
      }
      case 'macro':
        check(n.target, scope);
        check(n.body, new Set([...scope, n.v]));
        return;
      case 'unary':
        check(n.arg, scope);
        return;
      case 'binary':
        check(n.left, scope);
        check(n.right, scope);
        return;
      case 'cond':
        check(n.test, scope);
        check(n.then, scope);
        check(n.else, scope);
        return;
    }
  };
  check(ast, new Set());
  return {
    source,
    transition,
    evaluate(self, oldSelf) {
      const env = new Map<string, Value>([['self', self]]);
      if (transition) env.set('oldSelf', oldSelf);
      return evaluate(ast, env, regexps);
    },
  };
}

/** RE2 (what the apiserver uses) and JS agree on the syntax in these CRDs; 'u' gives code-point semantics. */
function compileRegExp(pattern: string): RegExp {
  try {
    return new RegExp(pattern, 'u');
  } catch (e) {
    throw new Error(`regular expression ${JSON.stringify(pattern)} is not supported: ${(e as Error).message}`);
  }
}

// ---------------------------------------------------------------------------------------------- lexer

type Token = { t: 'num'; v: number } | { t: 'str'; v: string } | { t: 'id'; v: string } | { t: 'op'; v: string } | { t: 'eof' };

const OPERATORS = ['&&', '||', '==', '!=', '<=', '>=', '<', '>', '!', '+', '-', '*', '/', '%', '?', ':', '.', ',', '(', ')', '[', ']', '{', '}'];

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i] as string;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (/[0-9]/.test(c)) {
      const m = /^(0x[0-9a-fA-F]+|[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?)[uU]?/.exec(src.slice(i));
      const text = (m as RegExpExecArray)[0];
      out.push({ t: 'num', v: Number(text.replace(/[uU]$/, '')) });
      i += text.length;
      continue;
    }
    if (c === "'" || c === '"' || ((c === 'r' || c === 'R') && (src[i + 1] === "'" || src[i + 1] === '"'))) {
      const raw = c === 'r' || c === 'R';
      if (raw) i++;
      const quote = src[i] as string;
      if (src.startsWith(quote.repeat(3), i)) throw new Error('triple-quoted strings are not supported');
      i++;
      let v = '';
      while (i < src.length && src[i] !== quote) {
        if (src[i] === '\\' && !raw) {
          const e = src[i + 1];
          const map: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', '`': '`', '?': '?' };
          if (e === undefined || !(e in map)) throw new Error(`unsupported string escape '\\${e ?? ''}'`);
          v += map[e];
          i += 2;
        } else {
          v += src[i];
          i++;
        }
      }
      if (i >= src.length) throw new Error('unterminated string literal');
      i++;
      out.push({ t: 'str', v });
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i)) as RegExpExecArray;
      out.push({ t: 'id', v: m[0] });
      i += m[0].length;
      continue;
    }
    const op = OPERATORS.find((o) => src.startsWith(o, i));
    if (!op) throw new Error(`unexpected character '${c}' at ${i}`);
    out.push({ t: 'op', v: op });
    i += op.length;
  }
  out.push({ t: 'eof' });
  return out;
}

// --------------------------------------------------------------------------------------------- parser

class Parser {
  private readonly src: string;
  private readonly toks: Token[];
  private pos = 0;

  constructor(src: string) {
    this.src = src;
    this.toks = tokenize(src);
  }

  parseAll(): Ast {
    const e = this.expr();
    if (this.peek().t !== 'eof') throw new Error(`unexpected token at end of ${JSON.stringify(this.src)}`);
    return e;
  }

  private peek(): Token {
    return this.toks[this.pos] as Token;
  }
  private isOp(v: string): boolean {
    const t = this.peek();
    return t.t === 'op' && t.v === v;
  }
  private eat(v: string): void {
    if (!this.isOp(v)) throw new Error(`expected '${v}' in ${JSON.stringify(this.src)}`);
    this.pos++;
  }

  private expr(): Ast {
    const test = this.or();
    if (!this.isOp('?')) return test;
    this.pos++;
    const then = this.or();
    this.eat(':');
    return { k: 'cond', test, then, else: this.expr() };
  }
  private or(): Ast {
    let left = this.and();
    while (this.isOp('||')) {
      this.pos++;
      left = { k: 'binary', op: '||', left, right: this.and() };
    }
    return left;
  }
  private and(): Ast {
    let left = this.relation();
    while (this.isOp('&&')) {
      this.pos++;
      left = { k: 'binary', op: '&&', left, right: this.relation() };
    }
    return left;
  }
  private relation(): Ast {
    let left = this.additive();
    for (;;) {
      const t = this.peek();
      const op = t.t === 'op' && ['==', '!=', '<', '<=', '>', '>='].includes(t.v) ? t.v : t.t === 'id' && t.v === 'in' ? 'in' : undefined;
      if (!op) return left;
      this.pos++;
      left = { k: 'binary', op, left, right: this.additive() };
    }
  }
  private additive(): Ast {
    let left = this.multiplicative();
    while (this.isOp('+') || this.isOp('-')) {
      const op = (this.toks[this.pos++] as { v: string }).v;
      left = { k: 'binary', op, left, right: this.multiplicative() };
    }
    return left;
  }
  private multiplicative(): Ast {
    let left = this.unary();
    while (this.isOp('*') || this.isOp('/') || this.isOp('%')) {
      const op = (this.toks[this.pos++] as { v: string }).v;
      left = { k: 'binary', op, left, right: this.unary() };
    }
    return left;
  }
  private unary(): Ast {
    if (this.isOp('!')) {
      this.pos++;
      return { k: 'unary', op: '!', arg: this.unary() };
    }
    if (this.isOp('-')) {
      this.pos++;
      return { k: 'unary', op: '-', arg: this.unary() };
    }
    return this.member();
  }
  private member(): Ast {
    let target = this.primary();
    for (;;) {
      if (this.isOp('.')) {
        this.pos++;
        const id = this.peek();
        if (id.t !== 'id') throw new Error(`expected field name in ${JSON.stringify(this.src)}`);
        this.pos++;
        if (this.isOp('(')) {
          this.pos++;
          if (MACROS.has(id.v)) {
            const v = this.peek();
            if (v.t !== 'id') throw new Error(`macro ${id.v} needs a variable name`);
            this.pos++;
            this.eat(',');
            const body = this.expr();
            this.eat(')');
            target = { k: 'macro', fn: id.v as 'all', target, v: v.v, body };
          } else {
            target = { k: 'call', fn: id.v, target, args: this.args() };
          }
        } else {
          target = { k: 'select', target, field: id.v };
        }
      } else if (this.isOp('[')) {
        this.pos++;
        const index = this.expr();
        this.eat(']');
        target = { k: 'index', target, index };
      } else {
        return target;
      }
    }
  }
  private args(): Ast[] {
    const args: Ast[] = [];
    while (!this.isOp(')')) {
      args.push(this.expr());
      if (!this.isOp(')')) this.eat(',');
    }
    this.pos++;
    return args;
  }
  private primary(): Ast {
    const t = this.peek();
    this.pos++;
    if (t.t === 'num' || t.t === 'str') return { k: 'lit', v: t.v };
    if (t.t === 'id') {
      if (t.v === 'true' || t.v === 'false') return { k: 'lit', v: t.v === 'true' };
      if (t.v === 'null') return { k: 'lit', v: null };
      if (this.isOp('(')) {
        this.pos++;
        if (t.v === 'has') {
          const arg = this.expr();
          this.eat(')');
          if (arg.k !== 'select') throw new Error('has() needs a field selection argument');
          return { k: 'has', target: arg.target, field: arg.field };
        }
        return { k: 'call', fn: t.v, target: undefined, args: this.args() };
      }
      return { k: 'ident', name: t.v };
    }
    if (t.t === 'op' && t.v === '(') {
      const e = this.expr();
      this.eat(')');
      return e;
    }
    if (t.t === 'op' && t.v === '[') {
      const items: Ast[] = [];
      while (!this.isOp(']')) {
        items.push(this.expr());
        if (!this.isOp(']')) this.eat(',');
      }
      this.pos++;
      return { k: 'list', items };
    }
    if (t.t === 'op' && t.v === '{') {
      const entries: [Ast, Ast][] = [];
      while (!this.isOp('}')) {
        const key = this.expr();
        this.eat(':');
        entries.push([key, this.expr()]);
        if (!this.isOp('}')) this.eat(',');
      }
      this.pos++;
      return { k: 'map', entries };
    }
    throw new Error(`unexpected token in ${JSON.stringify(this.src)}`);
  }
}

// ------------------------------------------------------------------------------------------ evaluator

const isObj = (v: Value): v is Record<string, Value> => v !== null && typeof v === 'object' && !Array.isArray(v);
const typeName = (v: Value): string =>
  v === null ? 'null' : Array.isArray(v) ? 'list' : typeof v === 'object' ? 'map' : typeof v === 'number' ? (Number.isInteger(v) ? 'int' : 'double') : typeof v === 'boolean' ? 'bool' : typeof v;
const noOverload = (fn: string, ...args: Value[]): CelError =>
  new CelError(`no such overload: ${fn}(${args.map(typeName).join(', ')})`);

/** CEL equality: heterogeneous values are simply unequal; lists and maps compare element-wise. */
export function celEquals(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => celEquals(x, b[i]));
  if (isObj(a) && isObj(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && celEquals(a[k], b[k]));
  }
  return false;
}

function evaluate(n: Ast, env: Map<string, Value>, regexps: Map<string, RegExp>): Value | CelError {
  const ev = (x: Ast): Value | CelError => evaluate(x, env, regexps);
  switch (n.k) {
    case 'lit':
      return n.v;
    case 'ident':
      return env.get(n.name);
    case 'list': {
      const out: Value[] = [];
      for (const i of n.items) {
        const v = ev(i);
        if (v instanceof CelError) return v;
        out.push(v);
      }
      return out;
    }
    case 'map': {
      const out: Record<string, Value> = {};
      for (const [k, x] of n.entries) {
        const key = ev(k);
        if (key instanceof CelError) return key;
        const v = ev(x);
        if (v instanceof CelError) return v;
        out[String(key)] = v;
      }
      return out;
    }
    case 'select': {
      const t = ev(n.target);
      if (t instanceof CelError) return t;
      if (!isObj(t)) return new CelError(`type '${typeName(t)}' does not support field selection`);
      return Object.hasOwn(t, n.field) ? t[n.field] : new CelError(`no such key: ${n.field}`);
    }
    case 'has': {
      const t = ev(n.target);
      if (t instanceof CelError) return t;
      if (!isObj(t)) return new CelError(`invalid type for field selection: ${typeName(t)}`);
      return Object.hasOwn(t, n.field);
    }
    case 'index': {
      const t = ev(n.target);
      if (t instanceof CelError) return t;
      const i = ev(n.index);
      if (i instanceof CelError) return i;
      if (Array.isArray(t) && typeof i === 'number') return i >= 0 && i < t.length ? t[i] : new CelError(`index out of range: ${i}`);
      if (isObj(t) && typeof i === 'string') return Object.hasOwn(t, i) ? t[i] : new CelError(`no such key: ${i}`);
      return noOverload('_[_]', t, i);
    }
    case 'unary': {
      const v = ev(n.arg);
      if (v instanceof CelError) return v;
      if (n.op === '!') return typeof v === 'boolean' ? !v : noOverload('!_', v);
      return typeof v === 'number' ? -v : noOverload('-_', v);
    }
    case 'cond': {
      const t = ev(n.test);
      if (t instanceof CelError) return t;
      if (typeof t !== 'boolean') return noOverload('_?_:_', t);
      return t ? ev(n.then) : ev(n.else);
    }
    case 'binary':
      return binary(n.op, n.left, n.right, ev);
    case 'call':
      return call(n, ev, regexps);
    case 'macro':
      return macro(n, env, regexps);
  }
}

function binary(op: string, l: Ast, r: Ast, ev: (x: Ast) => Value | CelError): Value | CelError {
  if (op === '&&' || op === '||') {
    // cel-spec: the logical operators are commutative over errors, so a decisive side wins either way.
    const decisive = op === '||';
    const a = ev(l);
    if (a === decisive) return decisive;
    const b = ev(r);
    if (b === decisive) return decisive;
    if (a instanceof CelError) return a;
    if (b instanceof CelError) return b;
    if (typeof a !== 'boolean' || typeof b !== 'boolean') return noOverload(`_${op}_`, a, b);
    return !decisive;
  }
  const a = ev(l);
  if (a instanceof CelError) return a;
  const b = ev(r);
  if (b instanceof CelError) return b;
  switch (op) {
    case '==':
      return celEquals(a, b);
    case '!=':
      return !celEquals(a, b);
    case 'in':
      if (Array.isArray(b)) return b.some((x) => celEquals(a, x));
      if (isObj(b) && typeof a === 'string') return Object.hasOwn(b, a);
      return noOverload('@in', a, b);
    case '<':
    case '<=':
    case '>':
    case '>=': {
      const comparable = (typeof a === 'number' && typeof b === 'number') || (typeof a === 'string' && typeof b === 'string');
      if (!comparable) return noOverload(`_${op}_`, a, b);
      const x = a as number | string;
      const y = b as number | string;
      return op === '<' ? x < y : op === '<=' ? x <= y : op === '>' ? x > y : x >= y;
    }
    case '+':
      if (typeof a === 'number' && typeof b === 'number') return a + b;
      if (typeof a === 'string' && typeof b === 'string') return a + b;
      if (Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
      return noOverload('_+_', a, b);
    case '-':
    case '*':
    case '/':
    case '%': {
      if (typeof a !== 'number' || typeof b !== 'number') return noOverload(`_${op}_`, a, b);
      if ((op === '/' || op === '%') && b === 0) return new CelError(op === '/' ? 'division by zero' : 'modulus by zero');
      const v = op === '-' ? a - b : op === '*' ? a * b : op === '/' ? a / b : a % b;
      // Integer division truncates in CEL.
      return op === '/' && Number.isInteger(a) && Number.isInteger(b) ? Math.trunc(v) : v;
    }
  }
  return new CelError(`unsupported operator ${op}`);
}

function call(n: Extract<Ast, { k: 'call' }>, ev: (x: Ast) => Value | CelError, regexps: Map<string, RegExp>): Value | CelError {
  const argAsts = n.target ? [n.target, ...n.args] : n.args;
  const args: Value[] = [];
  for (const a of argAsts) {
    const v = ev(a);
    if (v instanceof CelError) return v;
    args.push(v);
  }
  const [a, b] = args;
  switch (n.fn) {
    case 'size':
      if (args.length !== 1) break;
      if (typeof a === 'string') return codePoints(a);
      if (Array.isArray(a)) return a.length;
      if (isObj(a)) return Object.keys(a).length;
      break;
    case 'matches':
      if (typeof a === 'string' && typeof b === 'string') {
        let re = regexps.get(b);
        if (!re) {
          try {
            re = compileRegExp(b);
          } catch (e) {
            return new CelError((e as Error).message);
          }
        }
        // RE2 `matches` is an unanchored search, like RegExp.test.
        return re.test(a);
      }
      break;
    case 'startsWith':
      if (typeof a === 'string' && typeof b === 'string') return a.startsWith(b);
      break;
    case 'endsWith':
      if (typeof a === 'string' && typeof b === 'string') return a.endsWith(b);
      break;
    case 'contains':
      if (typeof a === 'string' && typeof b === 'string') return a.includes(b);
      break;
  }
  return noOverload(n.fn, ...args);
}

function macro(n: Extract<Ast, { k: 'macro' }>, env: Map<string, Value>, regexps: Map<string, RegExp>): Value | CelError {
  const t = evaluate(n.target, env, regexps);
  if (t instanceof CelError) return t;
  // Maps iterate over their keys, as in CEL.
  const items: Value[] | undefined = Array.isArray(t) ? t : isObj(t) ? Object.keys(t) : undefined;
  if (!items) return noOverload(n.fn, t);
  const inner = new Map(env);
  const run = (x: Value): Value | CelError => {
    inner.set(n.v, x);
    return evaluate(n.body, inner, regexps);
  };
  switch (n.fn) {
    case 'map': {
      const out: Value[] = [];
      for (const x of items) {
        const v = run(x);
        if (v instanceof CelError) return v;
        out.push(v);
      }
      return out;
    }
    case 'filter': {
      const out: Value[] = [];
      for (const x of items) {
        const v = run(x);
        if (v instanceof CelError) return v;
        if (typeof v !== 'boolean') return noOverload('filter', v);
        if (v) out.push(x);
      }
      return out;
    }
    case 'exists_one': {
      let count = 0;
      for (const x of items) {
        const v = run(x);
        if (v instanceof CelError) return v;
        if (v === true) count++;
      }
      return count === 1;
    }
    case 'all':
    case 'exists': {
      // Same error absorption as &&/||: a decisive element wins even if another element errored.
      const decisive = n.fn === 'exists';
      let err: CelError | undefined;
      for (const x of items) {
        const v = run(x);
        if (v === decisive) return decisive;
        if (v instanceof CelError) err ??= v;
        else if (typeof v !== 'boolean') err ??= noOverload(n.fn, v);
      }
      return err ?? !decisive;
    }
  }
}

/** Length in Unicode code points, which is what CEL `size()` and OpenAPI maxLength count. */
export function codePoints(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdbff || i + 1 >= s.length) n++;
    else {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
      n++;
    }
  }
  return n;
}
