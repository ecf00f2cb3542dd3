set define off
set verify off
set feedback off
whenever sqlerror exit sql.sqlcode rollback
--------------------------------------------------------------------------------
-- rtm_api: server-side pushes from the Oracle database to rtm-kit pages, and
-- the tokens the plug-ins hand to the browser.
--
-- NOT RUN HERE: this repository has no Oracle database. The package is
-- written against the documented APIs of APEX 23.1-24.2 (apex_web_service,
-- apex_jwt, apex_credential, apex_authentication) and Oracle Database 19c+
-- SQL/JSON; its syntax is checked by `npm test` with an Oracle PL/SQL grammar.
-- Test it on a real instance before use. See README.md in this folder.
--
-- Re-runnable: run it again after an upgrade; the settings you stored stay.
-- `set define off` above: the script contains &-text that SQL*Plus, SQLcl and
-- SQL Developer would otherwise prompt for.
--
-- Settings live in rtm_settings, readable only by the owning schema; nothing
-- here is ever rendered into a page. The API key is best kept in an APEX Web
-- Credential (HTTP header x-api-key, see README.md); rtm_settings.api_key is
-- the fallback where Web Credentials cannot be used.
--------------------------------------------------------------------------------

prompt rtm-kit: table rtm_settings
declare
  e_exists exception;
  pragma exception_init(e_exists, -955);
begin
  execute immediate q'[
    create table rtm_settings (
      name  varchar2(30)   not null constraint rtm_settings_pk primary key,
      value varchar2(4000) not null
    )]';
exception
  when e_exists then
    null; -- a second run keeps the settings already stored
end;
/

comment on table rtm_settings is 'rtm-kit settings (see rtm_api.sql). Never grant SELECT on it: it may hold the API key and the JWT secret.';

-- Settings (name: meaning; default):
--   base_url        https://rtm.example.com: the rtm-kit server (required)
--   jwt_secret      the server's RTM_JWT_SECRET, 32+ bytes (required for Listeners and socket Broadcasts)
--   api_key_credential  static ID of an APEX Web Credential of type HTTP Header (name x-api-key); preferred
--   api_key         the server's RTM_API_KEY, used only when api_key_credential is not set
--   wallet_path     file:/u01/wallet, only on-premises for https (not on Autonomous Database)
--   subscribe       patterns page users may subscribe to, comma-separated; a trailing * is a prefix; default *
--   publish         patterns page users may publish on over their WebSocket; default: none (Broadcasts go through the server)
--   public_pages    REFUSE (default): no token on public pages; SESSION: one identity per APEX session
--   token_ttl       seconds a page token lives; default 3900 (see README.md: session idle timeout)
--   issuer          the iss claim, when the server runs with --issuer; default none
-- Example (run once, values are yours):
--   merge into rtm_settings s using (select 'base_url' name, 'https://rtm.example.com' value from dual) v
--      on (s.name = v.name) when matched then update set s.value = v.value when not matched then insert values (v.name, v.value);
--   commit;

prompt rtm-kit: package rtm_api
create or replace package rtm_api authid definer as
  /** Publishes {eventName, payload} on a channel: POST <base_url>/api/broadcast. p_payload is strict JSON text (or null). */
  procedure broadcast(p_channel in varchar2, p_event_name in varchar2, p_payload in clob default null, p_base_url in varchar2 default null);

  /** Pushes a message to one user's private channel, user_channel(p_user): POST <base_url>/api/users/<p_user>/messages. */
  procedure notify_user(p_user in varchar2, p_event_name in varchar2, p_payload in clob default null);

  /** Emits a resource event (created, updated or deleted): POST <base_url>/api/events. p_data is a JSON array of records with at least "id". */
  procedure emit_event(p_resource_type in varchar2, p_resource_name in varchar2, p_action in varchar2, p_data in clob default null);

  /**
   * The private channel of an APEX user, as the server names it: user:<name> as it is (spaces, \, non-ASCII letters
   * included), with only % and control characters percent-encoded as UTF-8 bytes: 50%OFF owns user:50%25OFF.
   * Use it where PL/SQL names a user's channel; the plug-ins apply it to a user:<name> channel themselves.
   */
  function user_channel(p_user in varchar2) return varchar2;

  /**
   * A signed token (HS256) for the current APEX session's user, with the rights configured in rtm_settings
   * (subscribe and publish patterns) as its rtm claim. Raises -20110 on a public page unless public_pages is SESSION,
   * which gives each APEX session its own identity instead of a shared nobody.
   */
  function page_token return varchar2;

  /** The server's base URL (rtm_settings.base_url, without a trailing /). */
  function base_url return varchar2;

  /** A setting from rtm_settings; p_default when it is not set. */
  function setting(p_name in varchar2, p_default in varchar2 default null) return varchar2;
