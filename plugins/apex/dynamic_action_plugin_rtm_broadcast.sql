prompt --application/set_environment
set define off verify off feedback off
whenever sqlerror exit sql.sqlcode rollback
--------------------------------------------------------------------------------
--
-- Oracle APEX export file: plug-in RTM - Broadcast
--
-- NOT RUN HERE: rtm-kit's repository has no Oracle database or APEX instance.
-- This file follows the structure of APEX 23.1 component exports and the
-- documented plug-in API; import it into APEX 23.x/24.x (Shared Components >
-- Plug-ins > Import) after installing rtm_api.sql, and test it there.
-- See plugins/apex/README.md.
--
-- Generated for rtm-kit; the workspace and application below are placeholders
-- that App Builder's import replaces (or set them with apex_application_install).
--------------------------------------------------------------------------------
begin
wwv_flow_imp.import_begin (
 p_version_yyyy_mm_dd=>'2023.04.28'
,p_release=>'23.1.0'
,p_default_workspace_id=>100000
,p_default_application_id=>100
,p_default_id_offset=>0
,p_default_owner=>'RTM'
);
end;
/
begin
  -- replace components
  wwv_flow_imp.g_mode := 'REPLACE';
end;
/
prompt --application/shared_components/plugins/dynamic_action/com_rtmkit_broadcast
begin
wwv_flow_imp_shared.create_plugin(
 p_id=>wwv_flow_imp.id(7361000000016001)
,p_plugin_type=>'DYNAMIC ACTION'
,p_name=>'COM.RTMKIT.BROADCAST'
,p_display_name=>'RTM - Broadcast'
,p_category=>'EXECUTE'
,p_plsql_code=>wwv_flow_string.join(wwv_flow_t_varchar2(
'-- Loads rtm-kit''s script-tag bundle (global RTM) from the server, once per page.',
'procedure add_rtm_library is',
'begin',
'  apex_javascript.add_library(',
'    p_name           => ''rtm.iife.min'',',
'    p_directory      => rtm_api.base_url || ''/dist/'',',
'    p_skip_extension => false,',
'    p_key            => ''rtm-kit'');',
'end add_rtm_library;',
'',
'-- The WebSocket URL, from the base URL: http(s)://host -> ws(s)://host/rtc.',
'function socket_url return varchar2 is',
'begin',
'  return regexp_replace(rtm_api.base_url, ''^http'', ''ws'') || ''/rtc'';',
'end socket_url;',
'',
'-- Answers {"token": "..."} for the session''s user. The secret stays in the database;',
'-- the page cannot choose its identity, so user:&APP_USER. is private for real.',
'function ajax_token (',
'  p_dynamic_action in apex_plugin.t_dynamic_action,',
'  p_plugin         in apex_plugin.t_plugin )',
'  return apex_plugin.t_dynamic_action_ajax_result',
'is',
'  l_result apex_plugin.t_dynamic_action_ajax_result;',
'begin',
'  apex_json.open_object;',
'  apex_json.write(''token'', rtm_api.user_token(apex_application.g_user));',
'  apex_json.close_object;',
'  return l_result;',
'end ajax_token;',
'',
'function render_broadcast (',
'  p_dynamic_action in apex_plugin.t_dynamic_action,',
'  p_plugin         in apex_plugin.t_plugin )',
'  return apex_plugin.t_dynamic_action_render_result',
'is',
'  l_result apex_plugin.t_dynamic_action_render_result;',
'begin',
'  add_rtm_library;',
'  -- The message goes over the page''s own WebSocket with the user''s token: no API key in the page',
'  -- (the seed rendered it as attribute_01), and the server checks who may publish where.',
'  l_result.javascript_function := ''RTM.apex.broadcast'';',
'  l_result.ajax_identifier     := apex_plugin.get_ajax_identifier;',
'  l_result.attribute_01 := p_dynamic_action.attribute_01; -- channel',
'  l_result.attribute_02 := p_dynamic_action.attribute_02; -- event name',
'  l_result.attribute_03 := p_dynamic_action.attribute_03; -- items',
'  l_result.attribute_04 := p_dynamic_action.attribute_04; -- static JSON',
'  l_result.attribute_05 := p_dynamic_action.attribute_05; -- payload function',
'  l_result.attribute_06 := p_dynamic_action.attribute_06; -- timeout ms',
'  l_result.attribute_14 := socket_url;',
'  return l_result;',
'end render_broadcast;'))
,p_api_version=>1
,p_render_function=>'render_broadcast'
,p_ajax_function=>'ajax_token'
,p_standard_attributes=>'STOP_EXECUTION_ON_ERROR:WAIT_FOR_RESULT'
,p_substitute_attributes=>true
,p_subscribe_plugin_settings=>true
,p_help_text=>'Publishes a message over the pages shared WebSocket with the users token. The triggering element is disabled while sending; rtm-sent or rtm-send-error follows.'
,p_version_identifier=>'1.0.0'
,p_about_url=>'https://github.com/rtm-kit/rtm-kit'
);
wwv_flow_imp_shared.create_plugin_attribute(
 p_id=>wwv_flow_imp.id(7361000000017001)
,p_plugin_id=>wwv_flow_imp.id(7361000000016001)
,p_attribute_scope=>'COMPONENT'
,p_attribute_sequence=>1
,p_display_sequence=>10
,p_prompt=>'Channel'
,p_attribute_type=>'TEXT'
,p_is_required=>true
,p_examples=>'test'
,p_is_translatable=>false
,p_help_text=>'The channel to publish on. The server refuses user:<name> channels of other users.'
);
wwv_flow_imp_shared.create_plugin_attribute(
 p_id=>wwv_flow_imp.id(7361000000018001)
,p_plugin_id=>wwv_flow_imp.id(7361000000016001)
,p_attribute_scope=>'COMPONENT'
,p_attribute_sequence=>2
,p_display_sequence=>20
,p_prompt=>'Event Name'
,p_attribute_type=>'TEXT'
,p_is_required=>false
,p_examples=>'ping'
,p_is_translatable=>false
,p_help_text=>'The messages event name.'
);
wwv_flow_imp_shared.create_plugin_attribute(
 p_id=>wwv_flow_imp.id(7361000000019001)
,p_plugin_id=>wwv_flow_imp.id(7361000000016001)
,p_attribute_scope=>'COMPONENT'
,p_attribute_sequence=>3
,p_display_sequence=>30
,p_prompt=>'Items'
,p_attribute_type=>'PAGE ITEMS'
,p_is_required=>false
,p_examples=>'P10_MESSAGE'
,p_is_translatable=>false
,p_help_text=>'Page items whose values are sent as {"ITEM": value}.'
);
wwv_flow_imp_shared.create_plugin_attribute(
 p_id=>wwv_flow_imp.id(7361000000020001)
,p_plugin_id=>wwv_flow_imp.id(7361000000016001)
,p_attribute_scope=>'COMPONENT'
,p_attribute_sequence=>4
,p_display_sequence=>40
,p_prompt=>'Static Payload'
,p_attribute_type=>'TEXTAREA'
,p_is_required=>false
,p_examples=>'{"source":"orders page"}'
,p_is_translatable=>false
,p_help_text=>'Optional JSON merged under the item values.'
);
wwv_flow_imp_shared.create_plugin_attribute(
 p_id=>wwv_flow_imp.id(7361000000021001)
,p_plugin_id=>wwv_flow_imp.id(7361000000016001)
,p_attribute_scope=>'COMPONENT'
,p_attribute_sequence=>5
,p_display_sequence=>50
,p_prompt=>'Payload Function'
,p_attribute_type=>'TEXT'
,p_is_required=>false
,p_examples=>'myApp.orderPayload'
,p_is_translatable=>false
,p_help_text=>'Optional name of a global JavaScript function returning the payload (an object is merged over the items).'
);
wwv_flow_imp_shared.create_plugin_attribute(
 p_id=>wwv_flow_imp.id(7361000000022001)
,p_plugin_id=>wwv_flow_imp.id(7361000000016001)
,p_attribute_scope=>'COMPONENT'
,p_attribute_sequence=>6
,p_display_sequence=>60
,p_prompt=>'Timeout (ms)'
,p_attribute_type=>'INTEGER'
,p_is_required=>false
,p_default_value=>'5000'
,p_is_translatable=>false
,p_help_text=>'How long to wait for the servers acknowledgement. With Wait for Result, the next actions run after the acknowledgement; a refusal or timeout is an error, which stops them when Stop Execution On Error is set.'
);
wwv_flow_imp_shared.create_plugin_event(
 p_id=>wwv_flow_imp.id(7361000000023001)
,p_plugin_id=>wwv_flow_imp.id(7361000000016001)
,p_name=>'rtm-sent'
,p_display_name=>'RTM message acknowledged'
);
wwv_flow_imp_shared.create_plugin_event(
 p_id=>wwv_flow_imp.id(7361000000024001)
,p_plugin_id=>wwv_flow_imp.id(7361000000016001)
,p_name=>'rtm-send-error'
,p_display_name=>'RTM message refused or timed out'
);
end;
/
prompt --application/end_environment
begin
wwv_flow_imp.import_end(p_auto_install_sup_obj => nvl(wwv_flow_application_install.get_auto_install_sup_obj, false));
commit;
end;
/
set verify on feedback on define on
prompt  ...done
