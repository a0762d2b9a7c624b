import fs from "node:fs";
import path from "node:path";
import ts from "typescript";

/**
 * What the code holds, read with the TypeScript compiler rather than regexes: every route handler under app/api
 * (any export style), every page, every server action. And what `next build` made of it, from its manifests.
 */

export const HTTP_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;

export interface RouteHandler {
  /** URL pattern, e.g. /api/v1/environments/[name]/config */
  path: string;
  file: string;
  methods: string[];
}

export interface PageFile {
  /** URL pattern with route groups removed, e.g. /environments/[name]/config */
  path: string;
  /** The build's name for it, e.g. /(console)/environments/[name]/config/page */
  appPath: string;
  file: string;
}

export interface ActionExport {
  file: string;
  name: string;
}

const ROOT = process.cwd();
const rel = (p: string) => path.relative(ROOT, p).split(path.sep).join("/");

function walk(dir: string, match: (name: string) => boolean, out: string[] = []): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) walk(full, match, out);
    else if (match(e.name)) out.push(full);
  }
  return out.sort();
}

const parse = (file: string) => ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
const exported = (n: ts.Node) =>
  ts.canHaveModifiers(n) && !!ts.getModifiers(n)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);

function bindingNames(name: ts.BindingName): string[] {
  if (ts.isIdentifier(name)) return [name.text];
  return name.elements.flatMap((el) => (ts.isOmittedExpression(el) ? [] : bindingNames(el.name)));
}

function resolveModule(from: string, specifier: string): string {
  if (!specifier.startsWith(".") && !specifier.startsWith("@/")) {
    throw new Error(`${rel(from)}: "export * from '${specifier}'" cannot be followed; export the handlers by name`);
  }
  const base = specifier.startsWith("@/")
    ? path.join(ROOT, specifier.slice(2))
    : path.resolve(path.dirname(from), specifier);
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, path.join(base, "index.ts")]) {
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
  }
  throw new Error(`${rel(from)}: cannot resolve "${specifier}"`);
}

/**
 * Every name a module exports: `export (async) function X`, `export const X =`, `export const { X, Y } = …`,
 * `export { a as X }`, `export { X } from "…"`, `export * from "./…"` (followed), `export default`.
 */
export function exportedNames(file: string, seen = new Set<string>()): string[] {
  if (seen.has(file)) return [];
  seen.add(file);
  const names: string[] = [];
  for (const st of parse(file).statements) {
    if ((ts.isFunctionDeclaration(st) || ts.isClassDeclaration(st)) && exported(st)) {
      const isDefault = ts.getModifiers(st)?.some((m) => m.kind === ts.SyntaxKind.DefaultKeyword);
      names.push(isDefault ? "default" : (st.name?.text ?? "default"));
    } else if (ts.isVariableStatement(st) && exported(st)) {
      for (const d of st.declarationList.declarations) names.push(...bindingNames(d.name));
    } else if (ts.isExportDeclaration(st) && !st.isTypeOnly) {
      const clause = st.exportClause;
      if (clause && ts.isNamedExports(clause))
        names.push(...clause.elements.filter((e) => !e.isTypeOnly).map((e) => e.name.text));
      else if (clause && ts.isNamespaceExport(clause)) names.push(clause.name.text);
      else if (st.moduleSpecifier && ts.isStringLiteral(st.moduleSpecifier)) {
        names.push(...exportedNames(resolveModule(file, st.moduleSpecifier.text), seen).filter((n) => n !== "default"));
      }
    } else if (ts.isExportAssignment(st)) names.push("default");
  }
  return names;
}

const urlOf = (dir: string, root: string) =>
  "/" +
  path
    .relative(root, dir)
    .split(path.sep)
    .filter((s) => s && !/^\(.*\)$/.test(s))
    .join("/");

/** Every route handler file under app/api and the HTTP methods it exports. */
export function routeHandlers(): RouteHandler[] {
  const app = path.join(ROOT, "app");
  return walk(path.join(app, "api"), (n) => /^route\.(ts|tsx|js|mjs)$/.test(n)).map((file) => {
    const names = exportedNames(file);
    return {
      path: urlOf(path.dirname(file), app),
      file: rel(file),
      methods: HTTP_METHODS.filter((m) => names.includes(m)),
    };
  });
}

