--------------------------------------------------------------------------------
-- rtm_api: server-side pushes from the Oracle database to rtm-kit pages.
--
-- NOT RUN HERE: this repository has no Oracle database. The package is
-- written against the documented APIs of APEX 23.x/24.x (apex_web_service,
-- apex_jwt) and Oracle Database 19c+ SQL/JSON, and must be tested on a real
-- instance before use. See README.md in this folder.
--
-- The API key and the JWT secret live in the table rtm_settings, readable
-- only by the owning schema. Nothing here is ever rendered into a page.
--------------------------------------------------------------------------------

create table rtm_settings (
  name  varchar2(30)   not null constraint rtm_settings_pk primary key,
  value varchar2(4000) not null
);

comment on table rtm_settings is 'rtm-kit connection settings: base_url, api_key, jwt_secret, optional wallet_path. Never grant SELECT on it.';

-- Fill in once (values are examples):
--   insert into rtm_settings values ('base_url',   'https://rtm.example.com');
--   insert into rtm_settings values ('api_key',    '<the server''s RTM_API_KEY>');
--   insert into rtm_settings values ('jwt_secret', '<the server''s RTM_JWT_SECRET>');
--   insert into rtm_settings values ('wallet_path','file:/u01/wallet');  -- only where HTTPS needs a wallet (not on Autonomous DB)
--   commit;
-- Outbound HTTPS to base_url must be allowed by a network ACL (dbms_network_acl_admin.append_host_ace).

create or replace package rtm_api authid definer as
  /** Publishes {eventName, payload} on a channel: POST <base_url>/api/broadcast. p_payload is JSON text (or null). */
  procedure broadcast(p_channel in varchar2, p_event_name in varchar2, p_payload in clob default null);

  /** Pushes a message to one user's private channel user:<p_user>: POST <base_url>/api/users/<p_user>/messages. */
  procedure notify_user(p_user in varchar2, p_event_name in varchar2, p_payload in clob default null);

  /** Emits a resource event (created, updated or deleted): POST <base_url>/api/events. p_data is a JSON array of records with at least "id". */
  procedure emit_event(p_resource_type in varchar2, p_resource_name in varchar2, p_action in varchar2, p_data in clob default null);

  /**
   * A signed token (HS256) for p_user, for the plug-ins' Ajax callbacks: the page never chooses its own identity,
   * so user:&APP_USER. is private for real. Short-lived; the page fetches a new one when the server asks.
   */
  function user_token(p_user in varchar2, p_ttl_seconds in pls_integer default 3600) return varchar2;

  /** The server's base URL (rtm_settings.base_url), from which the plug-ins derive the script and WebSocket URLs. */
  function base_url return varchar2;
end rtm_api;
/

create or replace package body rtm_api as

  function setting(p_name in varchar2, p_required in boolean default true) return varchar2 is
    l_value rtm_settings.value%type;
  begin
    select value into l_value from rtm_settings where name = p_name;
    return l_value;
  exception
    when no_data_found then
      if p_required then
        raise_application_error(-20100, 'rtm_api: setting "' || p_name || '" is missing from rtm_settings');
      end if;
      return null;
  end setting;

  procedure check_json(p_json in clob, p_what in varchar2) is
    l_ok pls_integer;
  begin
    if p_json is null then
      return;
    end if;
    select count(*) into l_ok from dual where p_json is json;
    if l_ok = 0 then
      raise_application_error(-20101, 'rtm_api: ' || p_what || ' is not valid JSON');
    end if;
  end check_json;

  -- POSTs a JSON body with the API key; any non-2xx answer raises, with the server's error text.
  procedure post(p_path in varchar2, p_body in clob) is
    l_response clob;
  begin
    apex_web_service.set_request_headers(
      p_name_01  => 'Content-Type', p_value_01 => 'application/json',
      p_name_02  => 'x-api-key',    p_value_02 => setting('api_key'),
      p_reset    => true);
    l_response := apex_web_service.make_rest_request(
      p_url              => rtrim(setting('base_url'), '/') || p_path,
      p_http_method      => 'POST',
      p_body             => p_body,
      p_transfer_timeout => 10,
      p_wallet_path      => setting('wallet_path', p_required => false));
    if apex_web_service.g_status_code not between 200 and 299 then
      raise_application_error(-20102, 'rtm_api: ' || p_path || ' answered HTTP ' || apex_web_service.g_status_code
        || ': ' || dbms_lob.substr(l_response, 500, 1));
    end if;
  end post;

  procedure broadcast(p_channel in varchar2, p_event_name in varchar2, p_payload in clob default null) is
    l_body clob;
  begin
    check_json(p_payload, 'payload');
    select json_object('channel' value p_channel, 'eventName' value p_event_name, 'payload' value p_payload format json
                       null on null returning clob)
      into l_body from dual;
    post('/api/broadcast', l_body);
  end broadcast;

  procedure notify_user(p_user in varchar2, p_event_name in varchar2, p_payload in clob default null) is
    l_body clob;
  begin
    check_json(p_payload, 'payload');
    select json_object('eventName' value p_event_name, 'payload' value p_payload format json null on null returning clob)
      into l_body from dual;
    post('/api/users/' || utl_url.escape(p_user, true, 'AL32UTF8') || '/messages', l_body);
  end notify_user;

  procedure emit_event(p_resource_type in varchar2, p_resource_name in varchar2, p_action in varchar2, p_data in clob default null) is
    l_body clob;
  begin
    if p_action not in ('created', 'updated', 'deleted') then
      raise_application_error(-20103, 'rtm_api: action must be created, updated or deleted');
    end if;
    check_json(p_data, 'data');
    select json_object('resource' value json_object('type' value p_resource_type, 'name' value p_resource_name),
                       'action' value p_action,
                       'data' value nvl(p_data, to_clob('[]')) format json
                       returning clob)
      into l_body from dual;
    post('/api/events', l_body);
  end emit_event;

  function user_token(p_user in varchar2, p_ttl_seconds in pls_integer default 3600) return varchar2 is
  begin
    return apex_jwt.encode(
      p_iss           => 'apex',
      p_sub           => p_user,
      p_exp_sec       => p_ttl_seconds,
      p_signature_key => utl_raw.cast_to_raw(setting('jwt_secret')));
  end user_token;

  function base_url return varchar2 is
  begin
    return rtrim(setting('base_url'), '/');
  end base_url;

end rtm_api;
/
