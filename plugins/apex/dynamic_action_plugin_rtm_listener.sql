prompt --application/set_environment
set define off verify off feedback off
whenever sqlerror exit sql.sqlcode rollback
--------------------------------------------------------------------------------
--
-- Oracle APEX export file: plug-in RTM - Listener
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
prompt --application/shared_components/plugins/dynamic_action/com_rtmkit_listener
begin
wwv_flow_imp_shared.create_plugin(
 p_id=>wwv_flow_imp.id(7361000000000001)
,p_plugin_type=>'DYNAMIC ACTION'
,p_name=>'COM.RTMKIT.LISTENER'
,p_display_name=>'RTM - Listener'
,p_category=>'INIT'
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
'function render_listener (',
'  p_dynamic_action in apex_plugin.t_dynamic_action,',
'  p_plugin         in apex_plugin.t_plugin )',
'  return apex_plugin.t_dynamic_action_render_result',
'is',
'  l_result apex_plugin.t_dynamic_action_render_result;',
'begin',
'  add_rtm_library;',
'  -- da.js calls RTM.apex.listener with this = the DA context; it reads this.action.attributeNN.',
'  l_result.javascript_function := ''RTM.apex.listener'';',
'  l_result.ajax_identifier     := apex_plugin.get_ajax_identifier;',
'  l_result.attribute_01 := p_dynamic_action.attribute_01; -- channel (&APP_USER. already substituted)',
'  l_result.attribute_02 := p_dynamic_action.attribute_02; -- event names',
'  l_result.attribute_03 := p_dynamic_action.attribute_03; -- payload filter',
'  l_result.attribute_04 := p_dynamic_action.attribute_04; -- event to fire',
'  l_result.attribute_05 := p_dynamic_action.attribute_05; -- item map',
'  l_result.attribute_06 := p_dynamic_action.attribute_06; -- regions',
'  l_result.attribute_07 := p_dynamic_action.attribute_07; -- notification template',
'  l_result.attribute_08 := p_dynamic_action.attribute_08; -- function to call',
'  l_result.attribute_09 := p_dynamic_action.attribute_09; -- debounce ms',
'  l_result.attribute_10 := p_dynamic_action.attribute_10; -- options',
'  l_result.attribute_11 := p_dynamic_action.attribute_11; -- resource',
'  l_result.attribute_14 := socket_url;',
'  return l_result;',
'end render_listener;'))
,p_api_version=>1
,p_render_function=>'render_listener'
,p_ajax_function=>'ajax_token'
,p_standard_attributes=>'ONLOAD'
,p_substitute_attributes=>true
,p_subscribe_plugin_settings=>true
,p_help_text=>'Listens on an rtm-kit channel over the pages one shared WebSocket and reacts: fires an event, sets declared items, refreshes regions, shows an escaped notification or calls a function.'
,p_version_identifier=>'1.0.0'
,p_about_url=>'https://github.com/rtm-kit/rtm-kit'
);
wwv_flow_imp_shared.create_plugin_attribute(
 p_id=>wwv_flow_imp.id(7361000000001001)
,p_plugin_id=>wwv_flow_imp.id(7361000000000001)
,p_attribute_scope=>'COMPONENT'
,p_attribute_sequence=>1
,p_display_sequence=>10
,p_prompt=>'Channel'
,p_attribute_type=>'TEXT'
,p_is_required=>false
,p_examples=>'user:&APP_USER.'
,p_is_translatable=>false
,p_help_text=>'The channel to listen on (or leave it empty and set Resource). Substitutions such as &APP_USER. are replaced when the page renders; user:<name> channels are private to that user (the token is signed in the database for :APP_USER).'
);
wwv_flow_imp_shared.create_plugin_attribute(
 p_id=>wwv_flow_imp.id(7361000000002001)
,p_plugin_id=>wwv_flow_imp.id(7361000000000001)
,p_attribute_scope=>'COMPONENT'
,p_attribute_sequence=>2
,p_display_sequence=>20
,p_prompt=>'Event Names'
,p_attribute_type=>'TEXT'
,p_is_required=>false
,p_default_value=>'*'
,p_examples=>'order.*'
,p_is_translatable=>false
,p_help_text=>'Event names to act on, separated by commas: an exact name, a prefix such as order.*, or * for all.'
);
wwv_flow_imp_shared.create_plugin_attribute(
 p_id=>wwv_flow_imp.id(7361000000003001)
,p_plugin_id=>wwv_flow_imp.id(7361000000000001)
,p_attribute_scope=>'COMPONENT'
,p_attribute_sequence=>3
,p_display_sequence=>30
,p_prompt=>'Payload Filter'
,p_attribute_type=>'TEXTAREA'
,p_is_required=>false
,p_examples=>'status=DONE'
,p_is_translatable=>false
,p_help_text=>'Optional. field=value pairs (one per line) that must all match, e.g. status=DONE or payload.customer.id=42. On a channel they also filter on the server, so other messages never reach the page.'
);
wwv_flow_imp_shared.create_plugin_attribute(
 p_id=>wwv_flow_imp.id(7361000000004001)
,p_plugin_id=>wwv_flow_imp.id(7361000000000001)
,p_attribute_scope=>'COMPONENT'
,p_attribute_sequence=>4
,p_display_sequence=>40
,p_prompt=>'Fire Event'
,p_attribute_type=>'TEXT'
,p_is_required=>false
,p_default_value=>'rtm-message'
,p_is_translatable=>false
,p_help_text=>'The event fired with apex.event.trigger for each message; this.data is {channel, eventName, payload, modifier, timestamp}. Use it as a Component Event in other dynamic actions. A dynamic action that calls apex.da.cancel() skips the actions below.'
);
wwv_flow_imp_shared.create_plugin_attribute(
 p_id=>wwv_flow_imp.id(7361000000005001)
,p_plugin_id=>wwv_flow_imp.id(7361000000000001)
,p_attribute_scope=>'COMPONENT'
,p_attribute_sequence=>5
,p_display_sequence=>50
,p_prompt=>'Set Items'
,p_attribute_type=>'TEXTAREA'
,p_is_required=>false
,p_examples=>'P10_MESSAGE=payload.value'
,p_is_translatable=>false
,p_help_text=>'Page items to set, one ITEM=path per line, e.g. P10_MESSAGE=payload.value. Only the items listed here are ever written: a message cannot choose which item it sets.'
);
wwv_flow_imp_shared.create_plugin_attribute(
 p_id=>wwv_flow_imp.id(7361000000006001)
,p_plugin_id=>wwv_flow_imp.id(7361000000000001)
,p_attribute_scope=>'COMPONENT'
,p_attribute_sequence=>6
,p_display_sequence=>60
,p_prompt=>'Refresh Regions'
,p_attribute_type=>'TEXT'
,p_is_required=>false
,p_examples=>'orders_report'
,p_is_translatable=>false
,p_help_text=>'Static IDs of regions to refresh (apex.region(id).refresh()), separated by commas.'
);
wwv_flow_imp_shared.create_plugin_attribute(
 p_id=>wwv_flow_imp.id(7361000000007001)
,p_plugin_id=>wwv_flow_imp.id(7361000000000001)
,p_attribute_scope=>'COMPONENT'
,p_attribute_sequence=>7
,p_display_sequence=>70
,p_prompt=>'Notification'
,p_attribute_type=>'TEXT'
,p_is_required=>false
,p_examples=>'New order {payload.id}'
,p_is_translatable=>false
,p_help_text=>'A success message to show, with {path} placeholders, e.g. New order {payload.id}. The text is escaped: a payload cannot inject markup.'
);
wwv_flow_imp_shared.create_plugin_attribute(
 p_id=>wwv_flow_imp.id(7361000000008001)
,p_plugin_id=>wwv_flow_imp.id(7361000000000001)
,p_attribute_scope=>'COMPONENT'
,p_attribute_sequence=>8
,p_display_sequence=>80
,p_prompt=>'Call Function'
,p_attribute_type=>'TEXT'
,p_is_required=>false
,p_examples=>'myApp.onOrder'
,p_is_translatable=>false
,p_help_text=>'Name of a global JavaScript function called with this = the message and (payload, message).'
);
wwv_flow_imp_shared.create_plugin_attribute(
 p_id=>wwv_flow_imp.id(7361000000009001)
,p_plugin_id=>wwv_flow_imp.id(7361000000000001)
,p_attribute_scope=>'COMPONENT'
,p_attribute_sequence=>9
,p_display_sequence=>90
,p_prompt=>'Debounce (ms)'
,p_attribute_type=>'INTEGER'
,p_is_required=>false
,p_default_value=>'0'
,p_is_translatable=>false
,p_help_text=>'Act only on the last message of a burst, once no message has arrived for this many milliseconds. 0 acts on every message.'
);
wwv_flow_imp_shared.create_plugin_attribute(
 p_id=>wwv_flow_imp.id(7361000000010001)
,p_plugin_id=>wwv_flow_imp.id(7361000000000001)
,p_attribute_scope=>'COMPONENT'
,p_attribute_sequence=>11
,p_display_sequence=>110
,p_prompt=>'Resource'
,p_attribute_type=>'TEXT'
,p_is_required=>false
,p_examples=>'ds:orders'
,p_is_translatable=>false
,p_help_text=>'Instead of a channel: a resource type:name whose created, updated and deleted events to act on (Event Names then filter the actions); this.data.payload holds the records. Pushed with rtm_api.emit_event.'
);
wwv_flow_imp_shared.create_plugin_attribute(
 p_id=>wwv_flow_imp.id(7361000000011001)
,p_plugin_id=>wwv_flow_imp.id(7361000000000001)
,p_attribute_scope=>'COMPONENT'
,p_attribute_sequence=>10
,p_display_sequence=>100
,p_prompt=>'Options'
,p_attribute_type=>'CHECKBOXES'
,p_is_required=>false
,p_is_translatable=>false
,p_lov_type=>'STATIC'
,p_help_text=>'Once: stop after the first matching message. Ignore Own: skip the echo of messages this page broadcast.'
);
wwv_flow_imp_shared.create_plugin_attr_value(
 p_id=>wwv_flow_imp.id(7361000000012001)
,p_plugin_attribute_id=>wwv_flow_imp.id(7361000000011001)
,p_display_sequence=>10
,p_display_value=>'Once'
,p_return_value=>'ONCE'
);
wwv_flow_imp_shared.create_plugin_attr_value(
 p_id=>wwv_flow_imp.id(7361000000013001)
,p_plugin_attribute_id=>wwv_flow_imp.id(7361000000011001)
,p_display_sequence=>20
,p_display_value=>'Ignore Own'
,p_return_value=>'IGNORE_OWN'
);
wwv_flow_imp_shared.create_plugin_event(
 p_id=>wwv_flow_imp.id(7361000000014001)
,p_plugin_id=>wwv_flow_imp.id(7361000000000001)
,p_name=>'rtm-message'
,p_display_name=>'RTM message received'
);
wwv_flow_imp_shared.create_plugin_event(
 p_id=>wwv_flow_imp.id(7361000000015001)
,p_plugin_id=>wwv_flow_imp.id(7361000000000001)
,p_name=>'rtm-error'
,p_display_name=>'RTM error'
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