/** Every page under app/ (route groups removed from the URL). */
export function pageFiles(): PageFile[] {
  const app = path.join(ROOT, "app");
  return walk(app, (n) => /^page\.(tsx|ts|jsx|js)$/.test(n)).map((file) => ({
    path: urlOf(path.dirname(file), app),
    appPath: "/" + rel(path.join(path.dirname(file), "page")).replace(/^app\//, ""),
    file: rel(file),
  }));
}

/** A directive prologue entry ("use server") at the top of a file or a function body. */
const hasDirective = (statements: readonly ts.Statement[], directive: string) => {
  for (const st of statements) {
    if (!ts.isExpressionStatement(st) || !ts.isStringLiteral(st.expression)) return false;
    if (st.expression.text === directive) return true;
  }
  return false;
};

/**
 * Server actions in the source: the exports of every "use server" module under app/, components/ and lib/.
 * Inline actions (a "use server" function body) are listed separately so the sweep can refuse to miss them.
 */
export function serverActions(): { exports: ActionExport[]; inline: string[] } {
  const files = ["app", "components", "lib"].flatMap((d) =>
    walk(path.join(ROOT, d), (n) => /\.(ts|tsx)$/.test(n) && !n.endsWith(".d.ts")),
  );
  const out: ActionExport[] = [];
  const inline: string[] = [];
  for (const file of files) {
    const source = parse(file);
    if (hasDirective(source.statements, "use server")) {
      for (const name of exportedNames(file)) out.push({ file: rel(file), name });
      continue;
    }
    const visit = (n: ts.Node) => {
      if (
        (ts.isFunctionDeclaration(n) || ts.isFunctionExpression(n) || ts.isArrowFunction(n)) &&
        n.body &&
        ts.isBlock(n.body)
      ) {
        const line = source.getLineAndCharacterOfPosition(n.getStart()).line + 1;
        if (hasDirective(n.body.statements, "use server")) inline.push(`${rel(file)}:${line}`);
      }
      ts.forEachChild(n, visit);
    };
    visit(source);
  }
  return { exports: out, inline };
}

/** `next build`'s list of app routes and pages: keys like /(console)/environments/[name]/page, /api/…/route. */
export function builtAppPaths(): string[] {
  const manifest = JSON.parse(
    fs.readFileSync(path.join(ROOT, ".next/server/app-paths-manifest.json"), "utf8"),
  ) as Record<string, string>;
  return Object.keys(manifest)
    .filter((k) => !k.startsWith("/_"))
    .sort();
}

export interface BuiltAction {
  id: string;
  file: string;
  name: string;
  /** Pages whose worker holds the action, e.g. app/(console)/environments/[name]/page */
  workers: string[];
}

/**
 * `next build`'s server actions, from .next/server/server-reference-manifest.json:
 * `{node: {[id]: {workers: {[page]: {moduleId, async}}, filename, exportedName}}, edge: {…}, encryptionKey}`.
 */
export function builtActions(): BuiltAction[] {
  const manifest = JSON.parse(
    fs.readFileSync(path.join(ROOT, ".next/server/server-reference-manifest.json"), "utf8"),
  ) as {
    node: Record<string, { workers: Record<string, unknown>; filename: string; exportedName: string }>;
    edge: Record<string, unknown>;
  };
  if (Object.keys(manifest.edge).length)
    throw new Error("edge server actions exist: the sweep only reads node actions");
  return Object.entries(manifest.node)
    .map(([id, a]) => ({ id, file: a.filename, name: a.exportedName, workers: Object.keys(a.workers).sort() }))
    .sort((x, y) => `${x.file}#${x.name}`.localeCompare(`${y.file}#${y.name}`));
}

/** Prints a table to the test output. */
export function printTable(title: string, rows: Record<string, string | number>[]) {
  const cols = Object.keys(rows[0] ?? {});
  const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c]).length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(width[i])).join("  ");
  const body = rows.map((r) => line(cols.map((c) => String(r[c]))));
  console.log([`\n${title}`, line(cols), line(width.map((w) => "-".repeat(w))), ...body].join("\n"));
}
