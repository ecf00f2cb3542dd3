import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fixture from './original-exports.fixture.json' with { type: 'json' };

// The original APEX RTM exports' attribute lists (original-exports.fixture.json, copied from them as facts) against
// ours: importing ours over the originals must keep every dynamic action's and process's attribute values meaning
// what they meant.

interface Attribute {
  sequence: number;
  id: string;
  prompt: string;
  type: string;
  default?: string;
  values?: string[];
  help?: string;
}

const original = fixture as { plugins: Array<{ name: string; id: string; type: string; standardAttributes: string | null; attributes: Attribute[] }> };

const files: Record<string, string> = {
  RTM_LISTENER_DA: 'dynamic_action_plugin_rtm_listener_da.sql',
  RTM_BROADCAST_DA: 'dynamic_action_plugin_rtm_broadcast_da.sql',
  RTM_BROADCAST_PROCESS: 'process_type_plugin_rtm_broadcast_process.sql',
};

/** Reads a plug-in export: the plug-in's id, name, type, standard attributes, and its attributes with their values. */
function readExport(file: string) {
  const source = readFileSync(new URL(file, import.meta.url), 'utf8');
  const plugin = /create_plugin\(\s*p_id=>wwv_flow_imp\.id\((\d+)\)\s*,p_plugin_type=>'([^']+)'\s*,p_name=>'([^']+)'/.exec(source)!;
  const text = (block: string, key: string): string | undefined => {
    const match = new RegExp(`p_${key}=>'((?:[^']|'')*)'`).exec(block);
    return match?.[1]!.replace(/''/g, "'");
  };
  const values = [...source.matchAll(/create_plugin_attr_value\(([\s\S]*?)\n\);/g)].map((m) => m[1]!);
  const attributes: Attribute[] = [...source.matchAll(/create_plugin_attribute\(([\s\S]*?)\n\);/g)].map(([, block]) => {
    const id = /p_id=>wwv_flow_imp\.id\((\d+)\)/.exec(block!)![1]!;
    const lov = values.filter((v) => v.includes(`p_plugin_attribute_id=>wwv_flow_imp.id(${id})`)).map((v) => text(v, 'return_value')!);
    return {
      sequence: Number(/p_attribute_sequence=>(\d+)/.exec(block!)![1]),
      id,
      prompt: text(block!, 'prompt')!,
      type: text(block!, 'attribute_type')!,
      ...(text(block!, 'default_value') === undefined ? {} : { default: text(block!, 'default_value') }),
      ...(lov.length ? { values: lov } : {}),
      help: text(block!, 'help_text'),
    };
  });
  return { source, id: plugin[1], type: plugin[2], name: plugin[3], standardAttributes: text(source, 'standard_attributes') ?? null, attributes };
}

describe('the plug-in exports replace the original APEX RTM plug-ins on import', () => {
  for (const before of original.plugins) {
    const ours = readExport(files[before.name]!);

    it(`${before.name}: same internal name, type and plug-in ID, so App Builder replaces the original`, () => {
      expect({ name: ours.name, type: ours.type, id: ours.id }).toEqual({ name: before.name, type: before.type, id: before.id });
      // The Manifest names it, as App Builder's component exports do.
      expect(ours.source).toMatch(new RegExp(`--   Manifest\\n--     PLUGIN: ${before.id}\\n--   Manifest End`));
    });

    it(`${before.name}: the original attributes keep their positions, IDs, prompts and types`, () => {
      for (const attribute of before.attributes) {
        const now = ours.attributes.find((a) => a.sequence === attribute.sequence);
        expect(now, `attribute ${attribute.sequence}`).toBeDefined();
        expect({ id: now!.id, prompt: now!.prompt }).toEqual({ id: attribute.id, prompt: attribute.prompt });
        // The one deliberate change: the process's On Error was free text; it is now the same three values as a list.
        if (before.name === 'RTM_BROADCAST_PROCESS' && attribute.sequence === 6) expect(now!.type).toBe('SELECT LIST');
        else expect(now!.type).toBe(attribute.type);
        if (attribute.values) expect(now!.values).toEqual(attribute.values);
      }
    });

    it(`${before.name}: new attributes start at 07, and every attribute explains itself`, () => {
      const originals = new Set(before.attributes.map((a) => a.sequence));
      for (const attribute of ours.attributes) {
        if (!originals.has(attribute.sequence)) expect(attribute.sequence, attribute.prompt).toBeGreaterThanOrEqual(7);
        expect(attribute.help, attribute.prompt).toMatch(/\w.{20,}/);
      }
      expect(ours.attributes.length).toBeLessThanOrEqual(15);
      expect(new Set(ours.attributes.map((a) => a.id)).size).toBe(ours.attributes.length);
    });

    if (before.standardAttributes) {
      it(`${before.name}: keeps the original's standard attributes (${before.standardAttributes})`, () => {
        expect(ours.standardAttributes?.split(':')).toEqual(expect.arrayContaining(before.standardAttributes!.split(':')));
      });
    }
  }

  it('On Error is RAISE / LOG / IGNORE with LOG by default, on the Broadcast DA and the Broadcast Process', () => {
    for (const name of ['RTM_BROADCAST_DA', 'RTM_BROADCAST_PROCESS']) {
      const onError = readExport(files[name]!).attributes.find((a) => a.sequence === 6)!;
      expect({ values: onError.values, default: onError.default }).toEqual({ values: ['RAISE', 'LOG', 'IGNORE'], default: 'LOG' });
    }
  });

  it('the plug-ins call package rtm_plugin instead of compiling PL/SQL Code on every page view', () => {
    for (const file of Object.values(files)) {
      const source = readFileSync(new URL(file, import.meta.url), 'utf8');
      expect(source).not.toContain('p_plsql_code');
      for (const [, callback] of source.matchAll(/p_(?:render|ajax|execution)_function=>'([^']+)'/g)) expect(callback).toMatch(/^rtm_plugin\.\w+$/);
    }
  });

  it('help texts keep their apostrophes (doubled inside SQL strings, never dropped)', () => {
    for (const file of Object.values(files)) {
      const { attributes, source } = readExport(file);
      const texts = [...attributes.map((a) => a.help ?? ''), ...[...source.matchAll(/p_help_text=>'((?:[^']|'')*)'/g)].map((m) => m[1]!)];
      // "the pages one shared WebSocket", "the servers acknowledgement": possessives that lost their apostrophe.
      for (const text of texts) expect(text).not.toMatch(/\b(pages|servers|users|messages) (one|own|shared|acknowledgement|token|event name|WebSocket)\b/);
    }
  });
});
