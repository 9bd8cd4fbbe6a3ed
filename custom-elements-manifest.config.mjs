// Custom Elements Manifest analyzer config: `custom-elements.json` from the element's JSDoc
// (@attr, @fires, @csspart, @cssproperty, @slot, property comments), with module paths pointing
// at the published JS, plus `web-types.json` for JetBrains IDEs, derived from the manifest.
// Run it through `npm run manifest` (scripts/build-manifest.mjs), which sets the output folder.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, posix } from 'node:path';

/** Relative to the package root: the analyzer joins it to the working directory. */
const outdir = process.env.CEM_OUTDIR ?? '.';

/**
 * `src/x.ts` (or `./x.ts` relative to `from`) → `dist/npm/x.js`: the module a consumer imports.
 */
function publishedPath(path, from = '') {
  const fromRoot = path.startsWith('.') ? posix.join(posix.dirname(from), path) : path;
  return fromRoot.replace(/^\/?src\//, 'dist/npm/').replace(/\.ts$/, '.js');
}

function publishedPaths() {
  return {
    name: 'instant-key:published-paths',
    packageLinkPhase({ customElementsManifest }) {
      for (const mod of customElementsManifest.modules) {
        const source = mod.path;
        mod.path = publishedPath(source);
        for (const exp of mod.exports ?? []) {
          if (exp.declaration?.module) exp.declaration.module = publishedPath(exp.declaration.module, source);
        }
        for (const decl of mod.declarations ?? []) {
          if (decl.superclass?.module) decl.superclass.module = publishedPath(decl.superclass.module);
          for (const member of decl.members ?? []) {
            if (member.inheritedFrom?.module) member.inheritedFrom.module = publishedPath(member.inheritedFrom.module);
          }
        }
      }
    },
  };
}

/**
 * Drops what a page author cannot use: private (`#x`, `_x`) and protected members and their
 * attributes, and Lit's statics.
 */
function publicMembersOnly() {
  const isPublic = (m) => m.privacy !== 'private' && m.privacy !== 'protected' && !/^[#_]/.test(m.name) && !m.static;
  return {
    name: 'instant-key:public-members',
    packageLinkPhase({ customElementsManifest }) {
      for (const mod of customElementsManifest.modules) {
        for (const decl of mod.declarations ?? []) {
          if (decl.members) decl.members = decl.members.filter(isPublic);
          if (decl.attributes) decl.attributes = decl.attributes.filter((a) => !/^_/.test(a.fieldName ?? a.name));
        }
      }
    },
  };
}

/**
 * The element is registered as `registry.define(TAG_NAME, InstantKeyElement)`, which the
 * analyzer does not follow: take the tag from `TAG_NAME`'s value and record the definition
 * where it happens, in the `define` module.
 */
function tagFromDefine() {
  return {
    name: 'instant-key:tag-name',
    packageLinkPhase({ customElementsManifest }) {
      const modules = customElementsManifest.modules;
      const tagConst = modules.flatMap((m) => m.declarations ?? []).find((d) => d.kind === 'variable' && d.name === 'TAG_NAME');
      const tagName = tagConst?.default?.replace(/^['"`]|['"`]$/g, '');
      const elementModule = modules.find((m) => m.declarations?.some((d) => d.customElement));
      const element = elementModule?.declarations.find((d) => d.customElement);
      const defineModule = modules.find((m) => m.path === 'src/define.ts');
      if (!tagName || !element || !defineModule) throw new Error('manifest: TAG_NAME, the element class or src/define.ts is missing');
      element.tagName = tagName;
      defineModule.exports = [
        ...(defineModule.exports ?? []),
        { kind: 'custom-element-definition', name: tagName, declaration: { name: element.name, module: elementModule.path } },
      ];
    },
  };
}

/** Fields the element sets itself; a page reads them (the attribute reflects them for CSS). */
const READ_ONLY_FIELDS = new Set(['state']);

/** Where each exported interface or type alias of src/ is declared: `name` → `src/…ts`. */
function exportedTypes() {
  const found = new Map();
  for (const file of readdirSync('src', { recursive: true })) {
    if (!/\.ts$/.test(file) || /\.(test|d)\.ts$/.test(file)) continue;
    const path = posix.join('src', file.split('\\').join('/'));
    for (const m of readFileSync(path, 'utf8').matchAll(/^export (?:interface|type) (\w+)/gm)) if (!found.has(m[1])) found.set(m[1], path);
  }
  return found;
}

/**
 * What the analyzer leaves out or gets wrong for page authors: event `detail` types become
 * references to the module that declares them; an attribute whose default is a named constant
 * (`UNLOCKED_HOLD_MS`) shows the constant's value, as its field does; read-only fields say so.
 */
function typesAndDefaults() {
  return {
    name: 'instant-key:types-and-defaults',
    packageLinkPhase({ customElementsManifest }) {
      const types = exportedTypes();
      for (const mod of customElementsManifest.modules) {
        for (const decl of mod.declarations ?? []) {
          if (!decl.customElement) continue;
          for (const event of decl.events ?? []) {
            const text = event.type?.text;
            if (!text) continue;
            const references = [...text.matchAll(/\b[A-Z]\w*\b/g)]
              .filter((m) => types.has(m[0]))
              .map((m) => ({ name: m[0], module: publishedPath(types.get(m[0])), start: m.index, end: m.index + m[0].length }));
            if (references.length) event.type.references = references;
          }
          const fields = new Map((decl.members ?? []).map((m) => [m.name, m]));
          for (const attr of decl.attributes ?? []) {
            const field = fields.get(attr.fieldName);
            if (field?.default !== undefined && /^[A-Z_][A-Z0-9_]*$/.test(attr.default ?? '')) attr.default = field.default;
          }
          for (const field of decl.members ?? []) if (READ_ONLY_FIELDS.has(field.name)) field.readonly = true;
        }
      }
    },
  };
}

function webTypes(manifest, pkg) {
  const elements = [];
  const cssProperties = [];
  const cssParts = [];
  for (const mod of manifest.modules) {
    for (const decl of mod.declarations ?? []) {
      if (!decl.customElement || !decl.tagName) continue;
      const properties = (decl.members ?? []).filter((m) => m.kind === 'field');
      elements.push({
        name: decl.tagName,
        description: decl.description || decl.summary,
        'doc-url': `https://www.npmjs.com/package/${pkg.name}`,
        attributes: (decl.attributes ?? []).map((a) => ({
          name: a.name,
          description: a.description,
          value: { type: a.type?.text ?? 'string' },
        })),
        slots: (decl.slots ?? []).map((s) => ({ name: s.name, description: s.description })),
        events: (decl.events ?? []).map((e) => ({ name: e.name, description: e.description })),
        js: {
          properties: properties.map((p) => ({ name: p.name, description: p.description, type: p.type?.text })),
          events: (decl.events ?? []).map((e) => ({ name: e.name, description: e.description })),
        },
      });
      for (const p of decl.cssProperties ?? []) cssProperties.push({ name: p.name, description: p.description });
      for (const p of decl.cssParts ?? []) cssParts.push({ name: p.name, description: p.description });
    }
  }
  return {
    $schema: 'https://raw.githubusercontent.com/JetBrains/web-types/master/schema/web-types.json',
    name: pkg.name,
    version: pkg.version,
    'description-markup': 'markdown',
    contributions: {
      html: { elements },
      css: { properties: cssProperties, parts: cssParts },
    },
  };
}

function writeWebTypes() {
  return {
    name: 'instant-key:web-types',
    packageLinkPhase({ customElementsManifest }) {
      const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));
      writeFileSync(join(outdir, 'web-types.json'), `${JSON.stringify(webTypes(customElementsManifest, pkg), null, 2)}\n`);
    },
  };
}

export default {
  globs: ['src/instant-key.ts', 'src/index.ts', 'src/define.ts'],
  outdir,
  litelement: true,
  packagejson: false,
  plugins: [publicMembersOnly(), tagFromDefine(), typesAndDefaults(), publishedPaths(), writeWebTypes()],
};