end rtm_api;
/

create or replace package body rtm_api as

  function setting(p_name in varchar2, p_default in varchar2 default null) return varchar2 is
    l_value rtm_settings.value%type;
  begin
    select value into l_value from rtm_settings where name = p_name;
    return l_value;
  exception
    when no_data_found then
      return p_default;
  end setting;

  function required(p_name in varchar2) return varchar2 is
    l_value rtm_settings.value%type := setting(p_name);
  begin
    if l_value is null then
      raise_application_error(-20100, 'rtm_api: setting "' || p_name || '" is missing from rtm_settings');
    end if;
    return l_value;
  end required;

  procedure check_json(p_json in clob, p_what in varchar2) is
    l_ok pls_integer;
  begin
    if p_json is null then
      return;
    end if;
    -- strict: the server accepts only RFC 8259 JSON, not the lax forms (single quotes, bare names) Oracle would.
    select count(*) into l_ok from dual where p_json is json (strict);
    if l_ok = 0 then
      raise_application_error(-20101, 'rtm_api: ' || p_what || ' is not valid JSON');
    end if;
  end check_json;

  function base_url return varchar2 is
  begin
    return rtrim(required('base_url'), '/');
  end base_url;

  -- POSTs a JSON body with the API key; any non-2xx answer raises, with the server's error text.
  procedure post(p_path in varchar2, p_body in clob, p_base_url in varchar2 default null) is
    l_response   clob;
    l_credential varchar2(255) := setting('api_key_credential');
  begin
    if l_credential is null then
      apex_web_service.set_request_headers(
        p_name_01  => 'Content-Type', p_value_01 => 'application/json; charset=utf-8',
        p_name_02  => 'x-api-key',    p_value_02 => required('api_key'),
        p_reset    => true);
    else
      apex_web_service.set_request_headers(
        p_name_01  => 'Content-Type', p_value_01 => 'application/json; charset=utf-8',
        p_reset    => true);
    end if;
    l_response := apex_web_service.make_rest_request(
      p_url                  => nvl(rtrim(p_base_url, '/'), base_url) || p_path,
      p_http_method          => 'POST',
      p_body                 => p_body,
      p_transfer_timeout     => 10,
      p_credential_static_id => l_credential,
      p_wallet_path          => setting('wallet_path'));
    if apex_web_service.g_status_code is null or apex_web_service.g_status_code not between 200 and 299 then
      raise_application_error(-20102, 'rtm_api: ' || p_path || ' answered HTTP ' || apex_web_service.g_status_code
        || ': ' || dbms_lob.substr(l_response, 500, 1));
    end if;
  end post;

  -- A JSON text as an element of a body: JSON null when there is none.
  function element_of(p_json in clob) return json_element_t is
  begin
    return json_element_t.parse(nvl(p_json, to_clob('null')));
  end element_of;

  procedure broadcast(p_channel in varchar2, p_event_name in varchar2, p_payload in clob default null, p_base_url in varchar2 default null) is
    l_body json_object_t := json_object_t();
  begin
    check_json(p_payload, 'payload');
    l_body.put('channel', p_channel);
    l_body.put('eventName', p_event_name);
    l_body.put('payload', element_of(p_payload));
    post('/api/broadcast', l_body.to_clob, p_base_url);
  end broadcast;

  procedure notify_user(p_user in varchar2, p_event_name in varchar2, p_payload in clob default null) is
    l_body json_object_t := json_object_t();
  begin
    check_json(p_payload, 'payload');
    l_body.put('eventName', p_event_name);
    l_body.put('payload', element_of(p_payload));
    -- The REST path takes the user name itself, percent-encoded as a URL segment; the server derives the channel.
    post('/api/users/' || utl_url.escape(url => p_user, escape_reserved_chars => true, url_charset => 'AL32UTF8') || '/messages', l_body.to_clob);
  end notify_user;

  procedure emit_event(p_resource_type in varchar2, p_resource_name in varchar2, p_action in varchar2, p_data in clob default null) is
    l_body     json_object_t := json_object_t();
    l_resource json_object_t := json_object_t();
  begin
    if p_action is null or p_action not in ('created', 'updated', 'deleted') then
      raise_application_error(-20103, 'rtm_api: action must be created, updated or deleted');
    end if;
    check_json(p_data, 'data');
    l_resource.put('type', p_resource_type);
    l_resource.put('name', p_resource_name);
    l_body.put('resource', l_resource);
    l_body.put('action', p_action);
    l_body.put('data', element_of(nvl(p_data, to_clob('[]'))));
    post('/api/events', l_body.to_clob);
  end emit_event;

  function user_channel(p_user in varchar2) return varchar2 is
    l_out varchar2(32767);
    l_hex varchar2(16);
  begin
    for i in 1 .. nvl(length(p_user), 0) loop
      -- UTF-8 bytes whatever the database character set, as the server and the browser encode (userChannel).
      l_hex := rawtohex(utl_i18n.string_to_raw(substr(p_user, i, 1), 'AL32UTF8'));
      if l_hex = '25' or (length(l_hex) = 2 and (l_hex < '20' or l_hex = '7F')) or l_hex between 'C280' and 'C29F' then
        -- % itself (so the form stays unambiguous) and control characters: %XX per byte.
        for b in 1 .. length(l_hex) / 2 loop
          l_out := l_out || '%' || substr(l_hex, 2 * b - 1, 2);
        end loop;
      else
        l_out := l_out || substr(p_user, i, 1);
      end if;
    end loop;
    return 'user:' || l_out;
  end user_channel;

  -- The patterns of a setting as a JSON array: "a, b c" -> ["a","b","c"].
  function patterns(p_name in varchar2, p_default in varchar2) return varchar2 is
    l_list apex_t_varchar2 := apex_string.split(replace(setting(p_name, p_default), ',', ' '), ' ');
    l_json varchar2(32767);
  begin
    for i in 1 .. l_list.count loop
      if l_list(i) is not null then
        l_json := l_json || case when l_json is not null then ',' end || apex_json.stringify(l_list(i));
      end if;
    end loop;
    return '[' || l_json || ']';
  end patterns;

  -- Who the page acts as: the APEX user, or on a public page (when allowed) an identity of this APEX session alone.
  function page_subject return varchar2 is
    l_hash varchar2(64);
  begin
    if not apex_authentication.is_public_user then
      if apex_application.g_user like 'api:%' then
        -- api:<key> marks messages the server's REST API published (the Listener's Only Server Messages).
        raise_application_error(-20111, 'rtm_api: user names starting with api: cannot have a token');
      end if;
      return apex_application.g_user;
    end if;
    if upper(setting('public_pages', 'REFUSE')) <> 'SESSION' then
      raise_application_error(-20110, 'rtm_api: no token on a public page (set public_pages to SESSION to allow one per session)');
    end if;
    -- Hashed with the secret: the session ID itself never reaches the page or the server.
    select standard_hash(required('jwt_secret') || ':' || apex_application.g_instance, 'SHA256') into l_hash from dual;
    return 'anon-' || lower(substr(l_hash, 1, 32));
  end page_subject;

  function page_token return varchar2 is
  begin
    return apex_jwt.encode(
      p_iss           => setting('issuer'),
      p_sub           => page_subject,
      p_exp_sec       => to_number(setting('token_ttl', '3900')),
      p_other_claims  => '"rtm":{"subscribe":' || patterns('subscribe', '*') || ',"publish":' || patterns('publish', '') || '}',
      p_signature_key => utl_i18n.string_to_raw(required('jwt_secret'), 'AL32UTF8'));
  end page_token;

end rtm_api;
/

set define on
set verify on
set feedback on
prompt rtm-kit: rtm_api installed
