set define off
set verify off
set feedback off
whenever sqlerror exit sql.sqlcode rollback
--------------------------------------------------------------------------------
-- rtm_plugin: the server side of the three APEX plug-ins (RTM_LISTENER_DA,
-- RTM_BROADCAST_DA, RTM_BROADCAST_PROCESS). Compiled once here rather than
-- in each plug-in's PL/SQL Code, which APEX would compile on every page view.
-- The plug-in exports name these functions (rtm_plugin.render_listener...).
--
-- NOT RUN HERE: no Oracle database in this repository; see README.md. Needs
-- rtm_api.sql first. Re-runnable.
--------------------------------------------------------------------------------

prompt rtm-kit: package rtm_plugin
create or replace package rtm_plugin authid definer as
  /** RTM_LISTENER_DA render: attributes to the page (never a secret) and the Ajax callback for the token. */
  function render_listener(p_dynamic_action in apex_plugin.t_dynamic_action, p_plugin in apex_plugin.t_plugin)
    return apex_plugin.t_dynamic_action_render_result;

  /** RTM_LISTENER_DA Ajax: {"token": "..."} for the session's user, or {"error": "..."} when there is none to give. */
  function ajax_token(p_dynamic_action in apex_plugin.t_dynamic_action, p_plugin in apex_plugin.t_plugin)
    return apex_plugin.t_dynamic_action_ajax_result;

  /** RTM_BROADCAST_DA render. Attribute 01 (API Key) is never passed to the page. */
  function render_broadcast(p_dynamic_action in apex_plugin.t_dynamic_action, p_plugin in apex_plugin.t_plugin)
    return apex_plugin.t_dynamic_action_render_result;

  /**
   * RTM_BROADCAST_DA Ajax: x01 = token answers as ajax_token; x01 = send publishes on the action's own channel and
   * event (never ones the page names) with x02 as the payload and x03 as the value of the Payload Item, then answers
   * {"status": "OK" | "ERROR" | "IGNORED"} as On Error says.
   */
  function ajax_broadcast(p_dynamic_action in apex_plugin.t_dynamic_action, p_plugin in apex_plugin.t_plugin)
    return apex_plugin.t_dynamic_action_ajax_result;

  /** RTM_BROADCAST_PROCESS execution: publishes, and on failure raises, logs or ignores as On Error says (default LOG). */
  function execute_process(p_process in apex_plugin.t_process, p_plugin in apex_plugin.t_plugin)
    return apex_plugin.t_process_exec_result;
end rtm_plugin;
/

