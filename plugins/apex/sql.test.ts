import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sqlSyntaxErrors } from './sql-grammar.js';

const folder = new URL('./', import.meta.url);
const scripts = readdirSync(folder).filter((file) => file.endsWith('.sql'));
const read = (file: string): string => readFileSync(new URL(file, folder), 'utf8');

describe('the APEX SQL scripts', () => {
  it('are all here: plug-in exports, install, optional compatibility, uninstall', () => {
    expect(scripts.sort()).toEqual([
      'dynamic_action_plugin_rtm_broadcast_da.sql',
      'dynamic_action_plugin_rtm_listener_da.sql',
      'process_type_plugin_rtm_broadcast_process.sql',
      'rtm_api.sql',
      'rtm_plugin.sql',
      'rtm_uninstall.sql',
      'rtm_websocket_api.sql',
    ]);
  });

  for (const file of scripts) {
    it(`${file} parses with the Oracle PL/SQL grammar`, () => {
      expect(sqlSyntaxErrors(read(file))).toEqual([]);
    }, 60_000);
  }

  it('the grammar check fails on a planted syntax error', () => {
    const source = read('rtm_websocket_api.sql');
    const planted = source.replace('trim(p_base_url));', 'trim(p_base_url))');
    expect(planted).not.toBe(source);
    expect(sqlSyntaxErrors(planted).length).toBeGreaterThan(0);
    expect(sqlSyntaxErrors('select count(*) into l_ok from dual where p_json is json (strict);')).toEqual([]);
    expect(sqlSyntaxErrors('begin if p_json is json (stric) then null; end if; end;\n/\n').length).toBeGreaterThan(0);
  }, 60_000);

  for (const file of scripts) {
    it(`${file} turns substitution off before anything else, so no SQL client prompts for &-text`, () => {
      const lines = read(file).split('\n').filter((line) => line.trim() && !line.startsWith('prompt --'));
      expect(lines[0]).toBe('set define off');
    });
  }

  it('encode with AL32UTF8, never the database character set, and check JSON strictly', () => {
    const all = scripts.map(read).join('\n');
    expect(all).not.toMatch(/cast_to_raw/i);
    const conversions = [...all.matchAll(/string_to_raw\(.*$/gm)].map((m) => m[0]);
    expect(conversions.length).toBeGreaterThan(0);
    for (const conversion of conversions) expect(conversion).toContain("'AL32UTF8')");
    for (const match of all.matchAll(/\bis\s+(not\s+)?json\b[^;\n]*/gi)) expect(match[0]).toMatch(/is\s+(not\s+)?json\s*\(strict\)/i);
  });

  it('install re-runnably: the table is created only when missing, packages with create or replace', () => {
    const api = read('rtm_api.sql');
    // CREATE TABLE only inside the block that skips ORA-00955 (already exists).
    expect(api).not.toMatch(/^create\s+table/im);
    expect(api).toMatch(/execute immediate q'\[\s*create table rtm_settings/);
    expect(api).toMatch(/pragma exception_init\(e_exists, -955\)/);
    for (const file of ['rtm_api.sql', 'rtm_plugin.sql', 'rtm_websocket_api.sql']) {
      for (const match of read(file).matchAll(/^create\s+(or\s+replace\s+)?package/gim)) expect(match[1]).toBeTruthy();
    }
  });

  it('uninstall drops what the install creates, tolerating what is already gone', () => {
    const uninstall = read('rtm_uninstall.sql');
    for (const object of ['package rtm_plugin', 'package rtm_api', 'table rtm_settings']) expect(uninstall).toContain(`drop ${object}`);
    expect(uninstall).toMatch(/exception_init\(e_missing_object, -4043\)/);
  });

  it('keep the API key on the server: a Web Credential (x-api-key) first, never rendered into a page', () => {
    const api = read('rtm_api.sql');
    expect(api).toMatch(/p_credential_static_id\s*=>\s*l_credential/);
    const plugin = read('rtm_plugin.sql');
    const render = plugin.slice(plugin.lastIndexOf('function render_broadcast('), plugin.indexOf('end render_broadcast;'));
    expect(render).toContain('attribute_02');
    expect(render).not.toMatch(/l_result\.attribute_01/);
  });
});