create or replace package body rtm_plugin as

  -- The DA's JavaScript function. It calls rtm-kit only when its script loaded: if the server is down, an http URL
  -- sits on an https page or a Content-Security-Policy blocks it, the action warns and the page's other dynamic
  -- actions go on (with Wait for Result the chain resumes; as an error only when On Error is RAISE).
  c_guard constant varchar2(1000) := 'function(){var r=window.RTM&&window.RTM.apex;if(r)return r.#ENTRY#.call(this);if(window.console)console.warn("rtm-kit: #NAME# is off: the rtm-kit script did not load (server down, http on an https page, or a Content-Security-Policy)");if(this.resumeCallback)apex.da.resume(this.resumeCallback,this.action.attribute06==="RAISE")}';

  function guarded(p_entry in varchar2, p_name in varchar2) return varchar2 is
  begin
    return replace(replace(c_guard, '#ENTRY#', p_entry), '#NAME#', p_name);
  end guarded;

  -- Loads rtm-kit's script-tag bundle (global RTM), once per page: from rtm_settings.bundle_url when set (for
  -- example #APP_FILES#rtm.iife.min.js, served by APEX itself), else from the rtm-kit server.
  procedure add_rtm_library is
    l_url varchar2(4000) := rtm_api.setting('bundle_url', rtm_api.base_url || '/dist/rtm.iife.min.js');
  begin
    apex_javascript.add_library(
      p_name           => substr(l_url, instr(l_url, '/', -1) + 1),
      p_directory      => substr(l_url, 1, instr(l_url, '/', -1)),
      p_skip_extension => true,
      p_key            => 'rtm-kit');
  end add_rtm_library;

  -- user:<name> as APEX substitutes it (user:&APP_USER.) -> the channel the server names for that user.
  function channel_of(p_channel in varchar2) return varchar2 is
  begin
    if p_channel like 'user:%' then
      return rtm_api.user_channel(substr(p_channel, 6));
    end if;
    return p_channel;
  end channel_of;

  procedure warn_api_key(p_value in varchar2) is
  begin
    if p_value is not null then
      apex_debug.warn('rtm-kit: the API Key attribute (01) is ignored; the key is read from the Web Credential or rtm_settings, see plugins/apex/UPGRADE.md');
    end if;
  end warn_api_key;

  -- The payload: p_json (an object), then the items' values, then {itemName, value} for the Payload Item.
  -- itemName only ever comes from the plug-in's own configuration, never from the page.
  function payload_of(p_json in clob, p_items in varchar2, p_item in varchar2, p_value in varchar2) return clob is
    l_object json_object_t := case when p_json is not null then json_object_t.parse(p_json) else json_object_t() end;
    l_items  apex_t_varchar2 := apex_string.split(p_items, ',');
  begin
    l_object.remove('itemName');
    for i in 1 .. l_items.count loop
      if trim(l_items(i)) is not null then
        l_object.put(trim(l_items(i)), apex_util.get_session_state(trim(l_items(i))));
      end if;
    end loop;
    if p_item is not null then
      l_object.put('itemName', p_item);
      l_object.put('value', p_value);
    end if;
    return l_object.to_clob;
  end payload_of;

  function on_error_of(p_value in varchar2) return varchar2 is
  begin
    return case when upper(trim(p_value)) in ('RAISE', 'LOG', 'IGNORE') then upper(trim(p_value)) else 'LOG' end;
  end on_error_of;

  procedure write_token is
    l_token varchar2(32767);
  begin
    l_token := rtm_api.page_token;
    apex_json.open_object;
    apex_json.write('token', l_token);
    apex_json.close_object;
  exception
    when others then
      -- The page stops (UnauthorizedError) instead of asking again and again: a public page, or settings missing.
      apex_debug.error('rtm-kit: no token for the page: %s', sqlerrm);
      apex_json.open_object;
      apex_json.write('error', case when sqlcode in (-20110, -20111) then 'unauthorized' else 'unavailable' end);
      apex_json.close_object;
  end write_token;

  function render_listener(p_dynamic_action in apex_plugin.t_dynamic_action, p_plugin in apex_plugin.t_plugin)
    return apex_plugin.t_dynamic_action_render_result
  is
    l_result apex_plugin.t_dynamic_action_render_result;
  begin
    add_rtm_library;
    l_result.javascript_function := guarded('listener', 'RTM - Listener');
    l_result.ajax_identifier     := apex_plugin.get_ajax_identifier;
    l_result.attribute_01 := nvl(p_dynamic_action.attribute_01, rtm_api.base_url); -- base WebSocket URL
    l_result.attribute_02 := channel_of(p_dynamic_action.attribute_02);            -- channel (&APP_USER. substituted)
    l_result.attribute_03 := p_dynamic_action.attribute_03; -- event name(s)
    l_result.attribute_04 := p_dynamic_action.attribute_04; -- APEX event name
    l_result.attribute_07 := p_dynamic_action.attribute_07; -- set items
    l_result.attribute_08 := p_dynamic_action.attribute_08; -- refresh regions
    l_result.attribute_09 := p_dynamic_action.attribute_09; -- notification
    l_result.attribute_10 := p_dynamic_action.attribute_10; -- call function
    l_result.attribute_11 := p_dynamic_action.attribute_11; -- debounce ms
    l_result.attribute_12 := p_dynamic_action.attribute_12; -- options
    l_result.attribute_13 := p_dynamic_action.attribute_13; -- {itemName, value}
    l_result.attribute_14 := p_dynamic_action.attribute_14; -- resource
    l_result.attribute_15 := p_dynamic_action.attribute_15; -- payload filter
    return l_result;
  end render_listener;

  function ajax_token(p_dynamic_action in apex_plugin.t_dynamic_action, p_plugin in apex_plugin.t_plugin)
    return apex_plugin.t_dynamic_action_ajax_result
  is
    l_result apex_plugin.t_dynamic_action_ajax_result;
  begin
    write_token;
    return l_result;
  end ajax_token;

  function render_broadcast(p_dynamic_action in apex_plugin.t_dynamic_action, p_plugin in apex_plugin.t_plugin)
    return apex_plugin.t_dynamic_action_render_result
  is
    l_result apex_plugin.t_dynamic_action_render_result;
  begin
    add_rtm_library;
    warn_api_key(p_dynamic_action.attribute_01);
    l_result.javascript_function := guarded('broadcast', 'RTM - Broadcast');
    l_result.ajax_identifier     := apex_plugin.get_ajax_identifier;
    -- attribute_01 (API Key) stays on the server.
    l_result.attribute_02 := nvl(p_dynamic_action.attribute_02, rtm_api.base_url); -- base URL
    l_result.attribute_03 := channel_of(p_dynamic_action.attribute_03);            -- channel
    l_result.attribute_04 := p_dynamic_action.attribute_04; -- event name
    l_result.attribute_05 := p_dynamic_action.attribute_05; -- payload item
    l_result.attribute_06 := on_error_of(p_dynamic_action.attribute_06);
    l_result.attribute_07 := p_dynamic_action.attribute_07; -- send through
    l_result.attribute_08 := p_dynamic_action.attribute_08; -- items
    l_result.attribute_09 := p_dynamic_action.attribute_09; -- static payload
    l_result.attribute_10 := p_dynamic_action.attribute_10; -- payload function
    l_result.attribute_11 := p_dynamic_action.attribute_11; -- timeout ms
    return l_result;
  end render_broadcast;

  function ajax_broadcast(p_dynamic_action in apex_plugin.t_dynamic_action, p_plugin in apex_plugin.t_plugin)
    return apex_plugin.t_dynamic_action_ajax_result
  is
    l_result   apex_plugin.t_dynamic_action_ajax_result;
    l_on_error varchar2(10) := on_error_of(p_dynamic_action.attribute_06);
  begin
    if apex_application.g_x01 = 'token' then
      write_token;
      return l_result;
    end if;
    warn_api_key(p_dynamic_action.attribute_01);
    begin
      rtm_api.broadcast(
        p_channel    => channel_of(apex_plugin_util.replace_substitutions(p_dynamic_action.attribute_03)),
        p_event_name => apex_plugin_util.replace_substitutions(p_dynamic_action.attribute_04),
        p_payload    => payload_of(apex_application.g_x02, null, p_dynamic_action.attribute_05, apex_application.g_x03),
        p_base_url   => apex_plugin_util.replace_substitutions(p_dynamic_action.attribute_02));
      apex_json.open_object;
      apex_json.write('status', 'OK');
      apex_json.close_object;
    exception
      when others then
        if l_on_error = 'RAISE' then
          raise;
        end if;
        if l_on_error = 'LOG' then
          apex_debug.error('rtm-kit: RTM - Broadcast failed: %s', sqlerrm);
        end if;
        apex_json.open_object;
        apex_json.write('status', case l_on_error when 'LOG' then 'ERROR' else 'IGNORED' end);
        if l_on_error = 'LOG' then
          apex_json.write('message', sqlerrm);
        end if;
        apex_json.close_object;
    end;
    return l_result;
  end ajax_broadcast;

  function execute_process(p_process in apex_plugin.t_process, p_plugin in apex_plugin.t_plugin)
    return apex_plugin.t_process_exec_result
  is
    l_result   apex_plugin.t_process_exec_result;
    l_on_error varchar2(10) := on_error_of(p_process.attribute_06);
    l_payload  clob;
  begin
    warn_api_key(p_process.attribute_01);
    begin
      l_payload := payload_of(p_process.attribute_13, p_process.attribute_12, p_process.attribute_05,
                              case when p_process.attribute_05 is not null then apex_util.get_session_state(p_process.attribute_05) end);
      case nvl(p_process.attribute_07, 'CHANNEL')
        when 'CHANNEL' then
          rtm_api.broadcast(channel_of(p_process.attribute_03), p_process.attribute_04, l_payload, p_process.attribute_02);
        when 'USER' then
          rtm_api.notify_user(nvl(p_process.attribute_08, apex_application.g_user), p_process.attribute_04, l_payload);
        when 'RESOURCE' then
          rtm_api.emit_event(p_process.attribute_09, p_process.attribute_10, p_process.attribute_11, '[' || l_payload || ']');
      end case;
      l_result.success_message := p_process.success_message;
    exception
      when others then
        -- RAISE fails the page submit, and APEX rolls back its changes; LOG and IGNORE let the submit succeed.
        if l_on_error = 'RAISE' then
          raise;
        end if;
        if l_on_error = 'LOG' then
          apex_debug.error('rtm-kit: RTM - Broadcast (Process) failed: %s', sqlerrm);
        end if;
    end;
    return l_result;
  end execute_process;

end rtm_plugin;
/

set define on
set verify on
set feedback on
prompt rtm-kit: rtm_plugin installed
